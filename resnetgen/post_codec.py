"""A loaded Post as plain data (str, int, tuples, dicts) for the build cache, and back.

marshal reads plain data many times faster than pickle rebuilds dataclasses and
date-times (at 10,000 posts: the larger part of a rebuild's loading). The body is
not part of it: the cache keeps bodies apart, read only where a page needs one
(see models.Later). A post holding anything this form cannot say exactly (a date-time
with a fixed offset, a date in `extra`) is kept pickled instead: never approximated.
"""

from __future__ import annotations

import marshal
import pickle
import sys
from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from resnetgen.lint import SourceFacts
from resnetgen.models import Chat, Comment, Paper, Person, Post
from resnetgen.problems import Problem


class NotPlain(Exception):
    """A value this form cannot hold exactly."""


def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)  # ZoneInfo keeps one instance per key


def _str(value) -> str:
    if type(value) is not str:
        raise NotPlain
    return value


def _strs(value) -> tuple:
    if type(value) is not tuple or any(type(item) is not str for item in value):
        raise NotPlain
    return value


def _moment(value):
    if value is None:
        return None
    tz = value.tzinfo
    if type(value) is not datetime or type(tz) is not ZoneInfo or _zone(tz.key) is not tz:
        raise NotPlain
    # As pickle keeps it (protocol 4: the fold too), 10 bytes that datetime() takes back:
    # one object for marshal, and one call, not a tuple of nine (3 a post: 0.4 us each).
    state = value.__reduce_ex__(4)[1][0]
    if type(state) is not bytes or len(state) != 10:
        raise NotPlain
    return (state, tz.key)


_ZONES: dict[str, ZoneInfo] = {}


def _from_moment(plain):
    if plain is None:
        return None
    state, key = plain
    return datetime(state, _ZONES.get(key) or _zone_of(key))


def _marshalled(value):
    marshal.dumps(value)  # raises ValueError for anything marshal cannot hold
    return value


def _chat(chat: Chat | None):
    if chat is None:
        return None
    if type(chat) is not Chat or type(chat.sequence) is not int:
        raise NotPlain
    return (_moment(chat.start), _moment(chat.end), _shared_str(chat.timezone),
            _shared_str(chat.hashtag), _shared_str(chat.status), chat.sequence, _str(chat.uid))


def _person(person: Person):
    if type(person) is not Person:
        raise NotPlain
    return tuple(_str(getattr(person, name)) for name in
                 ("key", "name", "handle", "profile_url", "bio", "url"))


# id(person) -> (person, its plain form): the same few hosts on thousands of posts, each
# checked once (a frozen record; the person is kept, so its id is not reused).
_PERSONS: dict[int, tuple] = {}


def _hosts(hosts) -> tuple:
    if type(hosts) is not tuple:
        raise NotPlain
    plain = []
    for person in hosts:
        known = _PERSONS.get(id(person))
        if known is None or known[0] is not person:
            known = _kept(_PERSONS, id(person), (person, _person(person)))
        plain.append(known[1])
    return _shared(tuple(plain))


def _tags(tags) -> tuple:
    """Tags as _shared interned text, looked up before they are interned again."""
    if type(tags) is not tuple or not _only(tags, str):
        raise NotPlain
    return _SHARED.get(tags) or _kept(_SHARED, tags, tuple(map(_shared_str, tags)))


def _only(values, kind) -> bool:
    """Whether every value is exactly of `kind` (in C: no generator)."""
    return set(map(type, values)) <= {kind}


def _paper(paper: Paper | None):
    if paper is None:
        return None
    if type(paper) is not Paper or not (paper.year is None or type(paper.year) is int):
        raise NotPlain
    return (_str(paper.title), _shared(tuple(map(_shared_str, _strs(paper.authors)))),
            paper.year, _shared_str(paper.venue), _str(paper.doi), _str(paper.url))


def _comment(comment: Comment):
    if type(comment) is not Comment:
        raise NotPlain
    return (_str(comment.author), _moment(comment.date), _str(comment.html))


def _facts(facts: SourceFacts | None):
    if facts is None:
        return None
    if (type(facts) is not SourceFacts or type(facts.lines) is not dict
            or type(facts.images_without_alt) is not tuple
            or type(facts.rooted_links) is not tuple):
        raise NotPlain
    # Items, not a dict: hashable, so that equal facts are one object (see _shared).
    lines = tuple(facts.lines.items())
    if not facts.rooted_links and _only(facts.lines, str) and _only(facts.lines.values(), int) \
            and _only(facts.images_without_alt, int):  # plain: no need to ask marshal
        known = _SHARED.get((lines, facts.images_without_alt, ()))
        if known is not None:
            return known
    lines = tuple((_shared_str(key), line) for key, line in lines)
    return _shared(_marshalled((lines, facts.images_without_alt, facts.rooted_links)))


