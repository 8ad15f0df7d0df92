"""The build, from site.toml and content/ to output/, stage by stage.

    config -> (cache: nothing changed?) -> templates -> content -> site -> outputs
           -> editor warnings -> changed files moved into output/

Everything is loaded and validated before anything is written; changed outputs go to a
staging folder and replace their old versions in output/ only when the whole site
built cleanly. With the build cache, only what a change affects is read and rendered.
"""

from __future__ import annotations

import gc
import time
from contextlib import ExitStack, contextmanager
from functools import partial
from itertools import chain
from pathlib import Path

from resnetgen.incremental import Incremental
from resnetgen.layout import theme_dirs
from resnetgen.problems import Problem, Problems, SiteError

# typing.TYPE_CHECKING, without importing typing (~1 ms of a build with nothing to do,
# and typing.NamedTuple's classes ~4 ms more: see cache.CachedPost).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Callable, Iterator

    from resnetgen.config import SiteConfig
    from resnetgen.linkindex import IncrementalLinks
    from resnetgen.parallel import Background
    from resnetgen.site import Site
    from resnetgen.writer import Previous, StagedOutput


# BuildOptions and BuildReport, Problem and the build cache's classes are plain classes,
# not dataclasses: a build with nothing to do then imports no dataclasses (which import
# inspect, ast, dis, tokenize) and makes none (each a dozen functions compiled): 0.02 s
# of its 0.08 (see Incremental.unchanged_as_last for the settings' dataclasses).
class BuildOptions:
    """What `resnetgen build` and `check` were asked for."""
    __slots__ = ("site_dir", "output_dir", "now", "drafts", "write", "cache", "cache_dir",
                 "link_check")

    def __init__(self, site_dir: Path, output_dir: Path, now: datetime, drafts: bool = False,
                 write: bool = True, cache: bool = True, cache_dir: Path | None = None,
                 link_check: bool = True):
        self.site_dir, self.output_dir, self.now = site_dir, output_dir, now
        self.drafts = drafts
        self.write = write            # False: validate and render, write nothing (`check`)
        self.cache = cache            # False (--no-cache): read and render everything afresh
        self.cache_dir = cache_dir    # where the cache is kept; default SITE/.resnetgen-cache
        self.link_check = link_check  # False: `--no-link-check`, for emergencies

    def __repr__(self) -> str:
        return "BuildOptions(" + ", ".join(f"{name}={getattr(self, name)!r}"
                                           for name in self.__slots__) + ")"


