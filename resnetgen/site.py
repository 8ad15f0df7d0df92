"""The loaded site: content plus what is derived from it (tags, people, archives, chats).

Every collection is computed once here, in one pass each, so no page's work grows
with the square of the archive.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache

from resnetgen.config import SiteConfig
from resnetgen.loader import Content
from resnetgen.models import Chat, Person, Post, Tag, YearArchive
from resnetgen.urls import Urls, slugify


@dataclass(frozen=True)
class HostRecord:
    person: Person
    chats: tuple[Post, ...]     # briefings they host, newest first


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    urls: Urls
    now: datetime
    posts: tuple[Post, ...]
    pages: tuple[Post, ...]
    assets: dict[str, str]
    tags: tuple[Tag, ...]
    people: tuple[HostRecord, ...]
    years: tuple[YearArchive, ...]
    upcoming: tuple[Post, ...]   # briefings not yet over, soonest first
    past: tuple[Post, ...]       # briefings over, newest first
    # id of each briefing's chat -> (the chat, whether upcoming): see is_upcoming
    upcoming_chats: dict[int, tuple[Chat, bool]] = field(default_factory=dict, repr=False,
                                                         compare=False)

    @cached_property
    def briefings(self) -> tuple[Post, ...]:
        """Asked five times a build (report, warnings, calendar, feeds, cache): made once."""
        return tuple(p for p in self.posts if p.is_briefing)

    @property
    def next_chat(self) -> Post | None:
        return next((p for p in self.upcoming if not p.chat.cancelled), None)

    def tag_url(self, name: str) -> str:
        return self.urls.url(f"tags/{_tag_slug(name)}/")

    def is_upcoming(self, post: Post) -> bool:
        chat = post.chat
        if chat is None:
            return False
        # Asked by every card, badge and calendar box (about 70,000 times at 10k posts);
        # comparing aware times of two zones costs a microsecond: the site's chats are known.
        known = self.upcoming_chats.get(id(chat))
        if known is not None and known[0] is chat:
            return known[1]
        return chat.end > self.now


# A few dozen topic names, each linked from thousands of pages: slugify (Unicode
# normalisation and a regex, 2.5 us) once per name.
_tag_slug = lru_cache(maxsize=4096)(slugify)


def assemble(config: SiteConfig, content: Content, now: datetime) -> Site:
    urls = Urls(config)
    posts = content.posts
    briefings = [p for p in posts if p.is_briefing]
    # Each chat's end compared with the clock once (a chat's zone is not the clock's:
    # a microsecond each, 10,000 chats), not once per list it is sorted into.
    upcoming_chats = {id(p.chat): (p.chat, p.chat.end > now) for p in briefings}
    upcoming = sorted((p for p in briefings if upcoming_chats[id(p.chat)][1]),
                      key=lambda p: (p.chat.start, p.source_path))
    past = sorted((p for p in briefings if not upcoming_chats[id(p.chat)][1]),
                  key=lambda p: (p.chat.start, p.source_path), reverse=True)
    return Site(config=config, urls=urls, now=now, posts=posts, pages=content.pages,
                assets=content.assets, tags=group_tags(posts, urls),
                people=group_hosts(briefings, content.people), years=group_years(posts),
                upcoming=tuple(upcoming), past=tuple(past), upcoming_chats=upcoming_chats)


def group_tags(posts: tuple[Post, ...], urls: Urls) -> tuple[Tag, ...]:
    names: dict[str, str] = {}
    members: dict[str, list[Post]] = defaultdict(list)
    slugs: dict[str, str] = {}  # a few dozen names, each on thousands of posts
    # A post's tags, as the slugs it is listed under (each once): posts share a few
    # hundred tuples of tags (see post_codec), worked out once each. A tuple is first
    # met at the first post that has it, so each name is met as early as one by one.
    listed: dict[int, tuple[tuple, list]] = {}
    for post in posts:
        tags = post.tags
        known = listed.get(id(tags))
        if known is None or known[0] is not tags:
            under = []
            for name in dict.fromkeys(tags):
                slug = slugs.get(name)
                if slug is None:
                    slug = slugs[name] = slugify(name)
                names.setdefault(slug, name)
                if slug not in under:
                    under.append(slug)
            known = listed[id(tags)] = (tags, under)
        for slug in known[1]:
            members[slug].append(post)
    return tuple(Tag(names[s], s, urls.url(f"tags/{s}/"), tuple(members[s]))
                 for s in sorted(members, key=lambda s: (names[s].lower(), s)))


def group_hosts(briefings: list[Post], people: dict[str, Person]) -> tuple[HostRecord, ...]:
    chats: dict[str, list[Post]] = defaultdict(list)
    for post in briefings:
        for host in post.hosts:
            chats[host.key].append(post)
    records = [HostRecord(person, tuple(chats.get(key, ()))) for key, person in people.items()]
    return tuple(sorted(records, key=lambda r: (r.person.name.lower(), r.person.key)))


def group_years(posts: tuple[Post, ...]) -> tuple[YearArchive, ...]:
    years: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        years[post.date.year].append(post)
    return tuple(YearArchive(y, tuple(years[y])) for y in sorted(years, reverse=True))
