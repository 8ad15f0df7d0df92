"""Load the whole site's content into immutable records, before anything is written."""

from __future__ import annotations

import marshal
import os
import posixpath
import re
from functools import partial
from operator import attrgetter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from resnetgen.cache import BuildCache, CachedPost, digest, read_digested
from resnetgen.config import SiteConfig
from resnetgen.frontmatter_schema import (POST_FIELDS, FieldReader, read_chat, read_comments,
                                          read_hosts, read_paper)
from resnetgen.guessed_links import GuessedLinks
from resnetgen.lint import source_facts
from resnetgen.markdown import LinkContext, render_markdown
from resnetgen.models import PAGE, POST, Packed, Person, Post, packed
from resnetgen.people import load_people
from resnetgen.parallel import parallel_imap
from resnetgen.post_codec import (NotPlain, from_plain, problems_from_plain,
                                  problems_to_plain, to_plain)
from resnetgen.problems import ERROR, Problems
from resnetgen.source import CONTENT_DIR, PAGES_DIR, SourceFile, discover, read_source
from resnetgen.urls import Urls, output_path_for, post_route, safe_route, slugify


@dataclass(frozen=True)
class Content:
    posts: tuple[Post, ...]          # dated posts and briefings, newest first
    pages: tuple[Post, ...]          # standalone pages, by title
    assets: dict[str, str]           # source path -> route of every other file
    people: dict[str, Person]        # from people.toml and inline hosts
    digests: dict[str, str] = field(default_factory=dict)  # source path -> digest of its Post
    listing_digests: dict[str, str] = field(default_factory=dict)  # ... of all but its body


def load_content(site_dir: Path, config: SiteConfig, problems: Problems,
                 include_drafts: bool = False, cache: BuildCache | None = None,
                 meanwhile: Callable[[], object] | None = None,
                 digest_read: bool = False) -> Content:
    """Read every content file; with a cache, only files that changed are read again.
    `meanwhile` is called once the files are being read (by other processes).
    `digest_read`: the cache knows no file yet (a first build): each file read is
    digested by its reader, for the cache's scan (`cache.read_digests`: see
    Incremental.scan), and no post is looked up in the cache."""
    urls = Urls(config)
    people = load_people(site_dir, config, problems)
    markdown_paths, asset_paths = discover(site_dir)
    reading = Reading(site_dir, config, people, urls, cache, include_drafts)
    reading.digest_read = digest_read and cache is not None
    records = reading.front_matter(markdown_paths, problems, meanwhile)
    if not include_drafts:
        records = [r for r in records if not r.post.draft]
    check_unique_routes([r.post for r in records], problems)

    bundles = {posixpath.dirname(r.post.source_path): r.post for r in records
               if r.post.source_path.endswith("/index.md")}  # (under content/: a folder)
    assets = {path: asset_route(path, bundles) for path in asset_paths}
    links = {r.post.source_path: r.post.url for r in records}
    links.update({path: urls.url(route) for path, route in assets.items()})

    rendered = reading.bodies(records, links, problems)
    everyone = dict(people)
    # Each tuple of hosts once, as first met (posts from the cache share a few hundred
    # tuples): the hosts first met in the same order.
    for hosts in {id(post.hosts): post.hosts for post in rendered}.values():
        for host in hosts:
            everyone.setdefault(host.key, host)
    posts = sorted((p for p in rendered if p.kind == POST),
                   key=attrgetter("date", "source_path"), reverse=True)
    pages = sorted((p for p in rendered if p.kind == PAGE), key=lambda p: (p.title, p.source_path))
    return Content(tuple(posts), tuple(pages), assets, everyone, reading.digests,
                   reading.listing_digests)


@dataclass(slots=True)
class Record:
    """One Markdown file on its way to a Post: from the cache, or read afresh."""
    post: Post                          # body rendered (fresh: optimistically, see Fresh)
    cached: CachedPost | None = None
    fresh: "Fresh | None" = None
    digest: str = ""                    # the file's bytes, with everything reading depends on
    found: tuple = ()                   # warnings while reading its front matter


