"""The incremental link check (resnetgen/linkindex.py) reports exactly what a full check
of every link reports, while reading again only the pages that can have changed."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, build_site
from resnetgen.build import BuildOptions, build
from resnetgen.linkcheck import LinkChecker
from resnetgen.linkindex import IncrementalLinks
from resnetgen.problems import Problems, SiteError

BASE = "https://example.org/"


def page(ids=(), links=()) -> bytes:
    return ("<!doctype html><html><body>"
            + "".join(f'<h2 id="{i}">{i}</h2>' for i in ids)
            + "".join(f'<a href="{url}">x</a>' for url in links)
            + "</body></html>").encode()


def full_check(files: dict[str, bytes]) -> tuple[list[str], int]:
    checker = LinkChecker(BASE)
    for path, data in files.items():
        checker.add(path, data)
    problems = Problems()
    checker.report({}, problems)
    return [p.message for p in problems.items], checker.links_checked


def incremental_check(files: dict[str, bytes], previous, reads: list[str] | None = None):
    """(messages, links seen, the index for the next build: None when a link broke, or
    when the build keeps the index it has, as builds do)."""
    def read(path: str) -> bytes:
        if reads is not None:
            reads.append(path)
        return files[path]
    links = IncrementalLinks(BASE, previous, read, indexed=True)
    for path, data in files.items():
        links.add(path, data)
    problems = Problems()
    count = links.check({}, problems, lambda source, url: 1)
    messages = [p.message for p in problems.items]
    return messages, count, (None if messages or not links.changed else links.new_index)


def test_a_deleted_page_breaks_links_to_it_from_unchanged_pages():
    files = {"a/index.html": page(ids=["s"]),
             "b/index.html": page(links=["/a/", "/a/#s"]),
             "c/index.html": page(links=["/b/"]),
             "style.css": b"body {}"}
    messages, _, index = incremental_check(files, None)
    assert messages == [] and index is not None
    del files["a/index.html"]
    reads: list[str] = []
    messages, count, _ = incremental_check(files, index, reads)
    assert (messages, count) == full_check(files)
    assert len(messages) == 2 and all("no file a/index.html" in m for m in messages)
    assert reads == ["b/index.html"]  # c's links could not have changed: not read again


def test_an_id_removed_breaks_fragment_links_from_unchanged_pages():
    files = {"a/index.html": page(ids=["s", "t"]),
             "b/index.html": page(links=["/a/#s"]),
             "c/index.html": page(links=["/a/"])}
    _, _, index = incremental_check(files, None)
    files["a/index.html"] = page(ids=["t"])
    reads: list[str] = []
    messages, count, _ = incremental_check(files, index, reads)
    assert (messages, count) == full_check(files)
    assert messages == ["broken link '/a/#s' on page /b/ (output/b/index.html, line 1): "
                        "no id 's' on /a/index.html"]
    assert reads == ["b/index.html"]  # c has no fragment link to a


def test_a_new_file_where_a_link_led_to_a_folder_is_checked_again():
    files = {"x/index.html": page(ids=["s"]), "b/index.html": page(links=["/x#s"])}
    _, _, index = incremental_check(files, None)
    files["x"] = b"not a page"  # '/x' now leads to this file, which has no sections
    messages, count, _ = incremental_check(files, index)
    assert (messages, count) == full_check(files) == ([], 1)


def always_indexed(files: dict[str, bytes], previous, copy_entries: bool = True):
    """incremental_check, its index taken whatever changed (as if every build saved it)."""
    links = IncrementalLinks(BASE, previous, files.__getitem__, indexed=True)
    links.copy_entries = copy_entries
    for path, data in files.items():
        links.add(path, data)
    problems = Problems()
    count = links.check({}, problems, lambda source, url: 1)
    messages = [p.message for p in problems.items]
    return messages, count, (None if messages else links.new_index), links


def test_a_page_with_new_bytes_and_the_same_urls_is_not_resolved_again(monkeypatch):
    """A listing made again after a title edit: its bytes changed, its URLs did not.
    Its links lead where the index says, unless one of those files went."""
    files = {"a/index.html": page(ids=["s"]), "b/index.html": page(ids=["x"]),
             "list/index.html": page(ids=["one"], links=["/a/", "/b/#x", "../a/#s"])}
    _, _, first, _ = always_indexed(files, None)
    _, _, index, _ = always_indexed(files, first)  # (a first build's index has no URL digests)
    assert index.entries["list/index.html"][-1]
    resolved: list[str] = []
    real = LinkChecker._target
    monkeypatch.setattr(LinkChecker, "_target", lambda self, url, *rest: resolved.append(url)
                        or real(self, url, *rest))
    files["list/index.html"] = page(ids=["two"], links=["/a/", "/b/#x", "../a/#s"])
    messages, count, new_index, links = always_indexed(files, index)
    assert resolved == [] and "list/index.html" in links._same
    assert (messages, count) == full_check(files) == ([], 3)
    entry, before = new_index.entries["list/index.html"], index.entries["list/index.html"]
    assert entry[0] != before[0] and entry[1:2] + entry[3:] == before[1:2] + before[3:]
    assert entry[2] == (True, False, frozenset({"two"}))
    # The same URLs, but a page they lead to lost the id: checked, and broken.
    files["list/index.html"] = page(ids=["three"], links=["/a/", "/b/#x", "../a/#s"])
    files["b/index.html"] = page(ids=["y"])
    messages, count, _, _ = always_indexed(files, new_index)
    assert (messages, count) == full_check(files) and len(messages) == 1
    assert "no id 'x' on /b/index.html" in messages[0]
    # ... or a file they lead to is gone.
    files["b/index.html"] = page(ids=["x"])
    del files["a/index.html"]
    messages, count, _, _ = always_indexed(files, new_index)
    assert (messages, count) == full_check(files) and len(messages) == 2


NAMES = ["a/index.html", "b/index.html", "c/index.html", "d.html", "feed.xml"]
LINK = st.tuples(st.sampled_from(["/a/", "/b/", "/c/", "/d.html", "../a/", "/feed.xml",
                                  "https://other.org/"]),
                 st.sampled_from(["", "", "#s", "#t"]))
FILE = st.tuples(st.lists(st.sampled_from(["s", "t"]), max_size=2), st.lists(LINK, max_size=3))
VALID = {name: (["s", "t"], []) for name in NAMES}  # every file, every id, no link yet
CHANGE = st.tuples(st.sampled_from(NAMES), st.one_of(st.none(), FILE))  # None: deleted


def site_files(site: dict) -> dict[str, bytes]:
    files = {}
    for name, spec in site.items():
        if spec is None:
            continue
        ids, links = spec
        urls = [url + fragment for url, fragment in links]
        if name.endswith(".xml"):
            files[name] = ("<feed>" + "".join(f"<link href='{u}'/>" for u in urls)
                           + "</feed>").encode()
        else:
            files[name] = page(ids, urls)
    return files


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHANGE, min_size=1, max_size=12))
def test_incremental_check_equals_a_full_check_after_any_changes(changes):
    """One file changed (or deleted, or made again) at a time, as edits do."""
    site, index = dict(VALID), None  # the index: kept, as by builds, from the last pass
    for name, spec in [(NAMES[0], VALID[NAMES[0]]), *changes]:
        site[name] = spec
        files = site_files(site)
        messages, count, new_index = incremental_check(files, index)
        assert (messages, count) == full_check(files)
        index = new_index or index


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHANGE, min_size=1, max_size=12))
def test_an_index_saved_by_every_build_checks_as_a_full_check(changes):
    """As above, each build's index the next one's: pages with new bytes and the same
    URLs (ids changed, links not) are checked from their entries."""
    site, index = dict(VALID), None
    for name, spec in [(NAMES[0], VALID[NAMES[0]]), *changes]:
        site[name] = spec
        files = site_files(site)
        messages, count, new_index, links = always_indexed(files, index)
        assert (messages, count) == full_check(files)
        # The old entries copied and mended (a rebuild's) are those made one by one.
        _, _, entry_by_entry, again = always_indexed(files, index, copy_entries=False)
        assert (new_index is None) == (entry_by_entry is None)
        if new_index is not None:
            assert new_index == entry_by_entry and links.changed == again.changed
        index = new_index or index


def test_paths_are_renumbered_as_they_accumulate(monkeypatch):
    monkeypatch.setattr("resnetgen.linkindex.SLACK", 0)
    index = None
    for n in range(6):  # a page renamed each time: the old numbered paths pile up
        files = {f"p{n}/index.html": page(ids=["s"]), "a/index.html": page(links=[f"/p{n}/#s"]),
                 "b/index.html": page(links=["/a/"])}
        messages, count, index = incremental_check(files, index)
        assert (messages, count) == full_check(files) == ([], 1 + 1)
        # renumbered once twice as many as when last renumbered (which a site this
        # size never exceeds: its own files and their links' candidates)
        assert len(index.paths) <= 2 * index.fresh + 3 and index.fresh <= 8
    files["a/index.html"] = page(links=["/p0/#s"])
    messages, count, _ = incremental_check(files, index)
    assert (messages, count) == full_check(files) and "no file p0/index.html" in messages[0]


# ----- through the build -------------------------------------------------------------

POST = """\
---
title: "{title}"
date: 2026-10-{day:02d}
---

