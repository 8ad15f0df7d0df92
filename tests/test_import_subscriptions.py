"""The imported briefing reaches the events page, the calendar and the feeds, at the
right time in UTC: the old blog's announcement becomes real calendar and feed data."""

from __future__ import annotations

from datetime import datetime, timezone

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site, write_site
from resnetgen.cli import main

EXPORTS = {"classic": REPO / "tests/fixtures/blogger/blog-11-20-2026.xml",
           "takeout": REPO / "tests/fixtures/blogger/feed.atom"}
PERMALINK = "https://example.org/2018/01/first-resnetslt-tweetchat-of-2018/"
START = datetime(2018, 1, 31, 19, 30, tzinfo=timezone.utc)
END = datetime(2018, 1, 31, 20, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module", params=sorted(EXPORTS))
def output(request, tmp_path_factory):
    site_dir = write_site(tmp_path_factory.mktemp(request.param) / "site", {})
    assert main(["--site", str(site_dir), "import", "blogger", str(EXPORTS[request.param])]) == 0
    build_site(site_dir, now=NOW)
    return site_dir / "output"


def test_the_imported_chat_is_on_the_events_page(output):
    soup = BeautifulSoup((output / "events/index.html").read_text(), "html.parser")
    past = soup.find("h2", id="past-heading").find_parent("section")
    event = next(li for li in past.select("li.event")
                 if li.find("a")["href"] == "/2018/01/first-resnetslt-tweetchat-of-2018/")
    when = event.find("time")
    assert datetime.fromisoformat(when["data-start"]).astimezone(timezone.utc) == START
    assert "Thinking together: What makes Communities of Practice work?" in event.get_text()
    assert "Sally Pratten" in event.get_text() and "Lucy Benjamin" in event.get_text()


def test_the_imported_chat_is_in_the_calendar(output):
    calendar = icalendar.Calendar.from_ical((output / "events.ics").read_bytes())
    events = [e for e in calendar.walk("VEVENT") if str(e.get("URL")) == PERMALINK]
    assert len(events) == 1
    event = events[0]
    assert event.decoded("DTSTART").astimezone(timezone.utc) == START
    assert event.decoded("DTEND").astimezone(timezone.utc) == END
    assert "#ResNetSLT" in str(event.get("LOCATION")) + str(event.get("DESCRIPTION"))


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml", "events/feed.xml"])
def test_the_imported_chat_is_in_the_feeds_with_its_utc_time(output, feed):
    parsed = feedparser.parse((output / feed).read_bytes())
    assert not parsed.bozo
    entry = next(e for e in parsed.entries if e.link == PERMALINK)
    text = entry.get("summary", "") + "".join(c.value for c in entry.get("content", []))
    assert "(19:30–20:30 UTC)" in BeautifulSoup(text, "html.parser").get_text()
