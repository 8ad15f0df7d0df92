"""The chats' events for the calendar files, each got the cheapest way: kept from the
last build's events.ics, read from the build cache's memo, or made.

A title edit changes one event of events.ics (18 MB at 10,000 chats). The cache keeps an
index of that file (`INDEX`): where each chat's event lies in it, the digest of its post
without its body (all an event reads of a post: see calendar.event_fields) and the
event's links for the link check (see ics_links.IcsLinks.packed). While the file stands
in output/ as the build that wrote the index made it (Incremental.reuse: its record's
key is the index's, the file untouched since) and the settings, people and code are as
they were (the outputs' surface, which every event's key covers), the event of a post
with the same digest is those bytes, links and all: copied, neither made (1.4 ms each)
nor read from the memo (16 files, 20 MB) under a key made for each of 10,000 posts.
Otherwise (a first build, that file touched, a build that failed after writing its
index, a damaged index) the events come from the memo, or are made, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from resnetgen.ics_links import IcsLinks, part_links, shared_part_links
from resnetgen.urls import CALENDAR_ROUTE

if TYPE_CHECKING:
    from resnetgen.incremental import Incremental
    from resnetgen.linkcheck import XmlRead
    from resnetgen.models import Post

INDEX = "calendar.marshal"  # the cache's file (see BuildCache.read_file)
SHAPE = "events.ics index 1"
MANY = 64  # more events than this to make: through the memo, which may hold them (a
# branch switched back to), else each made directly (reading the memo costs ~50 ms)


class LastCalendar:
    """The last build's events.ics and its index (see the module's notes)."""

    def __init__(self, incremental: Incremental, key: str, size: int, paths: list,
                 listings: list, offsets: list, links: list):
        self.incremental, self.key, self.size = incremental, key, size
        self.at = {path: n for n, path in enumerate(paths)}
        self.listings, self.offsets, self.links = listings, offsets, links
        self.view: memoryview | None = None  # the file, read when an event is first asked for
        self.lost = False  # found touched since, or gone: no event from here

    def event(self, path: str, listing: str | None) -> tuple[memoryview, object] | None:
        """(the event's bytes in the file, its packed links) when the chat at `path`
        was listed as `listing` then, else None."""
        n = self.at.get(path)
        if n is None or not listing or self.listings[n] != listing:
            return None
        if self.view is None:
            self.view = self._read()
            if self.view is None:
                self.at, self.lost = {}, True
                return None
        return self.view[self.offsets[n]:self.offsets[n + 1]], self.links[n]

    def _read(self) -> memoryview | None:
        previous = self.incremental.reuse(CALENDAR_ROUTE, self.key)
        if previous is None:
            return None
        try:
            with open(previous.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        return memoryview(data) if len(data) == self.size else None

    def release(self) -> None:
        """Lets go of the file (18 MB at 10,000 chats): no view of it is held any more."""
        self.view, self.at = None, {}


def last_calendar(incremental: Incremental) -> LastCalendar | None:
    """The last build's events.ics as its index describes it, if the index is this
    build's to use (see the module's notes): the file is read when first needed."""
    saved = incremental.cache.read_file(INDEX)
    try:
        shape, surface, key, size, paths, listings, offsets, links = saved  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    record = incremental.cache.outputs.get(CALENDAR_ROUTE)
    if (shape != SHAPE or surface != incremental.outputs_surface or record is None
            or record.key != key or record.size != size
            or not all(type(part) is list for part in (paths, listings, offsets, links))
            or not len(paths) == len(listings) == len(links) == len(offsets) - 1
            or not all(type(at) is int for at in offsets)
            or offsets != sorted(offsets) or (offsets and not 0 <= offsets[0] <= offsets[-1] <= size)):
        return None
    return LastCalendar(incremental, key, size, paths, listings, offsets, links)


class ChatEvents:
    """Every chat's event, got once: kept from `last` (a LastCalendar), else from
    `memo(what, make)` (the build cache's) or made by `fresh(post)` -> (bytes, packed
    links or None). `listing`: source path -> the post's digest without its body."""

    def __init__(self, fresh: Callable[[Post], bytes], memo: Callable,
                 last: LastCalendar | None = None, listing: dict[str, str] | None = None):
        self.fresh, self.memo, self.last, self.listing = fresh, memo, last, listing or {}
        self.events: dict[str, bytes | memoryview] = {}  # source path -> its event
        # source path -> the event's links (IcsLinks.packed), where known without reading it
        self.links: dict[str, object] = {}
        self.kept: dict[str, int] | None = None  # chats kept from `last` -> their place in
        self.placed: tuple | None = None         # ... `placed`: (new events.ics, chats, offsets)

    def get(self, post: Post) -> bytes:
        """The event of `post` (a briefing), as bytes."""
        self.find([post])
        data = self.events[post.source_path]
        if type(data) is bytes:
            return data
        if data is None:  # kept from the last events.ics: in the new one now
            data = self._placed(post.source_path)
        return bytes(data)

    def __getitem__(self, path: str) -> bytes:  # (for IcsLinks: of an event got already)
        data = self.events[path]
        return bytes(data if data is not None else self._placed(path))

    def find(self, posts: Iterable[Post]) -> None:
        events, last, listing = self.events, self.last, self.listing
        missing = []
        for post in posts:
            path = post.source_path
            if path in events:
                continue
            kept = last.event(path, listing.get(path)) if last is not None else None
            if kept is None:
                missing.append(post)
            else:
                events[path], self.links[path] = kept
        if not missing:
            return
        if last is None or last.lost or len(missing) > MANY:
            memo, made_here = self.memo, self._made_here
            for post in missing:
                events[post.source_path] = memo(("event", post), lambda post=post: made_here(post))
        else:
            for post in missing:
                events[post.source_path] = self._made_here(post)

    def _made_here(self, post: Post) -> bytes:
        data, links = self.fresh(post)
        if links is not None:
            self.links[post.source_path] = links
        return data

    def calendar(self, head: bytes, zones: list[bytes], chats: list[Post], end: bytes
                 ) -> tuple[bytes, tuple]:
        """(events.ics: `head` (the calendar's own lines), `zones`, every chat's event and
        `end`; its index: (size, listings, offsets, links)). Made from the last one, it
        carries its links, found from its parts (linkcheck.XmlRead: reading 18 MB back
        took 0.07 s), the last one let go of first: an XmlRead is a copy, 18 MB more,
        which a build making every event (its memo holding them) cannot afford."""
        from resnetgen.linkcheck import read_in_parts
        self.find(chats)
        events, links, listing = self.events, self.links, self.listing
        as_read = self.last is not None and not self.last.lost
        urls: list[str] = []
        lines: list[int] = []
        line = 0
        if as_read:
            for own_urls, own_lines, size in (part_links(head), *map(shared_part_links, zones)):
                urls.extend(own_urls)
                lines.extend(line + own for own in own_lines)
                line += size
        at = len(head) + sum(map(len, zones))
        offsets, packed, pieces = [], [], [head, *zones]
        for post in chats:
            path = post.source_path
            data = events[path]
            pieces.append(data)
            offsets.append(at)
            at += len(data)
            known = links.get(path)
            if known is None:  # (the memo's)
                known = links[path] = IcsLinks.packed(post, part_links(bytes(data)))
            packed.append(known)
            if not as_read:
                continue
            if type(known) is int:
                urls.append(post.permalink)
                lines.append(line + (known >> 16))
                line += known & 0xFFFF
            else:
                own_urls, own_lines, size = known  # type: ignore[misc]
                urls.extend(own_urls)
                lines.extend(line + own for own in own_lines)
                line += size
        offsets.append(at)
        pieces.append(end)
        data = b"".join(pieces)
        del pieces
        index = (len(data), [listing.get(p.source_path, "") for p in chats], offsets, packed)
        if not as_read:
            return data, index
        kept = [path for path, event in events.items() if type(event) is memoryview]
        for path in kept:  # (from here on, in the new file: see _placed)
            events[path] = None  # type: ignore[assignment]
        self.last.release()  # type: ignore[union-attr]
        read = read_in_parts(data, (), urls, lines)
        del data
        self.placed = (read, chats, offsets)
        return read, index

    def _placed(self, path: str) -> memoryview:
        """A kept chat's event, in the new events.ics."""
        read, chats, offsets = self.placed  # type: ignore[misc]
        if self.kept is None:
            self.kept = {post.source_path: n for n, post in enumerate(chats)}
        n = self.kept[path]
        return memoryview(read)[offsets[n]:offsets[n + 1]]


def remember(incremental: Incremental, key: str, chats: list[Post], index: tuple) -> None:
    """The index of the events.ics just made under `key`, for the next build."""
    size, listings, offsets, links = index
    incremental.cache.write_file(INDEX, (SHAPE, incremental.outputs_surface, key, size,
                                         [post.source_path for post in chats], listings,
                                         offsets, links))
