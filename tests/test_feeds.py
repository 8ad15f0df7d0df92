"""RSS and Atom feeds: read back with feedparser (no bozo), links absolute, ids stable."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import lxml.etree
import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site

RICH = REPO / "tests" / "sites" / "rich"
BASE = "https://example.org/blog/"
UTC = timezone.utc
# The rich site's published posts, newest first (the draft stays out).
ALL_POSTS = ["2026/11/upcoming-chat/", "2019/10/dst-day-chat/", "2019/05/bundle-post/",
             "2019/04/cancelled-chat/", "2019/03/other-zone-chat/", "2018/06/summer-chat/",
             "2018/01/winter-chat/", "2017/12/plain-post/"]
BRIEFINGS = [p for p in ALL_POSTS if "chat" in p]


@pytest.fixture(scope="module")
def rich(rich_output) -> Path:
    return rich_output


def parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def links_in(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [tag.get(attr) for tag in soup.find_all(True) for attr in ("href", "src")
            if tag.get(attr)]


def by_link(feed) -> dict:
    return {e.link: e for e in feed.entries}


@pytest.mark.parametrize("name,version", [("feed.xml", "rss20"), ("atom.xml", "atom10"),
                                          ("feeds/posts/default", "atom10")])
def test_site_feed_has_every_post_newest_first(rich, name, version):
    feed = parse(rich / name)
    assert feed.version == version
    assert [e.link for e in feed.entries] == [BASE + p for p in ALL_POSTS]
    assert feed.feed.title == "Rich Test Network"
    assert feed.feed.link == BASE
    assert feed.feed.language == "en-GB"
    if version == "atom10":
        assert feed.feed.author == "The Test Team"
        assert feed.feed.id == BASE + "atom.xml"
    else:
        assert feed.feed.description == "A fixture site with every page type and front matter field."


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_entries_have_required_elements_and_stable_ids(rich, name):
    for entry in parse(rich / name).entries:
        assert entry.id == entry.link                     # the permalink, never anything else
        assert entry.title and entry.summary and entry.content[0].value
        assert entry.published_parsed
        assert name == "feed.xml" or entry.updated_parsed    # RSS items have no 'updated'
        expected = "Sally Pratten" if "plain-post" in entry.link else "The Test Team"
        assert entry.author == expected                   # the post's, else the site's
    plain = by_link(parse(rich / name))[BASE + "2017/12/plain-post/"]
    assert plain.title == 'A plain post: quotes "and" <angle brackets> & ampersands'
    if name == "feed.xml":
        guids = lxml.etree.fromstring((rich / name).read_bytes()).findall("channel/item/guid")
        assert [(g.text, g.get("isPermaLink")) for g in guids] == [
            (BASE + p, "true") for p in ALL_POSTS]


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_every_link_in_content_is_absolute(rich, name):
    entries = by_link(parse(rich / name))
    for entry in entries.values():
        for link in links_in(entry.content[0].value):
            assert link.startswith(("https://", "http://")), (entry.link, link)
    winter = links_in(entries[BASE + "2018/01/winter-chat/"].content[0].value)
    assert BASE + "2018/06/summer-chat/" in winter                 # a relative .md link
    assert BASE + "2018/chart.png" in winter                       # a relative picture
    bundle = links_in(entries[BASE + "2019/05/bundle-post/"].content[0].value)
    assert any(link.startswith(BASE + "2019/05/bundle-post/") for link in bundle)


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_briefing_entry_starts_with_when_to_join(rich, name):
    entries = by_link(parse(rich / name))
    winter = entries[BASE + "2018/01/winter-chat/"]
    first = BeautifulSoup(winter.content[0].value, "html.parser").find("p").get_text()
    assert first.startswith("Tweetchat: Wednesday 31 January 2018, 7.30–8.30 pm UK time "
                            "(19:30–20:30 UTC)")
    assert "#TestChat" in first
    assert winter.summary.startswith("Tweetchat: Wednesday 31 January 2018, 7.30–8.30 pm UK time")
    new_york = entries[BASE + "2019/03/other-zone-chat/"].summary
    assert new_york.startswith("Tweetchat: Tuesday 12 March 2019, 3–4 pm EDT (America/New_York) "
                               "(19:00–20:00 UTC), #OtherChat.")
    cancelled = entries[BASE + "2019/04/cancelled-chat/"]
    assert cancelled.summary.startswith("Cancelled tweetchat:")
    soup = BeautifulSoup(winter.content[0].value, "html.parser")
    assert [li.get_text() for li in soup.find_all("li")] == [
        "Q1 Do you believe you are a member of a CoP?", "Q2 What are the barriers?"]


def test_dates_and_categories(rich):
    entries = by_link(parse(rich / "atom.xml"))
    winter = entries[BASE + "2018/01/winter-chat/"]
    assert winter.published == "2018-01-24T00:00:00+00:00"
    assert winter.updated == "2018-01-25T09:00:00+00:00"
    assert [t.term for t in winter.tags] == ["communities of practice", "tweetchat"]
    summer = entries[BASE + "2018/06/summer-chat/"]
    assert summer.published == "2018-06-19T23:00:00+00:00"   # midnight BST, in UTC
    rss = by_link(parse(rich / "feed.xml"))
    assert rss[BASE + "2018/01/winter-chat/"].published == "Wed, 24 Jan 2018 00:00:00 +0000"


def test_feed_date_is_the_newest_post_and_no_clock(rich, tmp_path):
    feed = parse(rich / "atom.xml")
    assert feed.feed.updated == "2026-11-20T00:00:00+00:00"
    rss = parse(rich / "feed.xml")
    assert rss.feed.updated == "Fri, 20 Nov 2026 00:00:00 +0000"   # lastBuildDate
    later = tmp_path / "later"
    build_site(RICH, now=NOW + timedelta(days=400), output=later)
    for path in sorted(rich.rglob("*.xml")) + [rich / "feeds/posts/default"]:
        if path.name != "sitemap.xml":
            assert path.read_bytes() == (later / path.relative_to(rich)).read_bytes(), path


def test_briefings_feed_and_tag_feeds(rich):
    briefings = parse(rich / "events/feed.xml")
    assert [e.link for e in briefings.entries] == [BASE + p for p in BRIEFINGS]
    assert briefings.feed.link == BASE + "events/"
    assert [e.link for e in parse(rich / "events/atom.xml").entries] == [BASE + p for p in BRIEFINGS]
    topic = parse(rich / "tags/communities-of-practice/atom.xml")
    assert [e.link for e in topic.entries] == [BASE + "2018/01/winter-chat/"]
    assert topic.feed.link == BASE + "tags/communities-of-practice/"
    tweetchat = parse(rich / "tags/tweetchat/feed.xml")
    assert {e.link for e in tweetchat.entries} == {
        BASE + "2026/11/upcoming-chat/", BASE + "2018/06/summer-chat/", BASE + "2018/01/winter-chat/"}
    self_links = [l.href for l in parse(rich / "tags/tweetchat/atom.xml").feed.links if l.rel == "self"]
    assert self_links == [BASE + "tags/tweetchat/atom.xml"]


def post(title: str, body: str = "Text.", date: str = "2020-01-01") -> str:
    return f"+++\ntitle = {json.dumps(title, ensure_ascii=False)}\ndate = {date}\n+++\n\n{body}\n"


def test_hostile_titles_and_control_characters(site):
    title = 'A <b>bold</b> & "quoted" \x0btitle\x01 ; émigré 🎉'
    folder = site({"content/hostile.md": post(title, "Pasted \x0c from \x08 Word <em>ok</em> & more")})
    build_site(folder)
    for name in ("feed.xml", "atom.xml"):
        data = (folder / "output" / name).read_bytes()
        assert b"\x0b" not in data and b"\x01" not in data and b"\x0c" not in data
        entry = parse(folder / "output" / name).entries[0]
        assert entry.title == 'A <b>bold</b> & "quoted" title ; émigré 🎉'
        assert entry.author == "Test Network"     # no author anywhere: the site's name
        content = BeautifulSoup(entry.content[0].value, "html.parser")
        assert content.get_text().strip() == "Pasted  from  Word ok & more"


def test_item_count_from_site_toml(site):
    toml = ('title = "T"\ndescription = "D"\nbase_url = "https://example.org/"\n'
            "[feeds]\nitems = 2\n")
    folder = site({f"content/p{n}.md": post(f"Post {n}", date=f"2020-01-0{n}") for n in range(1, 5)},
                  toml)
    build_site(folder)
    for name in ("feed.xml", "atom.xml", "feeds/posts/default"):
        assert [e.title for e in parse(folder / "output" / name).entries] == ["Post 4", "Post 3"]


def test_drafts_stay_out_even_with_drafts(site):
    folder = site({"content/a.md": post("Published"),
                   "content/b.md": "+++\ntitle = \"Draft\"\ndate = 2020-02-01\ndraft = true\n+++\n\nx\n"})
    build_site(folder, drafts=True)
    assert [e.title for e in parse(folder / "output/feed.xml").entries] == ["Published"]


def test_empty_site_has_valid_feeds(site):
    folder = site({})
    build_site(folder)
    for name in ("feed.xml", "atom.xml", "events/feed.xml", "events/atom.xml"):
        feed = parse(folder / "output" / name)
        assert feed.entries == []
    assert parse(folder / "output/atom.xml").feed.updated == "1970-01-01T00:00:00+00:00"


def test_absolute_links_resolves_every_kind_of_link():
    from resnetgen.feeds import absolute_links
    base = "https://example.org/blog/2018/01/x/"
    html = ('<p><a href="#fn1">1</a> <a href="/blog/about/">about</a> <a href="../y/">y</a> '
            '<a href="mailto:a@b.org">mail</a> <img src="c.png" srcset="c.png 1x, /d.png 2x"></p>')
    soup = BeautifulSoup(absolute_links(html, base), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == [
        base + "#fn1", "https://example.org/blog/about/", "https://example.org/blog/2018/01/y/",
        "mailto:a@b.org"]
    assert soup.img["src"] == base + "c.png"
    assert soup.img["srcset"] == f"{base}c.png 1x, https://example.org/d.png 2x"
    assert absolute_links("  ", base) == ""


def test_every_feed_of_the_site_parses_cleanly(rich):
    feeds = [p for p in rich.rglob("*.xml") if p.name != "sitemap.xml"]
    assert len(feeds) == 2 * (1 + 1 + 3)      # site, briefings, three topics
    for path in feeds:
        feed = parse(path)
        assert feed.entries, path
        for entry in feed.entries:
            assert entry.link.startswith(BASE) and entry.id == entry.link


def test_ids_do_not_change_when_a_post_is_edited(site):
    folder = site({"content/a.md": post("First title", "First text.")})
    build_site(folder)
    before = [(e.id, e.published) for e in parse(folder / "output/atom.xml").entries]
    (folder / "content/a.md").write_text(
        post("A better title", "Corrected text.").replace("+++\n\n", 'updated = 2020-02-01\n+++\n\n'),
        encoding="utf-8")
    build_site(folder)
    entries = parse(folder / "output/atom.xml").entries
    assert [(e.id, e.published) for e in entries] == before == [
        ("https://example.org/2020/01/a/", "2020-01-01T00:00:00+00:00")]
    assert entries[0].title == "A better title"
    assert entries[0].updated == "2020-02-01T00:00:00+00:00"


def feedgen_feed(site, spec, kind: str) -> bytes:
    """The feed as feedgen writes it with every entry its own (no XML shared)."""
    from resnetgen.feeds import FeedEntries, add_entry, feed_bytes, new_feed
    feed, entries = new_feed(site, spec, kind), FeedEntries()
    for post in spec.posts:
        add_entry(feed, site, post, entries)
    return feed_bytes(feed, kind)


def assert_links_read_as_the_link_check_reads_them(spec, kind: str, data: bytes) -> bool:
    """A feed made of entries written once carries its links (linkcheck.XmlRead): the
    same, at the same lines, as the link check reads from its bytes. Whether it does."""
    from resnetgen.linkcheck import XmlRead, extract
    from resnetgen.urls import feed_route
    path = feed_route(spec.folder, kind)
    for host in (None, "example.org"):
        assert extract(path, data, host) == extract(path, bytes(data), host), (path, host)
    if type(data) is XmlRead:
        assert len(data.urls) == len(data.lines) > len(spec.posts)  # the feed's own too
    return type(data) is XmlRead


def loaded_site(folder: Path, drafts: bool = False):
    from resnetgen.config import load_config
    from resnetgen.loader import load_content
    from resnetgen.problems import Problems
    from resnetgen.site import assemble
    config = load_config(folder, Problems())
    return assemble(config, load_content(folder, config, Problems(), drafts), NOW)


def test_an_entry_made_once_serves_every_feed_it_is_in():
    """A post's entry is made by the first feed showing it and its XML written once for
    each kind of feed: each feed's bytes are those feedgen writes for a feed whose
    entries are all its own, and RSS and Atom feeds sharing entries read back alike."""
    from resnetgen.feeds import FeedEntries, feed_specs, make_feed
    site = loaded_site(RICH)
    specs = list(feed_specs(site))
    assert len(specs) == 5 and sum(len(spec.posts) for spec in specs) > len(site.posts)
    shared = FeedEntries()
    for spec in specs:
        for kind in ("rss", "atom"):
            data = make_feed(site, spec, kind, shared)
            assert data == feedgen_feed(site, spec, kind) == make_feed(site, spec, kind)
            assert feedparser.parse(data).entries and not feedparser.parse(data).bozo
            assert_links_read_as_the_link_check_reads_them(spec, kind, data)
    in_feeds = {post.source_path for spec in specs for post in spec.posts}
    assert len(shared.made) == len(in_feeds)
    assert set(shared.written) == {(kind, path) for kind in ("rss", "atom") for path in in_feeds}


def test_entries_written_once_are_feedgen_s_whatever_their_text(site):
    """Entries whose text looks like the feed's own markup (escaped, as all text is),
    in feeds of every size: the same bytes as feedgen's; and, should feedgen's XML not
    be cut where expected, each feed is made the long way, with the same bytes."""
    from resnetgen import feeds
    texts = ["</item>\n    </item>\n  </channel>", "  </entry>\n</feed>\n<entry>",
             "<![CDATA[x]]> &amp; &lt;item&gt; \u00e9\U0001f389", "    <item>\n", "Plain."]
    files = {}
    for n, text in enumerate(texts):
        tags = ["all", f"tag{n % 2}"] + (["one"] if n == 1 else [])
        files[f"content/p{n}.md"] = (f"+++\ntitle = {json.dumps(text, ensure_ascii=False)}\n"
                                     f"date = 2020-01-{n + 1:02}\ntags = {json.dumps(tags)}\n"
                                     f"+++\n\n{text}\n\n    {text}\n")
    folder = site(files)
    loaded = loaded_site(folder)
    specs = list(feeds.feed_specs(loaded))
    assert sorted(len(spec.posts) for spec in specs) == [0, 1, 2, 3, 5, 5]  # no briefings
    for broken in (False, True):
        shared = feeds.FeedEntries()
        with pytest.MonkeyPatch.context() as patch:
            if broken:
                patch.setitem(feeds._ENTRY, "rss", (b"    <entry>\n", b"    </entry>\n"))
                patch.setitem(feeds._ENTRY, "atom", (b"  <item>\n", b"  </item>\n"))
            for spec in specs:
                for kind in ("rss", "atom"):
                    data = feeds.make_feed(loaded, spec, kind, shared)
                    assert data == feedgen_feed(loaded, spec, kind), (spec.folder, kind)
                    read = assert_links_read_as_the_link_check_reads_them(spec, kind, data)
                    assert read is bool(spec.posts and not broken)
                    parsed = feedparser.parse(data)
                    assert not parsed.bozo
                    assert [e.link for e in parsed.entries] == [p.permalink for p in spec.posts]
        assert bool(shared.written) is not broken