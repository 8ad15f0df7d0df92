"""The records every output is made from. Built once by loading; never mutated.

A briefing's page, feed entry and calendar event all read the same `Post`, so
they can never disagree.
"""

from __future__ import annotations

import zlib
from collections import namedtuple
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from resnetgen.lint import SourceFacts

POST = "post"  # dated entries: briefings and ordinary posts
PAGE = "page"  # standalone pages under content/pages/

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


class Later:
    """A value made when first read, `make(*args)`: a cached post's body, which the build
    cache keeps apart and reads only for the pages and feeds that show it (see
    LazyText). The function is one for every post (a bound method each: 10,000 more
    objects), its arguments apart. Made once, then kept here (a record's fields cannot
    change), its arguments let go of."""
    __slots__ = ("function", "args", "made")

    def __init__(self, function: Callable[..., str], *args: Any):
        self.function, self.args, self.made = function, args, None

    def make(self) -> Any:
        if self.args is not None:
            self.made, self.args = self.function(*self.args), None
        return self.made

    def read(self) -> Any:
        """The value, made now but not kept when it was not made yet."""
        return self.made if self.args is None else self.function(*self.args)


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
    """A str field of an `as_tuple` record that may be given as a Later or Packed: read,
    it is text; its value as given is read by the field's name with a "_" before it."""
    index = -1  # the field's place in the record: set by as_tuple

    def __get__(self, record, owner=None):
        if record is None:
            return ""  # the field's default
        value = record[self.index]
        if type(value) is Later:
            value = value.make()
        if type(value) is Packed:  # inflated for each use: kept small where it is kept
            return value.text()
        return value


def as_tuple(cls):
    """A frozen dataclass remade as a tuple of its fields, each read by a named tuple's
    accessor (a field read costs about what a slot's does). Made from its fields in one
    C call, `tuple.__new__(cls, values)`: a rebuild makes 10,000 posts and chats from
    the cache (see post_codec), and a dataclass's __init__ sets each field by a call
    of object.__setattr__ (5 us a post, on the one core a rebuild's start runs on).
    Otherwise as its dataclass: made with the same arguments (defaults, default
    factories), its ==, hash and repr over its fields as declared, frozen,
    dataclasses.fields and replace; not ordered (as a dataclass is not). No dict per
    instance: a Post's was 830 bytes, its tuple is 224 (6 MB at 10,000 posts, in the
    main process and in every forked one that touches them)."""
    names = [f.name for f in fields(cls)]
    # The named tuple held while its accessors are read: a class no longer referred to
    # has its dict emptied when the garbage collector frees it (KeyError at import).
    fields_tuple = namedtuple(f"{cls.__name__}Fields", names)
    accessors = vars(fields_tuple)
    namespace = {key: value for key, value in vars(cls).items()
                 if key not in ("__dict__", "__weakref__", "__init__") and
                 (key not in names or isinstance(value, LazyText))}
    for index, name in enumerate(names):
        if isinstance(namespace.get(name), LazyText):
            namespace[name].index = index
            namespace["_" + name] = accessors[name]
        else:
            namespace[name] = accessors[name]
    for name in ("count", "index"):  # a tuple's methods, not attributes (see _NoAttribute)
        namespace.setdefault(name, _NoAttribute())
    namespace.update(__slots__=(), __new__=_new_of(cls), __reduce__=_reduce,
                     __lt__=object.__lt__, __le__=object.__le__,
                     __gt__=object.__gt__, __ge__=object.__ge__, **_equality(vars(cls)["__eq__"]))
    made = type(cls.__name__, (tuple,), namespace)
    made.__qualname__ = cls.__qualname__
    return made


class _NoAttribute:
    """A tuple method's name read as an attribute: missing, as on the dataclass. Else a
    template's `post.count` (StrictUndefined: a stopped build) would print the method,
    with its address (output that differs from one build to the next)."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, record, owner=None):
        raise AttributeError(f"{owner.__name__!r} object has no attribute {self.name!r}")


def _equality(equal: Callable) -> dict[str, Callable]:
    """== and != as the dataclass's (a tuple's would compare every field, and equal a
    plain tuple of the same values)."""
    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return equal(self, other)
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other):
        same = __eq__(self, other)
        return same if same is NotImplemented else not same
    return {"__eq__": __eq__, "__ne__": __ne__}


_NOT_GIVEN = object()  # an argument with a default factory, not given


def _new_of(cls) -> Callable:
    """A __new__ taking the arguments of the dataclass's __init__, written (as dataclasses
    and namedtuple write theirs) for a call as fast as theirs."""
    parameters, values = [], []
    scope: dict[str, Any] = {"_tuple_new": tuple.__new__, "_NOT_GIVEN": _NOT_GIVEN}
    for f in fields(cls):
        if f.default_factory is not MISSING:
            scope[f"_make_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=_NOT_GIVEN")
            values.append(f"_make_{f.name}() if {f.name} is _NOT_GIVEN else {f.name}")
        else:
            if f.default is not MISSING:
                scope[f"_default_{f.name}"] = f.default
            parameters.append(f.name if f.default is MISSING else f"{f.name}=_default_{f.name}")
            values.append(f.name)
    exec(f"def __new__(cls, {', '.join(parameters)}):\n"
         f"    return _tuple_new(cls, ({', '.join(values)},))", scope)
    return scope["__new__"]


def _reduce(record) -> tuple:
    """Pickled as its fields; a lazy one made (a Later knows how to read it here only)."""
    return _remade, (type(record), tuple(
        (value.make() if type(value) is Later else value) for value in record))


def _remade(cls, values: tuple):
    return tuple.__new__(cls, values)


@dataclass(frozen=True, slots=True)
class Person:
    key: str            # the name used in front matter `hosts:` and in URLs
    name: str
    handle: str = ""    # "@salpratten", as written on the chat's network
    profile_url: str = ""
    bio: str = ""
    url: str = ""       # this person's page on the site


@as_tuple
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


@as_tuple
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


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader's comment from the old blog: archived, shown read-only."""
    author: str
    date: datetime      # aware
    html: str           # sanitised when loaded, whatever the front matter says


@as_tuple
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
        """Its fields, its body as kept (maybe Packed), never a Later (see _reduce)."""
        return _reduce(self)[1][1]

    def raw_body(self) -> "str | Packed":
        """The body as kept: a str, or Packed (a Later is read now)."""
        value = self._body_html
        return value.make() if type(value) is Later else value

    def packed_body(self) -> bytes:
        """The body compressed (see Packed), as the build cache keeps it. A body not yet
        read is read, not kept (the cache's save: each read once)."""
        value = self._body_html
        if type(value) is Later:
            value = value.read()
        return bytes(value) if type(value) is Packed else bytes(packed(value))

    def without_body(self) -> "Post":
        return self.but(body_html="")

    def but(self, **changes: Any) -> "Post":
        """dataclasses.replace(self, **changes), field by field as kept (a body Packed
        or to be read stays so): 2 us, not 15."""
        values = list(self)
        for name, value in changes.items():
            index = _POST_INDEX.get(name)
            if index is None:
                raise TypeError(f"Post has no field {name!r}")
            values[index] = value
        return tuple.__new__(Post, values)

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


_POST_INDEX = {f.name: index for index, f in enumerate(fields(Post))}
BODY = _POST_INDEX["body_html"]  # a Post's body's place among its fields


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

