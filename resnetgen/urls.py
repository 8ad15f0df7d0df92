"""The one place where URLs and output paths are computed.

Vocabulary, used everywhere:
- source_path: a file's path relative to the site folder ('content/2018/x.md');
- route: a page's path relative to the site root, with no base path ('2018/01/x/');
- output_path: where the file is written, relative to output/ ('2018/01/x/index.html');
- url: site-absolute, with the base path ('/blog/2018/01/x/'), used in links;
- permalink: absolute, with scheme and host ('https://host/blog/2018/01/x/').
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime

from resnetgen.config import SiteConfig


def slugify(text: str) -> str:
    """'Thinking together: CoPs!' -> 'thinking-together-cops'."""
    if not text.isascii():  # (ASCII text is its own NFKD form)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def safe_route(path: str) -> str | None:
    """Normalise a route; None when it would leave the output folder."""
    if "\\" in path or "\x00" in path or re.match(r"^[a-zA-Z]:", path):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    route = "/".join(parts)
    return route + ("/" if path.endswith("/") and route else "")


def post_route(config: SiteConfig, published: datetime, slug: str) -> str:
    fields = {"year": f"{published.year:04d}", "month": f"{published.month:02d}",
              "day": f"{published.day:02d}", "slug": slug}
    return config.permalink.format(**fields).lstrip("/")


def output_path_for(route: str) -> str:
    """'2018/01/x/' -> '2018/01/x/index.html'; 'feed.xml' stays as it is."""
    if route == "" or route.endswith("/"):
        return route + "index.html"
    return route


class Urls:
    """Turns routes into links for one site configuration."""

    def __init__(self, config: SiteConfig):
        self.base_path = config.base_path
        self.origin = config.origin

    def url(self, route: str) -> str:
        return self.base_path + route.lstrip("/")

    def permalink(self, route: str) -> str:
        return self.origin + self.url(route)

    def route_of(self, url: str) -> str | None:
        """Inverse of url(): None for a URL outside this site's base path."""
        if not url.startswith(self.base_path):
            return None
        return url[len(self.base_path):]


def relative_source(from_source: str, target: str) -> str:
    """Resolve a relative link in a source file to another source path."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_source), target))


# Subscriptions: the calendar and the feeds. Routes, like every other route, live here.
EVENTS_ROUTE = "events/"                 # the events page
CALENDAR_ROUTE = "events.ics"            # the subscribable calendar of every chat
BRIEFINGS_FEED_FOLDER = EVENTS_ROUTE     # feeds of briefings only sit beside the events page
LEGACY_FEED_ROUTE = "feeds/posts/default"  # the old Blogger feed address
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml"}


def feed_route(folder: str, kind: str) -> str:
    """('tags/x/', 'rss') -> 'tags/x/feed.xml'; folder '' is the site's root."""
    return folder + FEED_FILES[kind]


def tag_feed_folder(tag_slug: str) -> str:
    return f"tags/{tag_slug}/"


def chat_calendar_route(page_route: str, slug: str) -> str:
    """A briefing's own .ics, beside its page: '2018/01/x/' -> '2018/01/x/x.ics';
    a page route ending in a file name ('2018/x.html') -> '2018/x.ics'."""
    if page_route == "" or page_route.endswith("/"):
        return f"{page_route}{slug}.ics"
    stem, _, _ = page_route.rpartition(".")
    return f"{stem or page_route}.ics"