@dataclass
class Fresh:
    """A file read and rendered in one go, before the other files' URLs were known: its
    body holds while every link it looked up resolves the same in the final map."""
    lookups: tuple                      # (source path, url or None), sorted
    found: tuple                        # problems of its body
    digest: str                         # the post's digest (of the key and lookups)
    listing: str                        # see listing_digest


class Reading:
    """Reads and renders content files, on several processes, reusing the cache."""

    def __init__(self, site_dir: Path, config: SiteConfig, people: dict[str, Person],
                 urls: Urls, cache: BuildCache | None, include_drafts: bool = False):
        self.site_dir, self.config, self.people, self.urls = site_dir, config, people, urls
        self.site = str(site_dir)
        self.cache = cache
        self.guessed = GuessedLinks(site_dir, lambda path: self._read_one(path)[1], urls.url,
                                    include_drafts)  # each worker fills its own copy
        self.pid = os.getpid()              # this process; workers are forked from it
        self.digests: dict[str, str] = {}   # source path -> digest of its Post
        self.listing_digests: dict[str, str] = {}   # ... of the Post without its body
        self.digest_read = False            # see load_content
        if cache is not None:
            self.context = digest(cache.code, cache.file_digest(site_dir / "site.toml", "site.toml"),
                                  sorted((k, repr(v)) for k, v in people.items()))

    def front_matter(self, paths: list[str], problems: Problems,
                     meanwhile: Callable[[], object] | None = None) -> list[Record]:
        """Every file's Post: cached, or read and rendered now (one pass over the files,
        on every core: see Fresh). `meanwhile()` runs once the first file is read."""
        records: list[Record | None] = [None] * len(paths)
        missing: list[tuple[int, str | None]] = []
        if self.digest_read:  # a first build: nothing cached, each file's key made as read
            missing = [(index, None) for index in range(len(paths))]
        else:
            store = self.cache.posts if self.cache is not None else None
            key_of = self._key
            for index, path in enumerate(paths):
                key = key_of(path)
                cached = store.get(path, key) if store is not None else None
                if cached is not None:
                    records[index] = Record(cached.post, cached, None, key)
                else:
                    missing.append((index, key))
        read_digests = self.cache.read_digests if self.digest_read else None  # type: ignore[union-attr]
        # Each result taken in as it comes (not after the last): this process's part
        # (0.2 s at 10,000 posts) runs beside the workers', not alone after them.
        for (index, key), result in zip(missing, parallel_imap(
                self._read_and_render, [(paths[i], key) for i, key in missing])):
            if meanwhile is not None:  # the other processes are reading: this one is free
                meanwhile()
                meanwhile = None
            if read_digests is not None:
                file, result = result
                if file is not None:
                    read_digests[paths[index]] = file
                key = self._key_of(paths[index], file[1]) if file is not None else ""
            post, found, rendered = _from_worker(result)
            problems.extend(found)
            if post is not None:
                records[index] = Record(post, fresh=rendered, digest=key, found=tuple(found))
        self.guessed.forget()  # what this process guessed (in one process: the posts read)
        if self.cache is not None:
            self.cache.keep_posts(set(paths))
        return [r for r in records if r is not None]

    def _key(self, path: str) -> str:
        if self.cache is None:
            return ""
        # Joined, not digested again (10,000 digests: 0.1 s); the path counts (a renamed
        # file is another post: its URL differs).
        known = self.cache.file_digest(f"{self.site}/{path}", path)  # the scan's, mostly
        return self._key_of(path, known)

    def _key_of(self, path: str, file_digest: str) -> str:
        return f"{self.context}{file_digest}\x00{path}"

    def _read_and_render(self, item: tuple[str, str | None]):
        """(Post with its body, front matter problems, Fresh), in a worker. Links to
        other content files resolve to what their files say (see GuessedLinks). From a
        worker process, as bytes (see _to_main). Without a key (see `digest_read`):
        ((record, digest) of the file for the cache, or None; that result)."""
        path, key = item
        file = raw = None
        if key is None:
            try:
                file, raw = read_digested(f"{self.site_dir}/{path}")
            except OSError:
                pass  # reading it again reports it, as the scan would have
            key = self._key_of(path, file[1]) if file is not None else ""
        result = self._read_and_render_here((path, key), raw)
        result = _to_main(result) if os.getpid() != self.pid else result
        return result if item[1] is not None else (file, result)

    def _read_and_render_here(self, item: tuple[str, str], raw: bytes | None = None):
        path, key = item
        found = Problems()
        source = read_source(self.site_dir, path, found, raw)
        post = read_post(source, self.config, self.people, self.urls, found) if source else None
        if post is None:
            return None, found.items, None
        post, lookups, body_found = _render_one(source, post, self.guessed, self.config)
        listing = listing_digest(self.context, source, post) if self.cache is not None else ""
        return post, found.items, Fresh(lookups, tuple(body_found), digest(key, lookups), listing)

    def _read_one(self, path: str):
        found = Problems()
        source = read_source(self.site_dir, path, found)
        post = read_post(source, self.config, self.people, self.urls, found) if source else None
        return source, post, found.items

    def bodies(self, records: list[Record], links: dict[str, str],
               problems: Problems) -> list[Post]:
        """Each record's Post with its body; a body is kept while its links hold, else
        rendered again."""
        todo: list[Record] = []
        posts: dict[str, Post] = {}
        digests, listing_digests = self.digests, self.listing_digests
        for record in records:
            path = record.post.source_path
            cached, fresh = record.cached, record.fresh
            if cached is not None and (not cached.lookups or  # (most posts: no generator)
                                       all(links.get(k) == v for k, v in cached.lookups)):
                if cached.warnings:
                    problems.extend(cached.warnings)
                posts[path] = cached.post
                digests[path] = cached.digest
                listing_digests[path] = cached.listing
            elif fresh is not None and all(links.get(k) == v for k, v in fresh.lookups):
                self._done(record, record.post, fresh.lookups, fresh.found, fresh.digest,
                           fresh.listing, problems)
                posts[path] = record.post
            else:  # a link it uses resolves otherwise: read and rendered again
                todo.append(record)
        if self.cache is not None:  # a cached body the cache has lost: rendered again
            self.cache.posts.fallback = partial(self._body_again, links)
        again = partial(_read_and_render_again, self, links)
        for record, outcome in zip(todo, parallel_imap(again, [r.post.source_path for r in todo])):
            source_found, post, lookups, found, listing = outcome
            if record.cached is not None:  # its front matter's problems are not known yet
                problems.extend(source_found)
                record.found = tuple(source_found)
            if post is None:
                continue
            self._done(record, post, lookups, tuple(found), digest(record.digest, lookups),
                       listing, problems)
            posts[post.source_path] = post
        return [post for post in map(posts.get, (r.post.source_path for r in records))
                if post is not None]

    def _done(self, record: Record, post: Post, lookups: tuple, found: tuple, post_digest: str,
              listing: str, problems: Problems) -> None:
        """A post read and rendered by this build: its body's problems, and into the cache."""
        problems.extend(found)
        path = post.source_path
        self.digests[path] = post_digest
        if self.cache is not None:
            self.listing_digests[path] = listing
            if not any(p.severity == ERROR for p in found):
                self.cache.set_post(path, CachedPost(post, lookups, record.found + found,
                                                     record.digest, listing, post_digest))

    def _body_again(self, links: dict[str, str], path: str) -> str:
        found = Problems()
        source = read_source(self.site_dir, path, found)
        post = read_post(source, self.config, self.people, self.urls, found) if source else None
        if post is None:
            raise RuntimeError(f"{path} changed during the build: build again")
        return render_body(source, post, links, self.config, found).body_html