def to_plain(post: Post) -> "tuple | bytes":
    """The post without its body, as plain data; else pickled (bytes)."""
    try:
        if type(post) is not Post:
            raise NotPlain
        (source_path, kind, title, date, updated, slug, url, output_path, permalink, summary,
         _, tags, draft, aliases, chat, hosts, paper, questions, author, image, comments, extra,
         facts) = post  # (its body left out: see the module's doc)
        if (type(draft) is not bool or type(comments) is not tuple or type(extra) is not dict
                or not _only((source_path, title, slug, url, output_path, permalink, summary,
                              author, image), str)):
            raise NotPlain
        return (source_path, _shared_str(kind), title, _moment(date), _moment(updated), slug,
                url, output_path, permalink, summary, _tags(tags), draft, _strs(aliases),
                _chat(chat), _hosts(hosts), _paper(paper), _strs(questions), author, image,
                tuple(map(_comment, comments)), _marshalled(extra) if extra else extra,
                _facts(facts))
    except (NotPlain, ValueError):
        return pickle.dumps(post.without_body(), pickle.HIGHEST_PROTOCOL)


def from_plain(plain: "tuple | bytes", body) -> Post:
    """The Post of `to_plain`, its body `body` (a str, Packed or a models.Later). 10,000 a
    rebuild at 10,000 posts: made as the tuples they are (see models.as_tuple), their
    date-times inline (no call each), a post's hosts as one lookup of their tuple, no
    generator for no comments."""
    if type(plain) is bytes:
        post = pickle.loads(plain)
        if type(post) is not Post:
            raise ValueError("not a post")
        return post.but(body_html=body)
    (source_path, kind, title, date, updated, slug, url, output_path, permalink, summary,
     tags, draft, aliases, chat, hosts, paper, questions, author, image, comments, extra,
     facts) = plain
    zones = _ZONES
    if date is not None:
        state, key = date
        date = datetime(state, zones.get(key) or _zone_of(key))
    if chat is not None:
        start, end, timezone, hashtag, status, sequence, uid = chat
        state, key = start
        start = datetime(state, zones.get(key) or _zone_of(key))
        state, key = end
        end = datetime(state, zones.get(key) or _zone_of(key))
        chat = _new(Chat, (start, end, timezone, hashtag, status, sequence, uid))
    if paper is not None:
        if type(paper) is not tuple or len(paper) != _PAPER_FIELDS:
            raise NotPlain
        paper = _new(Paper, paper)
    return _new(Post, (
        source_path, kind, title, date, None if updated is None else _from_moment(updated),
        slug, url, output_path, permalink, summary, body,
        _TAGS.get(tags) or _kept(_TAGS, tags, tags), draft, aliases, chat,
        (_HOSTS.get(hosts) or _hosts_of(hosts)) if hosts else (), paper,
        questions, author, image,
        tuple(Comment(author, _from_moment(moment), html) for author, moment, html in comments)
        if comments else (),
        extra, None if facts is None else _FACTS.get(facts) or _facts_of(facts)))


_new = tuple.__new__  # a record of its fields: see models.as_tuple
_PAPER_FIELDS = len(fields(Paper))


def _zone_of(key: str) -> ZoneInfo:
    return _ZONES.setdefault(key, _zone(key))


_PEOPLE: dict[tuple, Person] = {}  # the same few hosts on thousands of posts: made once


def _person_of(plain: tuple) -> Person:
    return _kept(_PEOPLE, plain, Person(*plain))


_HOSTS: dict[tuple, tuple] = {}  # a post's hosts (a few hundred pairs) -> their Persons


def _hosts_of(plain: tuple) -> tuple:
    return _kept(_HOSTS, plain, tuple(_PEOPLE.get(host) or _person_of(host) for host in plain))


# Each post's tags and editor facts as one object per distinct value: a few hundred
# tag sets and facts for thousands of posts (2-3 MB at 10,000 posts). Read only.
_TAGS: dict[tuple, tuple] = {}
_FACTS: dict[tuple, SourceFacts] = {}


def _facts_of(plain: tuple) -> SourceFacts:
    lines, images, rooted = plain
    return _kept(_FACTS, plain, SourceFacts(dict(lines), images, rooted))


# Written by one marshal.dumps, an object met twice is written once and read back as one
# object (a str marked interned is also interned when read): a shard's posts then share
# their tags, authors, zone names, hosts and facts instead of each holding a copy.
_SHARED: dict = {}


def _shared(value):
    return _SHARED.get(value) or _kept(_SHARED, value, value)


def _kept(table: dict, key, value):
    """table[key] = value, the table emptied first when full: a long `serve` meets new
    values edit after edit, and these tables only save memory."""
    if len(table) >= 100_000:
        table.clear()
    table[key] = value
    return value


def _shared_str(value) -> str:
    return sys.intern(_str(value))


def problems_to_plain(problems: tuple) -> tuple:
    if any(type(p) is not Problem for p in problems):
        raise NotPlain
    return tuple((_str(p.path), p.line, _str(p.message), _str(p.hint), _str(p.severity))
                 for p in problems)


def problems_from_plain(plain: tuple) -> tuple:
    return tuple(Problem(*fields) for fields in plain)
