"""A listing's item ("card") rendered once per post per build, however many lists show it,
and, with the build cache, kept between builds.

Every post appears in about seven listings (home, its topics, its hosts, the events
page...), always the same: the card's HTML depends only on the post, whether its chat is
upcoming at the build's clock, the card's arguments, the settings and the templates
(fixed for one build). Templates ask for it with `card(macro, post, ...)`; a card macro
must read nothing else (not `page`, not the listing), or every list would show the
first one's.

Two layers: this process's own table (a post's card is made once per process), then
`memo(what, make) -> bytes`, of the shape of resnetgen.cache.no_memo. `what` is
("card", "template:macro", post, upcoming, args). `KeptCards` is the persistent memo:
when one title changes, the events page's 10,000 entries and every topic page's are
joined from the last build's cards; only the changed post's are made again.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, Callable

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from resnetgen.cache import SHARDS, no_memo
from resnetgen.models import Post

if TYPE_CHECKING:
    from resnetgen.incremental import Incremental

Memo = Callable[[object, Callable[[], bytes]], bytes]
Reader = Callable[[Post, bool], "bytes | None"]  # a kind's kept card of (post, upcoming)
_markup = str.__new__  # what Markup(text) comes to for a plain str, at a third of the cost


class Cards:
    """The `card` template function (and filter) of one Jinja environment (one build)."""

    def __init__(self, memo: Memo = no_memo):
        self.memo = memo
        # (macro name, args) -> id(post) -> (post, site, UTF-8 HTML); the post is kept so
        # its id cannot be reused by another object while the entry lives, the site (the
        # build's) because the card depends on its clock. Bytes: half the memory of the
        # text (a card's en dash would make Python store 2 bytes a letter).
        self._made: dict[tuple, dict[int, tuple[Post, Any, bytes]]] = {}
        # The last macro and arguments asked for, their name and table: a listing asks
        # for the same ones thousands of times in a row.
        self._last: tuple[Any, tuple, str, dict, Any] = (None, (), "", {}, None)
        self._used: set[tuple] = set()  # the (name, args) asked for since `listing_done`
        # (name, args) -> the memo's reader of that kind's kept cards, or None (then each
        # is asked for through the memo): 14,000 cards of a title edit's listings at
        # 10,000 posts, read without making a key and a function for each.
        self.kept_reader: Callable[[str, tuple], Reader | None] | None = getattr(
            memo, "reader", None)
        self._readers: dict[tuple, Reader | None] = {}

    def card(self, context: Context, macro: Any, post: Post, args: tuple) -> Markup:
        """Asked for about seven times per post per build (70,000 times at 10,000 posts):
        kept short."""
        names = context.vars
        site = names["site"] if "site" in names else context.parent.get("site")
        last = self._last
        if macro is last[0] and args == last[1]:
            name, kind, reader = last[2], last[3], last[4]
        else:  # by name: a macro imported "with context" is a new object on every page
            name = last[2] if macro is last[0] else macro_name(macro)
            kind = self._made.get((name, args))
            if kind is None:
                kind = self._made[(name, args)] = {}
            reader = self._reader(name, args)
            self._last = (macro, args, name, kind, reader)
            self._used.add((name, args))
        made = kind.get(id(post))
        if made is None or made[0] is not post or made[1] is not site:
            upcoming = bool(site is not None and post.chat is not None and site.is_upcoming(post))
            value = reader(post, upcoming) if reader is not None else None
            if value is None:
                value = self.memo(("card", name, post, upcoming, args),
                                  lambda: str(macro(post, *args)).encode("utf-8"))
            made = kind[id(post)] = (post, site, value)
        return _markup(Markup, made[2].decode("utf-8"))  # Markup(text), without its checks

    def _reader(self, name: str, args: tuple) -> "Reader | None":
        """The memo's reader of one kind of kept card, asked for once per kind."""
        if (name, args) in self._readers:
            return self._readers[(name, args)]
        reader = self._readers[(name, args)] = (
            self.kept_reader(name, args) if self.kept_reader is not None else None)
        return reader

    def function(self) -> Callable[..., Markup]:
        """`card(macro, post, ...)`: a function, as the README documents it."""
        @pass_context
        def card(context: Context, macro: Any, post: Post, *args: Any) -> Markup:
            return self.card(context, macro, post, args)
        return card

    def filter(self) -> Callable[..., Markup]:
        """`post | card(macro, ...)`: the same, without Jinja's Context.call (1.5 us)."""
        @pass_context
        def card(context: Context, post: Post, macro: Any, *args: Any) -> Markup:
            return self.card(context, macro, post, args)
        return card

    def save(self) -> None:
        """Keep this process's cards for the next build (when the memo keeps any)."""
        save = getattr(self.memo, "save", None)
        if save is not None:
            save()

    def listing_done(self) -> None:
        """Called after each listing: the kinds of card it did not ask for are saved and let
        go of (when the memo keeps them: asked for again, they are read back, not made),
        so that a worker does not hold every kind at once: the events page's cards (and
        the heap its 6 MB took) were still held while the topics' and hosts' were made,
        the listing worker's peak at 10,000 posts."""
        used, self._used = self._used, set()
        self._last = (None, (), "", {}, None)  # the next listing's first card is counted as used
        drop = getattr(self.memo, "drop", None)
        unused = [key for key in self._made if key not in used]
        if drop is None or not unused or not drop(unused):
            return
        for key in unused:
            del self._made[key]
        from resnetgen.allocator import trim
        trim()

    def forget(self) -> None:
        """Lets go of this process's cards once its listings are rendered (and `save`d):
        30 MB at 10,000 posts, the link check's room. Asked for again, they are made
        (or read from the cache) again."""
        self._made.clear()
        self._last = (None, (), "", {}, None)
        self._used = set()
        forget = getattr(self.memo, "forget", None)
        if forget is not None:
            forget()
        from resnetgen.allocator import trim
        trim()  # what they held, handed back (their worker goes on with the posts' pages)