def _to_main(result: tuple) -> "tuple | bytes":
    """A worker's (Post, problems, Fresh) as marshal bytes of plain data (the build
    cache's form of a post, see post_codec), for the main process: pickle rebuilds the
    dataclasses and date-times twice as slowly (0.03 ms a post, on the main process's
    core), and a copy of each host for each post. As it was when it is not plain."""
    post, found, fresh = result
    if post is None:
        return result
    try:
        return marshal.dumps((to_plain(post), post.packed_body(),
                              problems_to_plain(found), fresh.lookups,
                              problems_to_plain(fresh.found), fresh.digest, fresh.listing))
    except (NotPlain, ValueError):
        return result


def _from_worker(result: "tuple | bytes") -> tuple:
    if type(result) is not bytes:
        return result
    plain, body, found, lookups, body_found, post_digest, listing = marshal.loads(result)
    return (from_plain(plain, Packed(body)), list(problems_from_plain(found)),
            Fresh(lookups, problems_from_plain(body_found), post_digest, listing))


def _read_and_render_again(reading: Reading, links: dict[str, str], path: str):
    """(front matter problems, Post or None, lookups, body problems, listing digest)
    with the final links."""
    source, post, found = reading._read_one(path)
    if post is None:
        return found, None, (), [], ""
    post, lookups, body_found = _render_one(source, post, links, reading.config)
    listing = listing_digest(reading.context, source, post) if reading.cache is not None else ""
    return found, post, lookups, body_found, listing


