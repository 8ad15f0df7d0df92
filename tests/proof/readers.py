"""Second, independent readers for calendars and feeds.

The site writes ICS with icalendar and feeds with feedgen, and its own tests read them
back with icalendar and feedparser. These readers share no code with either: vobject
parses every calendar, and lxml checks feeds against the elements RSS 2.0 and Atom
(RFC 4287) require. Each returns a list of faults; an empty list means the file passed.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import vobject
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"


def read_calendars(data: bytes) -> list:
    """Every component of an .ics file, with its own VTIMEZONEs.

    vobject keeps one global TZID -> zone table and never replaces an entry, so a
    second file's 'Europe/London' would be read with the first file's definition
    (ours cover only the years each file needs). Each file is read on its own."""
    table = vars(vobject.icalendar)["__tzidMap"]
    utc = table.get("UTC")
    table.clear()
    if utc is not None:
        table["UTC"] = utc
    return list(vobject.readComponents(data.decode("utf-8"), validate=True))


def ics_faults(data: bytes) -> list[str]:
    """Faults vobject and RFC 5545's basic rules find in one .ics file."""
    faults = []
    if b"\r\n" not in data or data.replace(b"\r\n", b"").find(b"\n") != -1:
        faults.append("lines must end in CRLF")
    for number, line in enumerate(data.split(b"\r\n"), start=1):
        if len(line) > 75:
            faults.append(f"line {number} is {len(line)} octets long (75 at most)")
    try:
        calendars = read_calendars(data)
    except Exception as error:  # vobject's parse errors have no common base
        return [*faults, f"vobject cannot read it: {type(error).__name__}: {error}"]
    if len(calendars) != 1 or calendars[0].name != "VCALENDAR":
        return [*faults, f"expected one VCALENDAR, found {[c.name for c in calendars]}"]
    calendar = calendars[0]
    for name in ("version", "prodid"):
        if name not in calendar.contents:
            faults.append(f"the calendar has no {name.upper()}")
    if "version" in calendar.contents and calendar.version.value != "2.0":
        faults.append(f"VERSION is {calendar.version.value}, not 2.0")
    zones = {z.tzid.value for z in calendar.contents.get("vtimezone", [])}
    # vobject turns TZID parameters into time zones, so look for them in the text.
    unfolded = re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))
    for tzid in sorted(set(re.findall(r";TZID=\"?([^:;\"]+)", unfolded)) - zones):
        faults.append(f"TZID {tzid} is used but no VTIMEZONE defines it")
    uids = set()
    for event in calendar.contents.get("vevent", []):
        faults.extend(_event_faults(event, zones, uids))
    return faults


def _event_faults(event, zones: set[str], uids: set[str]) -> list[str]:
    faults = []
    uid = event.uid.value if "uid" in event.contents else ""
    label = f"event {uid or '(no UID)'}"
    for name in ("uid", "dtstamp", "dtstart", "summary"):
        if name not in event.contents:
            faults.append(f"{label} has no {name.upper()}")
    if uid in uids:
        faults.append(f"{label}: the UID is used twice")
    uids.add(uid)
    if "dtend" in event.contents and "duration" in event.contents:
        faults.append(f"{label} has both DTEND and DURATION")
    if "dtstart" not in event.contents:
        return faults
    start = event.dtstart.value
    end = (event.dtend.value if "dtend" in event.contents else
           start + event.duration.value if "duration" in event.contents else None)
    if not isinstance(start, datetime) or start.tzinfo is None:
        faults.append(f"{label}: DTSTART {start!r} has no time zone")
    elif end is None or not end > start:
        faults.append(f"{label}: it ends ({end}) no later than it starts ({start})")
    elif end - start > timedelta(hours=12):
        faults.append(f"{label}: a chat of {end - start} is implausibly long")
    status = event.status.value if "status" in event.contents else "CONFIRMED"
    if status not in ("TENTATIVE", "CONFIRMED", "CANCELLED"):
        faults.append(f"{label}: STATUS {status} is not an event status")
    if "url" in event.contents and urlsplit(event.url.value).scheme not in ("http", "https"):
        faults.append(f"{label}: URL {event.url.value} is not an absolute web address")
    return faults


