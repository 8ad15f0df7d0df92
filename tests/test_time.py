"""Chat times: written in full in the site's zone, correct on both sides of a clock change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from conftest import build_site
from resnetgen import timefmt
from resnetgen.models import Chat

LONDON = ZoneInfo("Europe/London")


def chat(start: datetime, end: datetime, zone: str = "Europe/London") -> Chat:
    return Chat(start=start, end=end, timezone=zone, hashtag="#X")


@pytest.mark.parametrize("start, end, expected", [
    ((19, 30), (20, 30), "7.30–8.30 pm"),
    ((19, 0), (20, 0), "7–8 pm"),
    ((11, 30), (12, 30), "11.30 am–12.30 pm"),
    ((0, 0), (1, 0), "12–1 am"),
    ((12, 0), (13, 0), "12–1 pm"),
])
def test_chat_hours(start, end, expected):
    day = (2018, 1, 31)
    value = chat(datetime(*day, *start, tzinfo=LONDON), datetime(*day, *end, tzinfo=LONDON))
    assert timefmt.chat_hours(value) == expected


def test_chat_past_midnight_names_the_second_day():
    value = chat(datetime(2018, 1, 31, 23, 30, tzinfo=LONDON), datetime(2018, 2, 1, 0, 30, tzinfo=LONDON))
    assert timefmt.chat_hours(value) == "11.30 pm–12.30 am on Thursday 1 February 2018"


def build_chat(site, start: str, end: str) -> BeautifulSoup:
    site_dir = site({"content/c.md": f"---\ntitle: C\ndate: 2018-01-01\nchat:\n  start: {start}\n  end: {end}\n---\nB\n"})
    build_site(site_dir)
    page = next((site_dir / "output").rglob("c/index.html"))
    return BeautifulSoup(page.read_text(), "html.parser").find("section", class_="chat-facts").find("time")


@pytest.mark.parametrize("start, end, text, iso_start, iso_end", [
    # the Saturday before the clocks go forward (GMT) and the Sunday after (BST)
    ("2019-03-30 19:30", "2019-03-30 20:30", "Saturday 30 March 2019, 7.30–8.30 pm UK time",
     "2019-03-30T19:30:00+00:00", "2019-03-30T20:30:00+00:00"),
    ("2019-03-31 19:30", "2019-03-31 20:30", "Sunday 31 March 2019, 7.30–8.30 pm UK time",
     "2019-03-31T19:30:00+01:00", "2019-03-31T20:30:00+01:00"),
    # 01:30 happens twice when the clocks go back; like RFC 5545, the first one is meant
    ("2019-10-27 00:30", "2019-10-27 01:30", "Sunday 27 October 2019, 12.30–1.30 am UK time",
     "2019-10-27T00:30:00+01:00", "2019-10-27T01:30:00+01:00"),
    ("2019-10-27 19:00", "2019-10-27 20:00", "Sunday 27 October 2019, 7–8 pm UK time",
     "2019-10-27T19:00:00+00:00", "2019-10-27T20:00:00+00:00"),
])
def test_chat_on_each_side_of_a_clock_change(site, start, end, text, iso_start, iso_end):
    when = build_chat(site, start, end)
    assert when.get_text() == text
    assert when["datetime"] == iso_start
    assert when["data-end"] == iso_end


def test_duration_crosses_the_clock_change_in_real_minutes(site):
    site_dir = site({"content/c.md": "---\ntitle: C\ndate: 2018-01-01\nchat:\n  start: 2019-03-31 00:30\n  duration: 60\n---\nB\n"})
    build_site(site_dir)
    when = BeautifulSoup(next((site_dir / "output").rglob("c/index.html")).read_text(),
                         "html.parser").find("section", class_="chat-facts").find("time")
    # 00:30 GMT + 60 minutes = 01:30 GMT = 02:30 BST
    assert when["data-end"] == "2019-03-31T02:30:00+01:00"
