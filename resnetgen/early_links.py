"""The link check of a first build, page by page as the pages come in from their render
workers, while the others render (this process waits for them, mostly idle): at the
end, only what needs every page is left to check (0.4-0.5 s of a 10,000-post build's
end, on one core, otherwise).

A link's file is known before every file is written: the build says which files it
will write (its pages, static files; its feeds and calendars as they are made), and a
link whose first candidate (`x`) is among them leads there (see LinkChecker._resolved:
the second candidate is looked at only when the first is missing). A fragment link is
looked up once its page is added; a link to another site needs no file. Every other
link (to a file not known yet, a fragment on a page to come) is left to `broken`, with
what was found of the page's other links, so the findings, their order and what
`depends` gets are those of checking every page at the end. Should a file said to be
written be missing then, the early findings are dropped and every page checked again.
"""

from __future__ import annotations

from itertools import chain
from typing import Callable, Iterable
from urllib.parse import urlsplit

from resnetgen.linkcheck import _ABSOLUTE, Broken, Depends, LinkChecker, PageLinks, extract


class EarlyCheck:
    """`LinkChecker.broken`'s work on each page as `LinkChecker.add` gets it; `broken`
    takes its findings. `depends`: the one `broken` will be given. `read`: a file's
    bytes, to read a page again if the early findings are dropped (without it, pages
    keep their links until the end)."""

    def __init__(self, checker: LinkChecker, files: Iterable[str], depends: Depends | None,
                 read: Callable[[str], bytes] | None = None, host: str | None = None):
        self.checker, self.depends, self.read, self.host = checker, depends, read, host
        self.expected: set[str] = set(files)   # files sure to be written
        self.number = depends.number if depends is not None else _as_they_are
        self.base_path = checker.base_path
        parts = urlsplit(checker.base_url)  # as `broken` makes a page's URL
        self.host_name, self.scheme = parts.netloc.lower(), parts.scheme
        self.candidates: dict[str, tuple] = {}  # absolute URL -> its files: plainly there
        self.later: set[str] = set()           # absolute URLs left for the end
        self.fragment_links: dict[str, tuple] = {}  # absolute URL -> (file, fragment, files)
        # Every page added is checked whole, but those in `partial`: page -> (files,
        # fragments, reasons, URLs left) for LinkChecker.broken to check at the end.
        self.partial: dict[str, tuple] = {}
        self.found: dict[str, list] = {}       # page -> its broken links: (index, Broken)
        # Fragment links to pages not added yet: (file, fragment, URL) -> their pages
        self.looked_up: dict[tuple[str, str, str], list[str]] = {}

    def expect(self, files: Iterable[str]) -> None:
        """More files sure to be written (a feed's, a calendar's, once made)."""
        self.expected.update(files)
        self.later.clear()  # those left for the end may be found now

    def check(self, output_path: str, page: PageLinks) -> None:
        checker, number, candidates, later = self.checker, self.number, self.candidates, self.later
        unique = set(page.urls)
        unknown = unique.difference(candidates)
        files = set(chain.from_iterable(map(candidates.__getitem__, unique.difference(unknown))
                                        if unknown else map(candidates.__getitem__, unique)))
        fragments: set[str] = set()
        reasons: dict[str, str] = {}
        looked_up: dict[str, tuple[str, str]] = {}
        left: list[str] = []
        if unknown:
            page_url = f"{self.scheme}://{self.host_name}{self.base_path}{output_path}"
            for url in sorted(unknown):
                if url in later:
                    left.append(url)
                    continue
                absolute = url.startswith(_ABSOLUTE)
                known = self.fragment_links.get(url) if absolute else None
                if known is not None:  # (/events/#subscribe on every chat's page)
                    file, fragment, numbers = known
                    files.update(numbers)
                    fragments.add(file)
                    if file not in checker.written:
                        looked_up[url] = (file, fragment)
                    elif (missing := checker._missing_id(file, fragment, output_path,
                                                         self.base_path)):
                        reasons[url] = missing
                    continue
                file, fragment, reason, more = checker._target(
                    url, page_url, self.host_name, self.base_path, self.expected)
                if more and (file is None or file != more[0]):
                    # No file yet (or only its second candidate): told at the end.
                    if absolute:
                        later.add(url)
                    left.append(url)
                    continue
                numbers = number(more)
                files.update(numbers)
                if reason is not None:  # whatever is written (empty, outside the site...)
                    reasons[url] = reason
                elif fragment and file is not None:
                    fragments.add(file)
                    if absolute:
                        self.fragment_links[url] = (file, fragment, numbers)
                    if file not in checker.written:  # its ids known at the end
                        looked_up[url] = (file, fragment)
                    else:
                        missing = checker._missing_id(file, fragment, output_path, self.base_path)
                        if missing:
                            reasons[url] = missing
                elif absolute:
                    candidates[url] = numbers
        if left:  # (with its fragments to look up: all checked together at the end)
            self.partial[output_path] = (files, fragments, reasons, left + list(looked_up))
            return
        if reasons:
            links = page.links
            self.found[output_path] = [(index, Broken(output_path, links[index], reasons[url]))
                                       for index, url in enumerate(page.urls) if url in reasons]
        for url, (file, fragment) in looked_up.items():
            self.looked_up.setdefault((file, fragment, url), []).append(output_path)
        if self.depends is not None:
            self.depends.add(output_path, files, fragments)
        if self.read is not None:  # (read again, should the findings be dropped)
            page.others, page.urls, page.lines = page.total, (), b""

    def finish(self) -> None:
        """Looks up the fragments of links to pages added after theirs, each target once.
        A page with one missing (rare: the build then fails) has its broken links found
        again in its order, from its links read again if they were let go of."""
        checker, found = self.checker, self.found
        for (file, fragment, url), pages in self.looked_up.items():
            # ("" for the page: never the link's own, which is added before it is checked)
            reason = checker._missing_id(file, fragment, "", self.base_path)
            if not reason:
                continue
            for output_path in pages:
                page = checker.pages[output_path]
                if not page.urls and self.read is not None:
                    page = extract(output_path, self.read(output_path), self.host)
                reasons = {broken.link.url: broken.reason
                           for _, broken in found.get(output_path, ())}
                reasons[url] = reason
                links = page.links
                found[output_path] = [(index, Broken(output_path, links[index], reasons[link]))
                                      for index, link in enumerate(page.urls) if link in reasons]
        self.looked_up.clear()

    def broken(self, output_path: str) -> list[Broken]:
        """The broken links of a page checked whole (not in `partial`), in its order."""
        return [broken for _, broken in self.found.get(output_path, ())]

    def holds(self, written: set[str], only: set[str] | None, depends) -> bool:
        """Whether the findings stand: every file expected was written, and `broken`
        checks every page with the same `depends`."""
        return (depends is self.depends and self.expected <= written
                and (only is None or len(only) == len(self.checker.pages)))

    def undo(self) -> None:
        """The pages whose links were let go of read again."""
        if self.read is not None:
            pages = self.checker.pages
            for output_path, page in pages.items():
                if output_path not in self.partial and not page.urls and page.others:
                    pages[output_path] = extract(output_path, self.read(output_path), self.host)


def _as_they_are(paths: tuple[str, ...]) -> tuple[str, ...]:
    return paths
