"""The calendar files' links, found as they are made, for the link check.

The link check reads an .ics file's URL and ATTACH lines (linkcheck.extract). A chat's
file is made of parts, each whole content lines: the calendar's own lines and its
zone's (the same in many files), and its event (also in events.ics). A file's links
are its parts', each part's lines after those of the parts before it; the file is
handed over as a linkcheck.XmlRead carrying them, not read again. events.ics is read
by the link check: 18 MB at 10,000 chats, copied into an XmlRead, would be 18 MB more
at once in the process making it (whose peak it set).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from resnetgen.models import Post


class IcsLinks:
    """The chats' files' links, as the link check reads them (linkcheck.XmlRead), found
    from their parts: an event made here has them from its lines (see event_read), the
    lines every file shares (a calendar's own, a zone's) are read once, an event made
    elsewhere (the cache's) alone. Reading each file whole took 0.1 s at 10,000 chats.
    A part is whole content lines: the links of the lines of the whole are the parts',
    each part's lines after those of the parts before it."""

    def __init__(self, events: Mapping[str, bytes], made_here: dict[str, object]):
        self.events = events
        # source path -> `packed` part_links of the event, where known without reading
        # it (made here, or kept from the last events.ics: see calendar_kept), popped
        # when used
        self.made_here = made_here

    @staticmethod
    def packed(post: Post, links: tuple) -> object:
        """An event's part_links, kept until its file is made (10,000 at once): the usual
        (its page's link alone) as one number, its line and the event's size."""
        urls, lines, size = links
        if urls == (post.permalink,) and lines[0] < 1 << 16 and size < 1 << 16:
            return lines[0] << 16 | size
        return links

    def event(self, post: Post) -> tuple[tuple[str, ...], tuple[int, ...], int]:
        known = self.made_here.pop(post.source_path, None)
        if known is None:
            return part_links(self.events[post.source_path])
        if type(known) is int:
            return (post.permalink,), (known >> 16,), known & 0xFFFF
        return known  # type: ignore[return-value]


def part_links(part: bytes) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """(urls, lines, how many lines) of whole content lines, as the link check reads
    them: the lines of the text unfolded (a line break then a space or tab is a fold)."""
    from resnetgen.linkcheck import ics_links
    urls, lines = ics_links(part)
    return urls, lines, part.count(b"\n") - part.count(b"\n ") - part.count(b"\n\t")


@lru_cache(maxsize=256)
def shared_part_links(part: bytes) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """part_links of a part many files share (a calendar's lines, a zone's)."""
    return part_links(part)


def event_links(data: bytes, ordered: list[bytes], url_at: int | None) -> tuple | None:
    """part_links(data) of an event, `data`, made of a begin line, the content lines
    `ordered` (each ending with its line break) and an end line, its URL line the one
    at `url_at` (no other of its properties is named as a link: see calendar.event_fields),
    found from those lines: None when it cannot be (then read it)."""
    size = len(ordered) + 2
    # Every line ends with its line break: no other than these (but folds) is in the
    # event, so each is one line of the text (as the link check unfolds it: a line
    # break then a space is a fold; then a tab too, which goes the long way here).
    if data.count(b"\n") - data.count(b"\n ") != size or b"\n\t" in data:
        return None
    if url_at is None:
        return (), (), size
    line = ordered[url_at]
    if not line.startswith(b"URL:"):
        return None
    text = line[4:-2].decode("utf-8", "replace").replace("\r\n", "\n")
    if "\n" in text:
        text = re.sub(r"\n[ \t]", "", text)
        if "\n" in text:
            return None
    if not text:  # (no link: "URL:" and nothing)
        return (), (), size
    return (text.strip(),), (url_at + 2,), size
