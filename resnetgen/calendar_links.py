"""Links that put chats into readers' calendars and feed readers, for templates.

Everything a template needs to offer "Add to calendar", "Subscribe" and the
<link rel="alternate"> tags is built here, in Python, so templates only print it.
Google Calendar and Outlook are given UTC times: they then need no zone of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from resnetgen import chat_text
from resnetgen.config import SiteConfig
from resnetgen.models import Post
from resnetgen.timefmt import chat_when
from resnetgen.urls import (BRIEFINGS_FEED_FOLDER, CALENDAR_ROUTE, Urls, chat_calendar_route,
                            feed_route, tag_feed_folder)

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class ChatLinks:
    ics: str        # the chat's own .ics, site-absolute
    google: str     # Google Calendar's "create event" page, filled in
    outlook: str    # Outlook.com's "new event" page, filled in


@dataclass(frozen=True)
class SubscribeLinks:
    name: str       # the calendar's name, as calendar apps show it
    url: str        # the calendar's https address, to copy
    webcal: str     # the same with webcal://: opens the calendar app (Apple, Outlook)
    google: str     # Google Calendar's "add by URL" page


@dataclass(frozen=True)
class FeedLinks:
    title: str
    rss: str        # absolute addresses, as feed readers want them
    atom: str


def chat_links(post: Post, config: SiteConfig) -> ChatLinks:
    """The links are what urlencode(fields, safe="/", quote_via=quote) makes, in the
    fields' order."""
    return ChatLinker(config)(post)


# A chat's start or end in UTC as Google wants it, as Outlook wants it, and as the
# details' clock (chat_text.when): one strftime for the three (no form holds a "\n").
_UTC_FORMS = "%Y%m%dT%H%M%SZ\n%Y-%m-%dT%H:%M:%SZ\n%H:%M"


def _utc_forms(moment: datetime) -> tuple[str, str, str]:
    """`_UTC_FORMS` of the moment in UTC, quoted for a link but the clock: strftime's
    digits written directly (a third of its time) for years of four digits (strftime
    writes others as the platform does)."""
    t = moment.astimezone(timezone.utc)
    if t.year < 1000:
        google, iso, clock = t.strftime(_UTC_FORMS).split("\n")
        return _quote(google), _quote(iso), clock
    date = f"{t.year}{t.month:02}{t.day:02}"
    return (f"{date}T{t.hour:02}{t.minute:02}{t.second:02}Z",  # no character to quote
            f"{t.year}-{t.month:02}-{t.day:02}T{t.hour:02}%3A{t.minute:02}%3A{t.second:02}Z",
            f"{t.hour:02}:{t.minute:02}")


class ChatLinker:
    """chat_links for one site's settings: what every chat's links share is made once
    (every upcoming chat's page has them: quoting and printing times was most of its
    time); the values both links share are quoted once. Quoting goes character by
    character: the details are quoted in parts (a line break is "%0A"), the line every
    chat of a hashtag shares once."""

    def __init__(self, config: SiteConfig):
        self.config, self.urls = config, Urls(config)
        # hashtag -> the location, and the details' line naming it, quoted
        self._hashtags: dict[str, tuple[str, str]] = {}

    def __call__(self, post: Post) -> ChatLinks:
        config, chat = self.config, post.chat
        route = self.urls.route_of(post.url) or ""
        local = chat_when(chat, config.timezone, config.timezone_label)
        start, end = _utc_forms(chat.start), _utc_forms(chat.end)
        title = _quote(post.title)
        shared = self._hashtags.get(chat.hashtag)
        if shared is None:
            shared = self._hashtags[chat.hashtag] = (
                _quote(f"{config.calendar.venue}, {chat.hashtag}"),
                _quote(f"{chat.hashtag} on {config.network}"))
        location = shared[0]
        details = (f"{_quote(chat_text.in_words(local, start[2], end[2]))}%0A{shared[1]}"
                   f"%0A{_quote(post.permalink)}")
        google = (f"{GOOGLE_TEMPLATE}?action=TEMPLATE&text={title}"
                  f"&dates={start[0]}/{end[0]}"
                  f"&details={details}&location={location}")
        outlook = (f"{OUTLOOK_COMPOSE}?path=/calendar/action/compose&rru=addevent&subject={title}"
                   f"&startdt={start[1]}&enddt={end[1]}"
                   f"&body={details}&location={location}")
        return ChatLinks(self.urls.url(chat_calendar_route(route, post.slug)), google, outlook)


class _Quoted(dict):
    """Character code -> how urllib's quote(safe="/") writes it (%-encoded UTF-8), for
    str.translate: letters, digits, '_.-~/' stay; any other character is worked out once."""

    def __missing__(self, code: int) -> str:
        value = self[code] = "".join(f"%{b:02X}" for b in chr(code).encode("utf-8"))
        return value


_QUOTED = _Quoted((ord(c), c) for c in
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _quote(text: str) -> str:
    return text.translate(_QUOTED)


def subscribe_links(config: SiteConfig) -> SubscribeLinks:
    url = Urls(config).permalink(CALENDAR_ROUTE)
    webcal = "webcal://" + url.split("://", 1)[1]
    # Google wants the webcal address after cid=, with its ':' and '/' as they are.
    return SubscribeLinks(calendar_name(config), url, webcal,
                          f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal, safe=':/')}")


def calendar_name(config: SiteConfig) -> str:
    return config.calendar.name or f"{config.title} tweetchats"


def feed_links(config: SiteConfig, tag=None, briefings: bool = False) -> FeedLinks:
    """The site's feeds; or a topic's (`tag`: a Tag); or the briefings' only."""
    urls = Urls(config)
    if tag is not None:
        folder, title = tag_feed_folder(tag.slug), f"{config.title}: {tag.name}"
    elif briefings:
        folder, title = BRIEFINGS_FEED_FOLDER, f"{config.title}: tweetchat briefings"
    else:
        folder, title = "", config.title
    return FeedLinks(title, urls.permalink(feed_route(folder, "rss")),
                     urls.permalink(feed_route(folder, "atom")))


class SiteLinks:
    """subscribe_links and feed_links for templates, each made once per build: every page's
    <head> asks for them, and they depend only on the settings (and the topic's name)."""

    def __init__(self, config: SiteConfig):
        self.config = config
        self._subscribe: SubscribeLinks | None = None
        self._feeds: dict[tuple, FeedLinks] = {}
        # chat_links(post, config), for this site: a method, which templates call quicker
        self.chat_links = ChatLinker(config).__call__

    def subscribe_links(self) -> SubscribeLinks:
        if self._subscribe is None:
            self._subscribe = subscribe_links(self.config)
        return self._subscribe

    def feed_links(self, tag=None, briefings: bool = False) -> FeedLinks:
        key = (None if tag is None else (tag.slug, tag.name), briefings)
        links = self._feeds.get(key)
        if links is None:
            links = self._feeds[key] = feed_links(self.config, tag, briefings)
        return links


def google_time(moment: datetime) -> str:
    """20180131T193000Z."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def iso_utc(moment: datetime) -> str:
    """2018-01-31T19:30:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
