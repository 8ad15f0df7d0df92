"""Incremental builds: decide, from the build cache, what can be kept from last time.

- Nothing changed (same inputs, same code, same options, and a clock that moves no
  chat between upcoming and past) and output/ untouched: the build stops early.
- Otherwise each page is rendered again only when its key (see `fingerprint`)
  differs from the key its previous file was made from, or that file was touched.

Every decision compares digests of inputs; nothing is trusted on dates alone.
"""

from __future__ import annotations

import bisect
import os
import posixpath
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path


from resnetgen.cache import BuildCache, digest, folder_mtime, walk_files
from resnetgen.layout import CONTENT_DIR, theme_dirs
from resnetgen.problems import Problems

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see build.py)
if TYPE_CHECKING:
    from typing import Callable, Iterator
    import jinja2

    from resnetgen.config import SiteConfig
    from resnetgen.fingerprint import Fingerprints
    from resnetgen.writer import Previous


class Incremental:
    """The build cache's view of this build. A plain class (see build.BuildOptions): the
    values below are the defaults, each set on the instance when it changes."""
    cache: BuildCache
    site_dir: Path
    output_dir: Path
    now: datetime
    inputs_key: str = ""
    surface: str = ""           # templates, settings, people, code: shared by every page
    outputs_surface: str = ""   # the same but templates: feeds and calendars use none
    whole_site: bool = True     # a template reads all of `site`: every page sees every post
    body_readers: frozenset = frozenset()  # templates that may read a post's body
    raw_clock: bool = True      # some output reads the exact clock, not just upcoming/past
    fingerprints: "Fingerprints | None" = None
    static: str = ""            # digest of the static files ...
    options: str = ""           # ... and of the build's options (see scan)
    made: dict                  # site-wide output name -> (key, paths, warnings)
    _root: str | None = None    # output_dir as text, made once
    _before: dict | None = None  # the last build's post digests (see _last_digests) ...
    _kept: set | None = None     # ... and the posts with the same digest now
    _facts: tuple | None = None  # (site, its site_facts)
    _templates_read: object = None  # the environment read_templates read
    _deferred: tuple | None = None  # (options key, content files listed) while the scan waits
    _intact: bool = False       # output/ as the last build left it (see check_outputs_aside)
    _saved_digests: tuple | None = None  # (the cache's POST_DIGESTS file, as read,)
    _intact_aside: object = None  # parallel.Background finding that out, till asked
    _answered: bool = False     # _intact is its answer
    _scanned: tuple | None = None  # (theme, options key) of the scan done
    _settings: str = ""            # site.toml's digest, as scanned

    def __init__(self, cache: BuildCache, site_dir: Path, output_dir: Path, now: datetime):
        self.cache, self.site_dir, self.output_dir, self.now = cache, site_dir, output_dir, now
        self.made = {}

    @classmethod
    def open(cls, site_dir: Path, output_dir: Path, now: datetime,
             cache_dir: Path | None = None) -> "Incremental":
        return cls(BuildCache.load(site_dir, cache_dir), site_dir, output_dir, now)

    def unchanged_as_last(self, options_key: tuple) -> dict | None:
        """`unchanged()` before the settings are read: with site.toml the last build's
        (by digest), so are its settings, valid, and its theme, which the last build
        named. A build with nothing to do then never parses them (tomllib, zoneinfo,
        the settings' classes: ~0.01 s of its ~0.08). The scan done is `scan`'s."""
        last = self.cache.last_build
        theme = last.get("theme")
        if type(theme) is not str:
            return None
        try:
            settings = self.cache.file_digest(self.site_dir / "site.toml", "site.toml")
        except OSError:  # (no site.toml: reading the settings says so)
            return None
        if settings != last.get("settings"):
            return None
        self._scan(theme, options_key)
        return self.unchanged()

    def scan(self, config: SiteConfig, options_key: tuple, defer: bool = False) -> None:
        """Digest every input file (by stat where it can be trusted) into one key.
        `defer`: on a first build (no file known to the cache, no last build to compare
        with, no post kept by a first build that failed), the content files are left to
        the loader's workers, which digest each file they read (its bytes in hand: see
        `deferred`); `complete_scan` then makes the key, from their digests, as this
        scan would have (0.17 s of one core at 10,000 posts, before any worker could
        start). Done once: `unchanged_as_last` may have done it already."""
        if self._scanned != (config.theme, options_key):
            self._scan(config.theme, options_key, defer)

    def _scan(self, theme: str, options_key: tuple, defer: bool = False) -> None:
        cache, site = self.cache, self.site_dir
        self._scanned = (theme, options_key)
        templates = cache.folder_digest(theme_dirs(site, theme, "templates"), "templates")
        static = cache.folder_digest(theme_dirs(site, theme, "static"), "static")
        settings = self._settings = cache.file_digest(site / "site.toml", "site.toml")
        self.static, self.options = static, digest(options_key)
        if defer and not cache.files and not cache.last_build and not cache.posts.records:
            from resnetgen.cache import _files_under
            # Listed now (no file read): the key is of the files this build loads, not
            # of those added or removed while it runs (the next build must see those).
            self._deferred = (options_key, _files_under(str(site / CONTENT_DIR)))
            # people.toml, digested now for the surface, takes its place among the
            # content files in `complete_scan` (the cache's records, in the same order).
            people = self._people_digest()
            name = f"{CONTENT_DIR}/people.toml"
            if name in cache._digests:
                cache.read_digests[name] = (cache._seen.pop(name, None), cache._digests.pop(name))
            self.surface = digest(cache.code, templates, settings, people)
            self.outputs_surface = digest(cache.code, settings, people)
            return
        content = cache.folder_digest([site / CONTENT_DIR], "content")
        people = self._people_digest()
        self.surface = digest(cache.code, templates, settings, people)
        self.outputs_surface = digest(cache.code, settings, people)
        self.inputs_key = digest(self.surface, static, content, options_key)

    @property
    def deferred(self) -> bool:
        """Whether the content files are to be digested by whoever reads them (see scan):
        into `cache.read_digests`, before `complete_scan`."""
        return self._deferred is not None

    def complete_scan(self) -> None:
        """The content's part of a `scan` that deferred it: files no worker read (other
        files, or all when loading failed) are digested here."""
        if self._deferred is None:
            return
        (options_key, listed), self._deferred = self._deferred, None
        content = self.cache.folder_digest([self.site_dir / CONTENT_DIR], "content", listed)
        self.cache.read_digests.clear()  # (files digested but no longer there)
        self.inputs_key = digest(self.surface, self.static, content, options_key)

    def _people_digest(self) -> str:
        path = self.site_dir / CONTENT_DIR / "people.toml"
        return self.cache.file_digest(path, "content/people.toml") if path.is_file() else ""

    def unchanged(self) -> dict | None:
        """The last build's summary when nothing it depends on has changed."""
        last = self.cache.last_build
        if not last or last.get("inputs") != self.inputs_key:
            return None
        if not self.same_clock():
            return None
        return last["summary"] if self.outputs_intact() else None

    def same_clock(self) -> bool:
        """Whether every output reads this build's clock as the last build's: no chat
        went from upcoming to past (or, where an output reads the exact clock, no time
        passed)."""
        last = self.cache.last_build
        if last.get("raw_clock"):
            return last.get("now") == self.now
        return (bisect.bisect_right(last["ends"], instant(self.now))
                == bisect.bisect_right(last["ends"], instant(last["now"])))

    def _output_intact(self) -> bool:
        """output/ holds exactly the files the last build wrote, none touched since."""
        return output_intact(str(self.output_dir), self.cache.raw_outputs, self.cache.output_dirs)

    def check_outputs_aside(self) -> None:
        """`_output_intact` (35,000 stats at 10,000 posts), started on another core while
        this one digests the inputs and reads the content: a core otherwise idle until
        the pages render. Its answer is taken by `outputs_intact` (`unchanged`'s, a quick
        rebuild's, or `prepare`'s): with output/ intact, `reuse` need not stat each file
        again (11,000 at 10,000 posts)."""
        from resnetgen.parallel import Background, can_fork
        if (self._intact_aside is None and not self._answered and self.cache.raw_outputs
                and can_fork()):
            self._intact_aside = Background(partial(
                output_intact, str(self.output_dir), self.cache.raw_outputs, self.cache.output_dirs),
                trim=False)

    def close_aside(self) -> None:
        """Ends and waits for the process of `check_outputs_aside` if its answer was never
        taken (a build that failed before `prepare`): `serve` builds again and again."""
        aside, self._intact_aside = self._intact_aside, None
        if aside is not None:
            aside.close()  # type: ignore[attr-defined]

    def outputs_intact(self) -> bool:
        """Whether output/ is as the last build left it (see check_outputs_aside)."""
        aside, self._intact_aside = self._intact_aside, None
        if aside is not None:
            try:
                self._intact = bool(aside.result())  # type: ignore[attr-defined]
            except Exception:  # the process failed: reuse stats each file itself
                self._intact = False
            self._answered = True
        if self._answered:  # (asked again: a build that found its inputs unchanged first)
            return self._intact
        return self._output_intact()

    def found_intact(self) -> bool:
        """Whether this build found output/ as the last build left it (`outputs_intact`'s
        answer, when it was asked for: never checked here)."""
        return self._answered and self._intact

    def prepare(self, env: "jinja2.Environment", post_digests: dict[str, str],
                listing_digests: dict[str, str] | None = None, site=None) -> None:
        """Page keys from here on: after the content is loaded (`site`: assembled from it,
        which knows which chats are upcoming). The answer of `check_outputs_aside`, taken
        now: before other processes fork (which could not take it), long after it was
        ready."""
        from resnetgen.fingerprint import Fingerprints
        if self._intact_aside is not None:
            self.outputs_intact()
        self.read_templates(env)
        self.raw_clock = self.whole_site  # feeds and calendars never read the clock
        self.fingerprints = Fingerprints(self.surface, post_digests, self.now, self.whole_site,
                                         listing_digests, self.body_readers, self.outputs_surface,
                                         self._last_posts())
        if not self._last_digests():  # the page keys will not read them: let go (2 MB
            self._saved_digests = None  # at 10,000 posts, held through the rendering)
        if site is not None and site.now == self.now:
            self.fingerprints.upcoming = site.is_upcoming
            self.fingerprints.prime(site.posts)

    def _last_posts(self) -> tuple[dict[str, str], str] | None:
        """The last build's post digests and their posts_key (see fingerprint), or None."""
        last = self.cache.last_build
        if not last or type(last.get("posts_key")) is not str:
            return None
        saved = self.saved_digests()
        if (type(saved) is not tuple or len(saved) != 2 or saved[0] != last.get("inputs")
                or type(saved[1]) is not dict):
            return None
        return saved[1], last["posts_key"]

    def read_templates(self, env: "jinja2.Environment") -> None:
        """What the templates read (see fingerprint), once an environment: the build asks
        as soon as they compile, while its workers read the content (0.05 s of a first
        build's serial part otherwise)."""
        from resnetgen.fingerprint import body_readers, reaches_whole_site
        if self._templates_read is env:
            return
        last = self.cache.last_build
        if last.get("surface") == self.surface:  # the same templates: the same answers
            self.whole_site, self.body_readers = last["whole_site"], last["body_readers"]
        else:
            self.whole_site, self.body_readers = reaches_whole_site(env), body_readers(env)
        self._templates_read = env

    def kept_posts(self) -> set[str]:
        """The posts whose digest is the last build's, with the same templates, settings
        and no chat gone past: their pages' keys are those their files were made from
        (pages.KeptPage)."""
        if self._kept is None:
            before, now = self._last_digests(), self.fingerprints.post_digests  # type: ignore[union-attr]
            self._kept = {path for path, value in now.items() if before.get(path, "") == value}
        return self._kept

    def page_keys(self, pages: list) -> dict[str, str]:
        """Each page's key (see fingerprint). A page made from one post alone (`made_from`)
        whose post has the digest it had in the last build, with the same templates,
        settings and no chat gone past, has the key its file was made from: it is not
        walked again (10,000 post pages a rebuild at 10,000 posts)."""
        from resnetgen.models import Post  # here: a build with nothing to do never needs it
        from resnetgen.pages import KeptPage, made
        page_key = self.fingerprints.page_key  # type: ignore[union-attr]
        before = self._last_digests()
        if not before:
            return {page.output_path: page_key(made(page)) for page in pages}
        now, records = self.fingerprints.post_digests, self.cache.raw_outputs  # type: ignore[union-attr]
        keys = {}
        for page in pages:
            if type(page) is KeptPage:  # its post's digest is the last build's
                record = records.get(page.output_path)
                keys[page.output_path] = (record[0] if record is not None
                                          else page_key(page.made()))
                continue
            made_from = page.made_from
            if made_from is not None and type(made_from[-1]) is Post:
                path = made_from[-1].source_path
                record = records.get(page.output_path)
                if record is not None and before.get(path, "") == now.get(path):
                    keys[page.output_path] = record[0]
                    continue
            keys[page.output_path] = page_key(page)
        return keys

    def _last_digests(self) -> dict[str, str]:
        """The post digests of the last build, when its page keys hold for this one."""
        if self._before is None:
            self._before = self._read_last_digests()
        return self._before

    def _read_last_digests(self) -> dict[str, str]:
        last = self.cache.last_build
        if (not last or last.get("surface") != self.surface or last.get("whole_site", True)
                or self.whole_site or not self.same_clock()):
            return {}
        saved = self.saved_digests()
        if (type(saved) is not tuple or len(saved) != 2 or saved[0] != last.get("inputs")
                or type(saved[1]) is not dict):
            return {}
        return saved[1]

    def saved_digests(self):
        """The cache's file of the last build's post digests, as read (once: a title
        edit's quick_edit reads it first, 620 KB at 10,000 posts)."""
        if self._saved_digests is None:
            self._saved_digests = (self.cache.read_file(POST_DIGESTS),)
        return self._saved_digests[0]

    def save_post_digests(self, digests: dict[str, str]) -> None:
        """The post digests of this build, for the next one's `page_keys`."""
        self.cache.write_file(POST_DIGESTS, (self.inputs_key, digests))

    def memo(self, what: object, make: Callable[[], bytes], bodies: bool = True) -> bytes:
        """A piece of a site-wide output (one calendar event), kept from an earlier build
        while `what` (walked like a page's context; without `bodies`, posts' bodies left
        out) and the settings, people and code are the same (no template makes one)."""
        return self.cache.memo(self.fingerprints.output_piece_key(what, bodies), make,  # type: ignore[union-attr]
                               stale=self.cache.last_build.get("outputs_surface") != self.outputs_surface)

    def site_wide_state(self) -> tuple:
        """What making the site-wide outputs changed here: to hand from a worker process."""
        return self.made, self.cache.memo_state()

    def adopt(self, state: tuple) -> None:
        """`site_wide_state` of a worker process (one for each of several)."""
        made, memo = state
        self.made.update(made)
        self.cache.adopt_memo(memo)

    def site_wide(self, name: str, problems: Problems, make: Callable, bodies: bool = True
                  ) -> Iterator[tuple[str, "bytes | Previous", str]]:
        """The outputs of `make(problems, output)` (feeds, calendars: made from every
        post), all kept from the last build when no post (`bodies`: nor its body),
        setting or code changed (made in Python, they read no template); the problems
        it reported then are reported again. Else `make` runs, and each output it names with
        `output(path, what, make_bytes)` is still the previous build's file when `what`
        (as in `memo`) is the same: neither made nor read again."""
        key = self.fingerprints.output_key(name, bodies)  # type: ignore[union-attr]
        last = self.cache.last_build.get("site_wide", {}).get(name)
        if last is not None and last[0] == key:
            # Every file is as this build would make it: each is kept while untouched,
            # under the key it was made from.
            outputs = self.cache.outputs
            kept = [(path, self.reuse(path, outputs[path].key) if path in outputs else None)
                    for path in last[1]]
            if all(previous is not None for _, previous in kept):
                problems.extend(last[2])
                self.made[name] = last
                yield from ((path, previous, previous.record.key)  # type: ignore[union-attr]
                            for path, previous in kept)
                return

        from resnetgen.models import Post
        kept, records = self.kept_posts(), self.cache.raw_outputs

        def output(path: str, what: object, make_bytes: Callable[[], bytes]) -> tuple:
            # A chat's .ics (10,000 at 10,000 posts), made from its post alone: with the
            # post unchanged, it has its file's key, as its page (see page_keys). Only
            # ("chat", post): ("events", post) is events.ics of a site of one chat, whose
            # file may list chats deleted since.
            if (type(what) is tuple and len(what) == 2 and what[0] == "chat"
                    and type(what[1]) is Post and what[1].source_path in kept
                    and path in records):
                made_from = records[path][0]
            else:
                made_from = self.fingerprints.output_piece_key(what, bodies)  # type: ignore[union-attr]
            previous = self.reuse(path, made_from)
            return path, make_bytes() if previous is None else previous, made_from
        found = Problems()
        paths = []
        for path, data, made_from in make(found, output):
            paths.append(path)
            yield path, data, made_from
        problems.extend(found.items)
        self.made[name] = (key, paths, [p for p in found.items if p.severity != "error"])

    def reuse(self, output_path: str, key: str) -> Previous | None:
        """The previous build's file, if made from `key` and untouched since (same size,
        mtime and inode; known of every file at once when output/ was found intact):
        asked for each of 11,000 pages a rebuild, so kept flat."""
        if self._root is None:
            self._root = str(self.output_dir)
        record = self.cache.outputs.get(output_path)
        if record is None or record[0] != key:
            return None
        path = f"{self._root}/{output_path}"
        if self._intact:
            return _previous(path, record)
        try:
            st = os.stat(path)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != record[2:]:
            return None
        return _previous(path, record)

    def kept_files(self) -> Callable[[str], Previous]:
        """`reuse`'s answer for a file it kept in another process (see site_wide.KEPT), from
        the records that process was forked with: a cache file found damaged later in
        this build (the link index, read when first needed) discards the cache's."""
        records, root = self.cache.outputs, str(self.output_dir)
        return lambda output_path: _previous(f"{root}/{output_path}", records[output_path])

    def finish(self, records: dict, summary: dict, site, page_count: int,
               staged: list[str] | None = None) -> None:
        """Remember this build, for the next one. `staged`: the outputs this build moved
        into output/ (None: unknown). `site`: the loaded site, `page_count`: its pages."""
        touched = None
        if staged is not None:  # and those it removed
            touched = [*staged, *(self.cache.raw_outputs.keys() - records.keys())]  # (in C)
        feeds, ends = self.site_facts(site)
        self.remember(records, touched, {
            "inputs": self.inputs_key, "summary": summary, "site_wide": self.made,
            "surface": self.surface, "outputs_surface": self.outputs_surface,
            "whole_site": self.whole_site,
            "body_readers": self.body_readers, "raw_clock": self.raw_clock, "now": self.now,
            "ends": ends,
            # for a quick rebuild (see quick_edit):
            "static": self.static, "options": self.options, "page_count": page_count,
            "theme": self._scanned[0] if self._scanned else None,  # see unchanged_as_last
            "settings": self._settings,
            "posts_key": self.fingerprints.posts_key if self.fingerprints else "",
            "feeds": feeds,
            "targets": {path: known for path, known in  # see quick_edit.Edit.target
                        self.cache.last_build.get("targets", {}).items() if path in records}})

    def site_facts(self, site) -> tuple[dict, list[int]]:
        """What the cache keeps of the loaded site for the next build: its feeds (for
        quick_edit) and the chats' ends (for `same_clock`). Made once, by `finish` or
        before it, while the build waits for another process (see build.all_outputs)."""
        if self._facts is None or self._facts[0] is not site:
            from resnetgen.feeds import feed_specs
            feeds = {spec.folder: (spec.title, spec.description, spec.page_route,
                                   tuple(post.source_path for post in spec.posts))
                     for spec in feed_specs(site)}
            self._facts = (site, feeds, sorted(instant(p.chat.end) for p in site.briefings))
        return self._facts[1], self._facts[2]

    def remember(self, records: dict, touched: list[str] | None, last_build: dict) -> None:
        """Save the cache with this build's output `records` (the files in `touched`
        moved in or removed, None: unknown) and facts; with the digests of the input
        files too recently changed for the cache's file records (see BuildCache.files),
        so that the next build can tell which files changed since this one."""
        same = records.keys() == self.cache.raw_outputs.keys()
        self.cache.output_dirs = output_folders(str(self.output_dir), records,
                                                self.cache.output_dirs, touched, same)
        self.cache.outputs = records
        seen = self.cache._seen
        if self.fingerprints is not None:  # a full build (quick_edit saves its own)
            self.save_post_digests(self.fingerprints.post_digests)
        self.cache.last_build = {**last_build, "racy": {
            name: value for name, value in self.cache._digests.items() if name not in seen}}
        self.cache.save()

    def changed_inputs(self) -> dict[str, tuple[str | None, str | None]] | None:
        """The input files changed, added or removed since the last build (after `scan`,
        from its digests): name -> (digest then, digest now; None: no such file). None
        when the last build did not keep what it takes."""
        last = self.cache.last_build
        racy = last.get("racy")
        if racy is None:
            return None
        before = {name: record[3] for name, record in self.cache.files.items()}
        before.update(racy)
        now = self.cache._digests
        changed = {name: (before.get(name), value) for name, value in now.items()
                   if before.get(name) != value}
        changed.update((name, (value, None)) for name, value in before.items() if name not in now)
        return changed