def listing_digest(context: str, source: SourceFile, post: Post) -> str:
    """A post as a listing sees it: every field but its body. Those fields are made from
    its path and front matter, read under `context` (code, site.toml, people), but for
    the summary (the body's first paragraph, when the front matter has none) and the
    share image (found in the links map): their digest changes whenever a field does
    (and when only the front matter's layout does). The fields' repr cost ten times
    as much (0.4 s at 10,000 posts); the parts are given as bytes (their repr cost
    two thirds of the digest). A summary or image holds the NUL that digest puts
    between parts only when the front matter gives it one (a YAML "\\0"; markdown-it
    replaces one in the body), and the front matter text, a part too, then fixes both:
    the digest stays unambiguous."""
    return digest(context.encode(), *(text.encode("utf-8", "surrogatepass") for text in (
        source.source_path, source.front_matter, post.summary, post.image)))


class RecordingLinks(dict):
    """The links map, noting every lookup, so a body is reused only while the links it
    resolved still resolve the same way."""

    def __init__(self, links: dict[str, str]):
        super().__init__()
        self.links = links
        self.lookups: dict[str, str | None] = {}

    def get(self, key, default=None):
        value = self.links.get(key)
        self.lookups[key] = value
        return default if value is None else value

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value


def _render_one(source: SourceFile, post: Post, links: dict[str, str],
                config: SiteConfig) -> tuple[Post, tuple, list]:
    found = Problems()
    recording = RecordingLinks(links)
    post = render_body(source, post, recording, config, found)
    # The body travels to (and stays in) the main process compressed: a third of the
    # memory (27 MiB of text at 10,000 posts); a page or feed showing it inflates it.
    post = post.but(body_html=packed(post.body_html))
    return post, tuple(sorted(recording.lookups.items())), found.items


