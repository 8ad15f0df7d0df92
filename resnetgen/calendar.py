"""The events calendar: every chat as an iCalendar event (RFC 5545, RFC 7986).

Two kinds of file come from the same mapping, post -> event:
- `events.ics`, the calendar readers subscribe to: every chat, past and upcoming,
  with no METHOD (RFC 5545 3.8.7.2 then lets DTSTAMP be the post's last change,
  which keeps the output deterministic);
- one `<slug>.ics` beside each briefing's page, for "add this chat", with
  METHOD:PUBLISH and the optional reminder of site.toml's [calendar].

Serialisation (TEXT escaping, parameters) is icalendar's; nothing here escapes a value
by hand. For speed, an event is not serialised as a whole by `Component.to_ical`: each
property, typed up front, becomes its content line as icalendar's `Contentline` would
write it (name, parameters and value joined, folded at 75 octets: see content_line,
fold_line), the lines every chat shares are made once, a date-time's line is its zone's
(found from icalendar once per zone) around its digits (written as vDatetime writes them:
see datetime_line), and the lines are put in the order `Component.to_ical` puts them
(tests/test_calendar_fast.py checks the bytes are the same as icalendar's).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable, Iterator, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import (Alarm, Calendar, Conference, Event, Timezone, vCategory, vDatetime,
                       vDuration, vInt, vText, vUri)
from icalendar.caselessdict import canonsort_keys
from icalendar.parser import content_line as _content_line
from icalendar.parser import Parameters
from icalendar.parser.string import _escape_char  # vText's own escaping
from icalendar.parser_tools import to_unicode
from icalendar.timezone import tzid as _tzid
from icalendar.timezone import tzp

from resnetgen import __version__, chat_text
from resnetgen.cache import no_memo
from resnetgen.calendar_links import calendar_name
from resnetgen.chat_text import clean
from resnetgen.models import Post
from resnetgen.outputs import Output, made_now
from resnetgen.problems import Problems
from resnetgen.site import Site
from resnetgen.urls import CALENDAR_ROUTE, EVENTS_ROUTE, chat_calendar_route

PRODID = f"-//ResNetSLT//resnetgen {__version__}//EN"

def fold_line(line: str, limit: int = 75, fold_sep: str = "\r\n ") -> str:
    """RFC 5545 folding with the same result as icalendar's `_foldline`, which walks the
    line character by character in Python and cost more than the rest of the build.

    A line is cut before the character that would make it reach `limit` octets, only
    between UTF-8 characters, and never right after a backslash or caret (icalendar's
    rule for escapes). tests/test_calendar.py checks the two agree on random text."""
    data = line.encode("utf-8")
    if len(data) < limit:
        return line
    chunks, start, room = [], 0, limit - 1
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # never inside a character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        chunks.append(data[start:end].decode("utf-8"))
        start = end
    chunks.append(data[start:].decode("utf-8"))
    return fold_sep.join(chunks)


_content_line._foldline = fold_line  # icalendar calls it for every content line
# icalendar looks up a zone's equivalent names (sorting a set) for every date-time it
# types or writes, five times per event; the table is fixed once icalendar is imported.
_tzid.get_equivalent_tzids = lru_cache(maxsize=256)(_tzid.get_equivalent_tzids)


def calendar_files(site: Site, problems: Problems,
                   memo: Callable[[object, Callable[[], bytes]], bytes] = no_memo,
                   made: Mapping[str, bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes): events.ics, then one .ics per briefing (see calendar_outputs)."""
    for path, data, _ in calendar_outputs(site, problems, memo, made):
        yield path, data


def calendar_outputs(site: Site, problems: Problems,
                     memo: Callable[[object, Callable[[], bytes]], bytes] = no_memo,
                     made: Mapping[str, bytes] | None = None, output: Output = made_now
                     ) -> Iterator[tuple]:
    """`output(path, what, make)` of events.ics, then of one .ics per briefing.

    Drafts (present only in a --drafts preview) get their own file, so the preview's
    links work, but never enter the calendar subscribers see. Each event is made and
    serialised once, and used in both files. `memo(what, make)` may return what `make()`
    returned for the same `what` in an earlier build (the build cache's; each depends
    on its post and the settings only). `made`: source path -> `event_ical(site, post)`
    of the posts whose event was made already (by worker processes, say). `output` may
    keep a chat's file from the last build instead of making it (`what` the same)."""
    briefings = site.briefings  # a walk of every post: once
    check_uids(list(briefings), site, problems)
    made = made or {}

    def event(post: Post) -> bytes:
        return made.get(post.source_path) or event_ical(site, post)

    events = {post.source_path: memo(("event", post), lambda post=post: event(post))
              for post in briefings}
    chats = sorted((p for p in briefings if not p.draft),
                   key=lambda p: (p.chat.start, p.source_path))
    # events.ics is made from the chats subscribers see, in its order: a post that is no
    # chat (or a draft) changed, it is kept.
    yield output(CALENDAR_ROUTE, ("events", *chats), lambda: with_components(
        site_calendar(site, chats),
        [*timezones(chats, always=site.config.timezone),
         *(events[p.source_path] for p in chats)]))
    for post in briefings:
        yield output(chat_calendar_path(site, post), ("chat", post),
                     lambda post=post: chat_calendar(site, post, events[post.source_path]))


