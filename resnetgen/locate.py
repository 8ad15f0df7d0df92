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
    return key_lines(text, (path,), first_line)[0]


def key_lines(text: str, paths, first_line: int = 1) -> list[int]:
    """key_line of each path, the text split once and a path's search continued from
    its longest prefix searched before (every loaded file asks for four keys)."""
    lines = text.splitlines()
    searched: dict[tuple, tuple[int, int, bool]] = {(): (0, 0, True)}  # found, position, all?
    result = []
    for path in paths:
        path = tuple(map(str, path))  # (1,) and (True,) are equal tuples, not keys alike
        depth = len(path)
        while path[:depth] not in searched:
            depth -= 1
        found, position, complete = searched[path[:depth]]
        for depth in range(depth, len(path)):
            if not complete:
                break
            name = path[depth]
            match = _key_pattern(name).match
            for index in range(position, len(lines)):
                line = lines[index]
                if name in line and match(line):
                    found, position = index, index + 1
                    break
            else:
                complete = False
            searched[path[:depth + 1]] = (found, position, complete)
        result.append(first_line + found)
    return result


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
