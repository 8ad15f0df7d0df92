"""calendar_links writes a chat's UTC times without strftime: the same text, quoted as
urllib quotes it, for every year (strftime's own for years of fewer than four digits)."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from resnetgen.calendar_links import _quote, _utc_forms, google_time, iso_utc

ZONES = ["Europe/London", "Australia/Sydney", "America/New_York", "Asia/Kolkata", "UTC"]


@settings(max_examples=500, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
       zone=st.sampled_from(ZONES))
def test_utc_forms_are_strftimes_quoted(moment, zone):
    moment = moment.replace(tzinfo=ZoneInfo(zone))
    google, iso, clock = _utc_forms(moment)
    assert google == quote(google_time(moment), safe="/")
    assert iso == quote(iso_utc(moment), safe="/")
    assert clock == moment.astimezone(timezone.utc).strftime("%H:%M")


@given(st.lists(st.text(max_size=20), max_size=4))
def test_quoting_in_parts_is_quoting_the_whole(parts):
    assert "%0A".join(map(_quote, parts)) == quote("\n".join(parts), safe="/")
