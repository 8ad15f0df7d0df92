"""How the site-wide outputs (feeds, calendars) hand over their files.

Each file is named as `output(path, what, make)`: its output path, what its bytes are
made from (walked like a page's context) and how to make them. It returns (path, the
bytes or the previous build's unchanged file, key). With the build cache
(Incremental.site_wide), a file whose `what` is as it was in the last build is that
build's file, neither made nor read again; without it, every file is made.
"""

from __future__ import annotations

from typing import Callable

Output = Callable[[str, object, Callable[[], bytes]], tuple]


def made_now(path: str, what: object, make: Callable[[], bytes]) -> tuple:
    """The Output of a build without a cache: every file made, with no key."""
    return path, make(), ""
