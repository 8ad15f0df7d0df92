"""RSS 2.0 and Atom 1.0 feeds, made with feedgen: post -> feed entry.

Feeds: every post (`feed.xml`, `atom.xml` at the root), briefings only (beside the
events page), and one pair per topic (beside the topic's page). The old Blogger
address `feeds/posts/default` answers with the Atom feed, so readers subscribed to
the hosted blog keep receiving posts.

Entries carry the full text with every link made absolute (feed readers and
RSS-to-email services resolve nothing), and a briefing's entry starts with when to
join. Nothing reads the clock: a feed's date is that of its newest entry.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urljoin

from resnetgen import __version__, chat_text
from resnetgen.chat_text import clean
from resnetgen.models import Post
from resnetgen.outputs import Output, made_now
from resnetgen.site import Site
from resnetgen.urls import (BRIEFINGS_FEED_FOLDER, EVENTS_ROUTE, LEGACY_FEED_ROUTE,
                            chat_calendar_route, feed_route, tag_feed_folder)

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FeedSpec:
    folder: str                 # where feed.xml and atom.xml go: '', 'tags/x/', 'events/'
    title: str
    description: str
    page_route: str             # the HTML page the feed mirrors
    posts: tuple[Post, ...]     # newest first, already cut to the configured number


def feed_outputs(site: Site, output: Output = made_now) -> Iterator[tuple]:
    """`output(path, what, make)` of every feed of the site: `output` may keep a feed
    from the last build instead of making it (`what` the same)."""
    entries = FeedEntries()  # a post's entry, made once for all the feeds it is in
    for spec in feed_specs(site):
        yield from spec_outputs(site, spec, output, entries)


def spec_outputs(site: Site, spec: FeedSpec, output: Output, entries: FeedEntries
                 ) -> Iterator[tuple]:
    """`output(path, what, make)` of one feed's files (see feed_outputs)."""
    made_from = (spec, None if spec.posts else newest_change(site))
    yield output(feed_route(spec.folder, "rss"), ("rss", made_from),
                 lambda: make_feed(site, spec, "rss", entries))
    atom: list[bytes] = []  # made once for both its addresses, if either needs it

    def make_atom() -> bytes:
        if not atom:
            atom.append(make_feed(site, spec, "atom", entries))
        return atom[0]
    yield output(feed_route(spec.folder, "atom"), ("atom", made_from), make_atom)
    if spec.folder == "":
        # Blogger's address has no extension; GitHub Pages serves it as
        # application/octet-stream, which feed readers accept by content.
        yield output(LEGACY_FEED_ROUTE, ("atom", made_from), make_atom)


def feed_specs(site: Site) -> Iterator[FeedSpec]:
    config = site.config
    count = max(config.feeds.items, 1)

    def newest(posts) -> tuple[Post, ...]:  # the first `count`: never a walk of them all
        return tuple(islice((p for p in posts if not p.draft), count))

    yield FeedSpec("", config.title, config.description, "", newest(site.posts))
    yield FeedSpec(BRIEFINGS_FEED_FOLDER, f"{config.title}: tweetchat briefings",
                   f"Every tweetchat briefing of {config.title}.", EVENTS_ROUTE,
                   newest(site.briefings))
    for tag in site.tags:
        yield FeedSpec(tag_feed_folder(tag.slug), f"{config.title}: {tag.name}",
                       f"Posts and chats on {config.title} about {tag.name}.",
                       tag_feed_folder(tag.slug), newest(tag.posts))


class FeedEntries:
    """The feed entries of a build's posts, shared by its feeds: each made once (see
    add_entry), and its XML in each kind of feed written once (see make_feed)."""

    def __init__(self) -> None:
        self.made: dict[str, FeedEntry] = {}               # source path -> entry
        self.written: dict[tuple[str, str], bytes] = {}    # (kind, source path) -> XML
        # (kind, source path) -> the links in its XML (as the link check reads them),
        # their lines counted from its first, and how many lines it has.
        self.links: dict[tuple[str, str], tuple[tuple[str, ...], tuple[int, ...], int]] = {}


