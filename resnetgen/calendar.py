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
write it (see resnetgen.ical_lines), the lines every chat shares are made once, and the
lines are put in the order `Component.to_ical` puts them (tests/test_calendar_fast.py
checks the bytes are the same as icalendar's). The chats' files carry their links for
the link check (see resnetgen.ics_links).
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
from icalendar.timezone import tzp

from resnetgen import __version__, chat_text
from resnetgen.cache import no_memo
from resnetgen.calendar_kept import ChatEvents, LastCalendar
from resnetgen.calendar_links import calendar_name
from resnetgen.chat_text import clean
from resnetgen.ical_lines import (CRLF, PLAIN_TEXT, content_line,  # noqa: F401 (fold_line,
                                  datetime_line, datetime_shape, fold_line,  # for tests)
                                  ical_line, moment_digits, plain_line, shared_line)
from resnetgen.ics_links import (IcsLinks, event_links, part_links,
                                 shared_part_links)
from resnetgen.models import Post
from resnetgen.outputs import Output, made_now
from resnetgen.problems import Problems
from resnetgen.site import Site
from resnetgen.urls import CALENDAR_ROUTE, EVENTS_ROUTE, chat_calendar_route

PRODID = f"-//ResNetSLT//resnetgen {__version__}//EN"

def calendar_files(site: Site, problems: Problems,
                   memo: Callable[[object, Callable[[], bytes]], bytes] = no_memo,
                   made: Mapping[str, bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes): events.ics, then one .ics per briefing (see calendar_outputs)."""
    for path, data, _ in calendar_outputs(site, problems, memo, made):
        yield path, data


def calendar_outputs(site: Site, problems: Problems,
                     memo: Callable[[object, Callable[[], bytes]], bytes] = no_memo,
                     made: Mapping[str, bytes] | None = None, output: Output = made_now,
                     last: LastCalendar | None = None, listing: dict[str, str] | None = None,
                     remember: Callable[[str, list, tuple], None] | None = None
                     ) -> Iterator[tuple]:
    """`output(path, what, make)` of events.ics, then of one .ics per briefing.

    Drafts (present only in a --drafts preview) get their own file, so the preview's
    links work, but never enter the calendar subscribers see. Each event is made and
    serialised once, and used in both files. `memo(what, make)` may return what `make()`
    returned for the same `what` in an earlier build (the build cache's; each depends
    on its post and the settings only). `made`: source path -> `event_ical(site, post)`
    of the posts whose event was made already (by worker processes, say). `output` may
    keep a file from the last build instead of making it (`what` the same). `last`: the
    last build's events.ics, whose events of posts unchanged (`listing`: source path ->
    digest of the post without its body) are used as they are (see calendar_kept);
    `remember(key, chats, index)` is told the index of an events.ics made here."""
    briefings = site.briefings  # a walk of every post: once
    check_uids(briefings, site, problems)
    made = made or {}

    def fresh(post: Post) -> tuple[bytes, object]:
        data = made.get(post.source_path)
        if data:
            return data, None
        data, found = event_read(site, post)
        return data, None if found is None else IcsLinks.packed(post, found)

    events = ChatEvents(fresh, memo, last, listing)
    chats = sorted((p for p in briefings if not p.draft),
                   key=lambda p: (p.chat.start, p.source_path))
    index: list[tuple] = []

    def calendar() -> bytes:
        data, layout = events.calendar(own_lines(site_calendar(site, chats)), timezones(
            chats, always=site.config.timezone), chats, _CALENDAR_END)
        index.append(layout)
        return data
    # events.ics is made from the chats subscribers see, in its order: a post that is no
    # chat (or a draft) changed, it is kept. Made from the last one, it carries its
    # links (see ChatEvents.calendar).
    done = output(CALENDAR_ROUTE, ("events", *chats), calendar)
    if index and remember is not None:
        remember(done[2], chats, index[0])
    yield done
    del done, index
    links = IcsLinks(events, events.links)
    for post in briefings:
        yield output(chat_calendar_path(site, post), ("chat", post),
                     lambda post=post: chat_calendar(site, post, events.get(post), links))


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


def chat_calendar(site: Site, post: Post, event: bytes, links: IcsLinks | None = None
                  ) -> bytes:
    """One chat, for "Add to calendar": opens as an event, not as a new calendar.
    `links`: the file's links are found from its parts' (see IcsLinks)."""
    minutes = site.config.calendar.reminder_minutes
    alarm = minutes > 0 and not post.chat.cancelled
    if alarm:  # the alarm goes after the event's properties
        event = with_components(event, [reminder(post, minutes).to_ical()], "VEVENT")
    head, zones = chat_calendar_head(), timezones([post])
    data = b"".join([head, *zones, event, _CALENDAR_END])
    if links is None:
        return data
    from resnetgen.linkcheck import read_in_parts
    return read_in_parts(data, [shared_part_links(head), *map(shared_part_links, zones),
                                part_links(event) if alarm else links.event(post)])


@lru_cache(maxsize=1)
def chat_calendar_head() -> bytes:
    """A one-chat calendar's own properties, but its last line (END:VCALENDAR): the same
    for every chat, serialised once."""
    calendar = new_calendar()
    calendar.add("METHOD", "PUBLISH")
    return own_lines(calendar)


def own_lines(calendar: Calendar) -> bytes:
    """A calendar serialised, but its last line (END:VCALENDAR): its components go there."""
    data = calendar.to_ical()
    assert data.endswith(_CALENDAR_END)
    return data[: -len(_CALENDAR_END)]


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    return calendar


_CALENDAR_END = b"END:VCALENDAR" + CRLF
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
    hashtag_url = chat_text.hashtag_url(post, config)
    fields = [
        ("UID", vText, event_uid(post, site_host(config))),
        ("DTSTAMP", _STAMP, post.last_modified),
        ("CREATED", _STAMP, post.date),
        ("LAST-MODIFIED", _STAMP, post.last_modified),
        ("SEQUENCE", vInt, chat.sequence),
        ("SUMMARY", vText, clean(f"Cancelled: {post.title}" if chat.cancelled else post.title)),
        ("DTSTART", vDatetime, chat.start),
        ("DTEND", vDatetime, chat.end),
        ("STATUS", vText, "CANCELLED" if chat.cancelled else "CONFIRMED"),
        ("TRANSP", vText, "TRANSPARENT" if chat.cancelled else "OPAQUE"),
        ("CLASS", vText, "PUBLIC"),
        ("LOCATION", vText, clean(f"{config.calendar.venue}, {chat.hashtag}")),
        ("URL", vUri, post.permalink),
        ("DESCRIPTION", vText, clean(description(post, config, hashtag_url))),
    ]
    if post.tags:
        fields.append(("CATEGORIES", vCategory, tuple(clean(t) for t in post.tags)))
    fields.append(("CONFERENCE", chat_conference, (hashtag_url,
                                                   f"{chat.hashtag} on {config.network}")))
    return fields


def chat_event(site: Site, post: Post) -> Event:
    """post -> VEVENT, as an icalendar component (`event_ical` gives its bytes faster)."""
    event = Event()
    for name, kind, value in event_fields(site, post):
        event.add(name, kind(value))
    return event


def _STAMP(moment: datetime) -> vDatetime:
    """The type event_fields gives a stamp (DTSTAMP, CREATED, LAST-MODIFIED): a
    vDatetime of the moment in UTC, as Component.add makes it (see stamp)."""
    return vDatetime(stamp(moment))


@lru_cache(maxsize=1)
def _utc_zone():
    """The zone of icalendar's UTC date-times (a stamp's)."""
    return stamp(datetime(2000, 1, 1, tzinfo=timezone.utc)).tzinfo


def event_ical(site: Site, post: Post) -> bytes:
    """`chat_event(site, post).to_ical()`, the same bytes, in a fraction of the time: the
    content lines most chats share are made once, the others each as icalendar's
    Contentline writes them (see content_line), in the order Component.to_ical sorts
    them. A pure function of the post and the settings: worker processes may call it.
    The stamps (UTC date-times) are written as datetime_line writes them, from their
    digits in UTC: what stamp() would make of them is the same moment in UTC."""
    lines, order = event_lines(site, post)
    begin, end = event_ends()
    return b"".join([begin, *[lines[name] for name in order], end])


def event_read(site: Site, post: Post) -> tuple[bytes, tuple | None]:
    """(event_ical's bytes, their links found from their lines, or None: see
    ics_links.event_links)."""
    lines, order = event_lines(site, post)
    begin, end = event_ends()
    ordered = [lines[name] for name in order]
    data = b"".join([begin, *ordered, end])
    return data, event_links(data, ordered, order.index("URL") if "URL" in lines else None)


def event_lines(site: Site, post: Post) -> tuple[dict[str, bytes], list[str]]:
    """An event's content lines, by property name, and their order (see event_ical)."""
    lines, made = {}, {}
    stamps: dict[datetime, str] = {}
    for name, kind, value in event_fields(site, post):
        if name in _SHARED:
            lines[name] = shared_line(name, kind, value)
            continue
        plain = PLAIN_TEXT.get(kind)
        if plain is not None:
            lines[name] = plain_line(name, plain(value))
            continue
        if kind is _STAMP:  # DTSTAMP and LAST-MODIFIED (often CREATED too) are alike
            written = stamps.get(value)
            if written is None:
                written = stamps[value] = moment_digits(utc(value))
            head, tail = datetime_shape(name, _utc_zone())
            lines[name] = ical_line(f"{head}{written}{tail}")
            continue
        if kind is vDatetime and type(value.tzinfo) is ZoneInfo:
            lines[name] = datetime_line(name, value)
            continue
        # The zone is in the key: aware date-times at one instant are equal, in UTC or
        # with a TZID alike.
        key = (kind, value, getattr(value, "tzinfo", None))
        if key not in made:
            made[key] = kind(value)
        lines[name] = content_line(name, made[key])
    return lines, event_order(tuple(lines))


