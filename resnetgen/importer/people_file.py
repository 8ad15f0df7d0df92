"""Hosts found by the importer, added to content/people.toml without touching the rest.

The file is only ever appended to: existing people, comments and layout stay as the
editor wrote them. A host already there (same handle) is used by their key.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field

from resnetgen.urls import slugify


class PeopleFileError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


@dataclass
class PeopleFile:
    text: str                                   # as it is on disk ('' when absent)
    keys: set[str] = field(default_factory=set)
    by_handle: dict[str, str] = field(default_factory=dict)
    added: dict[str, tuple[str, str]] = field(default_factory=dict)   # key -> (name, handle)

    @classmethod
    def parse(cls, text: str) -> "PeopleFile":
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PeopleFileError(getattr(exc, "lineno", 1) or 1, f"not valid TOML: {exc}") from None
        people = cls(text)
        for key, entry in raw.items():
            people.keys.add(key)
            handle = str(entry.get("handle", "")) if isinstance(entry, dict) else ""
            if handle:
                people.by_handle[handle.lstrip("@").lower()] = key
        return people

    def key_for(self, name: str, handle: str) -> str:
        """The key of this host, adding them when they are new."""
        known = self.by_handle.get(handle.lstrip("@").lower())
        if known:
            return known
        base = slugify(handle.lstrip("@")) or slugify(name) or "host"
        key, number = base, 2
        while key in self.keys:
            key, number = f"{base}-{number}", number + 1
        self.keys.add(key)
        self.by_handle[handle.lstrip("@").lower()] = key
        self.added[key] = (name, handle)
        return key

    def new_text(self) -> str:
        if not self.added:
            return self.text
        text = self.text
        if text and not text.endswith("\n"):
            text += "\n"
        parts = [text + ("\n" if text else "")
                 + "# Hosts added by `resnetgen import blogger`, read from the old blog's posts.\n"]
        for key, (name, handle) in self.added.items():
            parts.append(f"\n[{key}]\nname = {json.dumps(name, ensure_ascii=False)}\n"
                         f"handle = {json.dumps(handle, ensure_ascii=False)}\n")
        return "".join(parts)
