"""Each page type of the rich fixture site, read back as parsed HTML."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build_site

RICH = REPO / "tests" / "sites" / "rich"


@pytest.fixture(scope="module")
def out(rich_output) -> Path:
    return rich_output


def html(out: Path, route: str) -> BeautifulSoup:
    path = out / route
    if route.endswith("/") or route == "":
        path = path / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def json_ld(soup: BeautifulSoup):
    script = soup.find("script", type="application/ld+json")
    return json.loads(script.string) if script else None


def test_every_html_page_has_the_shared_head(out):
    pages = [p for p in out.rglob("*.html")]
    redirects = {out / "2018/01/first-resnetslt-tweetchat-of-2018.html", out / "p/about.html"}
    assert len(pages) > 20
    for path in set(pages) - redirects:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert soup.html["lang"] == "en-GB", path
        assert soup.find("meta", attrs={"name": "description"})["content"], path
        canonical = soup.find("link", rel="canonical")["href"]
        assert canonical.startswith("https://example.org/blog/"), path
        assert soup.find("link", rel="icon")["href"] == "/blog/favicon.svg"
        assert soup.find("meta", property="og:title")["content"], path
        assert soup.find("meta", attrs={"name": "twitter:card"}), path
        assert soup.find("a", class_="skip-link")["href"] == "#content"
        assert soup.find("main", id="content"), path
        assert len(soup.find_all("h1")) == 1, path
        data = json_ld(soup)
        types = {d["@type"] for d in (data if isinstance(data, list) else [data])}
        assert types & {"WebSite", "WebPage", "BlogPosting"}, path


def test_home_shows_the_next_chat_then_latest_posts_paginated(out):
    soup = html(out, "")
    next_chat = soup.find("section", class_="next-chat")
    assert next_chat.find("a")["href"] == "/blog/2026/11/upcoming-chat/"
    assert "Wednesday 9 December 2026, 7.30–8.30 pm UK time" in next_chat.get_text(" ")
    titles = [a.get_text() for a in soup.select("article.summary h3 a")]
    assert titles[0] == "Upcoming chat: winter 2026"
    assert len(titles) == 3  # posts_per_page
    assert soup.find("a", rel="next")["href"] == "/blog/page/2/"
    assert json_ld(soup)["@type"] == "WebSite"
    page3 = html(out, "page/3/")
    assert page3.find("a", rel="prev")["href"] == "/blog/page/2/"
    assert page3.find("a", rel="next") is None
    assert page3.find("section", class_="next-chat") is None


def test_briefing_page_tells_everything(out):
    soup = html(out, "2018/01/winter-chat/")
    facts = soup.find("section", class_="chat-facts")
    when = facts.find("time")
    assert when.get_text() == "Wednesday 31 January 2018, 7.30–8.30 pm UK time"
    assert when["datetime"] == "2018-01-31T19:30:00+00:00"
    assert facts.find(class_="badge-over")
    hashtag = facts.find("a", string="#TestChat")
    assert hashtag["href"] == "https://twitter.com/hashtag/TestChat"
    hosts = facts.select("ul.hosts li")
    assert [li.find("a").get_text() for li in hosts] == ["Sally Pratten", "Guest Host"]
    assert hosts[0].find("a")["href"] == "/blog/people/salpratten/"
    assert hosts[0].find_all("a")[1]["href"] == "https://twitter.com/salpratten"
    citation = soup.find(class_="citation")
    assert citation.find("cite").get_text() == "Thinking together: What makes Communities of Practice work?"
    assert "Iverson, J., McPhee, R. (2017)" in citation.get_text()
    assert citation.find("a")["href"] == "https://doi.org/10.1177/0018726716684802"
    questions = soup.select("section.questions li")
    assert [q.find(class_="q-number").get_text() for q in questions] == ["Q1", "Q2"]
    assert "Do you believe you are a member of a CoP?" in questions[0].get_text()
    assert soup.find("aside", class_="take-part").find("a")["href"].endswith("/TestChat")
    body = soup.find("div", class_="body")
    assert body.find("a", string="summer chat")["href"] == "/blog/2018/06/summer-chat/"
    assert body.find("img")["src"] == "/blog/2018/chart.png"
    data = json_ld(soup)
    types = {item["@type"]: item for item in data}
    assert types["BlogPosting"]["dateModified"] == "2018-01-25T09:00:00+00:00"
    event = types["Event"]
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["startDate"] == "2018-01-31T19:30:00+00:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"


def test_upcoming_and_cancelled_states(out):
    assert html(out, "2026/11/upcoming-chat/").find(class_="badge-upcoming")
    cancelled = html(out, "2019/04/cancelled-chat/")
    assert cancelled.find(class_="badge-cancelled")
    assert "EventCancelled" in json.dumps(json_ld(cancelled))


def test_chat_in_another_zone_names_that_zone(out):
    when = html(out, "2019/03/other-zone-chat/").find("section", class_="chat-facts").find("time")
    assert when.get_text() == "Tuesday 12 March 2019, 3–4 pm EDT (America/New_York)"
    assert when["datetime"] == "2019-03-12T15:00:00-04:00"


def test_ordinary_post_escapes_its_title_and_renders_markdown(out):
    soup = html(out, "2017/12/plain-post/")
    assert soup.find("h1").get_text() == 'A plain post: quotes "and" <angle brackets> & ampersands'
    body = soup.find("div", class_="body")
    assert body.find("table").find("td").get_text() == "1"
    assert body.find("s").get_text() == "struck"
    assert body.find(class_="footnotes")
    assert body.find("a", string="link to the about page")["href"] == "/blog/about/"
    assert json_ld(soup)["author"] == {"@type": "Person", "name": "Sally Pratten"}


def test_bundle_files_sit_beside_their_post(out):
    soup = html(out, "2019/05/bundle-post/")
    assert soup.find("div", class_="body").find("img")["src"] == "/blog/2019/05/bundle-post/photo.png"
    assert (out / "2019/05/bundle-post/photo.png").is_file()
    assert soup.find("meta", property="og:image")["content"] == \
        "https://example.org/blog/2019/05/bundle-post/photo.png"


def test_standalone_page_tags_people_archive_404(out):
    assert html(out, "about/").find("h1").get_text() == "About"
    tags = html(out, "tags/")
    assert [a.get_text() for a in tags.select(".tag-index a")] == \
        ["communities of practice", "news", "tweetchat"]
    tweetchat = html(out, "tags/tweetchat/")  # 'Tweetchat' and 'tweetchat' are one topic
    assert len(tweetchat.select("article.summary")) == 3
    person = html(out, "people/salpratten/")
    assert person.find("h1").get_text() == "Sally Pratten"
    assert len(person.select("article.summary")) == 4
    assert html(out, "people/guesthost/").find("h1").get_text() == "Guest Host"
    archive = html(out, "archive/")
    assert [h.get_text() for h in archive.select("h2")] == ["2026", "2019", "2018", "2017"]
    assert (out / "404.html").is_file()
    assert html(out, "404.html").find("h1").get_text() == "Page not found"


def test_drafts_are_left_out_unless_asked(out, tmp_path):
    assert not (out / "2026/11/draft-post").exists()
    site_dir = tmp_path / "site"
    shutil.copytree(RICH, site_dir)
    build_site(site_dir, drafts=True)
    soup = html(site_dir / "output", "2026/11/draft-post/")
    assert soup.find(class_="badge-draft")


def test_aliases_redirect_to_their_page(out):
    for alias, target in (("2018/01/first-resnetslt-tweetchat-of-2018.html", "/blog/2018/01/winter-chat/"),
                          ("p/about.html", "/blog/about/")):
        soup = html(out, alias)
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == f"0; url={target}"
        assert soup.find("link", rel="canonical")["href"] == "https://example.org" + target
        assert soup.find("a")["href"] == target


def test_sitemap_and_robots(out):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(out / "sitemap.xml").getroot()
    locs = [u.find("s:loc", ns).text for u in root.findall("s:url", ns)]
    assert "https://example.org/blog/2018/01/winter-chat/" in locs
    assert "https://example.org/blog/" in locs
    assert not any("first-resnetslt" in loc or "404" in loc for loc in locs)
    assert locs == sorted(locs)
    robots = (out / "robots.txt").read_text()
    assert "Sitemap: https://example.org/blog/sitemap.xml" in robots
