"""A chat's facts as plain text, shared by the calendar and the feeds.

The page, the calendar event and the feed entry of one briefing all say the same
thing in the same words; the wording lives here once.
"""

from __future__ import annotations

import re
from datetime import timezone

from resnetgen.config import SiteConfig
from resnetgen.models import Paper, Person, Post
from resnetgen.timefmt import chat_when


# Control characters (pasted from word processors) that XML 1.0 forbids and iCalendar
# TEXT may not carry: C0 but tab and newline, CR (lines are the format's business),
# DEL and C1, lone surrogates, U+FFFE and U+FFFF.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Drop the characters no feed or calendar may carry, so one never breaks a file."""
    return _CONTROLS.sub("", text)


def when(post: Post, config: SiteConfig) -> str:
    """'Wednesday 31 January 2018, 7.30–8.30 pm UK time (19:30–20:30 UTC)'."""
    chat = post.chat
    start, end = chat.start.astimezone(timezone.utc), chat.end.astimezone(timezone.utc)
    return in_words(chat_when(chat, config.timezone, config.timezone_label),  # (%H:%M is
                    f"{start.hour:02}:{start.minute:02}",                     # strftime's,
                    f"{end.hour:02}:{end.minute:02}")                         # at a third)


def in_words(local: str, start: str, end: str) -> str:
    """`when` from its parts: chat_when's text, the UTC start and end as 19:30."""
    return f"{local} ({start}–{end} UTC)"


def hashtag_url(post: Post, config: SiteConfig) -> str:
    return config.hashtag_url.format(tag=post.chat.hashtag.lstrip("#"))


def person(host: Person) -> str:
    """'Sally Pratten (@salpratten)'."""
    return f"{host.name} ({host.handle})" if host.handle else host.name


def hosts(post: Post) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [person(h) for h in post.hosts]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def citation(paper: Paper) -> str:
    """'Iverson, J., McPhee, R. (2017). Title. Venue. https://doi.org/...'."""
    parts = []
    if paper.authors:
        parts.append(", ".join(paper.authors) + (f" ({paper.year})." if paper.year else "."))
    elif paper.year:
        parts.append(f"({paper.year}).")
    parts.append(sentence(paper.title))
    if paper.venue:
        parts.append(sentence(paper.venue))
    if paper.link:
        parts.append(paper.link)
    return " ".join(parts)


def questions(post: Post) -> list[str]:
    """['Q1 Do you ...?', ...], numbered as tweetchats number them."""
    return [f"Q{n} {q}" for n, q in enumerate(post.questions, start=1)]



def sentence(text: str) -> str:
    """'Title' -> 'Title.'; 'Does it work?' stays as it is."""
    return text if text.endswith((".", "?", "!")) else text + "."
