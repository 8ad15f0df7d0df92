"""The events calendar: read back with icalendar, instants checked in UTC, bytes checked."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import NOW, REPO, build_site
from resnetgen.problems import SiteError

RICH = REPO / "tests" / "sites" / "rich"
UTC = timezone.utc

# Every chat of the rich site: per-chat file, and its instant in UTC.
CHATS = {
    "2018/winter-chat": ("2018/01/winter-chat/winter-chat.ics", datetime(2018, 1, 31, 19, 30, tzinfo=UTC)),
    "2018/summer-chat": ("2018/06/summer-chat/summer-chat.ics", datetime(2018, 6, 27, 18, 30, tzinfo=UTC)),
    "2019/dst-day-chat": ("2019/10/dst-day-chat/dst-day-chat.ics", datetime(2019, 10, 27, 19, 0, tzinfo=UTC)),
    # New York was already on summer time (EDT, UTC-4) while London was not.
    "2019/other-zone-chat": ("2019/03/other-zone-chat/other-zone-chat.ics", datetime(2019, 3, 12, 19, 0, tzinfo=UTC)),
    "2019/cancelled-chat": ("2019/04/cancelled-chat/cancelled-chat.ics", datetime(2019, 4, 10, 18, 30, tzinfo=UTC)),
    "2026/upcoming-chat": ("2026/11/upcoming-chat/upcoming-chat.ics", datetime(2026, 12, 9, 19, 30, tzinfo=UTC)),
}


@pytest.fixture(scope="module")
def rich(rich_output) -> Path:
    return rich_output


def read(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.events}


def uid(identity: str) -> str:
    return f"{identity}@example.org"


def ics_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ics"))


def test_every_chat_is_in_the_subscribable_calendar_at_the_right_utc_instant(rich):
    events = events_by_uid(read(rich / "events.ics"))
    assert set(events) == {uid(i) for i in CHATS}
    for identity, (_, instant) in CHATS.items():
        event = events[uid(identity)]
        assert event.start.astimezone(UTC) == instant, identity
        assert event.end - event.start == timedelta(hours=1)


def test_each_chat_has_its_own_file_beside_its_page(rich):
    for identity, (path, instant) in CHATS.items():
        calendar = read(rich / path)
        assert [str(e["UID"]) for e in calendar.events] == [uid(identity)]
        assert calendar.events[0].start.astimezone(UTC) == instant
        assert (rich / path).parent.joinpath("index.html").is_file()
    assert len(ics_files(rich)) == len(CHATS) + 1


def test_times_carry_their_zone_and_each_zone_has_a_matching_vtimezone(rich):
    for path in ics_files(rich):
        calendar = read(path)
        assert calendar.get_missing_tzids() == set(), path
        zones = {tz.tz_name: tz.to_tz() for tz in calendar.timezones}
        for event in calendar.events:
            for key in ("DTSTART", "DTEND"):
                prop = event[key]
                tzid = prop.params["TZID"]
                # The VTIMEZONE itself, not the zone's name, must give the right offset.
                wall = prop.dt.replace(tzinfo=None)
                assert wall.replace(tzinfo=zones[tzid]).astimezone(UTC) == prop.dt.astimezone(UTC)
    new_york = read(rich / CHATS["2019/other-zone-chat"][0])
    assert new_york.events[0]["DTSTART"].params["TZID"] == "America/New_York"
    assert {tz.tz_name for tz in read(rich / "events.ics").timezones} == {
        "Europe/London", "America/New_York"}


def test_cancelled_chat_is_status_cancelled_with_its_sequence(rich):
    events = events_by_uid(read(rich / "events.ics"))
    cancelled = events[uid("2019/cancelled-chat")]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == 1
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    others = [e for u, e in events.items() if u != uid("2019/cancelled-chat")]
    assert all(e["STATUS"] == "CONFIRMED" and e["SEQUENCE"] == 0 for e in others)


def test_event_properties_come_from_the_post(rich):
    event = events_by_uid(read(rich / "events.ics"))[uid("2018/winter-chat")]
    assert str(event["SUMMARY"]) == "Winter chat: Thinking together"
    assert event.DTSTAMP == datetime(2018, 1, 25, 9, 0, tzinfo=UTC)        # updated, London = UTC
    assert event.LAST_MODIFIED == datetime(2018, 1, 25, 9, 0, tzinfo=UTC)
    assert event["CREATED"].dt == datetime(2018, 1, 24, 0, 0, tzinfo=UTC)
    assert str(event["URL"]) == "https://example.org/blog/2018/01/winter-chat/"
    assert str(event["LOCATION"]) == "Online, on X (Twitter), #TestChat"
    assert event.categories == ["communities of practice", "tweetchat"]
    description = str(event["DESCRIPTION"])
    for expected in ("Wednesday 31 January 2018, 7.30–8.30 pm UK time (19:30–20:30 UTC)",
                     "#TestChat", "Sally Pratten (@salpratten) and Guest Host (@guesthost)",
                     "Iverson, J., McPhee, R. (2017). Thinking together: What makes "
                     "Communities of Practice work? Human Relations. "
                     "https://doi.org/10.1177/0018726716684802",
                     "Q1 Do you believe you are a member of a CoP?\nQ2 What are the barriers?",
                     "Briefing: https://example.org/blog/2018/01/winter-chat/"):
        assert expected in description
    conference = event.conferences[0]
    assert conference.uri == "https://twitter.com/hashtag/TestChat"


def test_calendar_properties(rich):
    calendar = read(rich / "events.ics")
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert str(calendar["PRODID"]).startswith("-//ResNetSLT//resnetgen")
    assert "METHOD" not in calendar
    assert calendar["NAME"] == calendar["X-WR-CALNAME"] == "Rich Test Network tweetchats"
    assert calendar["X-WR-CALDESC"] == calendar["DESCRIPTION"]
    assert calendar.refresh_interval == timedelta(hours=12)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT12H"
    assert str(calendar["URL"]) == "https://example.org/blog/events/"
    assert str(calendar["SOURCE"]) == "https://example.org/blog/events.ics"
    single = read(rich / CHATS["2018/winter-chat"][0])
    assert single["METHOD"] == "PUBLISH"
    assert "NAME" not in single and "X-WR-CALNAME" not in single
    assert not [c for c in calendar.walk("VALARM")]   # no reminder unless site.toml asks


@pytest.mark.parametrize("name", ["events.ics", *(p for p, _ in CHATS.values())])
def test_byte_level_rules(rich, name):
    data = (rich / name).read_bytes()
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r"), "bare LF or CR"
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")    # a folded line never splits a character


CALENDAR_SITE = """\
title = "Test Network"
description = "A site for tests."
base_url = "https://example.org/"
[calendar]
reminder_minutes = {minutes}
"""

HOSTILE = 'Commas, semicolons; back\\slash "quotes" 🎉🇬🇧 émigré café naïve – Zoë’s chat'


def chat(title: str = "A chat", start: str = "2020-01-08 19:30", extra: str = "",
         chat_extra: str = "") -> str:
    """A briefing with TOML front matter (its strings may hold \\u escapes)."""
    return (f'+++\ntitle = {json.dumps(title, ensure_ascii=False)}\ndate = 2020-01-01\n{extra}\n'
            f'[chat]\nstart = "{start}"\n{chat_extra}\n+++\n\nText.\n')


def one_event(output: Path) -> object:
    events = read(output / "events.ics").events
    assert len(events) == 1
    return events[0]


def test_hostile_title_survives_a_round_trip_and_folds_between_characters(site):
    title = HOSTILE * 3   # long enough to fold across multi-byte characters
    folder = site({"content/hostile.md": chat(title)})
    build_site(folder)
    for path in ics_files(folder / "output"):
        lines = path.read_bytes().split(b"\r\n")[:-1]
        for line in lines:
            assert len(line) <= 75
            line.decode("utf-8")
        # The title is folded at least once right beside a multi-byte character.
        assert any(b.startswith(b" ") and (a[-1] >= 0x80 or b[1] >= 0x80)
                   for a, b in zip(lines, lines[1:]))
        assert read(path).events[0]["SUMMARY"] == title
    # TEXT escaping as RFC 5545 3.3.11 writes it: \, \; \\ (quotes need none).
    unfolded = (folder / "output/events.ics").read_bytes().replace(b"\r\n ", b"")
    summary = next(line for line in unfolded.split(b"\r\n") if line.startswith(b"SUMMARY:"))
    assert summary.startswith('SUMMARY:Commas\\, semicolons\\; back\\\\slash "quotes" 🎉🇬🇧'.encode())


def test_control_characters_are_dropped(site):
    folder = site({"content/c.md": chat("Bad \x0b title \x01 here")})
    build_site(folder)
    data = (folder / "output" / "events.ics").read_bytes()
    assert b"\x0b" not in data and b"\x01" not in data
    assert one_event(folder / "output")["SUMMARY"] == "Bad  title  here"


def test_uid_survives_reschedule_title_and_slug_change(site, tmp_path):
    folder = site({"content/2020/my-chat.md": chat()})
    build_site(folder)
    before = one_event(folder / "output")
    (folder / "content/2020/my-chat.md").write_text(
        chat("A new title", "2020-02-12 18:00", 'slug = "renamed"', "sequence = 1"),
        encoding="utf-8")
    build_site(folder)
    after = one_event(folder / "output")
    assert after["UID"] == before["UID"] == "2020/my-chat@example.org"
    assert after["SEQUENCE"] == 1 and before["SEQUENCE"] == 0
    assert after.start.astimezone(UTC) == datetime(2020, 2, 12, 18, 0, tzinfo=UTC)
    assert (folder / "output/2020/01/renamed/renamed.ics").is_file()


def test_renamed_file_keeps_its_uid_through_chat_uid(site):
    folder = site({"content/2020/old-name.md": chat()})
    build_site(folder)
    old_uid = str(one_event(folder / "output")["UID"])
    (folder / "content/2020/old-name.md").unlink()
    (folder / "content/2020/new-name.md").write_text(chat(chat_extra=f'uid = "{old_uid}"'),
                                                     encoding="utf-8")
    build_site(folder)
    assert one_event(folder / "output")["UID"] == old_uid


def test_two_chats_with_one_uid_stop_the_build(site):
    same = 'uid = "same@example.org"'
    folder = site({"content/a.md": chat(chat_extra=same), "content/b.md": chat(chat_extra=same)})
    with pytest.raises(SiteError) as error:
        build_site(folder)
    assert "content/b.md:1: this chat has the same calendar UID as content/a.md" in str(error.value)


def test_reminder_only_in_per_chat_files(site):
    folder = site({"content/a.md": chat()}, CALENDAR_SITE.format(minutes=30))
    build_site(folder)
    assert not read(folder / "output/events.ics").walk("VALARM")
    alarms = read(folder / "output/2020/01/a/a.ics").walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0]["ACTION"] == "DISPLAY"
    assert alarms[0]["TRIGGER"].dt == timedelta(minutes=-30)


def test_calendar_does_not_depend_on_the_clock(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build_site(RICH, output=first)
    build_site(RICH, now=NOW + timedelta(days=400), output=second)
    for path in ics_files(first):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()


def test_site_without_chats_still_has_a_valid_calendar(site):
    folder = site({"content/post.md": "---\ntitle: A post\ndate: 2020-01-01\n---\n\nText.\n"})
    build_site(folder)
    calendar = read(folder / "output/events.ics")
    assert calendar.events == []
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    calendar.validate()


def test_drafts_stay_out_of_the_calendar(site):
    folder = site({"content/a.md": chat(extra="draft = true")})
    build_site(folder, drafts=True)
    assert read(folder / "output/events.ics").events == []
    # The preview's "Add to calendar" link still works.
    assert len(read(folder / "output/2020/01/a/a.ics").events) == 1


def test_cancelling_without_raising_the_sequence_is_a_warning(site):
    folder = site({"content/a.md": chat(chat_extra='status = "cancelled"')})
    report = build_site(folder)
    assert [str(w) for w in report.warnings] == [
        "content/a.md:7: warning: this chat is cancelled but 'chat.sequence' is 0 "
        "(add 'sequence: 1' under chat: so calendars take the cancellation)"]
    assert one_event(folder / "output")["STATUS"] == "CANCELLED"


def test_chat_calendar_route():
    from resnetgen.urls import chat_calendar_route
    assert chat_calendar_route("2018/01/x/", "x") == "2018/01/x/x.ics"
    assert chat_calendar_route("2018/x.html", "x") == "2018/x.ics"


def test_file_style_permalinks_put_the_ics_beside_the_page(site):
    toml = ('title = "T"\ndescription = "D"\nbase_url = "https://example.org/"\n'
            'permalink = "/{year}/{slug}.html"\n')
    folder = site({"content/a.md": chat()}, toml)
    build_site(folder, now=datetime(2019, 1, 1, tzinfo=UTC))
    assert len(read(folder / "output/2020/a.ics").events) == 1
    page = (folder / "output/2020/a.html").read_text(encoding="utf-8")
    assert 'href="/2020/a.ics"' in page


# --- Folding: resnetgen's fast fold gives exactly icalendar's bytes -----------------

from hypothesis import given, settings, strategies as st  # noqa: E402
from icalendar.parser.string import _foldline as icalendar_fold  # noqa: E402

from resnetgen.calendar import fold_line  # noqa: E402


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,;:\\^\"é–ü😀\t")) | st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=400))
def test_fast_fold_matches_icalendar(text):
    assert fold_line(text) == icalendar_fold(text)
    for line in fold_line(text).encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never a split character
