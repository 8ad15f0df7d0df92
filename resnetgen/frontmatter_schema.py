"""Front matter: typed, validated once, every fault reported with its line.

This module turns the parsed front matter of one file into the fields of a `Post`.
The contract is documented in the README ("Front matter reference").
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from resnetgen.config import SiteConfig
from resnetgen.locate import key_line
from resnetgen.models import CANCELLED, SCHEDULED, Chat, Comment, Paper, Person
from resnetgen.people import inline_person_key, make_person
from resnetgen.problems import Problems, did_you_mean
from resnetgen.sanitize import clean_comment_html
from resnetgen.source import SourceFile

POST_FIELDS = {"title", "date", "updated", "summary", "tags", "draft", "slug", "aliases",
               "chat", "hosts", "paper", "questions", "author", "image", "extra",
               "comments"}
CHAT_FIELDS = {"start", "end", "duration", "timezone", "hashtag", "status", "sequence", "uid"}
PAPER_FIELDS = {"title", "authors", "year", "venue", "doi", "url"}
HOST_FIELDS = {"name", "handle", "profile_url", "bio"}
COMMENT_FIELDS = {"author", "date", "html"}
DEFAULT_CHAT_MINUTES = 60
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HASHTAG = re.compile(r"#\w+")
_WEB_URL = re.compile(r"^https?://")
UTC = ZoneInfo("UTC")


class FieldReader:
    """Reads one file's front matter; every fault goes to `problems` with its line."""

    def __init__(self, source: SourceFile, config: SiteConfig, problems: Problems):
        self.source = source
        self.config = config
        self.problems = problems
        self.ok = True

    def error(self, keys: tuple[str, ...], message: str, hint: str = "") -> None:
        line = key_line(self.source.front_matter, keys, self.source.front_matter_line)
        self.problems.error(self.source.source_path, line, message, hint)
        self.ok = False

    def warning(self, keys: tuple[str, ...], message: str, hint: str = "") -> None:
        line = key_line(self.source.front_matter, keys, self.source.front_matter_line)
        self.problems.warning(self.source.source_path, line, message, hint)

    def unknown_keys(self, table: dict, allowed: set[str], where: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                name = ".".join(where + (str(key),))
                self.error(where + (str(key),), f"unknown field '{name}'",
                           did_you_mean(str(key), allowed))

    def text(self, table: dict, key: str, where: tuple[str, ...] = (),
             required: bool = False, default: str = "") -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.error(where or (key,), f"'{'.'.join(where + (key,))}' is missing",
                           f'add a line {key}: "..."')
            return default
        if isinstance(value, (dict, list)):
            self.error(where + (key,), f"'{'.'.join(where + (key,))}' must be text")
            return default
        return str(value).strip()

    def text_list(self, table: dict, key: str, where: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.error(where + (key,), f"'{'.'.join(where + (key,))}' must be a list of text",
                       f"write {key}: [first, second] or one '- item' per line")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def moment(self, table: dict, key: str, where: tuple[str, ...], zone: ZoneInfo,
               required: bool = False) -> datetime | None:
        """A date or date-time; naive values are wall-clock time in `zone`."""
        value = table.get(key)
        name = ".".join(where + (key,))
        if value is None:
            if required:
                self.error(where or (key,), f"'{name}' is missing",
                           f"add a line {key}: YYYY-MM-DD")
            return None
        parsed = _parse_moment(value)
        if parsed is None:
            self.error(where + (key,), f"'{name}' is not a valid date: {value!r}",
                       "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
            if not _exists(parsed):
                self.error(where + (key,), f"'{name}' {value} does not exist in {zone.key}: "
                           "the clocks go forward then", "choose a time outside that hour")
                return None
        return parsed


def _parse_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        if _DATE_ONLY.fullmatch(text):
            return datetime.combine(date.fromisoformat(text), time())
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _exists(moment: datetime) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change."""
    # Aware date-times with one tzinfo compare by their wall-clock fields.
    return moment.astimezone(UTC).astimezone(moment.tzinfo) == moment


def read_zone(reader: FieldReader, name: str, where: tuple[str, ...]) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(where, f"unknown timezone '{name}'",
                     did_you_mean(name, available_timezones()) or "use a name such as Europe/London")
        return None


def read_chat(reader: FieldReader, raw: Any) -> Chat | None:
    where = ("chat",)
    if not isinstance(raw, dict):
        reader.error(where, "'chat' must be a table of fields",
                     "indent start:, end: and the other fields under chat:")
        return None
    reader.unknown_keys(raw, CHAT_FIELDS, where)
    zone_name = reader.text(raw, "timezone", where, default=reader.config.timezone)
    zone = read_zone(reader, zone_name, where + ("timezone",))
    if zone is None:
        return None
    start = reader.moment(raw, "start", where, zone, required=True)
    end = reader.moment(raw, "end", where, zone)
    duration = raw.get("duration")
    if end is not None and duration is not None:
        reader.error(where + ("duration",), "give either 'chat.end' or 'chat.duration', not both")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                 or duration <= 0):
        reader.error(where + ("duration",), f"'chat.duration' must be a number of minutes, "
                     f"not {duration!r}", "for example duration: 60")
        duration = None
    if start is None:
        return None
    if end is None:
        end = start + timedelta(minutes=duration or DEFAULT_CHAT_MINUTES)
        end = end.astimezone(UTC).astimezone(zone)
    if end <= start:
        reader.error(where + ("end",), f"the chat ends ({end:%Y-%m-%d %H:%M}) before it starts "
                     f"({start:%Y-%m-%d %H:%M})", "check the date and the am/pm of 'end'")
        return None
    status = reader.text(raw, "status", where, default=SCHEDULED).lower()
    if status not in (SCHEDULED, CANCELLED):
        reader.error(where + ("status",), f"unknown chat status '{status}'",
                     did_you_mean(status, {SCHEDULED, CANCELLED}))
    sequence = raw.get("sequence", 0)
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        reader.error(where + ("sequence",), "'chat.sequence' must be a whole number from 0",
                     "raise it by one each time you reschedule the chat")
        sequence = 0
    if status == CANCELLED and sequence == 0:
        # Calendar apps that imported the chat take the cancellation only from a newer SEQUENCE.
        reader.warning(where + ("status",), "this chat is cancelled but 'chat.sequence' is 0",
                       "add 'sequence: 1' under chat: so calendars take the cancellation")
    hashtag = reader.text(raw, "hashtag", where, default=reader.config.hashtag)
    if not _HASHTAG.fullmatch(hashtag):
        reader.error(where + ("hashtag",), f"'{hashtag}' is not a hashtag",
                     "write it with '#' and no spaces, in quotes: \"#ResNetSLT\"")
    uid = reader.text(raw, "uid", where)
    return Chat(start=start, end=end, timezone=zone.key, hashtag=hashtag, status=status,
                sequence=sequence, uid=uid)


def read_hosts(reader: FieldReader, raw: Any, people: dict[str, Person]) -> tuple[Person, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    by_handle = _by_handle(people)
    hosts = []
    for entry in raw:
        if isinstance(entry, str):
            key = entry.strip()
            person = people.get(key) or by_handle.get(key.lower()) or by_handle.get("@" + key.lower())
            if person is None:
                reader.error(("hosts", key), f"unknown person '{key}'",
                             (did_you_mean(key, people) + " " if did_you_mean(key, people) else "")
                             + "add them to content/people.toml or write {name: ..., handle: ...}")
                continue
            hosts.append(person)
        elif isinstance(entry, dict):
            reader.unknown_keys(entry, HOST_FIELDS, ("hosts",))
            if not str(entry.get("name") or "").strip():
                reader.error(("hosts",), "a host written inline needs a name",
                             '{name: "Lucy Benjamin", handle: "@lucybenjaminSLT"}')
                continue
            handle = str(entry.get("handle") or "").strip()
            known = by_handle.get(handle.lower()) or by_handle.get("@" + handle.lower())
            hosts.append(known or make_person(reader.config, inline_person_key(entry), entry))
        else:
            reader.error(("hosts",), "each host must be a key of content/people.toml "
                         "or {name: ..., handle: ...}")
    return tuple(hosts)


_handles: tuple[dict, dict] = ({}, {})  # (people, their handles): made once per site, not per post


def _by_handle(people: dict[str, Person]) -> dict[str, Person]:
    """people.toml's hosts by lower-case handle; the same dict for every post of a build."""
    global _handles
    if _handles[0] is not people:
        _handles = (people, {p.handle.lower(): p for p in people.values() if p.handle})
    return _handles[1]


def read_paper(reader: FieldReader, raw: Any) -> Paper | None:
    where = ("paper",)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.error(where, "'paper' must be a table of fields", "indent title:, authors: ... under paper:")
        return None
    reader.unknown_keys(raw, PAPER_FIELDS, where)
    title = reader.text(raw, "title", where, required=True)
    year = raw.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999):
        reader.error(where + ("year",), f"'paper.year' must be a four-digit year, not {year!r}")
        year = None
    doi = reader.text(raw, "doi", where)
    doi = _DOI_PREFIX.sub("", doi)
    if doi and not DOI_PATTERN.match(doi):
        reader.error(where + ("doi",), f"'{doi}' is not a DOI",
                     "a DOI looks like 10.1177/1350508417712345")
    url = reader.text(raw, "url", where)
    if url and not _WEB_URL.match(url):
        reader.error(where + ("url",), f"paper url '{url}' must start with http:// or https://")
    return Paper(title=title, authors=reader.text_list(raw, "authors", where), year=year,
                 venue=reader.text(raw, "venue", where), doi=doi, url=url)


def read_comments(reader: FieldReader, raw: Any) -> tuple[Comment, ...]:
    """The old blog's comments: each {author, date, html}; the html is sanitised here."""
    where = ("comments",)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.error(where, "'comments' must be a list",
                     "one '- author: ...' entry per comment, with date: and html:")
        return ()
    comments = []
    for entry in raw:
        if not isinstance(entry, dict):
            reader.error(where, "each comment must be a table of author, date and html")
            continue
        reader.unknown_keys(entry, COMMENT_FIELDS, where)
        when = reader.moment(entry, "date", where, reader.config.zone, required=True)
        html = reader.text(entry, "html", where, required=True)
        if when is None or not html:
            continue
        comments.append(Comment(author=reader.text(entry, "author", where) or "Anonymous",
                                date=when, html=clean_comment_html(html)))
    return tuple(sorted(comments, key=lambda c: c.date))
