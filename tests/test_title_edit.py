"""A title edit's rebuild (listings made again, thousands of files kept): the files kept
are booked in bulk, the calendars' kept files come back from their process as a word
(site_wide.KEPT), and the editor rules that read the site alone run while that process
works. Each path must give what a clean build gives, and step aside where it must not
apply."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, build_site, snapshot
from resnetgen import parallel
from resnetgen.build import BuildOptions, build
from resnetgen.cache import OutputRecord
from resnetgen.lint import editor_warnings, site_warnings
from resnetgen.linkindex import IncrementalLinks
from resnetgen.problems import Problems
from resnetgen.writer import OutputClash, Previous, StagedOutput

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(tmp_path, monkeypatch) -> Path:
    """A generated site of 60 briefings (every shard of the cache), built once, its
    feeds and calendars made in another process as on a machine of several cores."""
    import sys
    sys.path.insert(0, str(REPO / "bench"))
    import generate  # noqa: PLC0415
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setenv("RESNETGEN_JOBS", "2")
    generate.generate(60, tmp_path / "gen")
    site = tmp_path / "gen" / "resnetgen"
    build_site(site)
    return site


def middle_post(site: Path) -> Path:
    paths = sorted(site.glob("content/*/*.md"))
    return paths[len(paths) // 2]


def clean(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
    return snapshot(out)


def event_titles(folder: Path) -> list[str]:
    soup = BeautifulSoup((folder / "events" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    return [li.h3.a.get_text() for li in soup.select("li.event")]


def test_a_title_edit_rebuild_equals_a_clean_build(bench, tmp_path):
    post = middle_post(bench)
    text = post.read_text(encoding="utf-8")
    assert 'title: "Tweetchat' in text
    for old, new in (('title: "Tweetchat', 'title: "Our tweetchat'),
                     ('title: "Our tweetchat', 'title: "Tweetchat')):
        post.write_text(post.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        report = build_site(bench)
        assert report.reused > 50 and "events/index.html" in report.rendered_paths
        expected = clean(bench, tmp_path)
        assert snapshot(bench / "output") == expected
        titles = event_titles(bench / "output")
        assert titles == event_titles(tmp_path / "clean")
        assert sum(title.startswith("Our tweetchat") for title in titles) == ("Our" in new)


def test_kept_calendar_files_are_the_previous_builds(bench, monkeypatch):
    """The chats' .ics files kept by the calendar's process are booked in this one as
    that build's files (their records), and output/ keeps them untouched."""
    before = {p: p.stat().st_ino for p in (bench / "output").rglob("*.ics")}
    post = middle_post(bench)
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Tweetchat', 'title: "Our tweetchat', 1), encoding="utf-8")
    build_site(bench)
    after = {p: p.stat().st_ino for p in (bench / "output").rglob("*.ics")}
    changed = [p.name for p in before if after[p] != before[p]]
    assert len(before) > 50 and sorted(changed) == sorted(
        {"events.ics", post.stem + ".ics"}), changed


def test_a_damaged_link_index_costs_the_cache_not_the_build(bench, tmp_path):
    """The link index is read once the pages are being booked, after the calendars'
    process forked with the cache's records: found damaged (a build cut short while
    writing it), it discards the cache, and the kept calendar files still book as the
    records that process saw."""
    index = bench / ".resnetgen-cache" / "linkindex.marshal"
    index.write_bytes(index.read_bytes()[:-10])
    post = middle_post(bench)
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Tweetchat', 'title: "Our tweetchat', 1), encoding="utf-8")
    report = build_site(bench)
    assert "events/index.html" in report.rendered_paths
    assert snapshot(bench / "output") == clean(bench, tmp_path)
    assert build_site(bench).unchanged  # the cache the build saved is whole again


def record(n: int) -> OutputRecord:
    return OutputRecord(f"key{n}", f"digest{n}", n, n, n)


def test_previous_files_compare_and_travel_as_records():
    previous = Previous("/out/a.html", record(1))
    assert previous == Previous("/out/a.html", record(1)) != Previous("/out/b.html", record(1))
    assert pickle.loads(pickle.dumps(previous)) == previous
    assert {previous: 1}[Previous("/out/a.html", record(1))] == 1


