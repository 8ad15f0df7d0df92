"""A rebuild's events.ics made from the last one (calendar_kept): the events of the
chats unchanged since are copied from the file, one event is made for a title edit,
the file carries the links the link check would read in it, and whenever that file
cannot serve (touched, a build that failed after the index was written, a damaged
index, a chat's own file gone) the output is still a clean build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import NOW, build_site, snapshot
from resnetgen import calendar, calendar_kept, linkcheck
from resnetgen import cache as cache_module
from resnetgen.build import BuildOptions, build
from resnetgen.problems import SiteError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(tmp_path, monkeypatch) -> Path:
    """A generated site of 60 briefings, built once, in this process (the calendar too)."""
    import sys
    sys.path.insert(0, str(REPO / "bench"))
    import generate  # noqa: PLC0415
    monkeypatch.setenv("RESNETGEN_JOBS", "1")
    generate.generate(60, tmp_path / "gen")
    site = tmp_path / "gen" / "resnetgen"
    build_site(site)
    return site


@pytest.fixture
def watched(monkeypatch):
    """Counts of events made and memo files read; every calendar file handed over with
    its links checked against a reading of its plain bytes."""
    seen = {"made": 0, "memo": 0, "as_read": []}
    event_read = calendar.event_read

    def counting(*args):
        seen["made"] += 1
        return event_read(*args)
    monkeypatch.setattr(calendar, "event_read", counting)
    read = cache_module.BuildCache._read

    def reading(self, name, discard=True):
        seen["memo"] += name.startswith("memo-")
        return read(self, name, discard)
    monkeypatch.setattr(cache_module.BuildCache, "_read", reading)
    extract = linkcheck.extract

    def checked(path, data, host=None):
        if type(data) is linkcheck.XmlRead:
            assert extract(path, data, host) == extract(path, bytes(data), host), path
            seen["as_read"].append(path)
        return extract(path, data, host)
    monkeypatch.setattr(linkcheck, "extract", checked)  # (build imports it when it builds)
    return seen


def chats(site: Path) -> list[Path]:
    return sorted(site.glob("content/*/*.md"))


def retitle(post: Path, title: str) -> None:
    text = post.read_text(encoding="utf-8")
    start = text.index('title: "') + len('title: "')
    post.write_text(text[:start] + title + text[text.index('"', start):], encoding="utf-8")


def clean(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
    return snapshot(out)


def test_a_title_edit_makes_one_event_and_copies_the_others(bench, tmp_path, watched):
    titles = ["A new title, with a comma; and more", ("Another; and a long one " * 4).strip()]
    for n, title in enumerate(titles):
        retitle(chats(bench)[20 + n], title)
        build_site(bench)
        assert watched["made"] == 1 and watched["memo"] == 0
        assert "events.ics" in watched["as_read"]  # its links found from its parts
        assert snapshot(bench / "output") == clean(bench, tmp_path)
        watched.update(made=0, as_read=[])
    read = Calendar.from_ical((bench / "output" / "events.ics").read_bytes())
    summaries = [str(event["SUMMARY"]) for event in read.walk("VEVENT")]
    assert len(summaries) == 60 and all(title in summaries for title in titles)


def test_the_last_file_touched_or_its_index_damaged_the_memo_serves(bench, tmp_path, watched):
    retitle(chats(bench)[10], "Edited once")
    build_site(bench)
    watched.update(memo=0, as_read=[])
    (bench / "output" / "events.ics").write_bytes((bench / "output" / "events.ics").read_bytes())
    retitle(chats(bench)[11], "Edited twice")
    build_site(bench)
    assert watched["memo"] > 0 and "events.ics" not in watched["as_read"]
    assert snapshot(bench / "output") == clean(bench, tmp_path)
    index = bench / ".resnetgen-cache" / calendar_kept.INDEX
    index.write_bytes(index.read_bytes()[:-7])
    watched.update(memo=0, as_read=[])
    retitle(chats(bench)[12], "Edited thrice")
    build_site(bench)
    assert watched["memo"] > 0 and "events.ics" not in watched["as_read"]
    assert snapshot(bench / "output") == clean(bench, tmp_path)
    watched.update(made=0, memo=0, as_read=[])
    retitle(chats(bench)[13], "Edited again")
    build_site(bench)  # the index written again: of use again
    assert watched["made"] == 1 and watched["memo"] == 0 and "events.ics" in watched["as_read"]
    assert snapshot(bench / "output") == clean(bench, tmp_path)


def test_an_index_written_by_a_build_that_failed_is_not_trusted(bench, tmp_path, watched):
    """The calendar's process writes the index of the events.ics it made; the build then
    fails (a broken link): output/ keeps the last file, which that index does not
    describe."""
    post, other = chats(bench)[30], chats(bench)[31]
    retitle(post, "Edited before a failure")
    body = other.read_text(encoding="utf-8")
    other.write_text(body + "\n[broken](/no/such/page/)\n", encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(bench)
    assert "events.ics" in watched["as_read"]  # made, its index written
    watched.update(as_read=[])
    other.write_text(body, encoding="utf-8")
    build_site(bench)
    assert "events.ics" not in watched["as_read"]
    assert snapshot(bench / "output") == clean(bench, tmp_path)


def test_a_chat_file_gone_is_made_from_the_new_calendar(bench, tmp_path, watched):
    gone = sorted((bench / "output").rglob("*.ics"))
    gone = [path for path in gone if path.name != "events.ics"][5]
    gone.unlink()
    retitle(chats(bench)[40], "Edited while a file was gone")
    build_site(bench)
    assert watched["made"] == 1 and "events.ics" in watched["as_read"]
    assert gone.is_file()
    assert snapshot(bench / "output") == clean(bench, tmp_path)
