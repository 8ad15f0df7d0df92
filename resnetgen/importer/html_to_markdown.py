"""The platform's HTML made into clean Markdown.

Blogger's editor writes a post as runs of text and <br>, wrapped in <div>s and
<span style=...>s, with &nbsp; for spacing and "•" lines for lists. `clean_blocks`
turns that into a list of real blocks (paragraphs, lists, headings, ...), which the
briefing recogniser reads and may trim; `to_markdown` hands them to markdownify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import BACKSLASH, MarkdownConverter

DROP = {"script", "style", "noscript", "meta", "link", "form", "input", "button", "o:p"}
UNWRAP = {"span", "font", "center", "small", "big", "abbr", "nobr"}
CONTAINERS = {"div", "section", "article", "main", "header", "footer", "body", "html",
              "[document]"}
BLOCKS = {"ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
          "hr", "dl", "figure"}
KEEP_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                   "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
                   "ol": {"start"}}
BULLET = re.compile(r"^\s*[•●◦▪·]\s*")
LEAD_IN_WORDS = 6   # a line this short, ending in ':' and followed by a list, is a heading


class Marker(Enum):
    """Markers in the flattened stream of a post's content: not strings, which the
    post's own words could equal (a line reading "line" was taken for a marker)."""
    LINE = "a <div> boundary: ends the current line, never adds a blank one"
    BREAK = "a <br>: ends the current line; two in a row make a new paragraph"
    PARAGRAPH = "a <p> boundary"


LINE, BREAK, PARAGRAPH = Marker.LINE, Marker.BREAK, Marker.PARAGRAPH


@dataclass
class Cleaned:
    soup: BeautifulSoup
    blocks: list[Tag]           # top-level blocks, in order


