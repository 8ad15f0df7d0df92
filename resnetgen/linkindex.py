"""The link check on a rebuild: only what can have changed is checked again.

The result is exactly that of checking every link (linkcheck.LinkChecker), because:
- the index is saved only by a build whose link check passed (or ran no check: the
  index then stays that of the last build that passed), so in the indexed build every
  link of every page was valid; any such index will do, not only the last one, and
  a build that changed only a few pages keeps the one it has (see STALE_PAGES);
- a link's validity depends only on the site's address, the set of files written
  (its candidates: `x`, or `x/index.html` for `/x`) and, for a `#fragment`, the ids of
  the page it leads to (and whether that page is HTML or a redirect).

So a page with the same bytes as in the index (the same links) is checked again only
when a candidate file of one of its links appeared or disappeared, or a page its
fragment links lead to changed its ids. So is a page with new bytes but the same URLs,
in the same order, as its indexed version (a listing after a title edit: 30,000 links
on the events page at 10,000 posts, none new): its links lead where they led. Other
pages with new bytes are always checked. The index keeps, per output, its bytes'
digest, its link count and ids, the files its links depend on, and a digest of its
URLs: never the links themselves, which are read again only when needed.
"""

from __future__ import annotations

import hashlib
import marshal
from array import array
from dataclasses import dataclass
from itertools import filterfalse
from operator import itemgetter
from typing import Callable, Iterable, NamedTuple

from resnetgen.cache import digest
from resnetgen.linkcheck import Depends, LinkChecker, PageLinks, extract
from resnetgen.problems import Problems
from resnetgen.writer import Previous

SLACK = 1000  # numbered paths beyond twice those of the last renumbering, before renumbering
# The index is saved again (7 MB at 10,000 posts) only when files appeared or went, or
# more than this many pages (or their links) differ from it: until then, those pages
# are read and checked again on each build, as any page whose bytes changed is.
STALE_PAGES, STALE_LINKS = 8, 1000
# Pages checked afresh whose URLs are digested for the index (see `urls_key`), at most:
# a rebuild's few (a title edit's listings), not a first build's or a template edit's
# 21,000 (whose indexes, made in another process, leave the digest out: '').
KEYED_PAGES = 1000
_NOT_A_TARGET = (False, False, frozenset())  # what a fragment link sees in a non-page


class Entry(NamedTuple):
    """An entry's fields. Entries are kept as plain tuples of these (DIGEST, LINKS...
    index them): 21,000 loaded per rebuild at 10,000 posts, as marshal makes them."""
    digest: str                 # of the output's bytes
    links: int                  # how many links it has
    target: tuple               # (is_html, is_redirect, ids): what fragment links to it see
    files: bytes                # candidate files of its links (present or not) ...
    fragments: bytes            # ... and the files its fragment links lead to: as numbers
                                # in LinkIndex.paths, the bytes of an array("I") (saved
                                # and loaded in one piece; read as numbers only if needed)
    urls: str                   # urls_key of its links, or '' (not digested)


DIGEST, LINKS, TARGET, FILES, FRAGMENTS, URLS = range(6)
_LINKS = itemgetter(LINKS)


def urls_key(page: PageLinks) -> str:
    """A digest of a page's URLs in their order (marshal's bytes of a tuple of str say
    exactly which strings: no separator to be mistaken for part of one)."""
    return hashlib.blake2b(marshal.dumps(page.urls), digest_size=16).hexdigest()


@dataclass(frozen=True)
class LinkIndex:
    base_url: str
    written: frozenset[str]
    entries: dict[str, tuple]  # as Entry's fields
    paths: tuple[str, ...]      # the files entries name, by number
    fresh: int = 0              # how many paths there were when last numbered afresh


def _target_only(is_html: bool, is_redirect: bool, ids: frozenset) -> PageLinks:
    """PageLinks((), ids, is_html, is_redirect), made in a few steps (11,000 per rebuild)."""
    page = PageLinks.__new__(PageLinks)
    page.urls, page.lines, page.ids = (), b"", ids
    page.is_html, page.is_redirect, page.others = is_html, is_redirect, 0
    return page