def macro_name(macro: Any) -> str:
    """'partials/macros.html:post_summary': two templates may each have a `row` macro."""
    func = getattr(macro, "_func", None)
    template = getattr(func, "__globals__", {}).get("name") if func is not None else None
    return f"{template}:{getattr(macro, 'name', macro)}"


class KeptCards:
    """The memo that keeps cards between builds, in the build cache: one file per kind of
    card and shard of posts, `cards-K-S.marshal` (K: a digest of the kind, S: 0-f by the
    post's path), each {"surface": ..., "kind": ..., "cards": {source path: (token,
    bytes)}}. Valid for one surface (templates, settings, people, code). A card's token
    is its post's digest (of all but its body, unless the card's template may read
    bodies) and whether the chat is upcoming: a changed post's old card is never used.
    A file is read when a card of its kind and shard is first asked for, and written
    again only when it changed (a title edit rewrites one sixteenth of the cards). By
    kind: the events page (the largest, 6 MB at 10,000 posts) is made with its own
    cards read, not with every listing's (29 MiB at 10,000 posts, read at its first card
    when a shard held every kind)."""

    def __init__(self, incremental: "Incremental"):
        self.incremental = incremental
        self.ready = False
        # (kind, shard) -> {path: (token, bytes)}, as read (and changed)
        self.files: dict[tuple[str, str], dict[str, tuple[str, bytes]]] = {}
        self.dirty: set[tuple[str, str]] = set()
        self.kinds: dict[tuple, str | None] = {}
        self.shards: dict[str, str] = {}  # post path -> its shard

    def _start(self) -> None:
        self.ready = True
        incremental = self.incremental
        fingerprints = incremental.fingerprints
        # A template reading all of `site` may put anything into a card: made afresh.
        self.enabled = fingerprints is not None and not incremental.whole_site
        if self.enabled:
            self.readers = incremental.body_readers
            self.full, self.listed = fingerprints.post_digests, fingerprints.listing_digests

    def _file(self, kind: str, shard: str) -> dict[str, tuple[str, bytes]]:
        saved = self.incremental.cache.read_file(cards_file(kind, shard))
        if (type(saved) is dict and saved.get("surface") == self.incremental.surface
                and saved.get("kind") == kind and type(saved.get("cards")) is dict):
            cards = saved["cards"]
        else:
            cards = {}
            if saved is not None:
                self.dirty.add((kind, shard))
        self.files[(kind, shard)] = cards
        return cards

    def __call__(self, what: tuple, make: Callable[[], bytes]) -> bytes:
        _, name, post, upcoming, args = what
        found = self._find(name, args, post, upcoming)
        if found is None:
            return make()
        cards, path, token, key = found
        card = cards.get(path)
        if type(card) is tuple and len(card) == 2 and card[0] == token \
                and type(card[1]) is bytes:
            return card[1]
        value = make()
        cards[path] = (token, value)
        self.dirty.add(key)
        return value

    def reader(self, name: str, args: tuple) -> Reader | None:
        """`read(post, upcoming)`: the card of this kind kept for the post, as `__call__`
        would give it, or None (then made through `__call__`); None for a kind never
        kept. What `_find` works out per card, worked out once per kind."""
        kind = self._kind_of(name, args)
        if kind is None:
            return None
        digests = self.listed if kind[0] == "L" else self.full
        shards, files, by_shard = self.shards, self.files, self.by_shard(kind)

        def read(post: Post, upcoming: bool) -> bytes | None:
            path = post.source_path
            known = digests.get(path)
            if not known:
                return None
            shard = shards.get(path)
            if shard is None:
                shard = shards[path] = SHARDS[
                    zlib.crc32(path.encode("utf-8", "surrogatepass")) & 15]
            cards = files.get(by_shard[shard])
            if cards is None:
                cards = self._file(kind, shard)
            card = cards.get(path)
            if type(card) is tuple and len(card) == 2 and type(card[1]) is bytes \
                    and card[0] == (f"{known}1" if upcoming else f"{known}0"):
                return card[1]
            return None
        return read

    def _kind_of(self, name: str, args: tuple) -> str | None:
        """The kind of the cards `name(*args)` makes, or None for cards never kept."""
        if not self.ready:
            self._start()
        if not self.enabled:
            return None
        kind = self.kinds.get((name, args), False)
        if kind is False:
            kind = self.kinds[(name, args)] = self._kind(name, args)
        return kind

    @staticmethod
    def by_shard(kind: str) -> dict[str, tuple[str, str]]:
        """shard -> the (kind, shard) key of its file."""
        return {shard: (kind, shard) for shard in SHARDS}

    def _find(self, name: str, args: tuple, post: Post, upcoming: bool
              ) -> tuple[dict, str, str, tuple[str, str]] | None:
        """(the cards of the post's kind and shard, its path, its token, the file's key),
        or None for a card never kept."""
        kind = self._kind_of(name, args)
        if kind is None:
            return None
        path = post.source_path
        known = (self.listed if kind[0] == "L" else self.full).get(path)
        if not known:
            return None
        shard = self.shards.get(path)
        if shard is None:  # a post's shard, worked out once (its path: ~seven kinds)
            shard = self.shards[path] = SHARDS[
                zlib.crc32(path.encode("utf-8", "surrogatepass")) & 15]
        key = (kind, shard)
        cards = self.files.get(key)
        if cards is None:
            cards = self._file(kind, shard)
        return cards, path, f"{known}{upcoming:d}", key

    def _kind(self, name: str, args: tuple) -> str | None:
        """'L' or 'F' (the posts' digests without or with bodies), the macro and its
        arguments; None for arguments whose repr may not be the same next time."""
        if not all(type(a) in (str, int, float, bool, type(None)) for a in args):
            return None
        template = name.rpartition(":")[0]
        bodies = self.readers is None or template in self.readers
        return f"{'F' if bodies else 'L'}\x1f{name}\x1f{args!r}"

    def save(self) -> None:
        """Write the files that changed (a card made; a post gone from the site)."""
        if not self.ready or not self.enabled:
            return
        for key, cards in self.files.items():
            self._write_file(key, cards)
        self.dirty = set()

    def drop(self, kinds: list[tuple]) -> bool:
        """The files of these kinds ((name, args) as asked for), saved and let go of;
        whether they are kept (else their cards would have to be made again)."""
        if not self.ready or not self.enabled:
            return False
        names = {self.kinds.get(key) for key in kinds}
        if None in names:  # a kind never kept (see _kind): its cards are made, not read
            return False
        for key in [key for key in self.files if key[0] in names]:
            self._write_file(key, self.files.pop(key))
            self.dirty.discard(key)
        return True

    def _write_file(self, key: tuple[str, str], cards: dict[str, tuple[str, bytes]]) -> None:
        """One (kind, shard)'s file, written when it changed (a card made; a post gone)."""
        gone = [path for path in cards if path not in self.full]
        for path in gone:
            del cards[path]
        if gone or key in self.dirty:
            self.incremental.cache.write_file(cards_file(*key), {
                "surface": self.incremental.surface, "kind": key[0], "cards": cards})

    def forget(self) -> None:
        """The files read, let go of after `save` (read again if asked for again)."""
        self.save()
        self.files.clear()  # the same dict: `reader`s hold it


def cards_file(kind: str, shard: str) -> str:
    """The cache file of one kind of card, for the posts of one shard."""
    return f"cards-{zlib.crc32(kind.encode('utf-8', 'surrogatepass')):08x}-{shard}.marshal"


def kept_cards(incremental: "Incremental | None") -> Memo:
    """The memo of a build: KeptCards with the build cache, else none."""
    return KeptCards(incremental) if incremental is not None else no_memo