def make_feed(site: Site, spec: FeedSpec, kind: str, entries: FeedEntries | None = None
              ) -> bytes:
    """One feed as bytes; `kind` is 'rss' or 'atom'. `entries`: posts' entries made
    already, and where those made here are kept.

    A post is in about five feeds of each kind: feedgen would write its entry's XML
    (the full text, ~5 KB) in each. It is written once, and each feed is feedgen's
    feed without entries with the entries' XML put before its end: the same bytes, as
    feedgen writes an entry from its fields, at the same depth, under the same
    namespace declarations in every feed of a kind (tests/test_feeds.py checks
    the bytes are feedgen's)."""
    entries = entries if entries is not None else FeedEntries()
    feed = new_feed(site, spec, kind)
    written = entries.written
    missing = [post for post in spec.posts if (kind, post.source_path) not in written]
    if missing:
        write_entries(site, missing, kind, entries)
    if not spec.posts:
        return feed_bytes(feed, kind)
    end = _FEED_END[kind]
    if all((kind, post.source_path) in written for post in spec.posts):
        empty = feed_bytes(feed, kind)
        if empty.endswith(end):
            data = b"".join([empty[:-len(end)],
                             *(written[kind, post.source_path] for post in spec.posts), end])
            return with_links(data, empty, len(empty) - len(end), kind, spec.posts, entries)
    for post in spec.posts:  # the long way, should feedgen ever write otherwise
        add_entry(feed, site, post, entries)
    return feed_bytes(feed, kind)


def new_feed(site: Site, spec: FeedSpec, kind: str) -> FeedGenerator:
    """The feed's fields, no entries yet."""
    # feedgen and lxml (~40 ms to import) only when a feed is made: a rebuild whose edit
    # reaches no feed keeps them all (see resnetgen.outputs) and never needs them.
    from feedgen.feed import FeedGenerator
    config, urls = site.config, site.urls
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)   # dc:creator: RSS authors need no email
    feed.id(urls.permalink(feed_route(spec.folder, "atom")))
    feed.title(clean(spec.title))
    feed.description(clean(spec.description) or clean(spec.title))
    feed.link(href=urls.permalink(feed_route(spec.folder, kind)), rel="self",
              type=f"application/{kind}+xml")
    # Last: feedgen takes RSS's <link> from the last link given.
    feed.link(href=urls.permalink(spec.page_route), rel="alternate", type="text/html")
    feed.language(config.language)
    feed.author({"name": clean(config.author or config.title)})
    feed.icon(urls.permalink("favicon.svg"))
    feed.generator("resnetgen", version=__version__)
    updated = max((utc(p.last_modified) for p in spec.posts), default=None)
    if updated is None:  # only now: it reads every post of the site
        updated = newest_change(site)
    feed.updated(updated)       # atom:updated and rss lastBuildDate: never the clock
    feed.pubDate(updated)
    return feed


def feed_bytes(feed: FeedGenerator, kind: str) -> bytes:
    return feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)


# How feedgen's pretty XML ends, and each entry of a kind starts and ends in it.
_FEED_END = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}
_ENTRY = {"rss": (b"    <item>\n", b"    </item>\n"), "atom": (b"  <entry>\n", b"  </entry>\n")}


def write_entries(site: Site, posts: list[Post], kind: str, entries: FeedEntries) -> None:
    """The XML of these posts' entries in a feed of `kind`, into `entries.written`: as
    feedgen writes them in a feed of theirs (with the fields feedgen requires, and the
    extension of every feed). Nothing, should its XML not be cut as `_ENTRY` says."""
    from feedgen.feed import FeedGenerator
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)   # as new_feed: the same namespaces
    feed.id("urn:entries")
    feed.title("entries")
    feed.description("entries")
    feed.link(href="urn:entries")
    feed.updated(_EPOCH)
    for post in posts:
        add_entry(feed, site, post, entries)
    data = feed_bytes(feed, kind)
    start, end = _ENTRY[kind]
    at = begin = data.find(b"\n" + start) + 1
    pieces = []
    for _ in posts:  # an entry's text is escaped: its start and end are no text's
        stop = data.find(end, at) if data.startswith(start, at) else -1
        if stop == -1:
            return
        stop += len(end)
        pieces.append(data[at:stop])
        at = stop
    if data[at:] != _FEED_END[kind]:
        return
    entries.written.update(((kind, post.source_path), piece) for post, piece in zip(posts, pieces))
    # Each entry's links, from this feed's (what the link check reads depends on an
    # element's name, namespace, attributes, text and line alone: the same in every
    # feed of a kind, but for the line, counted here from the entry's first).
    from resnetgen.linkcheck import xml_links
    urls, lines = xml_links(data)
    first = data.count(b"\n", 0, begin) + 1  # the first entry's first line
    links = iter(zip(urls, lines))
    link = next(links, None)
    while link is not None and link[1] < first:  # the fields feedgen requires
        link = next(links, None)
    found = []
    for post, piece in zip(posts, pieces):
        size = piece.count(b"\n")
        own_urls, own_lines = [], []
        while link is not None and link[1] < first + size:
            own_urls.append(link[0])
            own_lines.append(link[1] - first)
            link = next(links, None)
        found.append((post.source_path, (tuple(own_urls), tuple(own_lines), size)))
        first += size
    if link is None:  # none after the entries: all accounted for
        entries.links.update(((kind, path), known) for path, known in found)


