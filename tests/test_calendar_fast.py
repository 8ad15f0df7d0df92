"""The calendar's fast path writes exactly the bytes icalendar writes for a whole event.

`calendar.event_ical` serialises an event property by property, reusing the lines
chats share; the reference here is the plain way: `Component.add` with Python values
(icalendar infers the types), then `Component.to_ical`. Both run on every chat of the
rich site and on chats with random titles, tags, zones and stamps.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from icalendar import Alarm, Calendar, Conference, Event


from resnetgen import calendar, chat_text
from resnetgen.models import CANCELLED, SCHEDULED
from resnetgen.problems import Problems


def reference_event(site, post) -> Event:
    """The event as resnetgen made it before the fast path: add() infers every type."""
    chat, config, clean = post.chat, site.config, chat_text.clean
    event = Event()
    event.add("UID", calendar.event_uid(post, calendar.site_host(config)))
    event.add("DTSTAMP", calendar.utc(post.last_modified))
    event.add("CREATED", calendar.utc(post.date))
    event.add("LAST-MODIFIED", calendar.utc(post.last_modified))
    event.add("SEQUENCE", chat.sequence)
    event.add("SUMMARY", clean(f"Cancelled: {post.title}" if chat.cancelled else post.title))
    event.add("DTSTART", chat.start)
    event.add("DTEND", chat.end)
    event.add("STATUS", "CANCELLED" if chat.cancelled else "CONFIRMED")
    event.add("TRANSP", "TRANSPARENT" if chat.cancelled else "OPAQUE")
    event.add("CLASS", "PUBLIC")
    event.add("LOCATION", clean(f"{config.calendar.venue}, {chat.hashtag}"))
    event.add("URL", post.permalink)
    event.add("DESCRIPTION", clean(calendar.description(post, config)))
    if post.tags:
        event.add("CATEGORIES", [clean(t) for t in post.tags])
    event.conferences = [Conference(chat_text.hashtag_url(post, config), feature="CHAT",
                                    label=f"{chat.hashtag} on {config.network}")]
    return event


def test_every_rich_chat_has_the_bytes_of_the_whole_event(rich_assembled):
    for post in rich_assembled.briefings:
        expected = reference_event(rich_assembled, post).to_ical()
        assert calendar.event_ical(rich_assembled, post) == expected, post.source_path
        assert calendar.chat_event(rich_assembled, post).to_ical() == expected, post.source_path
        parsed = Event.from_ical(expected)
        assert str(parsed["UID"]) == calendar.event_uid(post, "example.org")


def test_reminder_goes_inside_the_event_as_icalendar_puts_it(rich_assembled):
    site = replace(rich_assembled, config=replace(
        rich_assembled.config, calendar=replace(rich_assembled.config.calendar, reminder_minutes=30)))
    post = next(p for p in site.briefings if not p.chat.cancelled)
    event = reference_event(site, post)
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", chat_text.clean(post.title))
    alarm.add("TRIGGER", timedelta(minutes=-30))
    event.add_component(alarm)
    data = calendar.chat_calendar(site, post, calendar.event_ical(site, post))
    assert event.to_ical() in data
    parsed = Calendar.from_ical(data)
    assert [a["TRIGGER"].dt for a in parsed.events[0].subcomponents] == [timedelta(minutes=-30)]


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC",
         "Pacific/Chatham"]
texts = st.text(alphabet=st.sampled_from(list("ab ,;:\\^\"é–ü😀\t\nx\ufeff")) | st.characters(
    blacklist_categories=("Cs",)), max_size=120)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=texts, tags=st.lists(texts.filter(str.strip), max_size=4), cancelled=st.booleans(),
       sequence=st.integers(0, 5), zone=st.sampled_from(ZONES), start=moments,
       minutes=st.integers(1, 300), published=moments, updated=st.none() | moments,
       venue=texts, uid=st.sampled_from(["", "kept-uid@old.example.org"]))
def test_random_chats_have_the_bytes_of_the_whole_event(rich_assembled, title, tags, cancelled,
                                                        sequence, zone, start, minutes,
                                                        published, updated, venue, uid):
    base = rich_assembled.briefings[0]
    start = start.replace(tzinfo=ZoneInfo(zone))
    chat = replace(base.chat, start=start, end=start + timedelta(minutes=minutes), timezone=zone,
                   status=CANCELLED if cancelled else SCHEDULED, sequence=sequence, uid=uid)
    post = replace(base, title=title, tags=tuple(tags), chat=chat,
                   date=published.replace(tzinfo=timezone.utc),
                   updated=updated and updated.replace(tzinfo=ZoneInfo(zone)))
    site = replace(rich_assembled, config=replace(
        rich_assembled.config, calendar=replace(rich_assembled.config.calendar, venue=venue)))
    assert calendar.event_ical(site, post) == reference_event(site, post).to_ical()


def test_events_made_elsewhere_give_the_same_files(rich_assembled):
    """calendar_files(made=...): events made by worker processes, say, are used as they are."""
    expected = list(calendar.calendar_files(rich_assembled, Problems()))
    made = {p.source_path: calendar.event_ical(rich_assembled, p) for p in rich_assembled.briefings}
    assert list(calendar.calendar_files(rich_assembled, Problems(), made=made)) == expected
    # What `made` holds is what goes out: nothing is made again behind it.
    post = rich_assembled.briefings[0]
    marked = dict(made, **{post.source_path: made[post.source_path].replace(b"CLASS:PUBLIC", b"CLASS:X")})
    files = dict(calendar.calendar_files(rich_assembled, Problems(), made=marked))
    assert b"CLASS:X" in files[calendar.chat_calendar_path(rich_assembled, post)]


ALL_ZONES = sorted(__import__("zoneinfo").available_timezones())


@settings(max_examples=400, deadline=None)
@given(zone=st.sampled_from(ALL_ZONES), moment=st.datetimes(min_value=datetime(1, 1, 1)),
       name=st.sampled_from(["DTSTART", "DTEND", "DTSTAMP", "CREATED", "LAST-MODIFIED"]))
def test_a_date_time_line_is_the_one_icalendar_writes(zone, moment, name):
    """datetime_line: the zone's parameters found once, the digits of each moment."""
    from icalendar import vDatetime
    moment = moment.replace(tzinfo=ZoneInfo(zone))
    assert calendar.datetime_line(name, moment) == calendar.content_line(name, vDatetime(moment))
