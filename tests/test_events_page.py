"""The events page, the calendar links of briefings and the <link rel="alternate"> tags."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build_site

RICH = REPO / "tests" / "sites" / "rich"
BASE = "https://example.org/blog/"


@pytest.fixture(scope="module")
def rich(rich_output) -> Path:
    return rich_output


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def output_file(output: Path, url: str) -> Path:
    """The output file a site-absolute or absolute URL of the rich site points to."""
    path = urlsplit(url).path.removeprefix("/blog/")
    return output / (path + "index.html" if path.endswith("/") or not path else path)


def titles(section) -> list[str]:
    return [h.get_text(strip=True) for h in section.select("li.event h3")]


def test_events_page_lists_upcoming_soonest_first_then_past_newest_first(rich):
    page = soup(rich / "events/index.html")
    upcoming = page.find(id="upcoming-heading").parent
    past = page.find(id="past-heading").parent
    assert titles(upcoming) == ["Upcoming chat: winter 2026"]
    assert titles(past) == ["Chat on the day the clocks go back", "A cancelled chat",
                            "A chat hosted from New York", "Summer chat, in British Summer Time",
                            "Winter chat: Thinking together"]
    cancelled = [li for li in past.select("li.event") if li.select_one(".badge-cancelled")]
    assert [li.h3.get_text(strip=True) for li in cancelled] == ["A cancelled chat"]
    assert "event-cancelled" in cancelled[0]["class"]
    winter = past.select("li.event")[-1]
    assert "Wednesday 31 January 2018, 7.30–8.30 pm UK time" in winter.get_text()
    assert winter.find("cite").get_text() == "Thinking together: What makes Communities of Practice work?"
    assert [a.get_text() for a in winter.select("a")][1:] == ["Sally Pratten", "Guest Host"]
    for link in page.select("li.event h3 a"):
        assert output_file(rich, link["href"]).is_file()


def test_subscribe_box(rich):
    box = soup(rich / "events/index.html").find(class_="subscribe")
    hrefs = [a["href"] for a in box.select(".subscribe-links a")]
    assert hrefs == ["webcal://example.org/blog/events.ics",
                     "https://calendar.google.com/calendar/r?cid=webcal://example.org/blog/events.ics"]
    assert box.find("input", id="calendar-url")["value"] == BASE + "events.ics"
    steps = [dt.get_text() for dt in box.select(".steps dt")]
    assert steps == ["Apple Calendar (iPhone, iPad, Mac)", "Google Calendar", "Outlook"]
    feeds = [a["href"] for a in box.find_all("a") if a.get_text() in ("RSS", "Atom")]
    assert feeds == [BASE + "events/feed.xml", BASE + "events/atom.xml"]
    assert all(output_file(rich, url).is_file() for url in feeds + [BASE + "events.ics"])


def calendar_links(page: BeautifulSoup) -> dict[str, str]:
    return {a.get_text(): a["href"] for a in page.select(".calendar-links a")}


def test_upcoming_briefing_has_add_to_calendar_links_in_utc(rich):
    links = calendar_links(soup(rich / "2026/11/upcoming-chat/index.html"))
    assert links["Add to calendar"] == "/blog/2026/11/upcoming-chat/upcoming-chat.ics"
    assert output_file(rich, links["Add to calendar"]).is_file()
    google = urlsplit(links["Google Calendar"])
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/render")
    query = parse_qs(google.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Upcoming chat: winter 2026"]
    assert query["dates"] == ["20261209T193000Z/20261209T203000Z"]
    assert BASE + "2026/11/upcoming-chat/" in query["details"][0]
    outlook = urlsplit(links["Outlook"])
    assert outlook.netloc == "outlook.live.com"
    query = parse_qs(outlook.query)
    assert query["startdt"] == ["2026-12-09T19:30:00Z"]
    assert query["enddt"] == ["2026-12-09T20:30:00Z"]
    assert query["subject"] == ["Upcoming chat: winter 2026"]
    assert query["rru"] == ["addevent"]


def test_summer_time_and_other_zone_links_are_converted_to_utc(tmp_path):
    output = tmp_path / "out"
    build_site(RICH, now=datetime(2018, 1, 1, tzinfo=timezone.utc), output=output)
    summer = calendar_links(soup(output / "2018/06/summer-chat/index.html"))
    assert parse_qs(urlsplit(summer["Google Calendar"]).query)["dates"] == [
        "20180627T183000Z/20180627T193000Z"]
    new_york = calendar_links(soup(output / "2019/03/other-zone-chat/index.html"))
    assert parse_qs(urlsplit(new_york["Outlook"]).query)["startdt"] == ["2019-03-12T19:00:00Z"]
    cancelled = soup(output / "2019/04/cancelled-chat/index.html")
    assert calendar_links(cancelled) == {}
    assert "cancelled" in cancelled.select_one(".calendar-note").get_text()


def test_home_page_next_chat_has_the_same_links(rich):
    home = soup(rich / "index.html")
    links = calendar_links(home.find(class_="next-chat"))
    assert links == calendar_links(soup(rich / "2026/11/upcoming-chat/index.html"))


def test_past_briefing_offers_no_add_links(rich):
    assert calendar_links(soup(rich / "2018/01/winter-chat/index.html")) == {}


def alternates(page: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for link in page.select('head link[rel="alternate"]'):
        found.setdefault(link["type"], []).append(link["href"])
    return found


def test_every_page_links_the_feeds_and_the_calendar(rich):
    pages = sorted(rich.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        if "http-equiv" in path.read_text(encoding="utf-8"):   # redirect pages
            continue
        found = alternates(soup(path))
        assert found["application/rss+xml"][0] == BASE + "feed.xml", path
        assert found["application/atom+xml"][0] == BASE + "atom.xml", path
        assert found["text/calendar"] == [BASE + "events.ics"], path
        for urls in found.values():
            assert all(output_file(rich, url).is_file() for url in urls), path
    topic = alternates(soup(rich / "tags/news/index.html"))
    assert topic["application/rss+xml"] == [BASE + "feed.xml", BASE + "tags/news/feed.xml"]
    events = alternates(soup(rich / "events/index.html"))
    assert events["application/atom+xml"] == [BASE + "atom.xml", BASE + "events/atom.xml"]


def test_real_site_has_events_in_its_menu(tmp_path):
    output = tmp_path / "out"
    build_site(REPO, output=output)
    menu = [a.get_text() for a in soup(output / "index.html").select("header nav a")]
    assert "Events" in menu
    assert (output / "events/index.html").is_file()
    assert (output / "events.ics").is_file() and (output / "feeds/posts/default").is_file()
