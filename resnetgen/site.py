"""The loaded site: content plus what is derived from it (tags, people, archives, chats).

Every collection is computed once here, in one pass each, so no page's work grows
with the square of the archive.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Callable, Iterable, Iterator

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
    briefings = [p for p in posts if p.chat is not None]  # (is_briefing, without its call)
    # Each chat's end compared with the clock once (see `after`), not once per list it
    # is sorted into.
    chats = [p.chat for p in briefings]
    upcoming_chats = {id(chat): (chat, later) for chat, later in zip(chats, after(
        (chat.end for chat in chats), now))}
    by_start = attrgetter("chat.start", "source_path")
    upcoming = sorted((p for p in briefings if upcoming_chats[id(p.chat)][1]), key=by_start)
    past = sorted((p for p in briefings if not upcoming_chats[id(p.chat)][1]), key=by_start,
                  reverse=True)
    return Site(config=config, urls=urls, now=now, posts=posts, pages=content.pages,
                assets=content.assets, tags=group_tags(posts, urls),
                people=group_hosts(briefings, content.people), years=group_years(posts),
                upcoming=tuple(upcoming), past=tuple(past), upcoming_chats=upcoming_chats)


DAYS = timedelta(days=2)  # more than a zone's UTC offset ever changes by (26 hours)


def after(moments: Iterable[datetime], now: datetime) -> Iterator[bool]:
    """`moment > now` of each aware moment. Two aware date-times of different zones are
    compared through their UTC offsets (ZoneInfo works each out: 0.6 us a comparison,
    10,000 chats); of the same zone, wall clock to wall clock (0.02 us). `now` is read
    on the clock of each moment's zone: two wall clock times further apart than any
    change of UTC offset are in the same order in real time; nearer ones (a chat of the
    last two days) are compared exactly."""
    local: dict = {}  # zone -> now in it
    for moment in moments:
        zone = moment.tzinfo
        there = local.get(zone)
        if there is None:
            if zone is None or now.tzinfo is None:  # (compared as Python compares them)
                yield moment > now
                continue
            try:
                there = local[zone] = now.astimezone(zone)
            except OverflowError:  # the clock at the edge of datetime's range there
                yield moment > now
                continue
        apart = moment - there  # (one zone: wall clock minus wall clock)
        yield apart > DAYS or (apart >= -DAYS and moment > now)


def group_tags(posts: tuple[Post, ...], urls: Urls) -> tuple[Tag, ...]:
    names: dict[str, str] = {}
    members: dict[str, list[Post]] = defaultdict(list)
    # A name's slug, as the `append` of the list of the posts listed under it: a few
    # dozen names, each on thousands of posts (slugify: 2.5 us a name).
    adders: dict[str, Callable[[Post], None]] = {}
    # A post's tags, as the appends of the lists it is listed in (each list once): posts
    # share tuples of tags (see post_codec: 4,300 tuples for 10,000 posts), each worked
    # out once. A tuple is first met at the first post that has it, so each name is met
    # as early as one by one.
    listed: dict[int, tuple[tuple, tuple]] = {}
    for post in posts:
        tags = post.tags
        known = listed.get(id(tags))
        if known is None or known[0] is not tags:
            for name in tags:
                if name not in adders:
                    slug = slugify(name)
                    names.setdefault(slug, name)
                    adders[name] = members[slug].append
            # (a list's appends are equal: names of one slug list the post once)
            known = listed[id(tags)] = (tags, tuple(dict.fromkeys(map(adders.__getitem__, tags))))
        for add in known[1]:
            add(post)
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