def with_links(data: bytes, empty: bytes, at: int, kind: str, posts, entries: FeedEntries
               ) -> bytes:
    """`data`, the feed `empty` with these posts' entries put in at `at`, with its
    links as the link check reads them (see linkcheck.XmlRead): those of `empty`
    before `at`, then the entries' (see write_entries). The link check then parses
    only the feeds' fields, not the entries' full text (five times over)."""
    from resnetgen.linkcheck import read_in_parts, xml_links
    urls, lines = xml_links(empty)
    line = empty.count(b"\n", 0, at) + 1  # where the first entry starts
    if lines and lines[-1] >= line:
        return data
    parts = [entries.links.get((kind, post.source_path)) for post in posts]
    if None in parts:
        return data
    return read_in_parts(data, parts, urls, lines, line)


def add_entry(feed: FeedGenerator, site: Site, post: Post, entries: FeedEntries) -> None:
    """post -> feed entry. A post is in about ten feeds (RSS and Atom: all posts, the
    briefings, each of its topics): its entry is made once, by the first, and added to
    the others as it is (feedgen writes an entry's XML from its fields, which no feed
    changes; the feeds' one extension, dc, is on it already: feedgen skips it)."""
    entry = entries.made.get(post.source_path)
    if entry is not None:
        feed.add_entry(entry, order="append")
        return
    entry = entries.made[post.source_path] = feed.add_entry(order="append")
    entry.id(post.permalink)
    entry.guid(post.permalink, permalink=True)
    entry.title(clean(post.title))
    entry.link(href=post.permalink, rel="alternate", type="text/html")
    entry.published(utc(post.date))
    entry.updated(utc(post.last_modified))
    # The post's author, else the site's, else the network itself.
    author = clean(post.author or site.config.author or site.config.title)
    entry.author({"name": author})
    entry.dc.dc_creator(author)
    for tag in post.tags:
        entry.category(term=clean(tag), label=clean(tag))
    entry.summary(clean(entry_summary(site, post)))
    entry.content(entry_html(site, post), type="html")


def entry_summary(site: Site, post: Post) -> str:
    """Plain text; a briefing's starts with when to join."""
    if not post.is_briefing:
        return post.summary or post.title
    state = "Cancelled tweetchat" if post.chat.cancelled else "Tweetchat"
    lead = f"{state}: {chat_text.when(post, site.config)}, {post.chat.hashtag}."
    return f"{lead} {post.summary}".strip()


def entry_html(site: Site, post: Post) -> str:
    """The full text; a briefing's starts with the chat's facts and ends with its questions."""
    parts = [chat_facts_html(site, post)] if post.is_briefing else []
    parts.append(post.body_html)
    if post.questions:
        items = "".join(f"<li>{html.escape(q)}</li>" for q in chat_text.questions(post))
        parts.append(f"<h2>Questions for the chat</h2><ol>{items}</ol>")
    return absolute_links(clean("\n".join(parts)), post.permalink)


def chat_facts_html(site: Site, post: Post) -> str:
    config, chat, e = site.config, post.chat, html.escape
    when = e(chat_text.when(post, config))
    tag = f'<a href="{e(chat_text.hashtag_url(post, config))}">{e(chat.hashtag)}</a>'
    if chat.cancelled:
        lines = [f"<strong>Cancelled.</strong> This tweetchat ({when}) will not take place."]
    else:
        ics = site.urls.url(chat_calendar_route(site.urls.route_of(post.url) or "", post.slug))
        lines = [f"<strong>Tweetchat: {when}</strong>, on {e(config.network)} with {tag}. "
                 f'<a href="{e(ics)}">Add to calendar</a>']
    if post.hosts:
        lines.append(f"{'Hosts' if len(post.hosts) > 1 else 'Host'}: {e(chat_text.hosts(post))}")
    if post.paper:
        lines.append(f"Paper: {e(chat_text.citation(post.paper))}")
    return "".join(f"<p>{line}</p>" for line in lines)


