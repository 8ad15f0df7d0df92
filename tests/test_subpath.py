"""A site whose base_url has a path works when served there, as GitHub Pages serves a
project site (https://<user>.github.io/<repo>/).

The rich fixture site (base_url https://example.org/blog/) is built and served on
loopback with /blog/ mapped to output/, and nothing else. Every internal address found in
every page (links, stylesheets, scripts, images, feeds, calendars, redirects, structured
data), in sitemap.xml and robots.txt, and inside the feeds and calendars, must answer 200.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build_site

ORIGIN = "https://example.org"
BASE_PATH = "/blog/"
INTERNAL_SCHEMES = {"http", "https", "webcal"}
FEED_TYPES = {"application/atom+xml", "application/rss+xml", "application/feed+json"}


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serves output/ at /blog/ only, with no directory listings (as GitHub Pages)."""

    def translate_path(self, path: str) -> str:
        plain = urlsplit(path).path
        if plain == BASE_PATH.rstrip("/"):
            return super().translate_path("/")
        if not plain.startswith(BASE_PATH):
            return str(Path(self.directory) / ".not-under-the-base-path")
        return super().translate_path(path[len(BASE_PATH) - 1:])

    def list_directory(self, path):
        self.send_error(404, "No index.html here")
        return None

    def log_message(self, format, *args):   # keep the test output quiet
        pass


@contextmanager
def serve(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SubPathHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch(server: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(server + path, timeout=10) as response:
            if not urlsplit(response.url).path.startswith(BASE_PATH):
                return 404, b""
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def internal_path(address: str, page_url: str) -> str | None:
    """The site path ('/blog/x/?q') an address leads to, or None if it leaves the site."""
    address = address.strip()
    if not address or address.startswith("#"):
        return None
    absolute = urljoin(page_url, address)
    parts = urlsplit(absolute)
    if parts.scheme not in INTERNAL_SCHEMES or parts.netloc != urlsplit(ORIGIN).netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_url(output_path: str) -> str:
    """Where a built file is served; 404.html is shown at any missing address, so a deep one."""
    if output_path == "404.html":
        return f"{ORIGIN}{BASE_PATH}no/such/page/"
    if output_path.endswith("index.html"):
        output_path = output_path[: -len("index.html")]
    return f"{ORIGIN}{BASE_PATH}{output_path}"


def addresses_in_html(html: bytes) -> tuple[list[str], list[str]]:
    """Every address a page refers to, and the subset that are feeds or calendars."""
    soup = BeautifulSoup(html, "html.parser")
    found: list[str] = []
    for tag in soup.find_all(True):
        for attribute in ("href", "src", "poster", "action", "data"):
            if tag.get(attribute):
                found.append(tag[attribute])
        for attribute in ("srcset", "imagesrcset"):
            if tag.get(attribute):
                found.extend(part.split()[0] for part in tag[attribute].split(",") if part.strip())
    for meta in soup.find_all("meta", content=True):
        if (meta.get("http-equiv") or "").lower() == "refresh" and "url=" in meta["content"].lower():
            found.append(meta["content"].split("=", 1)[1].strip("'\" "))
        elif (meta.get("property") or meta.get("name") or "").endswith((":url", ":image")):
            found.append(meta["content"])
    for script in soup.find_all("script", type="application/ld+json"):
        found.extend(strings_in(json.loads(script.string or "null")))
    feeds = [link["href"] for link in soup.find_all("link", href=True)
             if link.get("type") in FEED_TYPES or link["href"].endswith(".ics")]
    feeds += [a["href"] for a in soup.find_all("a", href=True) if
              urlsplit(a["href"]).path.endswith((".ics", ".xml", ".atom", ".rss"))]
    return found, feeds


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(("http://", "https://", "/")) else []
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def addresses_in_feed_or_calendar(path: str, body: bytes) -> list[str]:
    if path.endswith(".ics"):
        calendar = icalendar.Calendar.from_ical(body)
        return [str(event["URL"]) for event in calendar.walk("VEVENT") if "URL" in event]
    feed = feedparser.parse(body)
    assert not feed.bozo, f"{path} is not a valid feed: {feed.bozo_exception}"
    found = [link.href for link in feed.feed.get("links", [])]
    for entry in feed.entries:
        found += [link.href for link in entry.get("links", [])]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("subpath") / "output"
    build_site(REPO / "tests" / "sites" / "rich", output=output)
    return output


def test_every_internal_address_resolves_under_the_base_path(built):
    references: dict[str, set[str]] = {}     # site path -> files that refer to it
    feeds: set[str] = set()

    def refer(address: str, base: str, source: str) -> str | None:
        path = internal_path(address, base)
        if path is not None:
            references.setdefault(path, set()).add(source)
        return path

    for html in sorted(built.rglob("*.html")):
        source = html.relative_to(built).as_posix()
        found, feed_links = addresses_in_html(html.read_bytes())
        for address in found:
            refer(address, page_url(source), source)
        feeds.update(p for p in (internal_path(a, page_url(source)) for a in feed_links) if p)

    sitemap = ET.fromstring((built / "sitemap.xml").read_bytes())
    locations = [loc.text for loc in sitemap.iter() if loc.tag.endswith("}loc")]
    assert len(locations) >= 10
    for location in locations:
        assert refer(location, ORIGIN + BASE_PATH, "sitemap.xml"), location
    for line in (built / "robots.txt").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith("sitemap:"):
            assert refer(line.split(":", 1)[1], ORIGIN + BASE_PATH, "robots.txt")

    outside = {path: sorted(sources) for path, sources in references.items()
               if not path.startswith(BASE_PATH)}
    assert not outside, f"addresses that leave the base path {BASE_PATH}: {outside}"

    with serve(built) as server:
        for feed in sorted(feeds):
            status, body = fetch(server, feed)
            assert status == 200, f"{feed} answered {status}"
            for address in addresses_in_feed_or_calendar(feed, body):
                refer(address, ORIGIN + feed, feed)
        broken = {}
        for path in sorted(references):
            status, _ = fetch(server, path)
            if status != 200:
                broken[path] = (status, sorted(references[path]))
        assert not broken, f"addresses that do not answer 200: {broken}"
        # The server really maps only /blog/: the same page at the root is missing.
        assert fetch(server, "/index.html")[0] == 404
        assert fetch(server, BASE_PATH + "no/such/page/")[0] == 404

    # The crawl covered every kind of address the theme produces.
    for expected in (BASE_PATH, BASE_PATH + "assets/style.css", BASE_PATH + "assets/local-time.js",
                     BASE_PATH + "favicon.svg", BASE_PATH + "2018/chart.png",
                     BASE_PATH + "2019/05/bundle-post/photo.png", BASE_PATH + "about/",
                     BASE_PATH + "2018/01/winter-chat/", BASE_PATH + "sitemap.xml"):
        assert expected in references, f"{expected} was never found"
