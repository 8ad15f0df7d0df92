"""What each output is made from, as one digest: the key under which it is reused.

A page's key covers its template surface (every template file, site.toml,
people.toml, resnetgen's code) and everything in its context, walked value by
value; a post counts as its digest (its file's bytes and the links it resolved) and,
for a briefing, whether it is upcoming at the build's clock. A page whose templates
never read a post's body (listings: home, topics, archive, events) counts each post
as the digest of its other fields only, so a changed paragraph re-renders the post's
own page, not every list it appears in. A template that reaches into `site` beyond
its settings and helpers (`site.posts`, `site.now`, ...) makes every page depend on
the whole site and the exact clock: never stale, just slower.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
from datetime import datetime
from typing import Callable

import jinja2
from jinja2 import nodes

from resnetgen.cache import digest
from resnetgen.models import Post

# The parts of `site` that depend only on settings and on the posts a page shows.
LOCAL_SITE_PARTS = {"config", "urls", "tag_url", "is_upcoming"}
# What in a template's text may read a post's body: its fields made from the Markdown
# body, and the filters that can reach any attribute or print a whole post.
BODY_WORDS = ("body_html", "facts", "attr", "pprint", "string", "tojson", "__")


def reaches_whole_site(env: jinja2.Environment) -> bool:
    """Whether any template uses `site` beyond LOCAL_SITE_PARTS."""
    for name in env.list_templates():
        try:
            tree = env.parse(env.loader.get_source(env, name)[0], name)  # type: ignore[union-attr]
        except jinja2.TemplateError:
            return True  # reported by check_templates; assume the worst here
        uses = sum(1 for n in tree.find_all(nodes.Name) if n.name == "site")
        local = sum(1 for n in tree.find_all(nodes.Getattr)
                    if isinstance(n.node, nodes.Name) and n.node.name == "site"
                    and n.attr in LOCAL_SITE_PARTS)
        if uses > local:
            return True
    return False


def body_readers(env: jinja2.Environment) -> frozenset[str]:
    """The templates that may read a post's body, themselves or through a template
    they extend, include or import (a name computed at render time: assume they do)."""
    direct: dict[str, bool] = {}
    uses: dict[str, set[str]] = {}
    for name in env.list_templates():
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            tree = env.parse(source, name)
        except jinja2.TemplateError:
            direct[name] = True  # reported by check_templates
            continue
        uses[name] = set()
        direct[name] = any(word in source for word in BODY_WORDS)
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            target = node.template
            if isinstance(target, nodes.Const) and isinstance(target.value, str):
                uses[name].add(target.value)
            elif isinstance(target, (nodes.List, nodes.Tuple)) and all(
                    isinstance(item, nodes.Const) for item in target.items):
                uses[name].update(item.value for item in target.items)
            else:
                direct[name] = True
    readers: set[str] = set()

    def reads(name: str, seen: frozenset[str]) -> bool:
        if name in readers or direct.get(name, False):
            return True
        return any(reads(other, seen | {name}) for other in uses.get(name, ()) if other not in seen)

    readers.update(name for name in direct if reads(name, frozenset()))
    return frozenset(readers)


_KEY_SPACE = 1 << 128
POSTS_DIGESTED = 64  # a list of this many posts or more counts as one digest of them


def _post_term(path: str, value: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{path}\x00{value}".encode("utf-8", "surrogatepass"),
                                          digest_size=16).digest(), "big")


def posts_key(post_digests: dict[str, str]) -> str:
    """One key of every post's digest: a sum of one term per post, so that a quick
    rebuild (quick_edit) can update it for the post it changed, without the others."""
    return f"{sum(_post_term(p, v) for p, v in post_digests.items()) % _KEY_SPACE:032x}"


def posts_key_since(last_digests: dict[str, str], last_key: str,
                    post_digests: dict[str, str]) -> str:
    """`posts_key(post_digests)`, from the key of the last build's post digests: the
    terms of the posts changed, added or removed since, not of every post (10,000
    digests: 8 ms)."""
    try:  # (each dict's items not in the other's, found by lookups: no set of 10,000 made)
        if not set(map(type, last_digests.values())) <= {str}:
            raise TypeError("not digests")
        key = (int(last_key, 16)
               + sum(_post_term(p, v) for p, v in post_digests.items()
                     if last_digests.get(p, _NONE) != v)
               - sum(_post_term(p, v) for p, v in last_digests.items()
                     if post_digests.get(p, _NONE) != v))
    except (TypeError, ValueError, AttributeError):  # not what the last build saved
        return posts_key(post_digests)
    return f"{key % _KEY_SPACE:032x}"


_NONE = object()  # no digest: unequal to any


def posts_key_with(key: str, path: str, old: str, new: str) -> str:
    """`posts_key` of the same posts, the digest of `path` changed from `old` to `new`."""
    return f"{(int(key, 16) - _post_term(path, old) + _post_term(path, new)) % _KEY_SPACE:032x}"


class Fingerprints:
    """Keys of pages and site-wide outputs for one build."""

    def __init__(self, surface: str, post_digests: dict[str, str], now: datetime,
                 whole_site: bool, listing_digests: dict[str, str] | None = None,
                 body_readers: frozenset[str] | None = None, outputs_surface: str = "",
                 last_posts: tuple[dict[str, str], str] | None = None):
        """`last_posts`: the last build's post digests and their `posts_key`, if known."""
        self.post_digests = post_digests
        # Feeds and calendars are made in Python from the posts, never from a template
        # (nor from the clock): their keys and pieces' keys leave the templates out, so
        # a template edit keeps them (10,000 events made again, 2-3 s, at 10,000 chats).
        self.outputs_surface = outputs_surface or surface
        self.listing_digests = listing_digests or {}
        self.body_readers = body_readers  # None: every template may read bodies
        self.now = now
        self.surface = surface
        self.posts_key = (posts_key_since(*last_posts, post_digests) if last_posts
                          else posts_key(post_digests))
        if whole_site:  # every page sees everything, and the exact clock
            self.surface = digest(surface, self.posts_key, now)
        self._fields: dict[type, tuple[str, ...]] = {}
        self._full: dict[int, str] = {}     # id of a Post (alive all build) -> its token ...
        self._listed: dict[int, str] = {}   # ... and without its body, for listings
        self._tokens = self._full
        # id of a tuple of posts -> (it, the token table used, its parts): see _posts
        self._sequences: dict[int, tuple] = {}
        # post -> whether its chat is upcoming at `now`: the site's answer, known of each
        # chat (see site.Site.is_upcoming), where a build has it; a chat's end compared
        # with the clock costs 1-2 us (two zones), for 10,000 posts in each process.
        self.upcoming: Callable[[Post], bool] | None = None

    def page_key(self, page, bodies: bool = True, surface: str = "") -> str:
        """`page`: a Page (its template says whether bodies count), or anything else
        (a piece of a feed or calendar: whole posts count, or without `bodies`, all
        of each post but its body: see output_piece_key)."""
        template = getattr(page, "template", None)
        listing = not bodies or (self.body_readers is not None and isinstance(template, str)
                                 and template not in self.body_readers)
        self._tokens = tokens = self._listed if listing else self._full
        digests = self.listing_digests if listing else self.post_digests
        parts: list[str] = [surface or self.surface, "L" if listing else "F"]
        made_from = getattr(page, "made_from", None)
        if made_from is not None:  # the rest of the page is made from it (pages.Page)
            parts.append(template)  # type: ignore[arg-type]
            page = made_from
        if (type(page) is tuple and len(page) == 2 and type(page[0]) is str
                and type(page[1]) is Post):  # a post's page, an event: 20,000 a rebuild
            post = page[1]
            parts += ("s" + page[0], tokens.get(id(post)) or self._post(post, digests))
            return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                                   digest_size=16).hexdigest()
        items = _flat(page, tokens) if type(page) is tuple else None
        if items is not None:
            # (what, post...): pieces of feeds and calendars, and pages made from a post
            parts += [self._post(item, digests) if type(item) is Post else item for item in items]
        else:
            self._walk(page, parts, digests)
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()

    def output_key(self, name: str, bodies: bool = True) -> str:
        """A site-wide output (feed, calendar) depends on every post, not on the clock
        (tests/test_cache.py checks that they do not change with it); with `bodies`
        False, on every post but its body (the calendar's events)."""
        if not bodies and all(self.listing_digests.get(p) for p in self.post_digests):
            listed = digest(sorted(self.listing_digests.items()))
            return digest(self.outputs_surface, listed, name, "without bodies")
        return digest(self.outputs_surface, self.posts_key, name)

    def output_piece_key(self, what: object, bodies: bool = True) -> str:
        """The key of a file or piece of a feed or calendar (`what`: as page_key's)."""
        return self.page_key(what, bodies, self.outputs_surface)

    def prime(self, posts) -> None:
        """Every post's listing token (as `_post` makes it), made at once before the build
        forks: each of its processes needs them all (here the events page's key; beside,
        events.ics's 10,000 pieces and the archive's key), else made one call at a time
        in each (10,000 posts)."""
        digests, tokens, upcoming = self.listing_digests, self._listed, self.upcoming
        if not digests or upcoming is None:
            return
        for post in posts:
            known = digests.get(post.source_path)
            if known and id(post) not in tokens:
                tokens[id(post)] = "P" + known + ("1" if upcoming(post) else "0")

    def _post(self, post: Post, digests: dict[str, str]) -> str:
        """A post as its digest and whether it is upcoming (what its listings show)."""
        token = self._tokens.get(id(post))
        if token is None:
            upcoming = (self.upcoming(post) if self.upcoming is not None
                        else post.chat is not None and post.chat.end > self.now)
            known = digests.get(post.source_path)
            token = ("P" + known + ("1" if upcoming else "0")) if known else "p" + repr(post)
            self._tokens[id(post)] = token
        return token

    def _posts(self, value: "list | tuple", tokens: list[str]) -> "list[str] | tuple[str, str]":
        """The parts of a list of posts (their tokens). A long one's: its length and one
        digest of them, not thousands of parts; a tuple's, kept: a topic's posts are
        walked again for the topics page, a host's chats for the hosts page (30,000
        posts at 10,000). A short one's (a home page's ten): its length and tokens."""
        if len(tokens) < POSTS_DIGESTED:
            return [f"l{len(value)}", *tokens]
        found = (f"l{len(value)}",
                 "T" + hashlib.blake2b("\x1f".join(tokens).encode("utf-8", "surrogatepass"),
                                       digest_size=16).hexdigest())
        if type(value) is tuple:  # (the tuple kept with them: its id is not reused)
            self._sequences[id(value)] = (value, self._tokens, found)
        return found

    def _walk(self, value, parts: list[str], digests: dict[str, str]) -> None:
        kind = type(value)
        if kind is str:
            parts.append("s" + value)
        elif kind is Post:
            parts.append(self._post(value, digests))
        elif kind in (int, float, bool, type(None)) or isinstance(value, datetime):
            parts.append(repr(value))
        elif (kind is tuple and (known := self._sequences.get(id(value))) is not None
              and known[0] is value and known[1] is self._tokens):
            parts += known[2]  # a topic's or host's posts, walked again (see _posts)
        elif kind in (dict, list, tuple) and not _holds_posts(value) \
                and (plain := _plain(value)) is not None:
            parts.append(plain)  # settings, JSON-LD: plain data, in one C call
        elif kind is dict:
            parts.append(f"d{len(value)}")
            for key, item in value.items():
                parts.append(repr(key))
                self._walk(item, parts, digests)
        elif kind in (list, tuple):
            if value:  # listings, the common case: posts, most already met in another list
                tokens = list(map(self._tokens.get, map(id, value)))
                if None not in tokens:  # ids of posts only (alive all build)
                    parts += self._posts(value, tokens)
                    return
                if all(type(item) is Post for item in value):
                    parts += self._posts(value, [token or self._post(post, digests)
                                                 for token, post in zip(tokens, value)])
                    return
            parts.append(f"l{len(value)}")
            for item in value:
                self._walk(item, parts, digests)
        elif dataclasses.is_dataclass(value):
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
            parts.append("c" + kind.__qualname__)
            for name in names:  # a page's fields: mostly text, inline (11,000 pages)
                item = getattr(value, name)
                if type(item) is str:
                    parts.append("s" + item)
                else:
                    self._walk(item, parts, digests)
        else:  # anything else: its repr; at worst a needless re-render, never a stale page
            parts.append("r" + repr(value))


def _flat(page: tuple, tokens: dict[int, str]) -> list | None:
    """The parts of a tuple of str and Post only ('s' + text; a post's token when known,
    else the post itself): 10,000 post pages per rebuild. None for any other tuple."""
    items: list = []
    for item in page:
        kind = type(item)
        if kind is str:
            items.append("s" + item)
        elif kind is Post:
            items.append(tokens.get(id(item)) or item)
        else:
            return None
    return items


def _holds_posts(value: "dict | list | tuple") -> bool:
    """Whether `value` is a list of posts: then it is not plain (see _plain), which
    marshal would say only after going through it, and with an exception."""
    return type(value) is not dict and bool(value) and type(value[0]) is Post


def _plain(value) -> str | None:
    """A container of only str, int, float, bool and None, as text; else None.
    marshal version 2 writes no back-references, so equal values give equal bytes.
    Large ones (the sitemap's 11,000 entries: 1 MB) as their digest: their hex text
    was joined, encoded and digested again with the page's other parts."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        return None
    if len(data) > PLAIN_INLINE:
        return "M" + hashlib.blake2b(data, digest_size=16).hexdigest()
    return "m" + data.hex()


PLAIN_INLINE = 512  # bytes of marshalled data kept as text in a key, at most