def output_intact(root: str, outputs: dict, folders: dict) -> bool:
    """output/ holds exactly the files the last build wrote, none touched since.
    A folder's mtime changes whenever a name in it is added, removed or renamed, so
    with every folder's mtime as it was, the files in it are the same ones: each
    file is then stat'ed, no folder listed."""
    if not outputs:
        return False
    if folders and os.stat in os.supports_dir_fd:  # (lstat is stat, not following links)
        lstat = os.lstat
        try:
            if folder_mtime(root, "") != folders.get(""):
                return False
            # Paths relative to output/'s descriptor: the kernel walks fewer names
            # (35,000 lstats at 10k, most of this path's time).
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                for folder, mtime in folders.items():  # folder_mtime, inlined
                    if folder and lstat(folder, dir_fd=fd).st_mtime_ns != mtime:
                        return False
                for relative, record in outputs.items():  # 21,000 at 10k: kept lean
                    st = lstat(relative, dir_fd=fd)
                    if (st.st_mtime_ns != record[3] or st.st_ino != record[4]
                            or st.st_size != record[2]):
                        return False
            finally:
                os.close(fd)
        except OSError:
            return False
        return True
    count = 0
    for relative, entry in walk_files(root):
        record = outputs.get(relative)
        if record is None:
            return False
        st = entry.stat(follow_symlinks=False)
        if (st.st_size, st.st_mtime_ns, st.st_ino) != record[2:]:
            return False
        count += 1
    return count == len(outputs) and count > 0


