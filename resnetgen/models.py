"""The records every output is made from. Built once by loading; never mutated.

A briefing's page, feed entry and calendar event all read the same `Post`, so
they can never disagree.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from resnetgen.lint import SourceFacts

POST = "post"  # dated entries: briefings and ordinary posts
PAGE = "page"  # standalone pages under content/pages/

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Person:
    key: str            # the name used in front matter `hosts:` and in URLs
    name: str
    handle: str = ""    # "@salpratten", as written on the chat's network
    profile_url: str = ""
    bio: str = ""
    url: str = ""       # this person's page on the site


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Comment:
    """A reader's comment from the old blog: archived, shown read-only."""
    author: str
    date: datetime      # aware
    html: str           # sanitised when loaded, whatever the front matter says


class Later:
    """A value made when first read: a cached post's body, which the build cache keeps
    apart and reads only for the pages and feeds that show it (see LazyText)."""
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], str]):
        self.make = make


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
    """A str field of a frozen dataclass that may be given as a Later or Packed."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, record, owner=None):
        if record is None:
            return ""  # the field's default
        value = record.__dict__[self.slot]
        if type(value) is Later:
            value = record.__dict__[self.slot] = value.make()
        if type(value) is Packed:  # inflated for each use: kept small where it is kept
            return value.text()
        return value

    def __set__(self, record, value) -> None:
        record.__dict__[self.slot] = value


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

    def __getstate__(self) -> dict:
        """Pickled with its body (maybe Packed), never with a Later (which knows how to
        read it here only)."""
        state = dict(self.__dict__)
        if type(state["_body_html"]) is Later:
            state["_body_html"] = self.body_html
        return state

    def packed_body(self) -> bytes:
        """The body compressed (see Packed), as the build cache keeps it."""
        value = self.__dict__["_body_html"]
        if type(value) is Later:
            value = self.__dict__["_body_html"] = value.make()
        return bytes(value) if type(value) is Packed else bytes(packed(value))

    def without_body(self) -> "Post":
        return replace(self, body_html="")

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