{body}
"""


def errors_of(site_dir, **options) -> list[str]:
    try:
        build(BuildOptions(site_dir=site_dir, now=NOW, **options))
    except SiteError as error:
        return [p.message for p in error.problems]
    return []


def test_a_rebuild_reports_what_a_clean_build_reports(tmp_path):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('title = "T"\ndescription = "D."\n'
                                    'base_url = "https://example.org/"\n')
    target = site / "content" / "target.md"
    target.write_text(POST.format(title="Target", day=1, body="## Part one\n\nText."))
    report = build_site(site)
    url = "/" + next(p for p in report.rendered_paths
                     if p.endswith("target/index.html")).removesuffix("index.html")
    (site / "content" / "linker.md").write_text(POST.format(
        title="Linker", day=20, body=f"See [it]({url}) and [its part]({url}#part-one)."))
    assert "#part-one" in url + "#part-one" and build_site(site).links > 0

    target.write_text(POST.format(title="Target", day=1, body="No parts now."))
    clean = errors_of(site, output_dir=tmp_path / "clean", cache=False)
    assert errors_of(site, output_dir=site / "output") == clean
    assert len(clean) == 1 and "no id 'part-one'" in clean[0]

    target.unlink()
    clean = errors_of(site, output_dir=tmp_path / "clean", cache=False)
    assert errors_of(site, output_dir=site / "output") == clean
    assert clean and all("was written" in message for message in clean)
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
