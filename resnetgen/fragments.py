"""Small pieces of a post's HTML that many pages repeat, made in Python.

A briefing's time appears on its page, in two kinds of listing card and on the events
page; its badge, citation and topic links likewise. As Jinja macros they cost a macro
call each (and a module per page importing them); here they are plain functions, the
templates' filters `chat_time`, `chat_state`, `citation`, `tag_list` and `host_names`
(registered in theme.py). The theme's macros.html keeps macros of the same names, which
call these, for templates written against it. Every value is escaped.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup, escape as _escape

from resnetgen.models import Paper, Post

try:  # markupsafe's escaping itself, in C (pinned in requirements.txt; tests compare)
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover
    def _escape_inner(text: str) -> str:
        return str(_escape(text))


def html_piece(value) -> str:
    """A printed value as `{{ value }}` shows it, autoescaped: markupsafe's escape(),
    without wrapping each piece in a new Markup (Markup.__new__ is Python: 0.3 us of
    the 0.36 us of an escape(), about 100 a page), since the pieces are only joined.
    Markup (a filter's HTML, `| safe`) is printed as it is, not copied."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    if kind is int:  # (a question's number: digits, nothing to escape)
        return str(value)
    return _escape(value)


escape = html_piece  # each value of the pieces below escaped so, as plain text


def chat_time(post: Post, when: str) -> Markup:
    """<time> of a chat's start, with its end for the local-time script; `when` is the
    chat's time in words (timefmt.chat_when)."""
    start = escape(post.chat.start.isoformat())
    return Markup(f'<time datetime="{start}" data-start="{start}" '
                  f'data-end="{escape(post.chat.end.isoformat())}">{escape(when)}</time>')


_CANCELLED = Markup('<span class="badge badge-cancelled">Cancelled</span>\n')
_UPCOMING = Markup('<span class="badge badge-upcoming">Upcoming</span>\n')
_OVER = Markup('<span class="badge badge-over">This chat is over</span>\n')


def chat_state(post: Post, upcoming: bool) -> Markup:
    """The chat's badge: cancelled, upcoming (at the build's clock) or over."""
    if post.chat.cancelled:
        return _CANCELLED
    return _UPCOMING if upcoming else _OVER


def host_names(post: Post) -> Markup:
    """'<a>A</a> (@a), <a>B</a> and <a>C</a>': each host linked to their page."""
    names = [f'<a href="{escape(h.url)}">{escape(h.name)}</a>'
             + (f" ({escape(h.handle)})" if h.handle else "") for h in post.hosts]
    if len(names) < 2:
        return Markup("".join(names))
    return Markup(", ".join(names[:-1]) + " and " + names[-1])


def citation(paper: Paper) -> Markup:
    """'<p class="citation">Authors (year). <cite>Title</cite>. Venue. <a>DOI</a></p>'."""
    parts = ['<p class="citation">\n']
    if paper.authors:
        parts.append(", ".join(str(escape(a)) for a in paper.authors))
        if paper.year:
            parts.append(f" ({escape(paper.year)})")
        parts.append(". ")
    elif paper.year:
        parts.append(f"({escape(paper.year)}). ")
    parts.append(f"<cite>{escape(paper.title)}</cite>"
                 + ("" if paper.title[-1:] in "?!." else "."))
    if paper.venue:
        parts.append(f" {escape(paper.venue)}.")
    if paper.doi:
        doi = escape(paper.doi)
        parts.append(f' <a href="https://doi.org/{doi}">https://doi.org/{doi}</a>')
    elif paper.url:
        url = escape(paper.url)
        parts.append(f' <a href="{url}">{url}</a>')
    parts.append("</p>")
    return Markup("".join(parts))


def tag_list(post: Post, tag_url: Callable[[str], str],
             made: dict[str, str] | None = None) -> Markup:
    """'Topics:' and a link to each of the post's topics; nothing for a post without.
    `made`: each topic's link made already (by the same `tag_url`), and where to keep
    those made here: a site has a few dozen topics, each on hundreds of pages."""
    if not post.tags:
        return Markup("")
    made = {} if made is None else made
    links = []
    for tag in post.tags:
        link = made.get(tag)
        if link is None:
            link = made[tag] = f'<a href="{escape(tag_url(tag))}" rel="tag">{escape(tag)}</a>'
        links.append(link)
    return Markup(f'<p class="tags">Topics:\n{", ".join(links)}</p>\n')