def with_components(calendar: Calendar | bytes, components: list[bytes],
                    name: str = "VCALENDAR") -> bytes:
    """A component's own lines, serialised by icalendar (or already), around its
    subcomponents' (or more property lines), which icalendar serialised already."""
    wrapper = calendar if isinstance(calendar, bytes) else calendar.to_ical()
    end = b"END:" + name.encode("ascii") + CRLF
    assert wrapper.endswith(end)
    # One join: `a + b"".join(...) + c` held three copies at once (18 MB each for the
    # site's events.ics at 10,000 chats).
    return b"".join([wrapper[: -len(end)], *components, end])


def chat_calendar_path(site: Site, post: Post) -> str:
    return chat_calendar_route(site.urls.route_of(post.url) or "", post.slug)


def event_uid(post: Post, host: str) -> str:
    """The event's identity for calendar apps: the front matter's `chat.uid` when an
    editor set one (to keep it across a renamed file), else the post's identity
    (its source path), never its time, title or slug."""
    return post.chat.uid or f"{post.identity}@{host}"


def site_calendar(site: Site, chats: list[Post]) -> Calendar:
    """The subscribable calendar's own properties; its components are added after."""
    config, settings = site.config, site.config.calendar
    calendar = new_calendar()
    description = settings.description or config.description
    refresh = timedelta(hours=max(settings.refresh_hours, 1))
    calendar.calendar_name = clean(calendar_name(config))  # NAME and X-WR-CALNAME
    calendar.description = clean(description)              # DESCRIPTION and X-WR-CALDESC
    # RFC 7986 requires VALUE=DURATION here; icalendar's setter leaves it out.
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))    # what Outlook and Google read
    calendar.url = site.urls.permalink(EVENTS_ROUTE)
    calendar.source = site.urls.permalink(CALENDAR_ROUTE)
    if chats:
        calendar.add("LAST-MODIFIED", max(utc(p.last_modified) for p in chats))
    return calendar


def chat_calendar(site: Site, post: Post, event: bytes) -> bytes:
    """One chat, for "Add to calendar": opens as an event, not as a new calendar."""
    minutes = site.config.calendar.reminder_minutes
    if minutes > 0 and not post.chat.cancelled:  # the alarm goes after the event's properties
        event = with_components(event, [reminder(post, minutes).to_ical()], "VEVENT")
    return with_components(chat_calendar_lines(), [*timezones([post]), event])


@lru_cache(maxsize=1)
def chat_calendar_lines() -> bytes:
    """A one-chat calendar's own properties: the same for every chat, serialised once."""
    calendar = new_calendar()
    calendar.add("METHOD", "PUBLISH")
    return calendar.to_ical()


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    return calendar


CRLF = b"\r\n"  # every content line ends so (RFC 5545 3.1), as Contentlines.to_ical ends them
_SHARED = {"SEQUENCE", "STATUS", "TRANSP", "CLASS", "LOCATION", "CONFERENCE"}  # alike in most chats


def chat_conference(uri_and_label: tuple[str, str]) -> vUri:
    uri, label = uri_and_label
    return Conference(uri, feature="CHAT", label=label).to_uri()


def event_fields(site: Site, post: Post) -> list[tuple[str, Callable, object]]:
    """post -> the VEVENT's properties: (name, icalendar type, plain value), typed up
    front (Component.add's type inference costs more than the values; its vDDDTypes
    writes a date-time through the vDatetime given here). Times carry their zone
    (TZID); stamps come from the post."""
    chat, config = post.chat, site.config
    fields = [
        ("UID", vText, event_uid(post, site_host(config))),
        ("DTSTAMP", vDatetime, stamp(post.last_modified)),
        ("CREATED", vDatetime, stamp(post.date)),
        ("LAST-MODIFIED", vDatetime, stamp(post.last_modified)),
        ("SEQUENCE", vInt, chat.sequence),
        ("SUMMARY", vText, clean(f"Cancelled: {post.title}" if chat.cancelled else post.title)),
        ("DTSTART", vDatetime, chat.start),
        ("DTEND", vDatetime, chat.end),
        ("STATUS", vText, "CANCELLED" if chat.cancelled else "CONFIRMED"),
        ("TRANSP", vText, "TRANSPARENT" if chat.cancelled else "OPAQUE"),
        ("CLASS", vText, "PUBLIC"),
        ("LOCATION", vText, clean(f"{config.calendar.venue}, {chat.hashtag}")),
        ("URL", vUri, post.permalink),
        ("DESCRIPTION", vText, clean(description(post, config))),
    ]
    if post.tags:
        fields.append(("CATEGORIES", vCategory, tuple(clean(t) for t in post.tags)))
    fields.append(("CONFERENCE", chat_conference, (chat_text.hashtag_url(post, config),
                                                   f"{chat.hashtag} on {config.network}")))
    return fields