def feed_kind(data: bytes) -> str | None:
    """'rss', 'atom', or None for XML that is not a feed (a sitemap)."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return "broken"
    return "rss" if root.tag == "rss" else "atom" if root.tag == f"{ATOM}feed" else None


def feed_faults(data: bytes) -> list[str]:
    """Faults in an RSS 2.0 or Atom 1.0 feed, read strictly with lxml."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    if root.tag == "rss":
        return _rss_faults(root)
    if root.tag == f"{ATOM}feed":
        return _atom_faults(root)
    return [f"the root element {root.tag} is neither <rss> nor Atom's <feed>"]


def _rss_faults(root) -> list[str]:
    faults = []
    if root.get("version") != "2.0":
        faults.append(f"rss version is {root.get('version')!r}, not '2.0'")
    channels = root.findall("channel")
    if len(channels) != 1:
        return [*faults, f"expected one <channel>, found {len(channels)}"]
    channel = channels[0]
    for name in ("title", "link", "description"):
        faults.extend(_one_text(channel, name, "channel"))
    faults.extend(_absolute(channel.findtext("link"), "channel <link>"))
    guids = set()
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"item {number}"
        if not (item.findtext("title") or item.findtext("description")):
            faults.append(f"{where} has neither title nor description")
        if item.find("link") is not None:
            faults.extend(_absolute(item.findtext("link"), f"{where} <link>"))
        guid = item.findtext("guid")
        if guid is None:
            faults.append(f"{where} has no <guid>")
        elif guid in guids:
            faults.append(f"{where}: guid {guid} is used twice")
        guids.add(guid)
        date = item.findtext("pubDate")
        if date is None:
            faults.append(f"{where} has no <pubDate>")
        else:
            try:
                if email.utils.parsedate_to_datetime(date).tzinfo is None:
                    faults.append(f"{where}: pubDate {date!r} has no zone")
            except (TypeError, ValueError):
                faults.append(f"{where}: pubDate {date!r} is not an RFC 822 date")
    return faults


def _atom_faults(root) -> list[str]:
    faults = []
    for name in ("id", "title", "updated"):
        faults.extend(_one_text(root, f"{ATOM}{name}", "feed", name))
    faults.extend(_rfc3339(root.findtext(f"{ATOM}updated"), "feed <updated>"))
    if not any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link")):
        faults.append("the feed has no <link rel=\"self\">")
    feed_author = root.find(f"{ATOM}author") is not None
    ids = set()
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"entry {number}"
        for name in ("id", "title", "updated"):
            faults.extend(_one_text(entry, f"{ATOM}{name}", where, name))
        faults.extend(_rfc3339(entry.findtext(f"{ATOM}updated"), f"{where} <updated>"))
        entry_id = entry.findtext(f"{ATOM}id")
        if entry_id in ids:
            faults.append(f"{where}: id {entry_id} is used twice")
        ids.add(entry_id)
        if not feed_author and entry.find(f"{ATOM}author") is None:
            faults.append(f"{where} has no <author>, and neither has the feed")
        alternates = [link for link in entry.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        if entry.find(f"{ATOM}content") is None and not alternates:
            faults.append(f"{where} has neither <content> nor <link rel=\"alternate\">")
        for link in alternates:
            faults.extend(_absolute(link.get("href"), f"{where} <link>"))
        for name in ("name",):
            author = entry.find(f"{ATOM}author")
            if author is not None and not author.findtext(f"{ATOM}{name}"):
                faults.append(f"{where}: <author> has no <name>")
    return faults


def _one_text(parent, tag: str, where: str, name: str | None = None) -> list[str]:
    found = parent.findall(tag)
    name = name or tag
    if len(found) != 1:
        return [f"{where} has {len(found)} <{name}> elements (exactly one is required)"]
    if not (found[0].text or "").strip():
        return [f"{where} <{name}> is empty"]
    return []


def _absolute(url: str | None, where: str) -> list[str]:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [f"{where} {url!r} is not an absolute web address"]
    return []


def _rfc3339(text: str | None, where: str) -> list[str]:
    if not text:
        return []
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return [f"{where} {text!r} is not an RFC 3339 date-time"]
    if moment.tzinfo is None or "T" not in text:
        return [f"{where} {text!r} needs a date, a time and a zone"]
    return []
