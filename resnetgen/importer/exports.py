"""Read a Blogger export, in either of its two formats, into neutral records.

- classic: the "Back up content" Atom file. Entry kinds are categories with scheme
  http://schemas.google.com/g/2005#kind; drafts carry app:control/app:draft; labels
  are categories with scheme http://www.blogger.com/atom/ns#; a comment names its
  post with thr:in-reply-to.
- takeout: the newer export (namespace http://schemas.google.com/blogger/2018):
  blogger:type, blogger:status, blogger:filename, blogger:parent, blogger:trashed.

The XML is parsed by defusedxml with no DTD allowed at all: no entity expansion,
no external entities (XXE), no "billion laughs". Any fault names the file's line.
"""

from __future__ import annotations

import html
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

CLASSIC = "classic Blogger backup (Atom)"
TAKEOUT = "Blogger export of 2018 and later (Takeout feed.atom)"

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
THREAD = "{http://purl.org/syndication/thread/1.0}"
APP_NAMESPACES = ("{http://purl.org/atom/app#}", "{http://www.w3.org/2007/app}")
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"

POST, PAGE, COMMENT = "post", "page", "comment"


class ExportError(Exception):
    """The export cannot be read; carries the line it stopped at."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass(frozen=True)
class Entry:
    """One post, page or comment, whatever the format it came from."""
    kind: str                   # POST, PAGE or COMMENT
    id: str                     # the platform's identity of the entry
    line: int                   # where it starts in the export
    title: str
    html: str
    published: datetime | None  # aware, in the zone the export gave
    updated: datetime | None
    author: str = ""
    labels: tuple[str, ...] = ()
    old_path: str = ""          # '/2018/01/slug.html' or '/p/about.html'
    draft: bool = False
    trashed: bool = False
    parent: str = ""            # a comment's post id
    summary: str = ""           # the platform's search description, if any


@dataclass(frozen=True)
class Export:
    format: str
    blog_title: str
    entries: tuple[Entry, ...]
    other: int                  # entries that are neither posts, pages nor comments
    blog_host: str = ""         # the old blog's host name, when the export gives it


def read_export(path: Path) -> Export:
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        raise ExportError(1, "this is a zip archive, not the export itself",
                          "unzip it and give the feed.atom inside "
                          "(Takeout/Blogger/Blogs/<your blog>/feed.atom)")
    root, lines = parse_xml(data)
    if root.tag != ATOM + "feed":
        raise ExportError(lines.get(id(root), 1),
                          f"not a Blogger export: the file is <{local_name(root.tag)}>, "
                          "not an Atom <feed>",
                          "export the blog from Blogger: Settings > Back up content")
    entries = root.findall(ATOM + "entry")
    takeout = any(e.find(BLOGGER + "type") is not None for e in entries)
    classic = any(kind_of(e) for e in entries)
    if takeout and classic:
        raise ExportError(1, "the file mixes both Blogger export formats",
                          "export the blog again and give the new file as it is")
    if not takeout and not classic:
        raise ExportError(lines.get(id(root), 1),
                          "this Atom feed is not a Blogger export: its entries have "
                          "neither blogger:type nor a Blogger kind",
                          "a blog's public feed is not enough; export the blog from "
                          "Blogger: Settings > Back up content")
    read = read_takeout_entry if takeout else read_classic_entry
    records = [read(e, lines.get(id(e), 1)) for e in entries]
    kept = tuple(r for r in records if r is not None)
    home = next((link.get("href", "") for link in root.findall(ATOM + "link")
                 if link.get("rel") == "alternate"), "")
    return Export(TAKEOUT if takeout else CLASSIC, text_of(root.find(ATOM + "title")),
                  kept, len(records) - len(kept), urlsplit(home).netloc.lower())


def parse_xml(data: bytes) -> tuple[Element, dict[int, int]]:
    """The root element, and the line where each element starts (keyed by id())."""
    parser = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat = parser.parser
    lines: dict[int, int] = {}
    builder_start = parser._start  # the pure-Python parser's element hook

    def start(tag, attrs):
        element = builder_start(tag, attrs)
        lines[id(element)] = expat.CurrentLineNumber
        return element

    expat.StartElementHandler = start
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ExportError(expat.CurrentLineNumber,
                          f"refused: the file declares a DTD or entities ({type(exc).__name__})",
                          "a Blogger export never has <!DOCTYPE> or <!ENTITY>; "
                          "this file was changed or is not a Blogger export") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        reason = str(exc).split(":")[0]
        hint = ("the file is cut short: download the export again"
                if "no element found" in reason or "unclosed token" in reason
                else "the file is damaged or is not XML: download the export again")
        raise ExportError(line, f"not well-formed XML: {reason}", hint) from None
    return root, lines


def read_classic_entry(entry: Element, line: int) -> Entry | None:
    kind = kind_of(entry)
    if kind not in (POST, PAGE, COMMENT):
        return None                      # settings, template
    draft = any(text_of(entry.find(f"{app}control/{app}draft")).lower() == "yes"
                for app in APP_NAMESPACES)
    parent = ""
    reply = entry.find(THREAD + "in-reply-to")
    if reply is not None:
        parent = reply.get("ref", "")
    alternate = next((link.get("href", "") for link in entry.findall(ATOM + "link")
                      if link.get("rel") == "alternate"), "")
    labels = tuple(html.unescape(c.get("term", "")).strip()
                   for c in entry.findall(ATOM + "category")
                   if c.get("scheme") == LABEL_SCHEME)
    return common_entry(entry, line, kind, draft=draft, trashed=False, parent=parent,
                        old_path="" if kind == COMMENT else path_of(alternate),
                        labels=labels, summary="")


def read_takeout_entry(entry: Element, line: int) -> Entry | None:
    kind = text_of(entry.find(BLOGGER + "type")).lower()
    if kind not in (POST, PAGE, COMMENT):
        return None
    status = text_of(entry.find(BLOGGER + "status")).upper()
    # Every entry has <blogger:trashed/>; a trashed one says when it was binned.
    trashed = bool(text_of(entry.find(BLOGGER + "trashed"))) or status in ("DELETED", "SOFT_TRASHED")
    labels = []
    for category in entry.findall(ATOM + "category"):
        labels.extend(t.strip() for t in html.unescape(category.get("term", "")).split("\n"))
    # Only what was public on the old blog is public here: DRAFT, SCHEDULED, PENDING...
    # all arrive as drafts.
    return common_entry(entry, line, kind, draft=status not in ("LIVE", ""), trashed=trashed,
                        parent=text_of(entry.find(BLOGGER + "parent")),
                        old_path=path_of(text_of(entry.find(BLOGGER + "filename"))),
                        labels=tuple(label for label in labels if label),
                        summary=text_of(entry.find(BLOGGER + "metaDescription")))


def common_entry(entry: Element, line: int, kind: str, **fields) -> Entry:
    # Titles come HTML-escaped inside the XML escaping ("&amp;#39;"): unescape once more.
    title = " ".join(html.unescape(text_of(entry.find(ATOM + "title"))).split())
    author = text_of(entry.find(f"{ATOM}author/{ATOM}name"))
    if author.lower() in ("unknown", "noreply@blogger.com"):
        author = ""
    return Entry(kind=kind, id=text_of(entry.find(ATOM + "id")), line=line, title=title,
                 html=text_of(entry.find(ATOM + "content")),
                 published=moment(text_of(entry.find(ATOM + "published")), line),
                 updated=moment(text_of(entry.find(ATOM + "updated")), line),
                 author=author, **fields)


def kind_of(entry: Element) -> str:
    for category in entry.findall(ATOM + "category"):
        term = category.get("term", "")
        if category.get("scheme") == KIND_SCHEME and term.startswith(KIND_PREFIX):
            return term[len(KIND_PREFIX):]
    return ""


def moment(text: str, line: int) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(line, f"the date {text!r} cannot be read",
                          "the export may be damaged: download it again") from None
    if value.tzinfo is None:
        raise ExportError(line, f"the date {text!r} has no time zone",
                          "the export may be damaged: download it again")
    return value.replace(microsecond=0)


def path_of(url: str) -> str:
    """'https://x.blogspot.com/2018/01/a.html' or '/2018/01/a.html' -> '/2018/01/a.html'."""
    if not url:
        return ""
    path = unquote(urlsplit(url).path)
    return path if path.startswith("/") and path.endswith(".html") else ""


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
