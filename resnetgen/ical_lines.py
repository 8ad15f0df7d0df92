"""iCalendar content lines written as icalendar writes them, in a fraction of its time.

A property becomes its content line as icalendar's `Contentline` would write it: name,
parameters and value joined (their text icalendar's), folded at 75 octets (see
fold_line). A date-time's line is its zone's (found from icalendar once per zone)
around its digits, written as vDatetime writes them (see datetime_line).
tests/test_calendar_fast.py and tests/test_calendar.py check the bytes are icalendar's.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable
from zoneinfo import ZoneInfo

from icalendar import vCategory, vDatetime, vText, vUri
from icalendar.parser import content_line as _content_line
from icalendar.parser import Parameters
from icalendar.parser.string import _escape_char  # vText's own escaping
from icalendar.parser_tools import to_unicode
from icalendar.timezone import tzid as _tzid

CRLF = b"\r\n"  # every content line ends so (RFC 5545 3.1), as Contentlines.to_ical ends them


def fold_line(line: str, limit: int = 75, fold_sep: str = "\r\n ") -> str:
    """RFC 5545 folding with the same result as icalendar's `_foldline`, which walks the
    line character by character in Python and cost more than the rest of the build.

    A line is cut before the character that would make it reach `limit` octets, only
    between UTF-8 characters, and never right after a backslash or caret (icalendar's
    rule for escapes). tests/test_calendar.py checks the two agree on random text."""
    data = line.encode("utf-8")
    if len(data) < limit:
        return line
    return fold_bytes(data, limit, fold_sep.encode("utf-8")).decode("utf-8")


def fold_bytes(data: bytes, limit: int = 75, fold_sep: bytes = b"\r\n ") -> bytes:
    """`fold_line` of a line's UTF-8 bytes, as bytes: cut between characters, the pieces
    are the same bytes whether decoded and encoded again or not."""
    if len(data) < limit:
        return data
    chunks, start, room = [], 0, limit - 1
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # never inside a character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return fold_sep.join(chunks)


def ical_line(line: str) -> bytes:
    """A content line's text -> its bytes, folded, with its CRLF."""
    data = line.encode("utf-8")
    return (data if len(data) < 75 else fold_bytes(data)) + CRLF


_content_line._foldline = fold_line  # icalendar calls it for every content line
# icalendar looks up a zone's equivalent names (sorting a set) for every date-time it
# types or writes, five times per event; the table is fixed once icalendar is imported.
_tzid.get_equivalent_tzids = lru_cache(maxsize=256)(_tzid.get_equivalent_tzids)


def moment_digits(moment: datetime) -> str:
    """A date-time's digits, as vDatetime.to_ical writes them (seconds, no fraction)."""
    return (f"{moment.year:04}{moment.month:02}{moment.day:02}"
            f"T{moment.hour:02}{moment.minute:02}{moment.second:02}")


def content_line(name: str, value) -> bytes:
    """One property, as Component.to_ical writes it: `Contentline.from_parts(name,
    value.params, value).to_ical()`, without building the Contentline (a str subclass
    checked and converted again on the way): the value's and the parameters' text are
    icalendar's, joined as from_parts joins them, folded as Contentline.to_ical folds."""
    text = to_unicode(value.to_ical())
    params = value.params
    if params:
        written = params_ical(params)
        if written:
            return ical_line(f"{name};{written}:{text}")
    return ical_line(f"{name}:{text}")


def datetime_line(name: str, moment: datetime) -> bytes:
    """`content_line(name, vDatetime(moment))` of a moment in a ZoneInfo zone: what
    icalendar writes around the value (the zone's TZID parameter, or the 'Z' of UTC)
    depends on the zone alone, and is found once per zone (see datetime_shape); the
    value is the moment's digits, as vDatetime.to_ical writes them (seconds, no
    fraction). tests/test_calendar_fast.py checks the bytes against icalendar's."""
    head, tail = datetime_shape(name, moment.tzinfo)
    return ical_line(f"{head}{moment_digits(moment)}{tail}")


@lru_cache(maxsize=256)
def datetime_shape(name: str, zone: ZoneInfo) -> tuple[str, str]:
    """(what goes before a date-time's digits, what goes after) in its content line, as
    content_line writes it for a vDatetime in `zone` (ZoneInfo: its TZID is its key's,
    whatever the moment; icalendar names other zones by their name at the moment)."""
    value = vDatetime(datetime(2000, 1, 1, tzinfo=zone))
    text = to_unicode(value.to_ical())
    digits = "20000101T000000"
    assert text.startswith(digits)
    written = params_ical(value.params) if value.params else ""
    return (f"{name};{written}:" if written else f"{name}:"), text[len(digits):]


def plain_line(name: str, text: str) -> bytes:
    """A property of no parameters whose value's text is `text`, as content_line writes
    it: to_unicode reads the value's bytes as UTF-8 with a byte order mark dropped."""
    if text[:1] == "\ufeff":
        text = text[1:]
    return ical_line(f"{name}:{text}")


# The text of a value of these types (none has parameters here), as its to_ical writes
# it, without making the value: vText's is icalendar's TEXT escaping of it, vUri's the
# URI itself, vCategory's its items' escaped texts joined by commas.
def _uri_text(value: str) -> str:
    return str(vUri(value)) if "\r" in value or "\n" in value else value  # vUri refuses


def _categories_text(items) -> str:
    return ",".join(map(_escape_char, [items] if isinstance(items, str) else items))


PLAIN_TEXT: dict[Callable, Callable[..., str]] = {
    vText: _escape_char, vUri: _uri_text, vCategory: _categories_text}


def params_ical(params) -> str:
    """A property's parameters as icalendar writes them; those every chat in a zone
    shares (TZID=Europe/London) are written once."""
    if len(params) == 1 and "TZID" in params:
        return _tzid_ical(params["TZID"])
    return to_unicode(params.to_ical(sorted=True))


@lru_cache(maxsize=256)
def _tzid_ical(tzid: str) -> str:
    return to_unicode(Parameters({"TZID": tzid}).to_ical(sorted=True))


@lru_cache(maxsize=1024)
def shared_line(name: str, kind: Callable, value) -> bytes:
    return content_line(name, kind(value))
