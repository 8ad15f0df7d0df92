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

from typing import TYPE_CHECKING, Any, Callable

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from resnetgen.cache import no_memo
from resnetgen.models import Post

if TYPE_CHECKING:
    from resnetgen.incremental import Incremental

Memo = Callable[[object, Callable[[], bytes]], bytes]
CARDS_FILE = "cards.marshal"


class Cards:
    """The `card` template function of one Jinja environment (one build)."""

    def __init__(self, memo: Memo = no_memo):
        self.memo = memo
        # (macro, upcoming, args) -> id(post) -> (post, UTF-8 HTML); the post is kept so
        # its id cannot be reused by another object while the entry lives. Bytes: half
        # the memory of the text (a card's en dash would make Python store 2 bytes a letter).
        self._made: dict[tuple, dict[int, tuple[Post, bytes]]] = {}

    def function(self) -> Callable[..., Markup]:
        @pass_context
        def card(context: Context, macro: Any, post: Post, *args: Any) -> Markup:
            upcoming = _upcoming(context, post)
            # By name: a macro imported "with context" is a new object on every page.
            name = macro_name(macro)
            kind = self._made.get((name, upcoming, args))
            if kind is None:
                kind = self._made[(name, upcoming, args)] = {}
            made = kind.get(id(post))
            if made is None or made[0] is not post:
                made = kind[id(post)] = (post, self.memo(
                    ("card", name, post, upcoming, args),
                    lambda: str(macro(post, *args)).encode("utf-8")))
            return Markup(made[1].decode("utf-8"))
        return card

    def save(self) -> None:
        """Keep this process's cards for the next build (when the memo keeps any)."""
        save = getattr(self.memo, "save", None)
        if save is not None:
            save()


def macro_name(macro: Any) -> str:
    """'partials/macros.html:post_summary': two templates may each have a `row` macro."""
    func = getattr(macro, "_func", None)
    template = getattr(func, "__globals__", {}).get("name") if func is not None else None
    return f"{template}:{getattr(macro, 'name', macro)}"


def _upcoming(context: Context, post: Post) -> bool:
    site = context.get("site")
    if site is None or post.chat is None:
        return False
    return bool(site.is_upcoming(post))


class KeptCards:
    """The memo that keeps cards between builds, in the build cache's `cards.marshal`:
    {"surface": ..., "cards": {kind: {post token: bytes}}}. Valid for one surface
    (templates, settings, people, code); a post's token is its digest (of all but its
    body, unless the card's template may read bodies) and whether it is upcoming, so a
    changed post's old cards are never used, and are dropped when saved. Read when the
    first card is asked for (after the build knows every post's digest)."""

    def __init__(self, incremental: "Incremental"):
        self.incremental = incremental
        self.ready = False
        self.kept: dict[str, dict[str, bytes]] = {}   # the last build's, still valid
        self.used: dict[str, dict[str, bytes]] = {}   # asked for or made here
        self.changed = False
        self.kinds: dict[tuple, str | None] = {}

    def _start(self) -> None:
        self.ready = True
        incremental = self.incremental
        fingerprints = incremental.fingerprints
        # A template reading all of `site` may put anything into a card: made afresh.
        self.enabled = fingerprints is not None and not incremental.whole_site
        if not self.enabled:
            return
        self.readers = incremental.body_readers
        self.full, self.listed = fingerprints.post_digests, fingerprints.listing_digests
        saved = incremental.cache.read_file(CARDS_FILE)
        if (type(saved) is dict and saved.get("surface") == incremental.surface
                and type(saved.get("cards")) is dict):
            self.kept = saved["cards"]
        else:
            self.changed = saved is not None

    def __call__(self, what: tuple, make: Callable[[], bytes]) -> bytes:
        if not self.ready:
            self._start()
        if not self.enabled:
            return make()
        _, name, post, upcoming, args = what
        kind = self.kinds.get((name, args), False)
        if kind is False:
            kind = self.kinds[(name, args)] = self._kind(name, args)
        if kind is None:
            return make()
        digests = self.listed if kind[0] == "L" else self.full
        known = digests.get(post.source_path)
        if not known:
            return make()
        token = f"{known}{upcoming:d}"
        used = self.used.get(kind)
        if used is None:
            used = self.used[kind] = {}
        value = self.kept.get(kind, {}).get(token)
        if value is None:
            value = make()
            self.changed = True
        used[token] = value
        return value

    def _kind(self, name: str, args: tuple) -> str | None:
        """'L' or 'F' (the posts' digests without or with bodies), the macro and its
        arguments; None for arguments whose repr may not be the same next time."""
        if not all(type(a) in (str, int, float, bool, type(None)) for a in args):
            return None
        template = name.rpartition(":")[0]
        bodies = self.readers is None or template in self.readers
        return f"{'F' if bodies else 'L'}\x1f{name}\x1f{args!r}"

    def save(self) -> None:
        """The cards of this build, and the last build's of posts still there: written
        when this process made a card or some kept card is of a post no longer there."""
        if not self.ready or not self.enabled:
            return
        live = {*self.full.values(), *self.listed.values()}
        cards: dict[str, dict[str, bytes]] = {}
        for kind in {*self.kept, *self.used}:
            entries = {token: value for token, value in self.kept.get(kind, {}).items()
                       if token[:-1] in live}
            if len(entries) != len(self.kept.get(kind, ())):
                self.changed = True
            entries.update(self.used.get(kind, {}))
            cards[kind] = entries
        if self.changed:
            self.incremental.cache.write_file(CARDS_FILE, {"surface": self.incremental.surface,
                                                           "cards": cards})
            self.kept, self.used, self.changed = cards, {}, False


def kept_cards(incremental: "Incremental | None") -> Memo:
    """The memo of a build: KeptCards with the build cache, else none."""
    return KeptCards(incremental) if incremental is not None else no_memo
