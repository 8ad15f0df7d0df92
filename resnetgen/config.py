"""site.toml: the site's settings, read once, typed and validated.

Unknown keys are errors with a "did you mean", so a typo never passes silently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from resnetgen.locate import key_line
from resnetgen.problems import Problems, did_you_mean

CONFIG_FILE = "site.toml"


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class CalendarSettings:
    name: str = ""
    description: str = ""
    refresh_hours: int = 12
    reminder_minutes: int = 0  # 0: no VALARM in the per-chat files
    venue: str = "Online, on X (Twitter)"


@dataclass(frozen=True)
class FeedSettings:
    items: int = 20


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    language: str = "en-GB"
    timezone: str = "Europe/London"
    timezone_label: str = "UK time"
    hashtag: str = "#ResNetSLT"
    hashtag_url: str = "https://twitter.com/hashtag/{tag}"
    profile_url: str = "https://twitter.com/{handle}"
    network: str = "X (Twitter)"
    permalink: str = "/{year}/{month}/{slug}/"
    posts_per_page: int = 10
    author: str = ""
    theme: str = "default"
    cname: str = ""
    menu: tuple[MenuItem, ...] = ()
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/' or '/blog/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """Scheme and host of base_url, without a path: 'https://example.org'."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


# key: (type, required). Defaults come from the dataclasses above.
_TOP_KEYS: dict[str, tuple[type, bool]] = {
    "title": (str, True),
    "description": (str, True),
    "base_url": (str, True),
    "language": (str, False),
    "timezone": (str, False),
    "timezone_label": (str, False),
    "hashtag": (str, False),
    "hashtag_url": (str, False),
    "profile_url": (str, False),
    "network": (str, False),
    "permalink": (str, False),
    "posts_per_page": (int, False),
    "author": (str, False),
    "theme": (str, False),
    "cname": (str, False),
    "menu": (list, False),
    "calendar": (dict, False),
    "feeds": (dict, False),
}
_TABLES: dict[str, dict[str, type]] = {
    "calendar": {"name": str, "description": str, "refresh_hours": int,
                 "reminder_minutes": int, "venue": str},
    "feeds": {"items": int},
    "menu": {"title": str, "url": str},
}
_PERMALINK_FIELDS = {"year", "month", "day", "slug"}
_TYPE_NAMES = {str: "a string", int: "a whole number", list: "a list", dict: "a table"}


def load_config(site_dir: Path, problems: Problems) -> SiteConfig | None:
    """Read and validate site.toml; report every fault to `problems`."""
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        problems.error(CONFIG_FILE, 1, "site.toml is missing",
                       "every site needs one; copy the example from the README")
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        problems.error(CONFIG_FILE, line, f"not valid TOML: {exc}",
                       "check quotes, brackets and '=' on that line")
        return None
    before = len(problems.errors)

    def report(keys: tuple[str, ...], message: str, hint: str = "") -> None:
        problems.error(CONFIG_FILE, key_line(text, keys), message, hint)

    values = _check_table(raw, _TOP_KEYS, (), report)
    for name in ("calendar", "feeds"):
        if isinstance(values.get(name), dict):
            schema = {k: (t, False) for k, t in _TABLES[name].items()}
            values[name] = _check_table(values[name], schema, (name,), report)
    menu = []
    for item in values.get("menu", []) if isinstance(values.get("menu"), list) else []:
        if not isinstance(item, dict):
            report(("menu",), "each menu entry must be a table with title and url",
                   'write [[menu]] then title = "..." and url = "/..."')
            continue
        schema = {k: (t, True) for k, t in _TABLES["menu"].items()}
        entry = _check_table(item, schema, ("menu",), report)
        if "title" in entry and "url" in entry:
            menu.append(MenuItem(entry["title"], entry["url"]))

    _check_values(values, report)
    if len(problems.errors) > before:
        return None
    values["menu"] = tuple(menu)
    values["calendar"] = CalendarSettings(**values.get("calendar", {}))
    values["feeds"] = FeedSettings(**values.get("feeds", {}))
    if "base_url" in values and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    return SiteConfig(**values)


def _check_table(raw: dict[str, Any], schema: dict[str, tuple[type, bool]],
                 where: tuple[str, ...], report) -> dict[str, Any]:
    values: dict[str, Any] = {}
    prefix = ".".join(where) + "." if where else ""
    for key, value in raw.items():
        if key not in schema:
            report(where + (key,), f"unknown setting '{prefix}{key}'",
                   did_you_mean(key, schema))
            continue
        expected, _ = schema[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            report(where + (key,), f"'{prefix}{key}' must be {_TYPE_NAMES[expected]}, "
                   f"not {type(value).__name__}", f"for example {_example(expected)}")
            continue
        values[key] = value
    for key, (_, required) in schema.items():
        if required and key not in raw:
            report(where or ("title",), f"required setting '{prefix}{key}' is missing",
                   f'add {key} = "..."')
    return values


def _check_values(values: dict[str, Any], report) -> None:
    zone = values.get("timezone")
    if zone is not None and not _is_zone(zone):
        report(("timezone",), f"unknown timezone '{zone}'",
               did_you_mean(zone, available_timezones()) or "use a name such as Europe/London")
    base_url = values.get("base_url")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            report(("base_url",), f"base_url '{base_url}' is not an absolute http(s) URL",
                   "for example https://resnetslt.github.io/blog/")
    permalink = values.get("permalink")
    if permalink is not None:
        import string
        names = {f for _, f, _, _ in string.Formatter().parse(permalink) if f}
        unknown = names - _PERMALINK_FIELDS
        if unknown or "slug" not in names or not permalink.startswith("/"):
            report(("permalink",), f"permalink '{permalink}' is not a valid pattern",
                   "start with '/', include {slug}; fields: {year} {month} {day} {slug}")
    per_page = values.get("posts_per_page")
    if per_page is not None and per_page < 1:
        report(("posts_per_page",), "posts_per_page must be at least 1")
    for key, field_name in (("hashtag_url", "{tag}"), ("profile_url", "{handle}")):
        if key in values and field_name not in values[key]:
            report((key,), f"{key} must contain {field_name}",
                   f"for example {getattr(SiteConfig, key)}")


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _example(kind: type) -> str:
    return {str: '"text"', int: "10", list: "[...]", dict: "[table]"}[kind]


def _line_from_message(message: str) -> int:
    import re
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1