def test_kept_files_are_booked_at_once_unless_a_path_is_taken(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    staged = StagedOutput(output, {})
    kept = [(f"{n}.html", Previous(str(output / f"{n}.html"), record(n))) for n in range(3)]
    assert staged.keep(kept)
    assert staged.records == {path: previous.record for path, previous in kept}
    assert staged.paths == {"0.html", "1.html", "2.html"} and staged.staged == []
    # A path booked already, or twice in the run: nothing is booked, and one by one
    # the writer reports the clash as it always did.
    again = [("3.html", Previous(str(output / "3.html"), record(3))), kept[1]]
    assert not staged.keep(again)
    twice = [("4.html", Previous(str(output / "4.html"), record(4)))] * 2
    assert not staged.keep(twice)
    assert staged.paths == {"0.html", "1.html", "2.html"} and len(staged.records) == 3
    staged.write(*again[0])
    with pytest.raises(OutputClash):
        staged.write(*again[1])
    staged.discard()


def test_kept_files_read_for_links_as_one_by_one(tmp_path):
    """add_kept gives the link check what add gives, file by file; a file the last
    index does not know as it is now is read again."""
    page = tmp_path / "a.html"
    page.write_bytes(b'<!DOCTYPE html><html><body><a href="/b.html">b</a></body></html>')
    other = tmp_path / "b.html"
    other.write_bytes(b"<!DOCTYPE html><html><body><p id=x>b</p></body></html>")
    files = [("a.html", Previous(str(page), record(1))), ("b.html", Previous(str(other), record(2)))]
    one, bulk = (IncrementalLinks("https://example.org/", None, indexed=True) for _ in range(2))
    for path, previous in files:
        one.add(path, previous, None, previous.record.digest)
    bulk.add_kept(files)
    for links in (one, bulk):
        assert links.checker.written == {"a.html", "b.html"}
        assert links.digests == {"a.html": "digest1", "b.html": "digest2"}
        assert links.kept == set()
    assert one.checker.pages == bulk.checker.pages
    problems = Problems()
    assert bulk.check({}, problems, lambda source, url: 1) == 1 and not problems.items


def test_early_editor_warnings_are_those_found_after(site):
    post = ('---\ntitle: "{title}"\ndate: 2030-01-0{day}\nchat:\n  start: 2030-02-01T19:00:00Z\n'
            '  end: 2030-02-01T20:00:00Z\n---\n![](x.png) [gone](/no/such/page/)\n')
    folder = site({"content/2030/a.md": post.format(title="A", day=1),
                   "content/2030/b.md": post.format(title="B", day=2),
                   "content/2030/x.png": b"png"})
    report = build(BuildOptions(site_dir=folder, output_dir=folder / "output", now=NOW,
                                link_check=False))  # the link: a warning, not the check's error
    built = report.site
    messages = sorted(p.message for p in report.warnings)
    assert any("overlaps" in m for m in messages) and any("alt text" in m for m in messages)
    assert any("does not have" in m for m in messages)
    produced = {str(p.relative_to(folder / "output")).replace("\\", "/")
                for p in (folder / "output").rglob("*") if p.is_file()}
    late, early = Problems(), Problems()
    editor_warnings(built, produced, late)
    editor_warnings(built, produced, early, site_warnings(built))
    assert early.items == late.items and sorted(p.message for p in late.items) == messages


def test_output_found_intact_early_spares_each_files_stat(bench, tmp_path, monkeypatch):
    """output/ is checked on another core while the site loads (check_outputs_aside):
    intact, the pages kept are not stat'ed one by one; a file touched by hand since the
    last build makes it not intact, and that file is made again."""
    from resnetgen import incremental as module
    answers = []
    asked = module.Incremental.outputs_intact

    def outputs_intact(self):
        assert self._intact_aside is not None  # its answer made by another process
        answers.append(asked(self))
        return answers[-1]
    monkeypatch.setattr(module.Incremental, "outputs_intact", outputs_intact)
    stats = []
    real_stat = module.os.stat
    monkeypatch.setattr(module.os, "stat", lambda path, *a, **k: stats.append(path) or
                        real_stat(path, *a, **k))
    post = middle_post(bench)
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Tweetchat', 'title: "Our tweetchat', 1), encoding="utf-8")
    report = build_site(bench)
    assert answers == [True] and report.reused > 50
    output = str(bench / "output") + "/"
    pages = {str(path)[len(output):] for path in stats
             if str(path).startswith(output) and str(path).endswith(".html")}
    assert pages and pages <= set(report.rendered_paths)  # (those written, as written)
    assert snapshot(bench / "output") == clean(bench, tmp_path)

    other = sorted(bench.glob("content/*/*.md"))[3]
    page = bench / "output" / other.parent.name / other.stem
    kept = next(page.parent.rglob(f"{other.stem}/index.html"))
    kept.write_text("edited by hand", encoding="utf-8")
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Our tweetchat', 'title: "Tweetchat', 1), encoding="utf-8")
    report = build_site(bench)
    assert answers == [True, False] and report.reused > 50
    assert kept.read_text(encoding="utf-8") != "edited by hand"
    assert snapshot(bench / "output") == clean(bench, tmp_path)


def test_a_failed_rebuild_leaves_no_process_behind(bench):
    """The process checking output/ is ended and waited for when the build fails before
    its answer is taken (`serve` builds again and again)."""
    import os
    from resnetgen.problems import SiteError
    post = middle_post(bench)
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Tweetchat', 'title: "Our tweetchat', 1), encoding="utf-8")
    broken = sorted(bench.glob("content/*/*.md"))[2]
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(bench)
    # No collection first: ending it must not wait for the cycle collector.
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process, running or a zombie


def edit_title(site: Path) -> None:
    post = middle_post(site)
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "Tweetchat', 'title: "Our tweetchat', 1), encoding="utf-8")


def test_a_listing_rendered_by_the_other_process_is_booked_in_its_turn(bench, tmp_path,
                                                                      monkeypatch):
    """A rebuild's calendars-and-feeds process also renders the listings of
    site_wide.ASIDE_LISTINGS (the events page): the report, the files and the cache's records
    (their order and keys) are those of a build rendering every listing here."""
    import os
    from resnetgen import site_wide
    from resnetgen.cache import BuildCache
    import generate  # noqa: PLC0415  (on the path: see `bench`)
    generate.generate(60, tmp_path / "here")
    here = tmp_path / "here" / "resnetgen"
    build_site(here)
    edit_title(bench)
    edit_title(here)
    pids = tmp_path / "pids"
    listings_aside = site_wide.listings_aside

    def spied(*args):
        with open(pids, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return listings_aside(*args)
    monkeypatch.setattr(site_wide, "listings_aside", spied)
    aside = build_site(bench)
    monkeypatch.setattr(site_wide, "ASIDE_LISTINGS", ())
    alone = build_site(here)
    assert site_wide.ASIDE_LISTINGS == () and pids.read_text().split() != [str(os.getpid())]
    assert pids.read_text().split() and "events/index.html" in aside.rendered_paths
    assert (aside.rendered_paths, aside.rendered, aside.reused, aside.files, aside.links) == (
        alone.rendered_paths, alone.rendered, alone.reused, alone.files, alone.links)
    records = [list(BuildCache.load(site, site / ".resnetgen-cache").raw_outputs.items())
               for site in (bench, here)]
    assert [(path, record[0], record[1]) for path, record in records[0]] == [
        (path, record[0], record[1]) for path, record in records[1]]
    assert snapshot(bench / "output") == snapshot(here / "output") == clean(bench, tmp_path)
    monkeypatch.undo()
    assert build_site(bench).unchanged  # its record's key is the page's


def test_a_template_fault_met_by_both_processes_is_reported_once(bench):
    """A fault in base.html, met by this process's pages and by the listing the other
    one renders: one error, at its line."""
    from resnetgen.problems import SiteError
    base = REPO / "themes" / "default" / "templates" / "base.html"
    override = bench / "templates" / "base.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    lines = base.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if "<body" in line) + 1
    lines.insert(at, "{{ page.no_such_field.x }}\n")
    override.write_text("".join(lines), encoding="utf-8")
    edit_title(bench)
    with pytest.raises(SiteError) as failed:
        build_site(bench)
    errors = [p for p in failed.value.problems if p.severity == "error"]
    assert [(p.path, p.line) for p in errors] == [("templates/base.html", at + 1)], errors