def chat_event(site: Site, post: Post) -> Event:
    """post -> VEVENT, as an icalendar component (`event_ical` gives its bytes faster)."""
    event = Event()
    for name, kind, value in event_fields(site, post):
        event.add(name, kind(value))
    return event


def event_ical(site: Site, post: Post) -> bytes:
    """`chat_event(site, post).to_ical()`, the same bytes, in a fraction of the time: the
    content lines most chats share are made once, the others each as icalendar's
    Contentline writes them (see content_line), in the order Component.to_ical sorts
    them. A pure function of the post and the settings: worker processes may call it."""
    lines, made = {}, {}
    for name, kind, value in event_fields(site, post):
        if name in _SHARED:
            lines[name] = shared_line(name, kind, value)
            continue
        plain = _PLAIN_TEXT.get(kind)
        if plain is not None:
            lines[name] = plain_line(name, plain(value))
            continue
        if kind is vDatetime and type(value.tzinfo) is ZoneInfo:
            lines[name] = datetime_line(name, value)
            continue
        # DTSTAMP and LAST-MODIFIED (often CREATED too) are alike. The zone is in the key:
        # aware date-times at one instant are equal, in UTC or with a TZID alike.
        key = (kind, value, getattr(value, "tzinfo", None))
        if key not in made:
            made[key] = kind(value)
        lines[name] = content_line(name, made[key])
    return with_components(empty_event(), [lines[name] for name in event_order(tuple(lines))],
                           "VEVENT")


@lru_cache(maxsize=64)
def event_order(names: tuple[str, ...]) -> list[str]:
    """The order Component.to_ical puts an event's properties in (the same for every
    event of the same properties)."""
    return canonsort_keys(names, Event.canonical_order)


def content_line(name: str, value) -> bytes:
    """One property, as Component.to_ical writes it: `Contentline.from_parts(name,
    value.params, value).to_ical()`, without building the Contentline (a str subclass
    checked and converted again on the way): the value's and the parameters' text are
    icalendar's, joined as from_parts joins them, folded as Contentline.to_ical folds."""
    text = to_unicode(value.to_ical())
    params = value.params
    if params:
        written = params_ical(params)
        if written:
            return fold_line(f"{name};{written}:{text}").encode("utf-8") + CRLF
    return fold_line(f"{name}:{text}").encode("utf-8") + CRLF


def datetime_line(name: str, moment: datetime) -> bytes:
    """`content_line(name, vDatetime(moment))` of a moment in a ZoneInfo zone: what
    icalendar writes around the value (the zone's TZID parameter, or the 'Z' of UTC)
    depends on the zone alone, and is found once per zone (see datetime_shape); the
    value is the moment's digits, as vDatetime.to_ical writes them (seconds, no
    fraction). tests/test_calendar_fast.py checks the bytes against icalendar's."""
    head, tail = datetime_shape(name, moment.tzinfo)
    return fold_line(f"{head}{moment.year:04}{moment.month:02}{moment.day:02}"
                     f"T{moment.hour:02}{moment.minute:02}{moment.second:02}{tail}"
                     ).encode("utf-8") + CRLF


@lru_cache(maxsize=256)
def datetime_shape(name: str, zone: ZoneInfo) -> tuple[str, str]:
    """(what goes before a date-time's digits, what goes after) in its content line, as
    content_line writes it for a vDatetime in `zone` (ZoneInfo: its TZID is its key's,
    whatever the moment; icalendar names other zones by their name at the moment)."""
    value = vDatetime(datetime(2000, 1, 1, tzinfo=zone))
    text = to_unicode(value.to_ical())
    digits = "20000101T000000"
    assert text.startswith(digits)
    written = params_ical(value.params) if value.params else ""
    return (f"{name};{written}:" if written else f"{name}:"), text[len(digits):]