@lru_cache(maxsize=64)
def event_order(names: tuple[str, ...]) -> list[str]:
    """The order Component.to_ical puts an event's properties in (the same for every
    event of the same properties)."""
    return canonsort_keys(names, Event.canonical_order)


@lru_cache(maxsize=1)
def event_ends() -> tuple[bytes, bytes]:
    """An event's lines before its properties and after, as icalendar writes them."""
    wrapper, end = Event().to_ical(), b"END:VEVENT" + CRLF
    assert wrapper.endswith(end)
    return wrapper[: -len(end)], end


def stamp(moment: datetime) -> datetime:
    """A DTSTAMP, CREATED or LAST-MODIFIED value, in UTC as Component.add makes it."""
    return tzp.localize_utc(utc(moment))


def description(post: Post, config, hashtag_url: str | None = None) -> str:
    """Plain text: when, where, who, the paper, the questions and the page."""
    if hashtag_url is None:
        hashtag_url = chat_text.hashtag_url(post, config)
    lines = []
    if post.chat.cancelled:
        lines += ["This chat has been cancelled.", ""]
    lines.append(f"Tweetchat: {chat_text.when(post, config)}")
    lines.append(f"Follow {post.chat.hashtag} on {config.network}: {hashtag_url}")
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
    uids = [event_uid(post, host) for post in chats]
    if len(set(uids)) == len(uids) and not _BAD_UID.search("".join(uids)):
        return  # (each found in one pass, as the pairs are rare: 10,000 sorted cost 20 ms)
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
    return _host(config.base_url)


@lru_cache(maxsize=8)
def _host(base_url: str) -> str:  # (asked for every event)
    return urlsplit(base_url).hostname or "localhost"


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
