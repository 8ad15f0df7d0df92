"""A listing's item ("card") rendered once per post per build, however many lists show it.

Every post appears in about seven listings (home, its topics, its hosts, ...), always
the same: the card's HTML depends only on the post, whether its chat is upcoming at the
build's clock, the card's arguments, the settings and the templates (fixed for one
build). Templates ask for it with `card(macro, post, ...)`; a card macro must read
nothing else (not `page`, not the listing), or every list would show the first one's.

Two layers: this process's own table (a post's card is made once per process), then
`memo(what, make) -> bytes`, of the shape of resnetgen.cache.no_memo, which a persistent
cache may replace so cards survive between builds. `what` holds everything a card
depends on that may change between builds: the post (a cache keys it by its digest and
whether it is upcoming), the upcoming flag itself and the arguments.
"""

from __future__ import annotations

from typing import Any, Callable

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from resnetgen.cache import no_memo
from resnetgen.models import Post

Memo = Callable[[object, Callable[[], bytes]], bytes]


class Cards:
    """The `card` template function of one Jinja environment (one build)."""

    def __init__(self, memo: Memo = no_memo):
        self.memo = memo
        # (macro name, upcoming, args) -> id(post) -> (post, UTF-8 HTML); the post is kept
        # so its id cannot be reused by another object while the entry lives. Bytes: half
        # the memory of the text (a card's en dash would make Python store 2 bytes a letter).
        self._made: dict[tuple, dict[int, tuple[Post, bytes]]] = {}

    def function(self) -> Callable[..., Markup]:
        @pass_context
        def card(context: Context, macro: Any, post: Post, *args: Any) -> Markup:
            upcoming = _upcoming(context, post)
            kind = self._made.setdefault((macro.name, upcoming, args), {})
            made = kind.get(id(post))
            if made is None or made[0] is not post:
                made = kind[id(post)] = (post, self.memo(
                    ("card", macro.name, post, upcoming, args),
                    lambda: str(macro(post, *args)).encode("utf-8")))
            return Markup(made[1].decode("utf-8"))
        return card


def _upcoming(context: Context, post: Post) -> bool:
    site = context.get("site")
    if site is None or post.chat is None:
        return False
    return bool(site.is_upcoming(post))
