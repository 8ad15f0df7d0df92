"""The records every output is made from. Built once by loading; never mutated.

A briefing's page, feed entry and calendar event all read the same `Post`, so
they can never disagree.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from resnetgen.lint import SourceFacts

POST = "post"  # dated entries: briefings and ordinary posts
PAGE = "page"  # standalone pages under content/pages/

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Person:
    key: str            # the name used in front matter `hosts:` and in URLs
    name: str
    handle: str = ""    # "@salpratten", as written on the chat's network
    profile_url: str = ""
    bio: str = ""
    url: str = ""       # this person's page on the site


@dataclass(frozen=True, slots=True)
class Paper:
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    doi: str = ""
    url: str = ""

    @property
    def link(self) -> str:
        """Where the paper can be read: its DOI resolver link, else its URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


@dataclass(frozen=True, slots=True)
class Chat:
    start: datetime     # aware, in `timezone`
    end: datetime       # aware, in `timezone`
    timezone: str
    hashtag: str
    status: str = SCHEDULED
    sequence: int = 0   # raise by one each time the chat is rescheduled
    uid: str = ""       # calendar identity; fixed once published

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader's comment from the old blog: archived, shown read-only."""
    author: str
    date: datetime      # aware
    html: str           # sanitised when loaded, whatever the front matter says


class Later:
    """A value made when first read, `make(*args)`: a cached post's body, which the build
    cache keeps apart and reads only for the pages and feeds that show it (see
    LazyText). The function is one for every post (a bound method each: 10,000 more
    objects), its arguments apart."""
    __slots__ = ("function", "args")

    def __init__(self, function: Callable[..., str], *args: Any):
        self.function, self.args = function, args

    def make(self) -> str:
        return self.function(*self.args)


class Packed(bytes):
    """Text kept zlib-compressed in a LazyText field, inflated when first read."""

    def text(self) -> str:
        return zlib.decompress(self).decode("utf-8")


def packed(text: str) -> Packed:
    # An 8 KiB window and less state than zlib.compress's (256 KiB, set up afresh each
    # call: most of the time for a post's body): 92 -> 38 us a body, 0.1 % larger.
    # Still a zlib stream, which zlib.decompress reads whatever its window.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 13, 6)
    return Packed(compressor.compress(text.encode("utf-8")) + compressor.flush())


class LazyText:
    """A str field of a frozen dataclass that may be given as a Later or Packed, kept in
    the slot of its name with a "_" before it (see with_slots)."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, record, owner=None):
        if record is None:
            return ""  # the field's default
        value = getattr(record, self.slot)
        if type(value) is Later:
            value = value.make()
            object.__setattr__(record, self.slot, value)
        if type(value) is Packed:  # inflated for each use: kept small where it is kept
            return value.text()
        return value

    def __set__(self, record, value) -> None:
        object.__setattr__(record, self.slot, value)


def with_slots(cls):
    """A frozen dataclass remade with __slots__ and no per-instance dict (as
    dataclass(slots=True) does, which cannot keep a LazyText field: its slot is the
    field's name). A Post's dict was 830 bytes, its slots are 200: 6 MB at 10,000 posts,
    in the main process and in every forked one that touches them."""
    lazy = {name for name, value in vars(cls).items() if isinstance(value, LazyText)}
    names = [f.name for f in fields(cls)]
    namespace = {key: value for key, value in vars(cls).items()
                 if key not in ("__dict__", "__weakref__") and
                 (key not in names or key in lazy)}
    namespace["__slots__"] = tuple("_" + name if name in lazy else name for name in names)
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


@with_slots
@dataclass(frozen=True)
class Post:
    source_path: str            # relative to the site folder, '/'-separated
    kind: str                   # POST or PAGE
    title: str
    date: datetime              # aware; publication time
    updated: datetime | None
    slug: str
    url: str                    # site-absolute, with base path: '/blog/2018/01/x/'
    output_path: str            # relative to output/: '2018/01/x/index.html'
    permalink: str              # absolute: 'https://host/blog/2018/01/x/'
    summary: str                # plain text
    body_html: str = LazyText()  # type: ignore[assignment]  (read when first used)
    tags: tuple[str, ...] = ()
    draft: bool = False
    aliases: tuple[str, ...] = ()
    chat: Chat | None = None
    hosts: tuple[Person, ...] = ()
    paper: Paper | None = None
    questions: tuple[str, ...] = ()
    author: str = ""
    image: str = ""             # absolute URL of a share image, if any
    comments: tuple[Comment, ...] = ()  # from the old blog, oldest first
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Lines in the source file, for editor warnings (not for templates).
    facts: SourceFacts | None = field(default=None, hash=False, compare=False, repr=False)

    def __getstate__(self) -> tuple:
        """Pickled with its body (maybe Packed), never with a Later (which knows how to
        read it here only)."""
        body = self.raw_body()
        return tuple(body if slot == "_body_html" else getattr(self, slot)
                     for slot in Post.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for slot, value in zip(Post.__slots__, state):
            object.__setattr__(self, slot, value)

    def raw_body(self) -> "str | Packed":
        """The body as kept: a str, or Packed (a Later is read now)."""
        value = self._body_html
        if type(value) is Later:
            value = value.make()
            object.__setattr__(self, "_body_html", value)
        return value

    def set_body(self, value: "str | Packed | Later") -> None:
        """Given its body after it was made (the loader packs it, the cache reads it)."""
        object.__setattr__(self, "_body_html", value)

    def packed_body(self) -> bytes:
        """The body compressed (see Packed), as the build cache keeps it. A body not yet
        read is read, not kept (the cache's save: each read once)."""
        value = self._body_html
        if type(value) is Later:
            value = value.make()
        return bytes(value) if type(value) is Packed else bytes(packed(value))

    def without_body(self) -> "Post":
        return self.but(body_html="")

    def but(self, **changes: Any) -> "Post":
        """dataclasses.replace(self, **changes), slot by slot: 6 us, not 15 (replace
        looks up each field and calls __init__ with them all)."""
        unknown = changes.keys() - _POST_FIELDS
        if unknown:
            raise TypeError(f"Post has no field {sorted(unknown)[0]!r}")
        made = object.__new__(Post)
        for slot, name in _POST_SLOTS:
            object.__setattr__(made, slot, changes[name] if name in changes else
                               getattr(self, slot))
        return made

    @property
    def is_briefing(self) -> bool:
        return self.chat is not None

    @property
    def last_modified(self) -> datetime:
        return self.updated or self.date

    @property
    def identity(self) -> str:
        """Stable name of this post: its source path without extension."""
        stem = self.source_path.rsplit(".", 1)[0]
        return stem.removeprefix("content/")


_POST_SLOTS = tuple((slot, f.name) for slot, f in zip(Post.__slots__, fields(Post)))
_POST_FIELDS = frozenset(name for _, name in _POST_SLOTS)
assert all(slot.lstrip("_") == name for slot, name in _POST_SLOTS)


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class YearArchive:
    year: int
    posts: tuple[Post, ...]