def _target(page: PageLinks | None, alike: dict | None = None) -> tuple:
    """What fragment links to the page see; `alike`: one tuple of each value (kept so,
    the index saves and loads each once: at 10,000 posts, a dozen for 21,000 files)."""
    if page is None:
        return _NOT_A_TARGET
    target = (page.is_html, page.is_redirect, page.ids)
    return target if alike is None else alike.setdefault(target, target)


class IncrementalLinks:
    """Collects a build's outputs like LinkChecker, then checks what needs it.

    `previous`: the last passing build's index (None: check everything); `read`: the
    bytes this build has for an output, to check again a page kept as it was.
    `indexed`: keep an index for the next build (a build with the cache)."""

    copy_entries = True  # a rebuild's index: the old entries copied, then mended (tests: False)

    def __init__(self, base_url: str,
                 previous: "LinkIndex | Callable[[], LinkIndex | None] | None" = None,
                 read: Callable[[str], bytes] | None = None, indexed: bool = False):
        self.checker = LinkChecker(base_url)
        self._previous = previous   # or how to load it: when first needed, so that worker
        self._loaded = not callable(previous)  # processes forked before do not carry it
        self.read = read
        self.indexed = indexed or previous is not None
        self.digests: dict[str, str] = {}   # output path -> digest of its bytes
        self.kept: set[str] = set()          # same bytes as in the index: links not read
        self.links = 0
        self.new_index: LinkIndex | None = None
        self.changed = True                  # whether to save new_index (see STALE_PAGES)
        self._old_numbers: dict[str, int] | None = None  # old.paths, path -> number
        self._old_entries: dict[str, tuple] | None = None  # old.entries, or {}
        self._depends: dict[str, tuple[bytes, bytes]] = {}  # the last check's, numbered
        self._paths: dict[str, int] = {}     # the new index's paths, path -> number
        self._same: dict[str, tuple] = {}    # new bytes, indexed URLs: path -> its new entry
        self._keys: dict[str, str] = {}      # urls_key of pages checked afresh
        self._early_depends: Numbered | None = None  # see `expect`
        self._let_go = False  # pages' links let go of once checked early (see `expect`)

    @property
    def old(self) -> LinkIndex | None:
        if not self._loaded:
            self._previous, self._loaded = self._previous(), True  # type: ignore[operator]
        previous = self._previous
        return previous if previous is not None and previous.base_url == self.checker.base_url else None  # type: ignore[union-attr]

    def add(self, output_path: str, data: "bytes | Previous",
            extracted: PageLinks | None = None, value: str = "") -> None:
        """`extracted`: `extract` of the same bytes, when already done (by a worker);
        `value`: their digest, when known (the writer's)."""
        self.checker.written.add(output_path)
        if self.indexed:
            if not value:
                value = data.record.digest if isinstance(data, Previous) else digest(data)
            self.digests[output_path] = value
        entries = self._old_entries
        if entries is None:
            entries = self._old_entries = self.old.entries if self.old is not None else {}
        old = entries.get(output_path)
        if old is not None and value and old[DIGEST] == value:
            self.kept.add(output_path)
            if old[TARGET] != _NOT_A_TARGET:  # a target of fragment links: its ids
                self.checker.pages[output_path] = _target_only(*old[TARGET])
            return
        self.checker.add(output_path, data.read_bytes() if isinstance(data, Previous) else data,
                         extracted)

    def add_kept(self, kept: list[tuple[str, Previous]]) -> None:
        """`add` of each of these previous files (their digests are their records'),
        in bulk (21,000 a rebuild at 10,000 posts). A target of fragment links gets one
        PageLinks per distinct (is_html, is_redirect, ids), shared by every page that
        has it (the index's entries share their tuples, see _target): the check reads
        such a page's ids and never changes it (a page checked again is read afresh)."""
        written, digests = self.checker.written, self.digests
        entries = self._old_entries
        if entries is None:
            entries = self._old_entries = self.old.entries if self.old is not None else {}
        paths = [output_path for output_path, _ in kept]
        written.update(paths)
        if not self.indexed:
            for output_path, previous in kept:
                self.checker.add(output_path, previous.read_bytes())
            return
        values = [previous.record.digest for _, previous in kept]
        digests.update(zip(paths, values))
        pages, same, get = self.checker.pages, self.kept.add, entries.get
        targets: dict[int, tuple[tuple, PageLinks]] = {}  # id(target) -> (it, its PageLinks)
        for output_path, value, (_, previous) in zip(paths, values, kept):
            old = get(output_path)
            if old is not None and value and old[DIGEST] == value:
                same(output_path)
                target = old[TARGET]
                if target != _NOT_A_TARGET:  # a target of fragment links: its ids
                    known = targets.get(id(target))
                    if known is None:
                        known = targets[id(target)] = (target, _target_only(*target))
                    pages[output_path] = known[1]
            else:
                self.checker.add(output_path, previous.read_bytes())

    def add_file(self, output_path: str) -> None:
        self.checker.add_file(output_path)

    def expect(self, files: Iterable[str], pages: int, host: str | None = None) -> None:
        """A first build's `files`, sure to be written (`pages` of them to render): each
        page is checked as it is added (see early_links), unless an index is kept from
        a last build (then only what changed is checked, at the end). More files may be
        told by `expect_more`."""
        if self.old is not None or self.checker.pages:
            return
        from resnetgen.early_links import EarlyCheck
        self._early_depends = Numbered({}) if self.indexed else None
        # Its links let go of once checked (read again only should that be undone),
        # unless the check digests pages' URLs (a small site's: see KEYED_PAGES).
        read = self.read if pages > KEYED_PAGES else None
        self._let_go = read is not None
        self.checker.early = EarlyCheck(self.checker, files, self._early_depends, read, host)

    def expect_more(self, files: Iterable[str]) -> None:
        if self.checker.early is not None:
            self.checker.early.expect(files)

    def check(self, sources: dict[str, str], problems: Problems,
              line_of: Callable[[str, str], int], index_now: bool = True) -> int:
        """Report every broken link (as LinkChecker.report); returns the links seen.
        The new index is made now, or (`index_now` False) by `make_index`."""
        checker, old = self.checker, self.old
        # (each of these over 21,000 outputs at 10,000 posts: in C)
        recheck = list(filterfalse(self.kept.__contains__, checker.pages))
        same: dict[str, tuple] = {}
        # (never of pages whose links were let go of: `expect` counted the pages to
        # render, this the pages read, fewer when some hold no link)
        if self.indexed and len(recheck) <= KEYED_PAGES and not self._let_go:
            self._keys = {p: urls_key(checker.pages[p]) for p in recheck}
        if old is not None:
            if self._keys:
                # New bytes, the indexed URLs: checked as a page kept is (below), with
                # the entry's files; the rest of its entry is this page's.
                for path in recheck:
                    entry = old.entries.get(path)
                    if entry is not None and entry[URLS] and entry[URLS] == self._keys[path]:
                        page = checker.pages[path]
                        same[path] = (self.digests[path], page.total, _target(page),
                                      entry[FILES], entry[FRAGMENTS], entry[URLS])
                if same:
                    recheck = [p for p in recheck if p not in same]
            # Copied: `^` leaves a set sized like its operands, slow to iterate when nearly empty.
            moved = self._numbers(checker.written ^ old.written)
            retargeted = self._numbers(
                p for p in filterfalse(self.kept.__contains__, self.digests)
                if p not in old.entries or old.entries[p][TARGET] != _target(checker.pages.get(p)))
            for path in (self.kept if moved or retargeted else ()):
                entry = old.entries[path]
                if entry[LINKS] and not (moved.isdisjoint(_numbers(entry[FILES]))
                                         and retargeted.isdisjoint(_numbers(entry[FRAGMENTS]))):
                    recheck.append(path)
                    checker.pages[path] = extract(path, self.read(path))  # type: ignore[misc]
            for path, entry in list(same.items()) if moved or retargeted else ():
                if entry[LINKS] and not (moved.isdisjoint(_numbers(entry[FILES]))
                                         and retargeted.isdisjoint(_numbers(entry[FRAGMENTS]))):
                    recheck.append(path)  # its links at hand: checked afresh
                    del same[path]
        self._same = same
        for path in same:  # the count and ids are all its entry needs of it
            page = checker.pages[path]
            page.others, page.urls, page.lines = page.total, (), b""
        depends = (self._early_depends if self.checker.early is not None else
                   Numbered(self._numbering()) if self.indexed else None)
        checker.report(sources, problems, line_of, only=set(recheck), depends=depends,
                       forget=depends is not None)
        self.links = (sum(checker.pages[p].total for p in recheck)
                      + sum(entry[LINKS] for entry in same.values())
                      + sum(map(_LINKS, map(old.entries.__getitem__,
                                            self.kept if depends is None else
                                            self.kept.difference(depends.numbered))))
                      if old is not None else checker.links_checked)
        if depends is not None:
            self._depends, self._paths = depends.numbered, depends.numbers
            if index_now:
                self.make_index()
        return self.links

    def make_index(self) -> None:
        """`new_index` (and whether it `changed`), from what the last check found, once:
        each page's links are let go as its entry is made (the entry needs only their
        count and the page's ids), so the entries take their place in memory."""
        if self.new_index is None:
            self._make_index(self._depends)

    @property
    def checked(self) -> int:
        """How many outputs the last check read (and `make_index` indexes afresh)."""
        return len(self._depends)

    @property
    def mostly_new(self) -> bool:
        """Whether the last check read most outputs again (a first build, a template
        changed): then making the index is long work, not a few pages' update."""
        return 2 * len(self._depends) > len(self.digests)

    def forget_depends(self) -> None:
        """Lets go of what `make_index` needs (~10 MB at 10,000 posts), once another
        process makes the index: the rest of this build then needs no more memory."""
        self._depends, self._paths, self._same, self._keys = {}, {}, {}, {}

    def _numbering(self) -> dict[str, int]:
        """The new index's numbers of paths, to which the check adds those it meets:
        the old index's, or none when they are numbered afresh (see SLACK). (Numbers of
        new paths never appear in the old entries, so `_numbers` can share them.)"""
        old = self.old
        if old is None or len(old.paths) > 2 * old.fresh + SLACK:
            return {}
        self._numbers(())
        return self._old_numbers  # type: ignore[return-value]

    def _numbers(self, paths) -> set[int]:
        """The numbers of these paths in the old index (a path it lacks, no entry names)."""
        if self._old_numbers is None:
            old = self.old.paths  # type: ignore[union-attr]
            self._old_numbers = dict(zip(old, range(len(old))))  # (path: n, in C)
        return {self._old_numbers[p] for p in paths if p in self._old_numbers}

    def _make_index(self, depends: dict[str, tuple[bytes, bytes]]) -> None:
        old = self.old
        keys, same = self._keys, self._same
        numbers = self._paths
        fresh = old.fresh if old is not None else 0
        renumbering = old is not None and len(old.paths) > 2 * old.fresh + SLACK
        pages = self.checker.pages
        alike: dict[tuple, tuple] = {}

        def made(path: str, value: str) -> tuple:
            page = pages.pop(path, None)
            files, fragments = depends.get(path, (b"", b""))
            return (value, page.total if page else 0, _target(page, alike),
                    files, fragments, keys.get(path, ""))
        digests = self.digests
        touched: set[str] | None = None
        if (self.copy_entries and old is not None and not renumbering
                and len(self.kept) > len(digests) // 2):
            # A rebuild (21,000 outputs at 10,000 posts, a title edit's 13 made again):
            # the old entries copied at once, then those of the outputs gone, new, not
            # kept or checked again mended; only those are compared with the old below.
            entries = dict(old.entries)
            touched = ((digests.keys() - self.kept) | (self.kept & depends.keys())
                       | (entries.keys() - digests.keys()))
            for path in touched:
                if path not in digests:
                    del entries[path]
                elif path in same and path not in depends:
                    entries[path] = same[path]
                else:
                    entries[path] = made(path, digests[path])
        else:
            kept = {p: old.entries[p] for p in self.kept if p not in depends} if old else {}
            kept.update((p, entry) for p, entry in same.items() if p not in depends)
            if renumbering:
                # Numbered paths only grow from build to build: renumbered now and then
                # (the check numbered its pages' files afresh: see _numbering).
                kept = {p: _renumbered(e, old.paths) for p, e in kept.items()}  # type: ignore[union-attr]
                old, fresh = None, 0

            def number(files) -> bytes:
                return array("I", sorted(numbers.setdefault(f, len(numbers))
                                         for f in files)).tobytes()
            entries = {}
            for path, value in digests.items():
                entry = kept.get(path)
                if entry is not None:
                    entries[path] = (entry if isinstance(entry[FILES], bytes) else  # renumbered
                                     (entry[DIGEST], entry[LINKS], entry[TARGET],
                                      number(entry[FILES]), number(entry[FRAGMENTS]),
                                      entry[URLS]))
                    continue
                entries[path] = made(path, value)
        if old is None:
            fresh = len(numbers)
        written = frozenset(self.checker.written)
        if self.old is None or old is None or written != self.old.written \
                or entries.keys() != self.old.entries.keys():
            self.changed = True
        else:  # an index a few pages behind stays valid: those pages are read again
            stale = [path for path in (entries if touched is None else touched)
                     if self.old.entries[path] != entries[path]]
            self.changed = (len(stale) > STALE_PAGES
                            or sum(entries[path][LINKS] for path in stale) > STALE_LINKS)
        self.new_index = LinkIndex(self.checker.base_url, written, entries, tuple(numbers), fresh)


class Numbered(Depends):
    """The check's findings (see linkcheck.Depends) as the index keeps them: each page's
    files as the bytes of an array("I") of their numbers in `numbers`, made as the
    check goes (a set of paths per page held 45 MB at 10,000 posts; these, 8 MB)."""

    def __init__(self, numbers: dict[str, int]):
        super().__init__()
        self.numbers = numbers
        self.numbered: dict[str, tuple[bytes, bytes]] = {}

    def number(self, paths: "tuple[str, ...] | set[str]") -> tuple[int, ...]:
        numbers = self.numbers
        if type(paths) is tuple and len(paths) == 1:  # most links: without a generator
            number = numbers.get(paths[0])
            if number is None:
                number = numbers[paths[0]] = len(numbers)
            return (number,)
        return tuple([numbers.setdefault(path, len(numbers)) for path in paths])

    def add(self, output_path: str, files: set, fragments: set[str]) -> None:
        self.numbered[output_path] = (array("I", sorted(files)).tobytes(),
                                      array("I", sorted(self.number(fragments))).tobytes())


def _renumbered(entry: tuple, paths: tuple[str, ...]) -> tuple:
    """An entry with its files as paths again, for _make_index to number afresh."""
    return (entry[DIGEST], entry[LINKS], entry[TARGET],
            [paths[n] for n in _numbers(entry[FILES])],
            [paths[n] for n in _numbers(entry[FRAGMENTS])], entry[URLS])


def to_plain(index: LinkIndex) -> tuple[tuple, list]:
    """The index as str, int, bytes, tuples and sets only, marshal saves and loads it
    many times faster than pickle does dataclasses (the cache's linkindex file): (its
    small parts, [the files written, the entries]), the big tables apart (the cache
    saves only their changes, mostly: see BuildCache._write_split)."""
    return (index.base_url, index.paths, index.fresh), [index.written, index.entries]


def from_plain(data: tuple) -> LinkIndex:
    (base_url, paths, fresh), (written, entries) = data
    if (type(entries) is not dict or type(paths) is not tuple
            or not all(type(entry) is tuple and len(entry) == 6 for entry in entries.values())):
        raise ValueError("link index entries of an unexpected shape")
    return LinkIndex(base_url, frozenset(written), entries, paths, fresh)


def _numbers(raw: bytes) -> array:
    value = array("I")
    value.frombytes(raw)
    return value
