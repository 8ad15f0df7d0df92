"""Editor warnings: things that build, but that an editor will want to fix.

- a briefing for a chat still to come, without questions or without hosts;
- a picture without a description (alt text), which screen readers read aloud;
- a link from the site's root (`/about/`) to a page the site does not have;
- a chat whose hours overlap another chat's.

Warnings never stop a build; `resnetgen check --strict` treats them as errors.
Each rule is a small function of the loaded site; the lines they point at are
found once, when a file is loaded (`SourceFacts`), and travel with its Post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from urllib.parse import unquote, urlsplit

from resnetgen.locate import key_lines
from resnetgen.models import Post
from resnetgen.problems import Problems
from resnetgen.urls import output_path_for


@dataclass(frozen=True)
class SourceFacts:
    """Where the things the rules look at are, in one source file."""
    lines: dict[str, int]                        # front matter key -> its line
    images_without_alt: tuple[int, ...] = ()
    rooted_links: tuple[tuple[int, str], ...] = ()   # line, url of a link from the site's root

    def line(self, *keys: str) -> int:
        """The line of the first of `keys` that the front matter has, else 1."""
        return next((self.lines[k] for k in keys if k in self.lines), 1)


_FACT_KEYS = (("chat", ("chat",)), ("chat.start", ("chat", "start")), ("hosts", ("hosts",)),
              ("questions", ("questions",)))


def source_facts(source, rendered) -> SourceFacts:
    """From a SourceFile and its Rendered Markdown (see loader.render_body)."""
    present = [(name, path) for name, path in _FACT_KEYS if _has(source.meta, path)]
    found = key_lines(source.front_matter, [path for _, path in present],
                      source.front_matter_line)
    lines = {name: line for (name, _), line in zip(present, found)}
    return SourceFacts(lines, rendered.images_without_alt, rendered.rooted_links)


def _has(meta: dict, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(meta, dict) or key not in meta:
            return False
        meta = meta[key]
    return True


def editor_warnings(site, produced: Iterable[str], problems: Problems,
                    early: "tuple[Problems, Problems] | None" = None) -> None:
    """Every rule, over the whole site; `produced` holds every output path of the build.
    `early`: `site_warnings(site)`, found before the outputs were all known."""
    first, last = early if early is not None else site_warnings(site)
    problems.extend(first.items)
    links_to_missing_pages((*site.posts, *site.pages),
                           produced if isinstance(produced, (set, frozenset)) else set(produced),
                           site.urls, problems)
    problems.extend(last.items)


def site_warnings(site) -> tuple[Problems, Problems]:
    """The rules that read the site alone: those before the output rule, and after it
    (a build runs them while another process makes its calendars and feeds)."""
    first, last = Problems(), Problems()
    upcoming_without_questions_or_hosts(site.upcoming, first)
    pictures_without_alt((*site.posts, *site.pages), first)
    overlapping_chats(site.briefings, last)
    return first, last


def upcoming_without_questions_or_hosts(upcoming: Iterable[Post], problems: Problems) -> None:
    for post in upcoming:
        if post.chat.cancelled or post.facts is None:
            continue
        if not post.questions:
            problems.warning(post.source_path, post.facts.line("questions", "chat"),
                             "this chat is still to come and has no questions",
                             "add questions: with one '- question' per line")
        if not post.hosts:
            problems.warning(post.source_path, post.facts.line("hosts", "chat"),
                             "this chat is still to come and has no hosts",
                             "add hosts: with keys of content/people.toml")


def pictures_without_alt(posts: Iterable[Post], problems: Problems) -> None:
    for post in posts:
        for line in post.facts.images_without_alt if post.facts else ():
            problems.warning(post.source_path, line, "picture without a description (alt text)",
                             "say what it shows between the brackets, such as "
                             "![Bar chart of replies by month](chart.png): screen readers "
                             "read it aloud")


def links_to_missing_pages(posts: Iterable[Post], produced: set[str], urls,
                           problems: Problems) -> None:
    for post in posts:
        for line, url in post.facts.rooted_links if post.facts else ():
            route = urls.route_of(unquote(urlsplit(url).path))
            if route is None or _exists(route, produced):
                continue
            problems.warning(post.source_path, line, f"link to {url}, a page the site does not have",
                             "check the address; a link to another post can name its file, "
                             "such as ../2018/thinking-together.md")


def _exists(route: str, produced: set[str]) -> bool:
    bare = route.rstrip("/")
    return (output_path_for(route) in produced or bare in produced
            or output_path_for(bare + "/") in produced)


def overlapping_chats(briefings: Iterable[Post], problems: Problems) -> None:
    """Chats that are not cancelled and share some minutes, each warned of the other."""
    chats = sorted((p for p in briefings if not p.chat.cancelled),
                   key=lambda p: (p.chat.start, p.source_path))
    for index, first in enumerate(chats):
        later = index + 1  # walked by index: a slice per chat would copy the rest (quadratic)
        while later < len(chats) and chats[later].chat.start < first.chat.end:
            second = chats[later]
            later += 1
            for post, other in ((first, second), (second, first)):
                problems.warning(post.source_path, post.facts.line("chat.start", "chat")
                                 if post.facts else 1,
                                 f"this chat overlaps the chat of {other.source_path} "
                                 f"({other.chat.start:%Y-%m-%d %H:%M}–{other.chat.end:%H:%M})",
                                 "change the time of one, or mark one status: cancelled")
