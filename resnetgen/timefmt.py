"""Dates and chat hours written the way the blog's readers write them (en-GB).

Independent of the machine's locale: month and day names are spelt out here.
"""

from __future__ import annotations

from datetime import date, datetime

from resnetgen.models import Chat

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value: date | datetime) -> str:
    """'22 January 2018'."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def day_and_date(value: date | datetime) -> str:
    """'Wednesday 31 January 2018'."""
    return f"{_DAYS[value.weekday()]} {long_date(value)}"


def month_name(month: int) -> str:
    return _MONTHS[month - 1]


def clock(value: datetime, with_suffix: bool = True) -> str:
    """'7.30 pm', '8 pm', '12 noon' is written '12 pm' as most UK readers expect."""
    hour = value.hour % 12 or 12
    text = f"{hour}.{value.minute:02d}" if value.minute else f"{hour}"
    return f"{text} {'am' if value.hour < 12 else 'pm'}" if with_suffix else text


def chat_hours(chat: Chat) -> str:
    """'7.30–8.30 pm', '11.30 am–12.30 pm'; the end's day is named if it differs."""
    start, end = chat.start, chat.end
    same_half = (start.hour < 12) == (end.hour < 12) and start.date() == end.date()
    first = clock(start, with_suffix=not same_half)
    last = clock(end)
    if end.date() != start.date():
        last = f"{last} on {day_and_date(end)}"
    return f"{first}–{last}"


def zone_label(chat: Chat, site_zone: str, site_label: str) -> str:
    """'UK time' for the site's own zone, else the zone's abbreviation at that moment."""
    if chat.timezone == site_zone and site_label:
        return site_label
    return f"{chat.start.tzname()} ({chat.timezone})"


def chat_when(chat: Chat, site_zone: str, site_label: str) -> str:
    """'Wednesday 31 January 2018, 7.30–8.30 pm UK time'."""
    return f"{day_and_date(chat.start)}, {chat_hours(chat)} {zone_label(chat, site_zone, site_label)}"
