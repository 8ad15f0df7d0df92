"""One imported post or page as the text of a content file: front matter and Markdown.

The front matter follows the contract in the README ("A briefing, in full"), so the
loader validates what the importer writes like anything an editor writes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import yaml

from resnetgen.importer.briefings import Recognised, recognise
from resnetgen.importer.exports import PAGE, Entry
from resnetgen.importer.html_to_markdown import block_text, clean_blocks, to_markdown
from resnetgen.importer.links import rewrite_links
from resnetgen.sanitize import clean_comment_html
from resnetgen.urls import slugify

UNTITLED_WORDS = 8


@dataclass(frozen=True)
class Document:
    entry: Entry
    source_path: str                      # 'content/2018/slug.md'
    text: str
    hosts: tuple[tuple[str, str], ...]    # (name, handle) of recognised hosts
    notes: tuple[str, ...]                # for the import report
    briefing: Recognised | None           # None for pages and ordinary posts
    comments: int = 0                     # archived in `text`


def wanted_path(entry: Entry, into: str) -> str:
    """Where an entry's file goes: posts by year under `into`, pages in content/pages."""
    stem = posixpath.splitext(posixpath.basename(entry.old_path))[0]
    slug = slugify(stem) or slugify(entry.title)[:60].strip("-") or "post-" + slugify(entry.id)[-8:]
    if entry.kind == PAGE:
        return f"content/pages/{slug}.md"
    match = re.match(r"^/(\d{4})/", entry.old_path)
    year = match.group(1) if match else f"{entry.published.year:04d}"
    return f"{into}/{year}/{slug}.md"


@dataclass(frozen=True)
class Context:
    """What every document of one import shares."""
    timezone: str
    hashtag: str
    host_key: Callable[[str, str], str]     # (name, handle) -> key in people.toml
    old_paths: frozenset[str] = frozenset()  # old addresses of every imported entry
    blog_hosts: frozenset[str] = frozenset()


def make_document(entry: Entry, source_path: str, comments: list[Entry],
                  context: Context) -> Document:
    notes: list[str] = []
    cleaned = clean_blocks(entry.html)
    rewrite_links(cleaned.blocks, set(context.old_paths), set(context.blog_hosts))
    title = entry.title
    if not title:
        first = next((block_text(b) for b in cleaned.blocks if block_text(b)), "")
        title = " ".join(first.split()[:UNTITLED_WORDS]) or "Untitled"
        notes.append(f"the old post had no title: it is now \"{title}\"; change it if you like")
    briefing = None
    blocks = cleaned.blocks
    if entry.kind != PAGE:
        briefing = recognise(title, cleaned.blocks, entry.published, context.timezone,
                             context.hashtag)
        notes.extend(briefing.notes)
        blocks = briefing.blocks
        if briefing.chat is None:
            briefing = None
    body = to_markdown(cleaned, blocks)
    missing_alt = len(re.findall(r"!\[\]\(", body))
    if missing_alt:
        notes.append(f"{missing_alt} picture{'s have' if missing_alt > 1 else ' has'} no "
                     "description: write one between the [ ] of each ![](...) for readers "
                     "who cannot see it")
    meta = front_matter(entry, title, briefing, comments, context.host_key)
    header = [f"# Imported from the old blog ({entry.old_path or 'a draft, never published'}) "
              "by `resnetgen import blogger`."]
    if briefing:
        header.append("# The chat, hosts, paper and questions were read from the post's text: "
                      "please check them.")
    text = "---\n" + "\n".join(header) + "\n" + dump_yaml(meta) + "---\n\n" + body
    return Document(entry, source_path, text, tuple(briefing.hosts) if briefing else (),
                    tuple(notes), briefing, len(meta.get("comments", ())))


def front_matter(entry: Entry, title: str, briefing: Recognised | None,
                 comments: list[Entry], host_key: Callable[[str, str], str]) -> dict:
    meta: dict = {"title": title, "date": iso(entry.published)}
    if entry.updated and entry.published and entry.updated > entry.published:
        meta["updated"] = iso(entry.updated)
    if entry.summary:
        meta["summary"] = entry.summary
    if entry.author:
        meta["author"] = entry.author
    if entry.labels:
        meta["tags"] = list(dict.fromkeys(entry.labels))
    if entry.draft:
        meta["draft"] = True
    if entry.old_path:
        meta["aliases"] = [entry.old_path]
    if briefing:
        meta["chat"] = dict(briefing.chat)
        if briefing.hosts:
            meta["hosts"] = [host_key(name, handle) for name, handle in briefing.hosts]
        if briefing.paper:
            meta["paper"] = dict(briefing.paper)
        if briefing.questions:
            meta["questions"] = list(briefing.questions)
    archived = [{"author": c.author or "Anonymous", "date": iso(c.published),
                 "html": clean_comment_html(c.html)} for c in comments]
    archived = [c for c in archived if c["html"]]
    if archived:
        meta["comments"] = archived
    return meta


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


class _Dumper(yaml.SafeDumper):
    """Readable YAML: text of several lines as a block, nothing sorted."""


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(meta: dict) -> str:
    return yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000)