def read_post(source: SourceFile, config: SiteConfig, people: dict[str, Person], urls: Urls,
              problems: Problems) -> Post | None:
    """Front matter -> a Post without its body; None when the file has errors."""
    meta = source.meta
    reader = FieldReader(source, config, problems)
    reader.unknown_keys(meta, POST_FIELDS, ())
    kind = PAGE if source.source_path.startswith(PAGES_DIR + "/") else POST
    title = reader.text(meta, "title", required=True)
    published = reader.moment(meta, "date", (), config.zone, required=(kind == POST))
    updated = reader.moment(meta, "updated", (), config.zone)
    if published and updated and updated < published:
        reader.error(("updated",), "'updated' is before 'date'", "check both dates")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        reader.error(("draft",), "'draft' must be true or false")
        draft = False
    chat = read_chat(reader, meta["chat"]) if "chat" in meta else None
    hosts = read_hosts(reader, meta.get("hosts"), people)
    paper = read_paper(reader, meta.get("paper"))
    questions = reader.text_list(meta, "questions")
    comments = read_comments(reader, meta.get("comments"))
    tags = reader.text_list(meta, "tags")
    for tag in tags:
        if not slugify(tag):
            reader.error(("tags",), f"tag '{tag}' has no letters or digits to make a URL from")
    extra = meta.get("extra", {})
    if not isinstance(extra, dict):
        reader.error(("extra",), "'extra' must be a table of your own fields")
        extra = {}

    slug = reader.text(meta, "slug") or default_slug(source.source_path)
    if "slug" in meta and (safe_route(slug) != slug or "/" in slug or not slug):
        reader.error(("slug",), f"slug '{slug}' would leave its folder",
                     "use letters, digits and '-' only")
    aliases = []
    for alias in reader.text_list(meta, "aliases"):
        route = safe_route(alias)
        if not route:
            reader.error(("aliases",), f"alias '{alias}' would leave the output folder",
                         "write the old path from the site root, such as /2018/01/old.html")
        else:
            aliases.append(route)
    if not reader.ok or (kind == POST and published is None):
        return None
    published = published or datetime(1970, 1, 1, tzinfo=config.zone)
    route = post_route(config, published, slug) if kind == POST else f"{slug}/"
    return Post(
        source_path=source.source_path, kind=kind, title=title, date=published,
        updated=updated, slug=slug, url=urls.url(route), output_path=output_path_for(route),
        permalink=urls.permalink(route), summary=reader.text(meta, "summary"), body_html="",
        tags=tags, draft=draft, aliases=tuple(aliases), chat=chat, hosts=hosts, paper=paper,
        questions=questions, author=reader.text(meta, "author") or config.author,
        image=reader.text(meta, "image"), extra=extra, comments=comments)


def default_slug(source_path: str) -> str:
    """File name without a leading date; a bundle's folder name for index.md."""
    stem = posixpath.splitext(posixpath.basename(source_path))[0]
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(source_path))
    return slugify(re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem)) or "post"


def asset_route(source_path: str, bundles: dict[str, Post]) -> str:
    """A bundle's files sit beside its page; other files keep their place under content/."""
    folder = posixpath.dirname(source_path)
    while folder.startswith(CONTENT_DIR):
        if folder in bundles:
            post_dir = posixpath.dirname(bundles[folder].output_path)
            return posixpath.join(post_dir, posixpath.relpath(source_path, folder))
        folder = posixpath.dirname(folder)
    return posixpath.relpath(source_path, CONTENT_DIR)


def check_unique_routes(posts: list[Post], problems: Problems) -> None:
    owners: dict[str, str] = {}
    for post in posts:
        path = post.source_path
        if owners.setdefault(post.output_path, path) != path:
            _clash(post.output_path, owners, path, problems)
        for output in map(output_path_for, post.aliases):  # (most posts: none)
            if owners.setdefault(output, path) != path:
                _clash(output, owners, path, problems)


def _clash(output: str, owners: dict[str, str], path: str, problems: Problems) -> None:
    problems.error(path, 1, f"'{output}' is also produced by {owners[output]}",
                   "change the slug, date or alias of one of them")


def render_body(source: SourceFile, post: Post, links: dict[str, str], config: SiteConfig,
                problems: Problems) -> Post:
    context = LinkContext(source.source_path, source.body_line, links, config.base_path)
    rendered = render_markdown(source.body, context)
    for line, kind, target in rendered.missing:
        problems.error(source.source_path, line, f"{kind} points to {target}, which does not exist",
                       "check the file name and its folder; paths are relative to this file")
    image = post.image
    if image and not re.match(r"^https?://", image):
        wanted = posixpath.normpath(posixpath.join(posixpath.dirname(source.source_path), image))
        image = config.origin + links[wanted] if wanted in links else ""
        if not image:
            problems.error(source.source_path, 1, f"image {wanted} does not exist",
                           "put the picture beside the post, or give a full URL")
    summary = post.summary or rendered.first_paragraph
    return post.but(body_html=rendered.html, summary=summary, image=image,
                    facts=source_facts(source, rendered))
