"""Find the line of a key in YAML or TOML text, for error messages.

Parsers hand back plain values without positions; rather than parse twice on the
happy path, we look the key up in the source text only when something is wrong.
"""

from __future__ import annotations

import re
from functools import lru_cache


def key_line(text: str, path: tuple[str, ...], first_line: int = 1) -> int:
    """Line number (counting from `first_line`) where the last key of `path` is set.

    Keys are searched in order, each after the previous one, so ("chat", "start")
    finds `start:` inside the `chat:` block. Falls back to the deepest key found.
    """
    lines = text.splitlines()
    found = 0
    position = 0
    for key in path:
        name = str(key)
        match = _key_pattern(name).match
        for index in range(position, len(lines)):
            line = lines[index]
            if name in line and match(line):  # (every loaded file asks for four keys)
                found = index
                position = index + 1
                break
        else:
            break
    return first_line + found


@lru_cache(maxsize=256)
def _key_pattern(key: str) -> re.Pattern:
    return re.compile(r"^\s*(?:-\s+)?(?:\[\[?\s*(?:[\w.\"' -]+\.)?)?[\"']?"
                      + re.escape(key) + r"[\"']?\s*(?::|=|\]\]?)")


def link_line(text: str, url: str) -> int:
    """Line of a link in a source file: the URL as written, else its #fragment, else 1.

    A link the Markdown rewrote (`other.md` became `/blog/2018/01/other/`) is found
    by its fragment when it has one; otherwise the error points at the file's top.
    """
    fragment = url.partition("#")[2]
    for needle in (url, f"#{fragment}" if fragment else ""):
        if needle:
            for number, line in enumerate(text.splitlines(), start=1):
                if needle in line:
                    return number
    return 1
