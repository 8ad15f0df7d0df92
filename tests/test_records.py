"""Posts, chats and papers are tuples of their fields (models.as_tuple), made by the
cache's loader in one call each: otherwise they behave as the frozen dataclasses they
are declared as. And the clock compared with 10,000 chats' ends wall clock to wall
clock (site.after) answers as comparing the aware times does."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resnetgen.lint import SourceFacts
from resnetgen.models import Chat, Later, Packed, Paper, Post, as_tuple, packed
from resnetgen.post_codec import from_plain, to_plain
from resnetgen.site import after

LONDON = ZoneInfo("Europe/London")


def a_post(**changes) -> Post:
    fields_ = dict(source_path="content/x.md", kind="post", title="T",
                   date=datetime(2009, 1, 1, tzinfo=LONDON), updated=None, slug="x", url="/x/",
                   output_path="x/index.html", permalink="https://h/x/", summary="s",
                   body_html="<p>b</p>", tags=("a",))
    fields_.update(changes)
    return Post(**fields_)


@as_tuple
@dataclass(frozen=True)
class Record:
    name: str
    count: int = 0
    notes: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Declared:  # Record as a plain dataclass: what as_tuple must behave as
    name: str
    count: int = 0
    notes: dict = field(default_factory=dict, compare=False, hash=False)


def test_a_record_is_made_and_compared_as_its_dataclass():
    made, declared = Record("a", 2, {"k": 1}), Declared("a", 2, {"k": 1})
    assert repr(made) == repr(declared).replace("Declared", "Record")
    assert Record("a") == Record("a", 0) and Record("a", notes={"x": 1}) == Record("a")
    assert not Record("a", notes={"x": 1}) != Record("a")
    assert Record("a") != Record("b") and Record("a") != ("a", 0, {})  # not a plain tuple
    assert ("a", 0, {}) != Record("a") and not ("a", 0, {}) == Record("a")
    assert hash(Record("a", notes={"x": 1})) == hash(Record("a"))  # (notes: unhashable)
    assert Record("a").notes is not Record("a").notes  # a default factory per record
    assert [f.name for f in fields(Record)] == ["name", "count", "notes"]
    assert replace(made, count=3) == Record("a", 3) and made.count == 2
    with pytest.raises(FrozenInstanceError):
        made.count = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        made < Record("b")  # type: ignore[operator]  (a dataclass is not ordered)
    with pytest.raises(TypeError):
        Record()  # type: ignore[call-arg]
    assert not hasattr(made, "__dict__")
    assert pickle.loads(pickle.dumps(made)) == made


def test_a_post_made_in_one_call_is_the_post_made_with_arguments():
    post = a_post(chat=Chat(datetime(2009, 1, 2, 19, tzinfo=LONDON),
                            datetime(2009, 1, 2, 20, tzinfo=LONDON), "Europe/London", "#x"),
                  paper=Paper("P", ("A",), 2001), extra={"k": 1})
    again = tuple.__new__(Post, tuple(post))
    assert again == post and repr(again) == repr(post) and again.extra == post.extra
    assert tuple.__new__(Chat, tuple(post.chat)) == post.chat and not post.chat.cancelled
    assert tuple.__new__(Paper, tuple(post.paper)).link == post.paper.link
    assert post.is_briefing and post.identity == "x"


def test_what_a_post_compares_and_hashes_is_what_its_dataclass_did():
    post = a_post()
    facts = SourceFacts({"title": 2}, (), ())
    assert post == a_post(extra={"k": 1}, facts=facts)  # extra and facts: compare=False
    assert not post != a_post(extra={"k": 1}, facts=facts)
    assert hash(post) == hash(a_post(extra={"k": 1}, facts=facts))
    assert post != a_post(title="U") and post != a_post(body_html="<p>c</p>")
    with pytest.raises(TypeError):
        sorted([post, a_post(title="U")])


def test_a_later_body_is_made_once_kept_and_pickled_made():
    calls = []
    body = Later(lambda: calls.append(1) or packed("<p>later</p>"))
    post = a_post().but(body_html=body)
    assert post.packed_body() == bytes(packed("<p>later</p>")) and calls == [1]
    assert post._body_html is body and body.args == ()  # read for the save: not kept
    assert post.body_html == "<p>later</p>" == post.body_html and calls == [1, 1]
    assert type(post.raw_body()) is Packed and calls == [1, 1]  # kept once shown
    back = pickle.loads(pickle.dumps(post))
    assert type(back._body_html) is Packed and back.body_html == "<p>later</p>"
    assert back.__getstate__() == post.__getstate__()


@pytest.mark.parametrize("moment", [
    datetime(2020, 10, 25, 1, 30, tzinfo=LONDON, fold=1),  # the hour told twice: its second
    datetime(2020, 10, 25, 1, 30, tzinfo=LONDON, fold=0),
    datetime(2021, 3, 28, 1, 30, tzinfo=LONDON),  # an hour skipped
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("Pacific/Apia")),
    datetime(2011, 12, 31, 0, 15, tzinfo=ZoneInfo("Pacific/Apia"))])
def test_a_date_time_comes_back_from_the_cache_exactly(moment):
    post = a_post(date=moment, updated=moment + timedelta(days=1),
                  chat=Chat(moment, moment + timedelta(hours=1), moment.tzinfo.key, "#x"))
    back = from_plain(to_plain(post), post.body_html)
    for was, now in ((post.date, back.date), (post.updated, back.updated),
                     (post.chat.start, back.chat.start), (post.chat.end, back.chat.end)):
        assert (now, now.fold, now.tzinfo, now.utcoffset()) == (was, was.fold, was.tzinfo,
                                                                 was.utcoffset())


ZONES = [ZoneInfo(key) for key in ("Europe/London", "America/New_York", "Pacific/Apia",
                                   "Australia/Lord_Howe", "Asia/Kolkata", "UTC")]


@settings(max_examples=300, deadline=None)
@given(now=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1),
                        timezones=st.sampled_from([timezone.utc, *ZONES]), allow_imaginary=True),
       offsets=st.lists(st.tuples(st.integers(-5 * 24 * 60, 5 * 24 * 60), st.sampled_from(ZONES),
                                  st.booleans()), max_size=30))
def test_the_chats_after_the_clock_are_those_whose_end_is_later(now, offsets):
    """Moments around the clock (within five days: both sides of the two-day margin),
    read in zones whose offsets change (summer time, Samoa's skipped day, half hours),
    at either fold: the same answers as `moment > now`."""
    moments = [(now + timedelta(minutes=minutes)).astimezone(zone).replace(fold=fold)
               for minutes, zone, fold in offsets]
    assert list(after(moments, now)) == [moment > now for moment in moments]


def test_naive_times_are_compared_as_python_compares_them():
    with pytest.raises(TypeError):
        list(after([datetime(2020, 1, 1)], datetime(2020, 1, 1, tzinfo=timezone.utc)))
