"""What each output is made from, as one digest: the key under which it is reused.

A page's key covers its template surface (every template file, site.toml,
people.toml, resnetgen's code) and everything in its context, walked value by
value; a post counts as its digest (its file's bytes and the links it resolved) and,
for a briefing, whether it is upcoming at the build's clock. A template that reaches
into `site` beyond its settings and helpers (`site.posts`, `site.now`, ...) makes
every page depend on the whole site and the exact clock: never stale, just slower.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
from datetime import datetime

import jinja2
from jinja2 import nodes

from resnetgen.cache import digest
from resnetgen.models import Post

# The parts of `site` that depend only on settings and on the posts a page shows.
LOCAL_SITE_PARTS = {"config", "urls", "tag_url", "is_upcoming"}


def reaches_whole_site(env: jinja2.Environment) -> bool:
    """Whether any template uses `site` beyond LOCAL_SITE_PARTS."""
    for name in env.list_templates():
        try:
            tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        except jinja2.TemplateError:
            return True  # reported by check_templates; assume the worst here
        uses = sum(1 for n in tree.find_all(nodes.Name) if n.name == "site")
        local = sum(1 for n in tree.find_all(nodes.Getattr)
                    if isinstance(n.node, nodes.Name) and n.node.name == "site"
                    and n.attr in LOCAL_SITE_PARTS)
        if uses > local:
            return True
    return False


class Fingerprints:
    """Keys of pages and site-wide outputs for one build."""

    def __init__(self, surface: str, post_digests: dict[str, str], now: datetime,
                 whole_site: bool):
        self.post_digests = post_digests
        self.now = now
        self.surface = surface
        self.posts_key = digest(sorted(post_digests.items()))
        if whole_site:  # every page sees everything, and the exact clock
            self.surface = digest(surface, self.posts_key, now)
        self._fields: dict[type, tuple[str, ...]] = {}
        self._tokens: dict[int, str] = {}   # id of a Post (alive all build) -> its token

    def page_key(self, page) -> str:
        parts: list[str] = [self.surface]
        self._walk(page, parts)
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()

    def output_key(self, name: str) -> str:
        """A site-wide output (feed, calendar) depends on every post, not on the clock
        (tests/test_cache.py checks that they do not change with it)."""
        return digest(self.surface, self.posts_key, name)

    def _post(self, post: Post) -> str:
        """A post as its digest and whether it is upcoming (what its listings show)."""
        token = self._tokens.get(id(post))
        if token is None:
            upcoming = post.chat is not None and post.chat.end > self.now
            known = self.post_digests.get(post.source_path)
            token = f"P{known}{upcoming:d}" if known else "p" + repr(post)
            self._tokens[id(post)] = token
        return token

    def _walk(self, value, parts: list[str]) -> None:
        kind = type(value)
        if kind is str:
            parts.append("s" + value)
        elif kind is Post:
            parts.append(self._post(value))
        elif kind in (int, float, bool, type(None)) or isinstance(value, datetime):
            parts.append(repr(value))
        elif kind in (dict, list, tuple) and (plain := _plain(value)) is not None:
            parts.append(plain)  # settings, JSON-LD: plain data, in one C call
        elif kind is dict:
            parts.append(f"d{len(value)}")
            for key, item in value.items():
                parts.append(repr(key))
                self._walk(item, parts)
        elif kind in (list, tuple):
            parts.append(f"l{len(value)}")
            if value and all(type(item) is Post for item in value):  # listings: the common case
                parts.extend(map(self._post, value))
                return
            for item in value:
                self._walk(item, parts)
        elif dataclasses.is_dataclass(value):
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
            parts.append("c" + kind.__qualname__)
            for name in names:
                self._walk(getattr(value, name), parts)
        else:  # anything else: its repr; at worst a needless re-render, never a stale page
            parts.append("r" + repr(value))


def _plain(value) -> str | None:
    """A container of only str, int, float, bool and None, as text; else None.
    marshal version 2 writes no back-references, so equal values give equal bytes."""
    try:
        return "m" + marshal.dumps(value, 2).hex()
    except ValueError:
        return None