def clean_blocks(html: str) -> Cleaned:
    soup = BeautifulSoup(html or "", "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(DROP):
        tag.decompose()
    for tag in soup.find_all("iframe"):
        tag.replace_with(video_link(soup, tag))
    for tag in soup.find_all(True):
        if tag.name in UNWRAP or (tag.name == "a" and not safe_link(tag.get("href", ""))):
            tag.unwrap()
        else:
            allowed = KEEP_ATTRIBUTES.get(tag.name, set())
            tag.attrs = {k: v for k, v in tag.attrs.items() if k in allowed}
    for text in soup.find_all(string=True):
        if "\xa0" in text:
            text.replace_with(text.replace("\xa0", " "))
    stream: list = []
    flatten(soup, stream)
    blocks = [b for b in group(soup, stream) if has_content(b)]
    return Cleaned(soup, lead_in_headings(soup, blocks))


def safe_link(href: str) -> bool:
    """Web, mail and in-page links; never script: URLs, nor anchors without an address."""
    href = href.strip()
    return bool(href) and (bool(re.match(r"^(https?:|mailto:|/|#)", href, re.I))
                           or ":" not in href.split("/")[0])


def video_link(soup: BeautifulSoup, frame: Tag) -> Tag:
    """An embedded video or map cannot be kept safely: a link to it is."""
    source = frame.get("src", "")
    if source.startswith("//"):
        source = "https:" + source
    link = soup.new_tag("a", href=source)
    link.string = source
    paragraph = soup.new_tag("p")
    paragraph.append(link)
    return paragraph


def flatten(node: Tag, out: list) -> None:
    """The content as a flat stream of inline nodes, markers and whole blocks."""
    for child in list(node.children):
        if isinstance(child, NavigableString):
            out.append(child)
        elif child.name == "br":
            out.append(BREAK)
        elif child.name in CONTAINERS:
            out.append(LINE)
            flatten(child, out)
            out.append(LINE)
        elif child.name == "p":
            out.append(PARAGRAPH)
            flatten(child, out)
            out.append(PARAGRAPH)
        elif child.name in BLOCKS:
            for bullet in child.find_all(string=BULLET):
                bullet.replace_with(BULLET.sub("", bullet))
            out.append(child)
        else:
            out.append(child)


def group(soup: BeautifulSoup, stream: list) -> list[Tag]:
    """Lines and blank lines from the stream, then paragraphs and lists from the lines."""
    blocks: list[Tag] = []
    lines: list[list] = []
    current: list = []

    def end_line(blank: bool = False) -> None:
        nonlocal current
        if current:
            lines.append(current)
            current = []
        if blank and lines and lines[-1]:
            lines.append([])

    for item in stream:
        if item is BREAK:
            if current:
                end_line()
            else:
                end_line(blank=True)
        elif item is LINE:
            end_line()
        elif item is PARAGRAPH:
            end_line(blank=True)
        elif isinstance(item, Tag) and item.name in BLOCKS:
            end_line(blank=True)
            blocks.extend(paragraphs(soup, lines))
            lines = []
            blocks.append(item)
        elif isinstance(item, NavigableString) and not item.strip() and not current:
            continue
        else:
            current.append(item)
    end_line()
    blocks.extend(paragraphs(soup, lines))
    return blocks


def paragraphs(soup: BeautifulSoup, lines: list[list]) -> list[Tag]:
    """Blank lines separate paragraphs; a run of "•" lines becomes a real list, and a
    line of pictures only (the platform's centred image) a paragraph of its own."""
    blocks: list[Tag] = []
    run: list[list] = []
    for line in lines + [[]]:
        if line and not is_blank(line):
            run.append(line)
            continue
        while run:
            kind = line_kind(run[0])
            size = next((i for i, l in enumerate(run) if line_kind(l) != kind), len(run))
            chunk, run = run[:size], run[size:]
            blocks.append(bullet_list(soup, chunk) if kind == "bullet" else paragraph(soup, chunk))
    return blocks


def paragraph(soup: BeautifulSoup, lines: list[list]) -> Tag:
    p = soup.new_tag("p")
    for index, line in enumerate(lines):
        if index:
            p.append(soup.new_tag("br"))
        for node in line:
            p.append(node.extract() if hasattr(node, "extract") else node)
    return p


def bullet_list(soup: BeautifulSoup, lines: list[list]) -> Tag:
    ul = soup.new_tag("ul")
    for line in lines:
        li = soup.new_tag("li")
        for node in line:
            li.append(node.extract())
        first = li.find(string=True)
        if first is not None:
            first.replace_with(BULLET.sub("", first))
        ul.append(li)
    return ul


def lead_in_headings(soup: BeautifulSoup, blocks: list[Tag]) -> list[Tag]:
    """'Communities of Practice:' alone above a list is that list's heading."""
    result = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        text = block_text(block)
        if (block.name == "p" and following is not None and following.name in ("ul", "ol")
                and text.endswith(":") and len(text.split()) <= LEAD_IN_WORDS
                and not block.find(["br", "img", "a"])):
            heading = soup.new_tag("h2")
            heading.string = text[:-1].strip()
            block = heading
        result.append(block)
    return result


def line_text(line: list) -> str:
    return "".join(n.get_text() if isinstance(n, Tag) else str(n) for n in line)


def is_blank(line: list) -> bool:
    return not line_text(line).strip() and not any(
        isinstance(n, Tag) and (n.name == "img" or n.find("img")) for n in line)


def line_kind(line: list) -> str:
    if BULLET.match(line_text(line)):
        return "bullet"
    return "picture" if not line_text(line).strip() else "text"


def has_content(block: Tag) -> bool:
    return block.name == "hr" or bool(block_text(block)) or block.find("img") is not None \
        or block.name == "img"


def block_text(block: Tag) -> str:
    """A block's text on one line, spaces tidied: what the recogniser reads."""
    return " ".join(block.get_text(" ").split())


class _Converter(MarkdownConverter):
    class Options(MarkdownConverter.DefaultOptions):
        heading_style = "atx"
        bullets = "-"
        newline_style = BACKSLASH
        strong_em_symbol = "*"
        escape_misc = False    # it escapes every " - " in prose; see process_text

    def process_text(self, el, parent_tags=None):
        """Text at the start of a line that Markdown would read as a heading, a list,
        a quote or an underline ("1. ", "# ", "- ", "> ", "===") stays text."""
        text = super().process_text(el, parent_tags)
        if parent_tags and parent_tags & {"pre", "code", "_noformat"}:
            return text
        text = text.replace("](", "\\](")
        if starts_a_line(el):
            text = LINE_START.sub(escape_line_start, text, count=1)
        return text

    def escape(self, text: str, parent_tags) -> str:
        """Text that looks like a tag or an entity stays text: a post that showed
        "&lt;script&gt;" must not become a real <script> in Markdown."""
        text = text.replace("\\", "\\\\").replace("`", "\\`").replace("~~", "\\~\\~")
        text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
        text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
        return super().escape(text, parent_tags)


LINE_START = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)"
                        r"|^(\s*)(#{1,6}(?=\s|$)|[-+*](?=\s|$)|>|[=-]+(?=[\s=-]*$))")


def escape_line_start(match: re.Match) -> str:
    if match.group(1) is not None:
        return match.group(1) + "\\" + match.group(2)      # "1\. "
    return match.group(3) + "\\" + match.group(4)          # "\# ", "\- ", "\> "


INLINE = {"b", "strong", "i", "em", "u", "s", "a", "span", "sub", "sup", "small", "mark", "cite"}


def starts_a_line(node) -> bool:
    """True when nothing but inline wrappers stands between `node` and the start of its
    block or the <br> before it."""
    while True:
        previous = node.previous_sibling
        while isinstance(previous, NavigableString) and not previous.strip():
            previous = previous.previous_sibling
        if previous is not None:
            return isinstance(previous, Tag) and previous.name == "br"
        node = node.parent
        if node is None or node.name not in INLINE:
            return True


def to_markdown(cleaned: Cleaned, blocks: list[Tag] | None = None) -> str:
    container = cleaned.soup.new_tag("div")
    for block in (cleaned.blocks if blocks is None else blocks):
        container.append(block)
    text = _Converter().convert_soup(container)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""


def html_to_markdown(html: str) -> str:
    return to_markdown(clean_blocks(html))