class BuildReport:
    """What a build did."""

    def __init__(self, pages: int = 0, briefings: int = 0, files: int = 0, links: int = 0,
                 seconds: float = 0.0, warnings: list[Problem] | None = None,
                 site: Site | None = None, config: SiteConfig | None = None,
                 unchanged: bool = False, settings_in: Path | None = None):
        self.pages, self.briefings, self.files = pages, briefings, files
        self.links = links          # internal and external links seen by the link check
        self.seconds = seconds
        self.warnings: list[Problem] = [] if warnings is None else warnings
        self.site = site            # None when nothing changed and the build stopped early
        self._config = config
        self._settings_in = settings_in  # the site folder whose settings `config` reads
        self.rendered = 0           # pages rendered by this build ...
        self.reused = 0             # ... and kept from the previous one (their inputs unchanged)
        self.unchanged = unchanged  # nothing changed since the last build: output/ kept as it is
        self.rendered_paths: list[str] = []  # output paths rendered

    @property
    def config(self) -> SiteConfig | None:
        """The settings: always there after a build. A build with nothing to do did not
        read them (see Incremental.unchanged_as_last): read when asked for (`serve`,
        `deploy`), as valid as when the last build read the same site.toml."""
        if self._config is None and self._settings_in is not None:
            from resnetgen.config import load_config
            problems = Problems()
            self._config = load_config(self._settings_in, problems)
            problems.raise_if_errors()
        return self._config

    def summary(self) -> str:
        if self.unchanged:
            return (f"Nothing changed: {self.pages} pages ({self.briefings} briefings), "
                    f"{self.files} files up to date in {self.seconds:.2f} s")
        return (f"Built {self.pages} pages ({self.briefings} briefings), "
                f"{self.files} files in {self.seconds:.2f} s"
                + (f" ({self.rendered} pages rendered, {self.reused} unchanged)"
                   if self.reused else ""))


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises SiteError listing every problem, leaving output/ untouched."""
    with quiet_gc() as loaded, ExitStack() as ending:
        return _build(options, loaded, ending)


@contextmanager
def quiet_gc():
    """Python's cycle collector walks every live object, again and again, while a large
    site is loaded (millions of objects, almost none garbage): about a quarter of a
    rebuild. It is off while loading; `loaded()` then freezes what was loaded (never
    walked again) and turns it back on for rendering, whose garbage it collects.
    Young garbage only, mostly: a full collection runs when the objects that outlived
    two young ones grew by a quarter of the old ones, and with the site frozen there
    are almost none, so it ran every few thousand pages booked, walking all the pages
    and their keys to find nothing (0.1-0.25 s of a 10,000-post rebuild). Now it runs
    after FULL_EVERY young collections instead."""
    enabled = gc.isenabled()
    thawed = gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    gc.disable()

    def loaded() -> None:
        gc.freeze()
        gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], FULL_EVERY))
        if enabled:
            gc.enable()
    try:
        yield loaded
    finally:
        gc.set_threshold(*thresholds)
        if thawed:
            gc.unfreeze()  # a long-running `serve` frees the old site's cycles
        if enabled:
            gc.enable()


FULL_EVERY = 1000  # young (generation 1) collections per full one, after loading


def _build(options: BuildOptions, loaded, ending: ExitStack) -> BuildReport:
    started = time.perf_counter()
    problems = Problems()

    # The build cache (.resnetgen-cache/): when no input changed, output/ is current.
    incremental = None
    if options.cache and options.write:
        incremental = Incremental.open(options.site_dir, options.output_dir, options.now,
                                       options.cache_dir)
        # Its process checking output/ (see check_outputs_aside) ends with the build,
        # whichever way: a build failing while loading never asks for its answer.
        ending.callback(incremental.close_aside)
        # output/ as the last build left it? Found on the other core while this one
        # digests the inputs (a build with nothing to do waits for both).
        incremental.check_outputs_aside()
        # With the link check among the options, a build after a `--no-link-check` one
        # is neither "nothing changed" nor quick: it checks what that one did not.
        options_key = (options.drafts, str(options.output_dir), options.link_check)
        # site.toml too as the last build read it: its settings are not read at all.
        if (last := incremental.unchanged_as_last(options_key)) is not None:
            return BuildReport(**last, settings_in=options.site_dir, unchanged=True,
                               seconds=time.perf_counter() - started)

    from resnetgen.config import load_config  # (here: see Incremental.unchanged_as_last)
    config = load_config(options.site_dir, problems)
    problems.raise_if_errors()
    if incremental is not None:
        incremental.scan(config, options_key, defer=True)  # (done already, mostly)
        if (last := incremental.unchanged()) is not None:
            return BuildReport(**last, config=config, unchanged=True,
                               seconds=time.perf_counter() - started)
        # One post's body edited: its own pages only (see quick_edit). Never a first
        # build's case: it then imports none of it (what the rest of the build needs
        # of it is imported while the loader's workers read: see Templates.compile).
        if incremental.cache.last_build:
            from resnetgen.quick_edit import quick_edit
            if (quick := quick_edit(options, config, incremental, BuildReport(config=config))):
                quick.seconds = time.perf_counter() - started
                return quick

    # Imported only now: a build with nothing to do never loads Jinja2 or markdown-it.
    from resnetgen.loader import load_content
    from resnetgen.site import assemble
    from resnetgen.allocator import settle
    settle()  # large blocks handed back to the system when freed: see allocator

    templates = Templates(options, config, incremental, problems)
    content = load_content(options.site_dir, config, problems, options.drafts,
                           incremental.cache if incremental else None,
                           meanwhile=templates.compile,
                           digest_read=incremental is not None and incremental.deferred)
    env = templates.compile()
    # Imported while the content was read (Templates.compile): this process's time
    # before the loader's workers start is all the build's.
    from resnetgen.linkindex import IncrementalLinks
    from resnetgen.lint import editor_warnings, site_warnings
    from resnetgen.writer import StagedOutput
    problems.raise_if_errors()
    # The cache's posts, known since loading, written by another process on a core left
    # idle (beside the site's assembly, between the passes, beside the link check).
    saving = save_posts_aside(incremental, early=True)
    try:
        site = assemble(config, content, options.now)
        if incremental:
            incremental.prepare(env, content.digests, content.listing_digests, site)
        loaded()
        report = BuildReport(briefings=len(site.briefings), site=site, config=config)
        staged = (StagedOutput(options.output_dir,
                               incremental.cache.outputs if incremental else None,
                               incremental.cache.output_dirs if incremental else None,
                               incremental is not None and incremental.found_intact())
                  if options.write else None)
    except BaseException:
        finished_aside(saving, failed=True)
        raise
    produced: set[str] = set()
    links = None
    if options.link_check:  # with the cache, only what changed is checked again
        links = IncrementalLinks(config.base_url,
                                 incremental.cache.link_index if incremental else None,
                                 staged.current if staged is not None else None,
                                 indexed=incremental is not None)
    indexing = listing = None  # work of other processes (see *_aside)
    sources: dict[str, str] = {}   # output path -> the source file that produced it
    done: dict[str, tuple] = {}    # output path -> (links read, Written): by render workers
    early: list = []  # what needs the site alone, found while the calendars are made

    def meanwhile() -> None:
        early.append(site_warnings(site))
        if incremental:
            incremental.site_facts(site)
            incremental.complete_scan()
    try:
        outputs = all_outputs(site, env, options, problems, report, sources, incremental,
                              done, links is not None, staged, meanwhile, links)
        book_outputs(outputs, staged, links, done, sources, produced, problems, report)
        copy_static(site, options, staged, links, incremental, produced, problems, report)
        editor_warnings(site, produced, problems, early[0] if early else None)
        problems.raise_if_errors()
        listing = list_folders_aside(staged, incremental)
        if links is not None:
            saving = saving or save_posts_aside(incremental if staged is not None else None)
            report.links = check_links(links, sources, options.site_dir, problems)
            indexing = index_links_aside(links, incremental if staged is not None else None)
        if staged is not None:
            staged.commit()
    except BaseException:
        if staged is not None:
            staged.discard()
        finished_aside(saving, failed=True)
        finished_aside(indexing, failed=True)
        if listing is not None:
            listing.close()
        raise
    if finished_aside(saving):
        incremental.cache.posts.saved()  # type: ignore[union-attr]
    if listing is not None and incremental:
        # output/'s folders as the staging folder had them (moved whole): the cache's
        # save finds each with the mtime listed, and lists none again. output/ is
        # committed: a listing lost (its process killed) is only time lost, as the
        # save then lists the folders itself.
        try:
            incremental.cache.output_dirs = listing.result()
        except Exception:
            listing.close()
    report.warnings = problems.warnings
    if incremental and staged is not None:
        incremental.complete_scan()  # (done while the calendars were made, mostly)
        incremental.finish(staged.records, {
            "pages": report.pages, "briefings": report.briefings, "files": report.files,
            "warnings": report.warnings, "links": report.links},
            site, report.rendered + report.reused, None if staged.listed else staged.staged)
    finished_aside(indexing)
    report.seconds = time.perf_counter() - started
    return report


class Templates:
    """The theme's templates, compiled (their errors to `problems`) and read for what
    they use (see Incremental.read_templates) by `compile`: called by the loader once
    its workers read the content (this process would wait for them; 0.15 s of a first
    build), else after loading."""

    def __init__(self, options: BuildOptions, config: SiteConfig,
                 incremental: Incremental | None, problems: Problems):
        self.options, self.config, self.incremental = options, config, incremental
        self.problems = problems
        self.env = None

    def compile(self):
        if self.env is None:
            import resnetgen.linkindex  # noqa: F401  (for later: see _build)
            import resnetgen.render  # noqa: F401
            from resnetgen.cards import kept_cards
            from resnetgen.theme import check_templates, make_environment
            incremental = self.incremental
            self.env = make_environment(
                self.options.site_dir, self.config,
                incremental.cache.compiled_templates() if incremental else None,
                kept_cards(incremental))
            check_templates(self.env, self.options.site_dir, self.problems)
            if incremental:
                incremental.read_templates(self.env)
            self.env.forget_parsed()  # read: their syntax trees are not needed again
        return self.env


def book_outputs(outputs: Iterator[tuple[str, "bytes | Previous", str]],
                 staged: StagedOutput | None, links: IncrementalLinks | None,
                 done: dict[str, tuple], sources: dict[str, str], produced: set[str],
                 problems: Problems, report: BuildReport) -> None:
    """Each rendered output into the writer (staged by a worker already, or written here)
    and the link index."""
    from resnetgen.writer import OutputClash, Previous
    kept: list[tuple[str, Previous]] = []  # a run of the last build's files, kept as they are

    def book_kept() -> None:
        # In bulk: a rebuild keeps ~21,000 files at 10,000 posts, in runs of thousands.
        # As one by one (the same records, links and errors, in the same order), unless
        # the writer finds a path of the run already booked: then one by one indeed.
        report.files += len(kept)
        produced.update(path for path, _ in kept)
        if staged is None or staged.keep(kept):
            if links is not None:
                links.add_kept(kept)
        else:
            for output_path, previous in kept:
                book(output_path, previous, previous.record.key)
        kept.clear()

    def book(output_path: str, data: "bytes | Previous", key: str) -> None:
        value = ""  # the digest of its bytes, from the writer
        # A kept file was not rendered: `done` holds nothing of it (a page rendered at the
        # same path, booked after it and clashing, keeps its own entry).
        read, written = ((None, None) if type(data) is Previous
                         else done.pop(output_path, (None, None)))
        if staged is not None:
            try:
                value = staged.write(output_path, data, key, written)
            except OutputClash as clash:
                problems.error(sources.get(output_path, output_path), 1,
                               f"two outputs would be written to {clash.output_path}",
                               "rename the content file, or change a slug or alias")
        if links is not None:
            links.add(output_path, data, read, value)

    for output_path, data, key in outputs:
        if type(data) is Previous:
            kept.append((output_path, data))
            continue
        if kept:
            book_kept()
        report.files += 1
        produced.add(output_path)
        book(output_path, data, key)
    if kept:
        book_kept()


def copy_static(site: Site, options: BuildOptions, staged: StagedOutput | None,
                links: IncrementalLinks | None, incremental: Incremental | None,
                produced: set[str], problems: Problems, report: BuildReport) -> None:
    """The theme's and the content's other files, copied as they are."""
    from resnetgen.writer import OutputClash
    for output_path, source in static_files(site, options.site_dir):
        report.files += 1
        produced.add(output_path)
        if links is not None:
            add_static(links, output_path, source)
        if staged is not None:
            try:
                staged.copy(output_path, source,
                            incremental.cache.file_digest(source, _name(source, options.site_dir))
                            if incremental else "")
            except OutputClash as clash:
                problems.error(_name(source, options.site_dir), 1,
                               f"{clash.output_path} is also a page of the site",
                               "rename the file or move it to another folder")


def all_outputs(site: Site, env, options: BuildOptions, problems: Problems,
                report: BuildReport, sources: dict[str, str],
                incremental: Incremental | None = None, done: dict | None = None,
                read_links: bool = False, staged: StagedOutput | None = None,
                meanwhile: Callable[[], None] | None = None,
                links: IncrementalLinks | None = None
                ) -> Iterator[tuple[str, "bytes | Previous", str]]:
    """(output path, bytes or the previous build's unchanged file, key) of every output.
    Each page rendered is, in its render worker, read for the link check (`read_links`)
    and written to the staging folder (`staged`): `done` gets (links, Written) of each.
    `meanwhile()` runs once the pages are done, before the calendars and feeds (made by
    other processes, which usually take longer) are waited for; or, when the render
    workers make those too, once the first page is in, while they render. `links`:
    told which files a first build writes, it checks each page as it comes (see
    early_links)."""
    from resnetgen import site_wide
    from resnetgen.linkcheck import extract, site_host
    from resnetgen.pages import all_pages
    from resnetgen.parallel import Aside, Background, can_fork, pool_size
    from resnetgen.problems import ERROR
    from resnetgen.render import render_pages
    from resnetgen.writer import Previous

    keys: dict[str, str] = {}  # output path -> its page's key (see Incremental)
    # With no file of a last build to keep (a first build), a page's key serves only its
    # record, which the writer makes in the render worker: made there (see key_of).
    keyed_in_workers = incremental is not None and not incremental.cache.raw_outputs
    by_path: dict[str, object] = {}  # output path -> page, for key_of

    def key_of(output_path: str) -> str:
        key = keys.get(output_path)
        if key is None and keyed_in_workers and output_path in by_path:
            from resnetgen.pages import made
            key = incremental.fingerprints.page_key(made(by_path[output_path]))  # type: ignore[union-attr]
        return key or ""

    host = site_host(site.config.base_url)

    def in_worker(output_path: str, data: bytes, key: str | None = None) -> tuple:
        """Beside rendering, on every core: the writing and link reading of each page."""
        return (extract(output_path, data, host) if read_links else None,
                staged.prepare(output_path, data, key_of(output_path) if key is None else key)
                if staged is not None else None)

    # The calendars and the feeds are made while the pages render. A rebuild keeps most
    # of them, in one other process, started first: it runs while this one lists the
    # pages and their keys. A first build renders every page: on several processes,
    # the render workers make them, as two pieces of their work taken first (see
    # Aside; two processes of their own shared the cores with them, at a cost: a fork
    # each, the site's memory copied on write by each); else in two processes.
    first = incremental is None or not incremental.cache.last_build
    kept_file = incremental.kept_files() if incremental else None  # before they fork
    # A first build's post pages, with no file to keep, are KeptPages too (see
    # pages.KeptPage): made, and keyed, by the render worker of each (0.2 s at 10,000
    # posts, on this process's core alone before the workers start, otherwise).
    pages = all_pages(site, {post.source_path for post in site.posts}
                      if keyed_in_workers else ()) if first else None
    pooled = first and pool_size(len(pages)) > 1  # type: ignore[arg-type]
    # A rebuild's other process also renders a listing or two (see listings_aside): this
    # one renders the others, and books theirs in their turn.
    aside = () if first or not can_fork() else site_wide.ASIDE_LISTINGS
    site_wide_made = ([(Aside if pooled else Background)(
                           partial(site_wide.site_wide_outputs, site, incremental, in_worker, which))
                       for which in [(name,) for name in site_wide.SITE_WIDE]] if first else
                      [Background(partial(site_wide.site_wide_and_listings, site, incremental, in_worker,
                                          env, options.site_dir, aside))])
    if pages is None:
        pages = all_pages(site, incremental.kept_posts() if incremental else ())
    sources.update((page.output_path, page.source) for page in pages)
    # A first build's link check, page by page while the others render: told the files
    # sure to be written, and the calendars' and feeds' as soon as they are made.
    watching = list(site_wide_made) if pooled and links is not None else []
    if watching:
        links.expect(chain((page.output_path for page in pages),  # type: ignore[union-attr]
                           (path for path, _ in static_files(site, options.site_dir))),
                     len(pages), host)  # type: ignore[arg-type]
    report.pages = sum(1 for p in pages if p.output_path.endswith(".html"))
    # The pages rendered by the other process, out of this one's list; each is booked
    # before the page after it (None: last), as in the site's order.
    before: dict[str | None, list[str]] = {}
    if aside:
        aside_pages = {(page.route, page.template) for page in (make(site) for make in aside)}
        here = []
        for page in pages:
            if page.made_from is None and (page.route, page.template) in aside_pages:
                before.setdefault(None, []).append(page.output_path)
            else:
                if None in before:
                    before[page.output_path] = before.pop(None)
                here.append(page)
        pages = here
    if keyed_in_workers and staged is not None:
        by_path.update((page.output_path, page) for page in pages)
    elif incremental:
        keys.update(incremental.page_keys(pages))

    def reuse(page):
        return (incremental.reuse(page.output_path, keys[page.output_path])
                if incremental and not keyed_in_workers else None)

    made: list = []  # the other processes' results: (outputs, problems, state)
    listed: dict[str, tuple] = {}  # output path -> (data or KEPT, key, finished): see aside

    def other_pages(path: str | None) -> Iterator[tuple[str, "bytes | Previous", str]]:
        """The pages the other process rendered, due before `path` (see `before`)."""
        nonlocal meanwhile
        if path not in before:
            return
        if not made:  # (a list: a page due first waits for that process)
            if meanwhile is not None:  # (before waiting: while that process works)
                meanwhile()
                meanwhile = None
            made.append(site_wide_made[0].result())
            outputs, found, state, listings = made[0]
            made[0] = (outputs, found, state)
            reported = {(p.path, p.line) for p in problems.items if p.severity == ERROR}
            problems.extend(p for p in listings[1] if (p.path, p.line) not in reported)
            listed.update((output_path, rest) for output_path, *rest in listings[0])
        for output_path in before.pop(path):
            if output_path not in listed:
                continue  # its template failed: reported
            data, key, finished = listed.pop(output_path)
            if finished is not None and done is not None:
                done[output_path] = finished
            if type(data) is str:  # KEPT
                report.reused += 1
                data = kept_file(output_path)  # type: ignore[misc]
            else:
                report.rendered += 1
                report.rendered_paths.append(output_path)
            yield output_path, data, key

    try:
        for output_path, data, finished in render_pages(
                site, pages, env, options.site_dir, problems, reuse, in_worker,
                aside=site_wide_made if pooled else ()):
            if output_path in before:
                yield from other_pages(output_path)
            if finished is not None and done is not None:
                done[output_path] = finished
            if isinstance(data, Previous):
                report.reused += 1
            else:
                report.rendered += 1
                report.rendered_paths.append(output_path)
            if watching:
                for work in [work for work in watching if work.peek() is not None]:
                    links.expect_more(path for path, *_ in work.peek()[0])  # type: ignore[union-attr]
                    watching.remove(work)
            yield output_path, data, keys.get(output_path, "")
            if pooled and meanwhile is not None:  # (nothing to wait for at the end: now,
                meanwhile()                       # while the workers render)
                meanwhile = None
        for path in list(before):  # (due last, or before a page whose template failed)
            yield from other_pages(path)
        del pages  # 11,000 at 10,000 posts (~7 MB): let go of before the calendars come back
        by_path.clear()
        if meanwhile is not None:
            meanwhile()
        if not made:
            made = [work.result() for work in site_wide_made]
            if not first:
                made = [(outputs, found, state) for outputs, found, state, _ in made]
    finally:
        for work in site_wide_made:
            work.close()
    for outputs, found, state in made:
        problems.extend(found)
        if incremental:
            incremental.adopt(state)
    for outputs, _, _ in made:
        for output_path, data, key, finished in outputs:
            if finished is not None and done is not None:
                done[output_path] = finished
            if type(data) is str:  # KEPT: the previous build's file, as the other process found
                data = kept_file(output_path)  # type: ignore[misc]
            yield output_path, data, key


def _name(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path)


ASIDE_POSTS, ASIDE_PAGES = 2000, 5000  # posts to write, pages indexed: see the *_aside


def save_posts_aside(incremental: Incremental | None, early: bool = False) -> Background | None:
    """The cache's posts (0.55 s to write at 10,000 posts), written by a forked process
    while this one checks the links, on the core that would idle: they are known since
    loading, and stand for their source files, not for any output (so a build that
    fails after is no reason to keep them back). None: the cache's save writes them.
    `early`: just after loading, at the lowest priority (parallel.Background's idle),
    when no post comes from the cache (whose bodies, in the shards rewritten, the
    pages may read)."""
    from resnetgen.cache import SHARDS
    from resnetgen.parallel import Background, can_fork, can_hurry
    if incremental is None or not can_fork():
        return None
    store = incremental.cache.posts
    # Only for many posts to write (~55 us each): for an edit's shard, or a small site's
    # posts, forking (and the copies-on-write after) costs about what it saves, and
    # more on a busy machine (the other process then waits for a core).
    to_write = len(store.used) * len(store.dirty) // len(SHARDS)
    if early:
        if store.used.keys() - store.made or to_write < ASIDE_POSTS // 4 or not can_hurry():
            return None
        return Background(store.save, idle=True)
    return Background(store.save) if to_write >= ASIDE_POSTS else None


ASIDE_FOLDERS = 4000  # files of a first build: see list_folders_aside


def list_folders_aside(staged: StagedOutput | None, incremental: Incremental | None
                       ) -> Background | None:
    """The folders of a first build's output with their mtimes (see
    incremental.output_folders: 0.19 s of listing at 10,000 posts), listed in the
    staging folder by a forked process while this one checks the links: the staging
    folder becomes output/ whole (its folders as they are), and nothing but this build
    wrote there. The cache's save then has only to see each mtime unchanged."""
    from resnetgen.incremental import output_folders
    from resnetgen.parallel import Background, can_fork
    if (staged is None or incremental is None or staged.previous is not None
            or len(staged.records) < ASIDE_FOLDERS or not can_fork()):
        return None
    return Background(partial(output_folders, str(staged.staging), staged.records, {}))


def index_links_aside(links: IncrementalLinks, incremental: Incremental | None
                      ) -> Background | None:
    """The next build's link index (0.3 s to make at 10,000 posts, 0.1 s to write), made
    and written by a forked process while this one commits output/ and saves the rest
    of the cache. Only a build whose links all passed gets here (see linkindex)."""
    from resnetgen.parallel import Background, can_fork
    if incremental is None or not links.indexed:
        return None
    cache = incremental.cache
    if not (links.mostly_new and links.checked >= ASIDE_PAGES and can_fork()):
        # Made here, saved with the rest of the cache (an edit's few pages, or a small
        # site's: as for the posts, forking would cost about what it saves, or more).
        links.make_index()
        if links.changed:
            cache.set_link_index(links.new_index)
        return None

    def make_and_save() -> None:
        links.make_index()
        if links.changed:
            try:
                cache.save_link_index(links.new_index)
            except OSError:
                pass  # a read-only site folder builds without a cache
    making = Background(make_and_save)
    links.forget_depends()
    return making


def finished_aside(work: Background | None, failed: bool = False) -> bool:
    """Waits for a `*_aside` process (never cut short: a cache file cut short would cost
    the next build the whole cache); whether it did its work. `failed`: the build is
    failing with an error of its own to report."""
    if work is None:
        return False
    try:
        work.result()
    except OSError:
        return False  # a read-only cache folder: the cache's save tries, and gives up, again
    except BaseException:
        if failed:
            return False
        raise
    return True


def check_links(links: IncrementalLinks, sources: dict[str, str], site_dir: Path,
                problems: Problems) -> int:
    """Every internal link must lead to a written file; returns how many links were seen."""
    count = links.check(sources, problems, lambda source, url: source_line(site_dir, source, url),
                        index_now=False)  # see index_links_aside
    problems.raise_if_errors()
    return count


def source_line(site_dir: Path, source: str, url: str) -> int:
    """The line of a broken link in its content file (read again only on error)."""
    path = site_dir / source
    if not source.endswith(".md") or not path.is_file():
        return 1
    from resnetgen.locate import link_line
    return link_line(path.read_text(encoding="utf-8", errors="replace"), url)


def add_static(links: IncrementalLinks, output_path: str, source: Path) -> None:
    """A copied file is a link target; a copied HTML file is also checked."""
    from resnetgen.linkcheck import HTML_EXTENSIONS
    if Path(output_path).suffix.lower() in HTML_EXTENSIONS:
        links.add(output_path, source.read_bytes())
    else:
        links.add_file(output_path)


def static_files(site: Site, site_dir: Path) -> Iterator[tuple[str, Path]]:
    """The theme's static files (the site's own override them), then content files."""
    seen: set[str] = set()
    for folder in theme_dirs(site_dir, site.config.theme, "static"):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in seen:
                seen.add(relative)
                yield relative, path
    for source_path, route in sorted(site.assets.items()):
        yield route, site_dir / source_path


__all__ = ["BuildOptions", "BuildReport", "SiteError", "build"]
