"""The link check of a first build, page by page as pages come in (early_links): the same
findings, in the same order, and the same files for the link index, as checking every
page at the end."""

from __future__ import annotations

import sys
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resnetgen.early_links import EarlyCheck
from resnetgen.linkcheck import Depends, LinkChecker, extract
from resnetgen.linkindex import FILES, FRAGMENTS, IncrementalLinks
from resnetgen.problems import Problems, SiteError
from conftest import REPO, build_site, forking, html_page

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (the bench's synthetic site generator)

BASE = "https://example.org/blog/"
HOST = "example.org"
# Pages (HTML, with ids), a feed, a picture, a file without extension: what links lead to.
PAGES = ["index.html", "a/index.html", "b/index.html", "c.html", "d/index.html", "e"]
OTHERS = ["feed.xml", "pic.png"]
URLS = ["/blog/", "/blog/a/", "/blog/a", "/blog/b/#x", "/blog/b/#y", "#x", "#nope", "../a/",
        "c.html#x", "/blog/c.html#y", "/blog/feed.xml", "/blog/pic.png", "/blog/missing/",
        "", "https://example.org/blog/d/", "https://example.org/blog/d/#x", "http://other.org/x",
        "/outside/", "/blog/e", "/blog/b/?q=1#x", "/blog/d", "mailto:a@example.org"]


def page_bytes(ids: list[str], urls: list[str]) -> bytes:
    anchors = "\n".join(f'<a href="{url}">link</a>' for url in urls)
    headings = "".join(f'<h2 id="{name}">{name}</h2>' for name in ids)
    return html_page(f"{headings}\n{anchors}")


sites = st.fixed_dictionaries({
    "pages": st.lists(st.tuples(st.lists(st.sampled_from(["x", "y"]), max_size=2),
                                st.lists(st.sampled_from(URLS), max_size=8)),
                      min_size=len(PAGES), max_size=len(PAGES)),
    "written": st.sets(st.sampled_from(PAGES + OTHERS), min_size=1),
    "order": st.permutations(range(len(PAGES) + len(OTHERS))),
    "sure": st.sets(st.sampled_from(PAGES + OTHERS)),   # files said to be written at first
    "told_at": st.integers(0, len(PAGES) + len(OTHERS)),  # the rest of them, after that file
})


def files_of(drawn) -> dict[str, bytes]:
    """The written files of a drawn site, in the order they are added."""
    data = {path: page_bytes(ids, urls) for path, (ids, urls) in zip(PAGES, drawn["pages"])}
    data.update((path, b"<rss/>" if path.endswith(".xml") else b"\x89PNG") for path in OTHERS)
    everything = PAGES + OTHERS
    return {everything[i]: data[everything[i]] for i in drawn["order"]
            if everything[i] in drawn["written"]}


def checked(files: dict[str, bytes], early: tuple[set, int, set] | None):
    """(problems, depends) of checking `files`, at the end or (`early`: the files said
    at first, after how many files the others, and those others) as each is added."""
    checker = LinkChecker(BASE)
    depends = Depends()
    if early is not None:
        sure, told_at, later = early
        checker.early = EarlyCheck(checker, sure, depends, files.__getitem__, HOST)
    for index, (path, data) in enumerate(files.items()):
        if early is not None and index == told_at:
            checker.early.expect(later)  # type: ignore[union-attr]
        checker.add(path, data, extract(path, data, HOST))
    problems = Problems()
    checker.report({}, problems, lambda source, url: 1, depends=depends, forget=True)
    return ([(p.path, p.line, p.message, p.hint) for p in problems.items],
            {path: (set(found), set(fragments)) for path, (found, fragments) in depends.files.items()},
            checker.links_checked)


@settings(max_examples=150, deadline=None)
@given(sites)
def test_an_early_check_finds_what_a_check_at_the_end_finds(drawn):
    files = files_of(drawn)
    sure = drawn["sure"] & files.keys()  # (a file never written: see the next test)
    later = files.keys() - sure
    assert checked(files, (sure, drawn["told_at"], later)) == checked(files, None)


@settings(max_examples=60, deadline=None)
@given(sites)
def test_an_early_check_told_of_a_file_never_written_checks_again_at_the_end(drawn):
    files = files_of(drawn)
    missing = {path for path in PAGES + OTHERS if path not in files}
    if not missing:
        files.pop(next(iter(files)))
        missing = {path for path in PAGES + OTHERS if path not in files}
    assert checked(files, (drawn["sure"] | missing, drawn["told_at"], set())) \
        == checked(files, None)


def index_files(links: IncrementalLinks) -> dict[str, tuple[set[str], set[str]]]:
    """The new index's files of each page, as paths (the numbering may differ)."""
    index = links.new_index
    assert index is not None

    def paths(raw: bytes) -> set[str]:
        numbers = array("I")
        numbers.frombytes(raw)
        return {index.paths[n] for n in numbers}
    return {path: (paths(entry[FILES]), paths(entry[FRAGMENTS]))
            for path, entry in index.entries.items()}


@pytest.mark.parametrize("many", [False, True])
def test_a_first_builds_index_is_the_same_with_an_early_check(monkeypatch, many):
    """Indexed, as a first build with the cache; `many`: more pages than the check
    digests the URLs of (their links let go of once checked)."""
    if many:
        monkeypatch.setattr("resnetgen.linkindex.KEYED_PAGES", 2)
    pages = {f"p{n}/index.html": page_bytes(["x"] if n != 3 else [],
                                            ["/blog/", f"/blog/p{n + 1}/#x", "#x",
                                             "/blog/feed.xml", "/blog/gone/"])
             for n in range(6)}
    pages["index.html"] = page_bytes([], ["/blog/p0/"])
    pages["feed.xml"] = b"<rss/>"
    results = []
    for early in (False, True):
        links = IncrementalLinks(BASE, None, pages.__getitem__, indexed=True)
        if early:
            links.expect([p for p in pages if p != "feed.xml"], len(pages) - 1, HOST)
        for path, data in pages.items():
            if early and path == "feed.xml":
                links.expect_more(["feed.xml"])
            links.add(path, data, extract(path, data, HOST))
        problems = Problems()
        count = links.check({}, problems, lambda source, url: 1)
        results.append(([p.message for p in problems.items], count, index_files(links)))
    assert results[0] == results[1]
    messages = " ".join(results[0][0])
    assert "p6/index.html was written" in messages and "gone/index.html" in messages
    assert "no id 'x' on /blog/p3/index.html" in messages and "no id 'x' on this page" in messages


def test_a_built_site_reports_the_same_broken_links_with_one_process_or_two(
        tmp_path, monkeypatch):
    """A first build on two processes checks its pages early; on one, at the end."""
    generate.generate(140, tmp_path / "gen")  # enough pages for two render workers
    folder = tmp_path / "gen" / "resnetgen"
    posts = sorted(folder.glob("content/*/*.md"))
    bad = ["[gone](/no/such/page/)", "[frag](/archive/#no-such-id)", "[empty]()",
           "[own](#nowhere)", "[feed](/feeds/none.xml)", "[ok](/archive/#content)"]
    for index, post in enumerate(posts[::20]):
        post.write_text(post.read_text(encoding="utf-8") + "\n" + " ".join(bad[index % 3:]) + "\n",
                        encoding="utf-8")
    reports = []
    checked_early = []
    real_finish = EarlyCheck.finish
    monkeypatch.setattr(EarlyCheck, "finish",
                        lambda early: checked_early.append(len(early.checker.pages))
                        or real_finish(early))
    for jobs in ("1", "2"):
        if jobs == "2":
            forking(monkeypatch)
        else:
            monkeypatch.setenv("RESNETGEN_JOBS", "1")
        with pytest.raises(SiteError) as caught:
            build_site(folder, output=tmp_path / f"out{jobs}")
        reports.append([(p.path, p.line, p.message) for p in caught.value.problems])
    assert reports[0] == reports[1]
    assert len(checked_early) == 1 and checked_early[0] > 140  # with two processes
    messages = " ".join(message for _, _, message in reports[0])
    for part in ("no/such/page", "no id 'no-such-id'", "the link is empty", "nowhere",
                 "feeds/none.xml"):
        assert part in messages