def plain_line(name: str, text: str) -> bytes:
    """A property of no parameters whose value's text is `text`, as content_line writes
    it: to_unicode reads the value's bytes as UTF-8 with a byte order mark dropped."""
    if text[:1] == "\ufeff":
        text = text[1:]
    return fold_line(f"{name}:{text}").encode("utf-8") + CRLF


# The text of a value of these types (none has parameters here), as its to_ical writes
# it, without making the value: vText's is icalendar's TEXT escaping of it, vUri's the
# URI itself, vCategory's its items' escaped texts joined by commas.
def _uri_text(value: str) -> str:
    return str(vUri(value)) if "\r" in value or "\n" in value else value  # vUri refuses


def _categories_text(items) -> str:
    return ",".join(map(_escape_char, [items] if isinstance(items, str) else items))


_PLAIN_TEXT: dict[Callable, Callable[..., str]] = {
    vText: _escape_char, vUri: _uri_text, vCategory: _categories_text}


def params_ical(params) -> str:
    """A property's parameters as icalendar writes them; those every chat in a zone
    shares (TZID=Europe/London) are written once."""
    if len(params) == 1 and "TZID" in params:
        return _tzid_ical(params["TZID"])
    return to_unicode(params.to_ical(sorted=True))


@lru_cache(maxsize=256)
def _tzid_ical(tzid: str) -> str:
    return to_unicode(Parameters({"TZID": tzid}).to_ical(sorted=True))


@lru_cache(maxsize=1024)
def shared_line(name: str, kind: Callable, value) -> bytes:
    return content_line(name, kind(value))


@lru_cache(maxsize=1)
def empty_event() -> bytes:
    return Event().to_ical()


def stamp(moment: datetime) -> datetime:
    """A DTSTAMP, CREATED or LAST-MODIFIED value, in UTC as Component.add makes it."""
    return tzp.localize_utc(utc(moment))


def description(post: Post, config) -> str:
    """Plain text: when, where, who, the paper, the questions and the page."""
    lines = []
    if post.chat.cancelled:
        lines += ["This chat has been cancelled.", ""]
    lines.append(f"Tweetchat: {chat_text.when(post, config)}")
    lines.append(f"Follow {post.chat.hashtag} on {config.network}: "
                 f"{chat_text.hashtag_url(post, config)}")
    if post.hosts:
        lines.append(f"{'Hosts' if len(post.hosts) > 1 else 'Host'}: {chat_text.hosts(post)}")
    if post.paper:
        lines += ["", f"Paper: {chat_text.citation(post.paper)}"]
    if post.questions:
        lines += ["", "Questions:", *chat_text.questions(post)]
    if post.summary:
        lines += ["", post.summary]
    lines += ["", f"Briefing: {post.permalink}"]
    return "\n".join(lines)


def reminder(post: Post, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", clean(post.title))
    alarm.add("TRIGGER", timedelta(minutes=-minutes))
    return alarm


def timezones(chats: list[Post], always: str = "") -> list[bytes]:
    """A VTIMEZONE for every zone used (and `always`: a calendar must hold at least one
    component), covering the years of the chats, sorted by name so the output never
    depends on a set's order."""
    tzids = {always} if always else set()
    years = set()
    for post in chats:  # one walk: events.ics lists every chat of the site
        chat = post.chat
        tzids.add(chat.timezone)
        years.add(chat.start.year)
        years.add(chat.end.year)
    first = date(min(years, default=2000), 1, 1)
    last = date(max(years, default=first.year) + 1, 1, 1)
    return [vtimezone(tzid, first, last) for tzid in sorted(tzids)]


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first: date, last: date) -> bytes:
    """icalendar's VTIMEZONE for a zone, serialised; cached, as it is costly to make."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()


_BAD_UID = re.compile(r"[\s\x00-\x1f]")  # \s: str.isspace's characters


def check_uids(chats: list[Post], site: Site, problems: Problems) -> None:
    """Two chats with one UID would overwrite each other in every calendar app."""
    host = site_host(site.config)
    seen: dict[str, Post] = {}
    for post in sorted(chats, key=lambda p: p.source_path):
        uid = event_uid(post, host)
        if _BAD_UID.search(uid):
            problems.error(post.source_path, 1, f"chat.uid '{uid}' contains spaces",
                           "copy the UID exactly as it is in the old .ics file, or leave it empty")
        if uid in seen:
            problems.error(post.source_path, 1,
                           f"this chat has the same calendar UID as {seen[uid].source_path}",
                           "leave chat.uid empty in the newer file; set it only to keep "
                           "the UID of a renamed file")
        seen.setdefault(uid, post)


def site_host(config) -> str:
    return urlsplit(config.base_url).hostname or "localhost"


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
