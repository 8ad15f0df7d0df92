"""Review of the records as tuples (models.as_tuple) and site.after: what a template
reads from a post as on its dataclass, and the clock compared with chats' ends at the
edges: `--now` with a fixed UTC offset (as clock.py makes it), and at the ends of
datetime's range."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resnetgen.clock import build_clock
from resnetgen.models import Chat, Paper, as_tuple
from resnetgen.site import after
from tests.test_records import ZONES, a_post

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("source", ["{{ post.count }}", "{{ post.index }}",
                                    "{{ post.paper.index }}", "{{ post.chat.count }}"])
def test_a_tuple_method_is_no_attribute_a_template_can_print(source):
    """StrictUndefined stops the build on a misspelt variable (README): a tuple's
    methods are not there to print (with their address: other bytes each build)."""
    chat = Chat(datetime(2009, 1, 2, tzinfo=LONDON), datetime(2009, 1, 2, 1, tzinfo=LONDON),
                "Europe/London", "#x")
    post = a_post(chat=chat, paper=Paper("P"))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string(source).render(post=post)
    assert not hasattr(post, "count") and post.title == "T"
    assert tuple.count(post, "T") == 1  # still a tuple underneath


def test_the_clock_at_the_ends_of_time_is_compared_not_an_internal_error():
    """`--now 0001-01-01T00:00:00Z` read in New York (-4:56 then) is before datetime's
    range: compared exactly, as before site.after (was: OverflowError, exit status 2)."""
    new_york, kolkata = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
    first = build_clock("0001-01-01T00:00:00Z")
    last = build_clock("9999-12-31T23:59:59Z")
    chats = [datetime(2009, 1, 1, tzinfo=new_york), datetime(2009, 1, 1, tzinfo=kolkata)]
    assert list(after(chats, first)) == [True, True]
    assert list(after(chats, last)) == [False, False]


OFFSETS = [timezone(timedelta(hours=hours, minutes=minutes))
           for hours, minutes in ((5, 30), (-9, -30), (14, 0), (-12, 0), (1, 0))]


@settings(max_examples=200, deadline=None)
@given(now=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1),
                        timezones=st.sampled_from(OFFSETS)),
       offsets=st.lists(st.tuples(st.integers(-5 * 24 * 60, 5 * 24 * 60), st.sampled_from(ZONES),
                                  st.booleans()), max_size=30))
def test_a_clock_given_with_an_offset_answers_as_the_aware_comparison(now, offsets):
    """`--now` is read with its own fixed offset (clock.py), not a zone's."""
    moments = [(now + timedelta(minutes=minutes)).astimezone(zone).replace(fold=fold)
               for minutes, zone, fold in offsets]
    moments.append(now.astimezone(LONDON))  # a chat ending exactly now: over
    assert list(after(moments, now)) == [moment > now for moment in moments]



def test_the_records_are_made_whenever_the_garbage_collector_runs():
    """as_tuple read the accessors of a named tuple it kept no reference to: a collection
    at the wrong moment emptied their dict, and importing resnetgen.models failed
    (KeyError: 'source_path'; `serve`, whose collector runs, stopped at start)."""
    @dataclass(frozen=True)
    class Declared:
        name: str
        count: int = 0

    was, enabled = gc.get_threshold(), gc.isenabled()
    gc.collect()
    gc.enable()
    gc.set_threshold(1, 1, 1)  # a full collection at (almost) every allocation
    try:
        made = as_tuple(Declared)
    finally:
        gc.set_threshold(*was)
        if not enabled:
            gc.disable()
    assert (made("a", 2).name, made("a", 2).count, made("a") == made("a", 0)) == ("a", 2, True)
