"""Feeds and calendars on a rebuild: only the files a change reaches are made, read for
links and compared with output/; every other one is the previous build's file.

Each test runs the build in one process (RESNETGEN_JOBS=1: the feeds and calendars are
then made here, where the spies see them) and ends by comparing output/ with a build
without the cache, byte for byte.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from conftest import NOW, RICH, build_site, snapshot
from resnetgen import calendar, linkcheck
from resnetgen.build import BuildOptions, build

WINTER = "content/2018/winter-chat.md"
WINTER_ICS = "2018/01/winter-chat/winter-chat.ics"


@pytest.fixture
def rich(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("RESNETGEN_JOBS", "1")
    site = tmp_path / "rich"
    shutil.copytree(RICH, site)
    return site


@pytest.fixture
def spies(monkeypatch):
    """What the next build makes and reads: chats whose .ics is made, files read for links."""
    made: list[str] = []
    read: Counter[str] = Counter()
    chat_calendar, extract = calendar.chat_calendar, linkcheck.extract

    def making(site, post, event, *links):
        made.append(post.source_path)
        return chat_calendar(site, post, event, *links)

    def reading(output_path, data, *host):
        read[output_path] += 1
        return extract(output_path, data, *host)
    monkeypatch.setattr(calendar, "chat_calendar", making)
    monkeypatch.setattr(linkcheck, "extract", reading)
    return made, read


def edit(site: Path, path: str, old: str, new: str) -> None:
    file = site / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def identity(folder: Path, suffixes: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and p.name.endswith(suffixes)}


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean-output"
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
    return snapshot(out)


def ics_files(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*.ics")}


def test_a_title_edit_makes_and_reads_only_that_chats_calendar(rich, tmp_path, spies):
    made, read = spies
    build_site(rich)
    output = rich / "output"
    chats = ics_files(output) - {"events.ics"}
    assert WINTER_ICS in chats and len(chats) >= 5
    before = identity(output, (".ics",))
    made.clear()
    read.clear()

    edit(rich, WINTER, 'title: "Winter chat:', 'title: "Cold winter chat:')
    report = build_site(rich)

    assert made == [WINTER]                     # no other chat's .ics was made ...
    assert {p for p in read if p.endswith(".ics")} == {"events.ics", WINTER_ICS}  # ... nor read
    after = identity(output, (".ics",))
    assert {p for p in chats if after[p] != before[p]} == {WINTER_ICS}
    event = Calendar.from_ical((output / WINTER_ICS).read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Cold winter chat:")
    events = Calendar.from_ical((output / "events.ics").read_bytes()).walk("VEVENT")
    assert sum(str(e["SUMMARY"]).startswith("Cold winter chat:") for e in events) == 1
    assert report.files == len(snapshot(output))
    assert snapshot(output) == clean_build(rich, tmp_path)


def test_a_body_edit_leaves_the_calendar_and_other_topics_feeds_unread(rich, tmp_path, spies):
    made, read = spies
    build_site(rich)
    output = rich / "output"
    feeds = {p.relative_to(output).as_posix() for p in output.rglob("*.xml")} - {"sitemap.xml"}
    news = {p for p in feeds if p.startswith("tags/news/")}
    others = {p for p in feeds if p.startswith("tags/") and not p.startswith("tags/news/")}
    assert news and others
    before = identity(output, (".xml", ".ics"))
    made.clear()
    read.clear()

    # The plain post is in the site's feed and its topic's (news), in no chat's
    edit(rich, "content/2017/2017-12-01-plain-post.md", "Hello.", "Hello again.")
    build_site(rich)

    assert made == []
    assert not any(p.endswith(".ics") for p in read), sorted(read)
    assert news <= set(read) and not others & set(read)
    after = identity(output, (".xml", ".ics"))
    assert all(after[p] == before[p] for p in others | ics_files(output))
    entries = feedparser.parse((output / "tags/news/atom.xml").read_bytes()).entries
    assert any("Hello again." in entry.content[0].value for entry in entries)
    assert snapshot(output) == clean_build(rich, tmp_path)


def test_a_touched_chat_calendar_is_made_again(rich, tmp_path, spies):
    """A kept file must be the one the last build wrote: one changed by hand is replaced."""
    made, _ = spies
    build_site(rich)
    output = rich / "output"
    other = sorted(ics_files(output) - {"events.ics", WINTER_ICS})[0]
    (output / other).write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    made.clear()

    edit(rich, WINTER, 'title: "Winter chat:', 'title: "Cold winter chat:')
    build_site(rich)

    assert len(made) == 2 and WINTER in made
    assert Calendar.from_ical((output / other).read_bytes()).walk("VEVENT")
    assert snapshot(output) == clean_build(rich, tmp_path)
