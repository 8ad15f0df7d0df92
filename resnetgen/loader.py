"""Load the whole site's content into immutable records, before anything is written."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from resnetgen.config import SiteConfig
from resnetgen.frontmatter_schema import (POST_FIELDS, FieldReader, read_chat, read_comments,
                                          read_hosts, read_paper)
from resnetgen.lint import source_facts
from resnetgen.markdown import LinkContext, render_markdown
from resnetgen.models import PAGE, POST, Person, Post
from resnetgen.people import load_people
from resnetgen.problems import Problems
from resnetgen.source import CONTENT_DIR, PAGES_DIR, SourceFile, discover, read_source
from resnetgen.urls import Urls, output_path_for, post_route, safe_route, slugify


@dataclass(frozen=True)
class Content:
    posts: tuple[Post, ...]          # dated posts and briefings, newest first
    pages: tuple[Post, ...]          # standalone pages, by title
    assets: dict[str, str]           # source path -> route of every other file
    people: dict[str, Person]        # from people.toml and inline hosts


def load_content(site_dir: Path, config: SiteConfig, problems: Problems,
                 include_drafts: bool = False) -> Content:
    urls = Urls(config)
    people = load_people(site_dir, config, problems)
    markdown_paths, asset_paths = discover(site_dir)
    sources = [s for s in (read_source(site_dir, p, problems) for p in markdown_paths) if s]
    records = [(s, p) for s in sources
               if (p := read_post(s, config, people, urls, problems)) is not None]
    if not include_drafts:
        records = [(s, p) for s, p in records if not p.draft]
    check_unique_routes([p for _, p in records], problems)

    bundles = {posixpath.dirname(s.source_path): p for s, p in records
               if posixpath.basename(s.source_path) == "index.md"}
    assets = {path: asset_route(path, bundles) for path in asset_paths}
    links = {s.source_path: p.url for s, p in records}
    links.update({path: urls.url(route) for path, route in assets.items()})

    rendered = [render_body(s, p, links, config, problems) for s, p in records]
    everyone = dict(people)
    for post in rendered:
        for host in post.hosts:
            everyone.setdefault(host.key, host)
    posts = sorted((p for p in rendered if p.kind == POST),
                   key=lambda p: (p.date, p.source_path), reverse=True)
    pages = sorted((p for p in rendered if p.kind == PAGE), key=lambda p: (p.title, p.source_path))
    return Content(tuple(posts), tuple(pages), assets, everyone)


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
        for output in (post.output_path, *map(output_path_for, post.aliases)):
            other = owners.setdefault(output, post.source_path)
            if other != post.source_path:
                problems.error(post.source_path, 1, f"'{output}' is also produced by {other}",
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
    return replace(post, body_html=rendered.html, summary=summary, image=image,
                   facts=source_facts(source, rendered))