def absolute_links(fragment: str, base: str) -> str:
    """Resolve every relative and site-absolute link in an HTML fragment against `base`:
    lxml.html's make_links_absolute, then srcset (which lxml leaves alone).

    Most fragments (a post's HTML) take a shorter way to the same bytes: lxml's walk
    over every element in Python was a third of the feeds' time. The fragment is parsed
    as `fragment_fromstring` parses it (in a <body>, by lxml.html's parser) and, when
    it has nothing lxml reads beyond its link attributes (see `_queries`), those are
    found by one XPath query, each resolved as lxml resolves it, and the <body> is
    written out in place of the <div> lxml would have moved it all into.
    tests/test_feeds_links.py checks both ways agree."""
    if not fragment.strip():
        return ""
    import lxml.html
    from lxml import etree
    scan, link_attributes = _queries()
    if not _FULL_HTML(fragment):
        document = lxml.html.document_fromstring(f"<html><body>{fragment}</body></html>")
        if document.tag == "html" and len(document) == 1 and document[0].tag == "body":
            body = document[0]
            found = scan(body)
            if not body.attrib and all(isinstance(value, str) and value.attrname != "style"
                                       for value in found):  # attributes only, no style
                if body.text and not body.text.strip():
                    body.text = None  # as fragment_fromstring drops it
                for value in found:
                    if value.attrname in link_attributes:
                        new = _joined(base, value.strip())
                        if new != value:
                            value.getparent().set(value.attrname, new)
                return _written(body, "body", base)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, AssertionError):  # a document's start alone ('<html>'):
        return fragment  # no link lxml could read (it stopped every build, before)
    try:
        root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    except ValueError:  # lxml joins a <base href>, an <object codebase> unguarded
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for value in scan(root):
            if isinstance(value, str) and value.attrname in link_attributes:
                value.getparent().set(value.attrname, _joined(base, value.strip()))
    return _written(root, "div", base)


def _joined(base: str, url: str) -> str:
    """`url` resolved against `base`; as it is if urllib refuses it ('http://[x', which
    the link check reports on the post's page), as lxml's handle_failures="ignore"."""
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _written(root, tag: str, base: str) -> str:
    """The fragment in `root`, its srcset attributes made absolute, as lxml.html writes it."""
    import lxml.html
    from lxml import etree
    for element in root.iter("img", "source"):     # lxml leaves srcset alone
        if element.get("srcset"):
            element.set("srcset", absolute_srcset(element.get("srcset"), base))
    text = etree.tostring(root, encoding="unicode", method="html", with_tail=False)
    if '<meta http-equiv="Content-Type"' in text:  # what lxml.html.tostring takes out
        text = lxml.html.tostring(root, encoding="unicode", method="html", with_tail=False)
    return text[len(tag) + 2:-len(tag) - 3]


# What fragment_fromstring takes for a whole document (and parses as it is).
_FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE).match


@lru_cache(maxsize=None)
def _queries():
    """(scan, link attribute names). `scan`, compiled once: the attributes inside a
    <body>, and the elements lxml.html's walk reads more in: a <base href> (which it
    applies to every link first), <object> (links relative to its codebase), <meta>
    (refresh), <param> (valuetype "ref"), <style> (CSS; style attributes are found
    with the others). The names: lxml.html.defs.link_attrs ('xlink:href' is an
    attribute named so: the HTML parser has no namespaces)."""
    from lxml import etree
    from lxml.html.defs import link_attrs
    return (etree.XPath("descendant::*/@* | //base | //object | //meta | //param | //style"),
            frozenset(link_attrs))


def absolute_srcset(srcset: str, base: str) -> str:
    """'a.png 1x, b.png 2x' -> 'https://.../a.png 1x, https://.../b.png 2x'."""
    candidates = [c.split() for c in srcset.split(",") if c.strip()]
    return ", ".join(" ".join([_joined(base, url), *size]) for url, *size in candidates)


def newest_change(site: Site) -> datetime:
    """For a feed with no entries: the newest change in the site, never the clock."""
    return max((utc(p.last_modified) for p in (*site.posts, *site.pages)), default=_EPOCH)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
