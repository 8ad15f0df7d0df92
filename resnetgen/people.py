"""content/people.toml: hosts described once, referred to by key from front matter."""

from __future__ import annotations

import tomllib
from pathlib import Path

from resnetgen.config import SiteConfig
from resnetgen.locate import key_line
from resnetgen.models import Person
from resnetgen.problems import Problems, did_you_mean
from resnetgen.source import PEOPLE_FILE
from resnetgen.urls import Urls, slugify

PERSON_FIELDS = {"name", "handle", "profile_url", "bio"}


def load_people(site_dir: Path, config: SiteConfig, problems: Problems) -> dict[str, Person]:
    path = site_dir / PEOPLE_FILE
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.error(PEOPLE_FILE, getattr(exc, "lineno", 1) or 1, f"not valid TOML: {exc}")
        return {}
    people = {}
    for key, entry in raw.items():
        def line(key: str = key) -> int:  # looked up on error only (a re.compile each)
            return key_line(text, (key,))
        if not isinstance(entry, dict):
            problems.error(PEOPLE_FILE, line(), f"'{key}' must be a table",
                           f'write [{key}] then name = "..." and handle = "@..."')
            continue
        for field in entry:
            if field not in PERSON_FIELDS:
                problems.error(PEOPLE_FILE, key_line(text, (key, field)),
                               f"unknown field '{field}' for '{key}'",
                               did_you_mean(field, PERSON_FIELDS))
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            problems.error(PEOPLE_FILE, line(), f"'{key}' has no name", 'add name = "..."')
            continue
        if slugify(key) != key:
            problems.error(PEOPLE_FILE, line(), f"person key '{key}' is not URL-safe",
                           f"use lowercase letters, digits and '-', such as '{slugify(key)}'")
            continue
        people[key] = make_person(config, key, entry)
    return people


def make_person(config: SiteConfig, key: str, entry: dict) -> Person:
    handle = str(entry.get("handle", "")).strip()
    if handle and not handle.startswith("@"):
        handle = "@" + handle
    profile = str(entry.get("profile_url", "")) or (
        config.profile_url.format(handle=handle.lstrip("@")) if handle else "")
    return Person(key=key, name=str(entry["name"]).strip(), handle=handle,
                  profile_url=profile, bio=str(entry.get("bio", "")).strip(),
                  url=Urls(config).url(f"people/{key}/"))


def inline_person_key(entry: dict) -> str:
    """The key of a host written inline in front matter: from the handle, else the name."""
    return slugify(str(entry.get("handle") or entry.get("name") or ""))
