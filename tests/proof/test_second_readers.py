"""Feeds and calendars read by a second, independent reader (vobject; lxml against the
RSS 2.0 and Atom required elements), and compared with the posts they come from."""

from __future__ import annotations

import pytest
from proof.readers import feed_faults, feed_kind, ics_faults, read_calendars


def calendars(site) -> dict[str, bytes]:
    found = {p.relative_to(site.output).as_posix(): p.read_bytes()
             for p in sorted(site.output.rglob("*.ics"))}
    assert found, "the site makes no calendars"
    return found


def feeds(site) -> dict[str, bytes]:
    candidates = [p for p in sorted(site.output.rglob("*")) if p.is_file()
                  and (p.suffix in (".xml", ".atom", ".rss") or p.parent.name == "posts")]
    found = {p.relative_to(site.output).as_posix(): p.read_bytes() for p in candidates
             if feed_kind(p.read_bytes())}
    assert found, "the site makes no feeds"
    return found


@pytest.mark.parametrize("which", ["rich_site", "real_site"])
def test_every_calendar_passes_vobject_and_rfc_5545(which, request):
    site = request.getfixturevalue(which)
    faults = {path: ics_faults(data) for path, data in calendars(site).items()}
    assert not {path: f for path, f in faults.items() if f}


def test_calendar_events_are_the_briefings(rich_site):
    briefings = {p.permalink: p for p in rich_site.site.briefings}
    seen = set()
    for path, data in calendars(rich_site).items():
        [calendar] = read_calendars(data)
        for event in calendar.contents.get("vevent", []):
            post = briefings.get(event.url.value)
            assert post is not None, f"{path}: event {event.url.value} is no briefing"
            assert event.dtstart.value == post.chat.start, path
            assert event.dtend.value == post.chat.end, path
            assert (event.status.value == "CANCELLED") == post.chat.cancelled, path
            seen.add(post.permalink)
    assert seen == set(briefings)


@pytest.mark.parametrize("which", ["rich_site", "real_site"])
def test_every_feed_has_what_rss_and_atom_require(which, request):
    site = request.getfixturevalue(which)
    found = feeds(site)
    assert {feed_kind(data) for data in found.values()} == {"rss", "atom"}
    faults = {path: feed_faults(data) for path, data in found.items()}
    assert not {path: f for path, f in faults.items() if f}


def test_feed_entries_are_the_posts(rich_site):
    from lxml import etree
    posts = {p.permalink: p for p in rich_site.site.posts}
    atom = "{http://www.w3.org/2005/Atom}"
    for path, data in feeds(rich_site).items():
        root = etree.fromstring(data)
        if root.tag == "rss":
            entries = [(i.findtext("link"), i.findtext("title")) for i in root.iter("item")]
        else:
            entries = [(next(link.get("href") for link in e.findall(f"{atom}link")
                             if link.get("rel", "alternate") == "alternate"),
                        e.findtext(f"{atom}title")) for e in root.iter(f"{atom}entry")]
        assert entries, f"{path} has no entries"
        for link, title in entries:
            assert link in posts, f"{path}: {link} is no post"
            assert posts[link].title in title, f"{path}: {title!r}"


GOOD_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20180101T000000Z\r\n"
    "DTSTART:20180131T193000Z\r\nDTEND:20180131T203000Z\r\nSUMMARY:A chat\r\n"
    "URL:https://example.org/a/\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def test_the_calendar_reader_passes_a_good_file_and_reports_broken_ones():
    assert ics_faults(GOOD_ICS.encode()) == []
    backwards = GOOD_ICS.replace("DTEND:20180131T203000Z", "DTEND:20180131T183000Z")
    assert any("no later than it starts" in f for f in ics_faults(backwards.encode()))
    no_uid = GOOD_ICS.replace("UID:a@example.org\r\n", "")
    assert any("UID" in f for f in ics_faults(no_uid.encode()))  # vobject validates this
    zone = GOOD_ICS.replace("DTSTART:20180131T193000Z", "DTSTART;TZID=Test/Zone:20180131T193000")
    assert any("no VTIMEZONE" in f for f in ics_faults(zone.encode()))
    long_line = GOOD_ICS.replace("SUMMARY:A chat", "SUMMARY:" + "x" * 80)
    assert any("octets long" in f for f in ics_faults(long_line.encode()))
    assert "lines must end in CRLF" in ics_faults(GOOD_ICS.replace("\r\n", "\n").encode())
    garbled = GOOD_ICS.replace("END:VEVENT\r\n", "")
    assert any("vobject cannot read it" in f for f in ics_faults(garbled.encode()))


GOOD_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>https://example.org/</link><description>D</description>
<item><title>A</title><link>https://example.org/a/</link><guid>https://example.org/a/</guid>
<pubDate>Wed, 24 Jan 2018 00:00:00 +0000</pubDate></item></channel></rss>"""

GOOD_ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<id>https://example.org/</id><title>T</title><updated>2018-01-24T00:00:00+00:00</updated>
<link href="https://example.org/atom.xml" rel="self"/><author><name>N</name></author>
<entry><id>https://example.org/a/</id><title>A</title><updated>2018-01-24T00:00:00Z</updated>
<link href="https://example.org/a/"/></entry></feed>"""


def test_the_feed_reader_passes_good_feeds_and_reports_broken_ones():
    assert feed_faults(GOOD_RSS.encode()) == []
    assert feed_faults(GOOD_ATOM.encode()) == []
    rss = (GOOD_RSS.replace("<description>D</description>", "")
           .replace("<guid>https://example.org/a/</guid>", "")
           .replace("Wed, 24 Jan 2018 00:00:00 +0000", "24/01/2018"))
    assert set(feed_faults(rss.encode())) == {
        "channel has 0 <description> elements (exactly one is required)",
        "item 1 has no <guid>", "item 1: pubDate '24/01/2018' is not an RFC 822 date"}
    atom = (GOOD_ATOM.replace("<id>https://example.org/a/</id>", "")
            .replace("2018-01-24T00:00:00Z", "24 January 2018")
            .replace(' rel="self"', ""))
    assert set(feed_faults(atom.encode())) == {
        "entry 1 has 0 <id> elements (exactly one is required)",
        "entry 1 <updated> '24 January 2018' is not an RFC 3339 date-time",
        'the feed has no <link rel="self">'}
    assert feed_faults(GOOD_RSS.replace("</channel>", "").encode())[0].startswith(
        "not well-formed XML")


def zone_file(offset: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\n"
            "TZID:Test/Zone\r\nBEGIN:STANDARD\r\nDTSTART:20190101T000000\r\n"
            f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20190101T000000Z\r\n"
            "DTSTART;TZID=Test/Zone:20190410T193000\r\n"
            "DTEND;TZID=Test/Zone:20190410T203000\r\nSUMMARY:A\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n").encode()


def test_each_calendar_is_read_with_its_own_time_zones():
    from datetime import timedelta
    for offset, hours in (("+0200", 2), ("+0300", 3)):
        [calendar] = read_calendars(zone_file(offset))
        assert calendar.vevent.dtstart.value.utcoffset() == timedelta(hours=hours)