def _previous(path: str, record: tuple) -> "Previous":
    """writer.Previous(path, record); writer is imported on first use (a build with
    nothing to do never needs it), then this name is Previous itself."""
    global _previous
    from resnetgen.writer import Previous
    _previous = Previous
    return Previous(path, record)


POST_DIGESTS = "digests.marshal"  # the last build's post digests (see page_keys)


def instant(moment: datetime) -> int:
    """An aware date-time as microseconds since 1970 (UTC): the chats' ends are kept as
    these, which load from the cache many times faster than 10,000 date-times."""
    return (moment - EPOCH) // MICROSECOND


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


def output_folders(root: str, records: dict, known: dict[str, int],
                   touched: list[str] | None = None, same_files: bool = False
                   ) -> dict[str, int]:
    """Every folder of output/ with its mtime, when output/ holds only the files in
    `records` (else {}: the next build lists output/ to know). A folder whose mtime is
    in `known` holds the same names as when it was listed: only the others are listed.
    With `touched` (the files this build added, replaced or removed), a folder holding
    none of them (nor a folder made or removed) keeps its known mtime without a stat:
    if anything else changed it since, the next build sees its mtime differ.
    `same_files`: `records` names the files `known` was listed with."""
    if same_files and known:  # the same files as last time: in the same folders
        folders = dict.fromkeys(known, 0)
    else:
        folders = {"": 0}
        for path in records:
            folder = posixpath.dirname(path)
            while folder not in folders:
                folders[folder] = 0
                folder = posixpath.dirname(folder)
    changed = None
    if touched is not None and known:
        changed = {""}
        for path in touched:
            folder = posixpath.dirname(path)
            while folder not in changed:
                changed.add(folder)
                folder = posixpath.dirname(folder)
    try:
        for folder in folders:
            if changed is not None and folder not in changed and folder in known:
                folders[folder] = known[folder]
                continue
            full = f"{root}/{folder}" if folder else root
            folders[folder] = mtime = folder_mtime(root, folder)
            if known.get(folder) == mtime:
                continue
            with os.scandir(full) as entries:
                for entry in entries:
                    name = f"{folder}/{entry.name}" if folder else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if name not in folders:
                            return {}  # a folder with no file of the build (an empty one)
                    elif name not in records:
                        return {}
    except OSError:
        return {}
    return folders
