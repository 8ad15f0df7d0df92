"""The chats' calendar files carry their links (linkcheck.XmlRead), found from their
parts: the link check reads exactly what it reads in the files' bytes, at the same lines.

`calendar.event_read` finds an event's links from its own lines (no reading); the
others' (a calendar's lines, a zone's, an event from the cache) are read once each.
Compared here with `linkcheck.extract` of the plain bytes, on every chat of the rich
site, with reminders, and on chats with random titles, links and zones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from resnetgen import calendar
from resnetgen.linkcheck import XmlRead, extract
from resnetgen.problems import Problems


def links_as_read(path: str, data: bytes):
    """(what extract finds in the file as it is given, in its plain bytes)."""
    return extract(path, data), extract(path, bytes(data))


def check_files(site, **options) -> int:
    files = 0
    for path, data, _ in calendar.calendar_outputs(site, Problems(), **options):
        assert type(data) is (bytes if path == "events.ics" else XmlRead), path
        given, plain = links_as_read(path, data)
        assert given == plain, path
        files += 1
    return files


def test_every_calendar_file_of_the_rich_site_carries_the_links_read_in_it(rich_assembled):
    assert check_files(rich_assembled) == len(rich_assembled.briefings) + 1
    files = dict(calendar.calendar_files(rich_assembled, Problems()))
    found = extract("events.ics", bytes(files["events.ics"]))
    # the calendar's own address and every chat's page
    urls = {link.url for link in found.links}
    assert {p.permalink for p in rich_assembled.briefings if not p.draft} <= urls
    assert rich_assembled.urls.permalink("events/") in urls


def test_with_a_reminder_and_with_events_from_elsewhere(rich_assembled):
    site = replace(rich_assembled, config=replace(
        rich_assembled.config, calendar=replace(rich_assembled.config.calendar, reminder_minutes=30)))
    check_files(site)
    # Events not made here (the cache's, a worker's) are read: the same links.
    made = {p.source_path: calendar.event_ical(rich_assembled, p) for p in rich_assembled.briefings}
    check_files(rich_assembled, made=made)
    check_files(rich_assembled, memo=lambda what, make: bytes(make()))


def test_an_event_made_here_has_the_links_it_is_read_for(rich_assembled):
    for post in rich_assembled.briefings:
        data, found = calendar.event_read(rich_assembled, post)
        assert data == calendar.event_ical(rich_assembled, post)
        assert found == calendar.part_links(data)
        assert found[0] == (post.permalink,)


texts = st.text(alphabet=st.sampled_from(list("ab ,;:\\^\"é–😀\t\n\r x\ufeff")) | st.characters(
    blacklist_categories=("Cs",)), max_size=120)
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=texts, tags=st.lists(texts.filter(str.strip), max_size=3),
       link=st.sampled_from(["https://example.org/a/", " https://example.org/b ", "", " ",
                             "https://example.org/" + "long/" * 30, "https://x.org/\u00e9\u2013/",
                             "https://example.org/a\\,b^c/", "\ufeffhttps://example.org/c/"]),
       zone=st.sampled_from(ZONES), start=st.datetimes(min_value=datetime(1990, 1, 1),
                                                       max_value=datetime(2040, 1, 1)),
       venue=texts)
def test_random_events_have_the_links_the_link_check_reads(rich_assembled, title, tags, link, zone,
                                                           start, venue):
    base = rich_assembled.briefings[0]
    start = start.replace(tzinfo=ZoneInfo(zone))
    chat = replace(base.chat, start=start, end=start + timedelta(minutes=60), timezone=zone)
    post = replace(base, title=title, tags=tuple(tags), chat=chat, permalink=link,
                   date=datetime(2020, 1, 1, tzinfo=timezone.utc))
    site = replace(rich_assembled, config=replace(
        rich_assembled.config, calendar=replace(rich_assembled.config.calendar, venue=venue)))
    data, found = calendar.event_read(site, post)
    assert data == calendar.event_ical(site, post)
    if found is not None:
        assert found == calendar.part_links(data)
    links = calendar.IcsLinks({post.source_path: data},
                              {post.source_path: calendar.IcsLinks.packed(post, found)}
                              if found else {})
    whole = calendar.chat_calendar(site, post, data, links)
    assert type(whole) is XmlRead
    assert extract("a.ics", whole) == extract("a.ics", bytes(whole))
