"""Which HTML and text pages the site has, each as a template and its context.

This is the map of the site: one function per kind of page, each a small mapping
from the loaded `Site` to `Page` records. Rendering happens elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Callable, Collection, Iterator

from resnetgen import seo
from resnetgen.models import POST, Post
from resnetgen.site import Site
from resnetgen.urls import EVENTS_ROUTE, output_path_for


class Deferred:
    """A field's value made only when first read (see `Lazy`)."""
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]):
        self.make = make


class PostLd(Deferred):
    """A post's structured data (seo.post_ld), made if a template reads page.json_ld;
    the json_ld filter given the page writes its JSON without it (seo.PostLdText)."""
    __slots__ = ("post",)

    def __init__(self, post: Post, config):
        super().__init__(partial(seo.post_ld, post, config))
        self.post = post


class Lazy:
    """A dataclass field that may be given as a Deferred: a post's structured data is
    made only for the pages rendered (in the render workers), not for the thousands a
    rebuild keeps."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, page, owner=None):
        if page is None:
            return None  # the field's default
        value = page.__dict__[self.slot]
        if isinstance(value, Deferred):
            value = page.__dict__[self.slot] = value.make()
        return value

    def __set__(self, page, value) -> None:
        page.__dict__[self.slot] = value


@dataclass(frozen=True)
class Page:
    route: str                  # '2018/01/x/', '404.html', 'sitemap.xml'
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    json_ld: Any = Lazy()      # a dict, None, or a Deferred dict
    og_type: str = "website"
    image: str = ""
    in_sitemap: bool = True
    lastmod: str = ""           # ISO date for the sitemap
    source_path: str = ""       # the content file it comes from; '' for made-up pages
    # When set: every other field is made from this and the site's settings alone, so
    # the build cache keys the page on it (fingerprint), not on each field.
    made_from: Any = field(default=None, compare=False, repr=False)

    @property
    def source(self) -> str:
        """Where a fault on this page is reported: its content file, else its template."""
        return self.source_path or f"templates/{self.template}"

    def unmade_post_ld(self) -> Post | None:
        """The post whose structured data `json_ld` is, when it is not made yet."""
        value = self.__dict__.get("_json_ld")
        return value.post if type(value) is PostLd else None

    @cached_property
    def output_path(self) -> str:
        """Made once: a build reads it about six times per page (11,000 pages at 10k)."""
        return output_path_for(self.route)


def all_pages(site: Site, kept: Collection[str] = ()) -> list[Page]:
    """Every page; a post whose source path is in `kept` (unchanged since the last build,
    whose page files a rebuild keeps) as a KeptPage."""
    pages = [*home_pages(site), *post_pages(site, kept), *standalone_pages(site),
             *tag_pages(site), *people_pages(site), archive_page(site), events_page(site),
             not_found_page(site),
             *redirect_pages(site)]
    return [*pages, sitemap(site, pages), robots(site)]


def home_pages(site: Site) -> Iterator[Page]:
    per_page = site.config.posts_per_page
    chunks = [site.posts[i:i + per_page] for i in range(0, len(site.posts), per_page)] or [()]
    total = len(chunks)
    for number, posts in enumerate(chunks, start=1):
        route = "" if number == 1 else f"page/{number}/"
        pagination = {
            "number": number, "total": total,
            "previous": None if number == 1 else site.urls.url("" if number == 2 else f"page/{number - 1}/"),
            "next": site.urls.url(f"page/{number + 1}/") if number < total else None,
        }
        yield Page(route, "home.html",
                   site.config.title if number == 1 else f"{site.config.title}: page {number}",
                   site.config.description,
                   {"posts": posts, "pagination": pagination,
                    "next_chat": site.next_chat if number == 1 else None},
                   json_ld=seo.website_ld(site.config) if number == 1 else None)


def post_pages(site: Site, kept: Collection[str] = ()) -> Iterator[Page]:
    base_path = site.urls.base_path
    for post in site.posts:
        yield (KeptPage(site, post, post.url.removeprefix(base_path))
               if post.source_path in kept else post_page(site, post))


def post_page(site: Site, post: Post) -> Page:
    return Page(post.url.removeprefix(site.urls.base_path), 
                "briefing.html" if post.is_briefing else "post.html",
                post.title, post.summary, {"post": post},
                json_ld=PostLd(post, site.config), og_type="article",
                image=post.image,
                in_sitemap=not post.draft, lastmod=post.last_modified.date().isoformat(),
                source_path=post.source_path, made_from=("post", post))


class KeptPage:
    """A post's page whose post is as in the last build: what a rebuild reads of a page
    whose file it keeps (its route, output path and sitemap entry), its Page made only
    if it must render after all (`made()`). 10,000 Pages cost ~0.1 s a rebuild."""
    __slots__ = ("site", "post", "route", "output_path")

    def __init__(self, site: Site, post: Post, route: str):
        self.site, self.post, self.route = site, post, route
        self.output_path = post.output_path  # output_path_for(route), made by the loader

    @property
    def made_from(self) -> tuple:
        return ("post", self.post)

    @property
    def source(self) -> str:
        return self.post.source_path

    @property
    def in_sitemap(self) -> bool:
        return not self.post.draft

    @property
    def lastmod(self) -> str:
        return self.post.last_modified.date().isoformat()

    def made(self) -> Page:
        # The last one made is kept: its render worker asks twice (to render it, and
        # for its key: see build.all_outputs).
        global _last_made
        if _last_made[0] is not self:
            _last_made = (self, post_page(self.site, self.post))
        return _last_made[1]


_last_made: tuple = (None, None)  # (KeptPage, its Page): see KeptPage.made


def forget_made() -> None:
    """Lets go of the last KeptPage made, and so of its site (`serve` builds again and
    again in one process)."""
    global _last_made
    _last_made = (None, None)


def made(page: "Page | KeptPage") -> Page:
    """The Page itself, of a KeptPage too."""
    return page.made() if type(page) is KeptPage else page  # type: ignore[return-value]


def standalone_pages(site: Site) -> Iterator[Page]:
    for post in site.pages:
        yield standalone_page(site, post)


def standalone_page(site: Site, post: Post) -> Page:
    return Page(post.url.removeprefix(site.urls.base_path), "page.html", post.title,
                post.summary, {"post": post}, image=post.image, in_sitemap=not post.draft,
                lastmod=post.last_modified.date().isoformat() if post.updated else "",
                source_path=post.source_path, made_from=("page", post))


def tag_pages(site: Site) -> Iterator[Page]:
    yield Page("tags/", "tags.html", "Topics", f"Every topic on {site.config.title}.",
               {"tags": site.tags})
    for tag in site.tags:
        yield Page(f"tags/{tag.slug}/", "tag.html", f"Posts about {tag.name}",
                   f"Posts and chats on {site.config.title} about {tag.name}.", {"tag": tag})


def people_pages(site: Site) -> Iterator[Page]:
    yield Page("people/", "people.html", "Hosts",
               f"The people who host chats on {site.config.title}.", {"people": site.people})
    for record in site.people:
        person = record.person
        yield Page(f"people/{person.key}/", "person.html", person.name,
                   person.bio or f"Chats hosted by {person.name} on {site.config.title}.",
                   {"person": person, "chats": record.chats})


def archive_page(site: Site) -> Page:
    return Page("archive/", "archive.html", "Archive",
                f"Every post on {site.config.title}, by year.", {"years": site.years})


def events_page(site: Site) -> Page:
    """Every chat: upcoming soonest first, then past newest first; and how to subscribe."""
    return Page(EVENTS_ROUTE, "events.html", "Events",
                f"Every {site.config.title} tweetchat, and how to add them to your calendar.",
                {"upcoming": site.upcoming, "past": site.past})


def not_found_page(site: Site) -> Page:
    return Page("404.html", "404.html", "Page not found",
                "This page does not exist.", {}, in_sitemap=False)


def redirect_pages(site: Site) -> Iterator[Page]:
    for post in (*site.posts, *site.pages):
        yield from post_redirects(post)


def post_redirects(post: Post) -> Iterator[Page]:
    for alias in post.aliases:
        yield Page(alias, "redirect.html", post.title, post.summary,
                   {"target": post}, in_sitemap=False, source_path=post.source_path,
                   made_from=("redirect", alias, post))


def own_pages(site: Site, post: Post) -> list[Page]:
    """The pages made from one post alone (`made_from` it): its page and its redirects.
    Every other page showing a post is a listing (LISTING_TEMPLATES)."""
    page = post_page(site, post) if post.kind == POST else standalone_page(site, post)
    return [page, *post_redirects(post)]


# The templates of every page not made from one post alone (`made_from` None): when
# none of them reads a post's body, a body edit changes the edited post's own pages
# only (and the feeds showing it). tests/test_quick_edit.py checks the list.
LISTING_TEMPLATES = frozenset({"home.html", "tags.html", "tag.html", "people.html",
                               "person.html", "archive.html", "events.html", "404.html",
                               "sitemap.xml", "robots.txt"})


def sitemap(site: Site, pages: list[Page]) -> Page:
    entries = sorted(((site.urls.permalink(p.route), p.lastmod) for p in pages if p.in_sitemap))
    return Page("sitemap.xml", "sitemap.xml", "Sitemap", context={"entries": entries},
                in_sitemap=False)


def robots(site: Site) -> Page:
    return Page("robots.txt", "robots.txt", "robots.txt",
                context={"sitemap_url": site.urls.permalink("sitemap.xml")}, in_sitemap=False)
