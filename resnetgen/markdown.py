"""Markdown to HTML with markdown-it-py, and the links inside it resolved.

Relative links and images are resolved against the source file's folder, so
`![A chart](chart.png)` works whatever the post's URL; a link to another `.md`
file becomes that post's URL. Root-relative links get the site's base path.
A reference to a file that does not exist is reported, naming both files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from resnetgen.markdown_dispatch import dispatch_rules
from resnetgen.urls import relative_source, slugify


@dataclass
class LinkContext:
    """What the link resolver needs: passed to markdown-it through `env`."""
    source_path: str
    first_line: int                  # line of the body's first line in the file
    links: dict[str, str]            # source path -> url, for every content file
    base_path: str
    missing: list[tuple[int, str, str]] = field(default_factory=list)  # line, kind, target
    rooted: list[tuple[int, str]] = field(default_factory=list)  # line, url of '/...' links
    no_alt: list[int] = field(default_factory=list)  # lines of images without a description


@dataclass(frozen=True)
class Rendered:
    html: str
    first_paragraph: str
    missing: tuple[tuple[int, str, str], ...]
    images_without_alt: tuple[int, ...]
    rooted_links: tuple[tuple[int, str], ...] = ()   # links from the site's root: line, url


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.core.ruler.at("normalize", _normalize)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify)
    md.core.ruler.push("resolve_links", _resolve_links)
    md.add_render_rule("footnote_block_open", _footnotes_open)
    md.add_render_rule("footnote_anchor", _footnote_back_link)
    dispatch_rules(md)  # last: each rule tried only where it can match
    md.normalizeLink = _normal_link(md.normalizeLink)  # type: ignore[method-assign]
    return md


# Links markdown-it's normalizeLink gives back as they are: http(s) with a plain host
# name, or a relative link (no ':', not '//'), of the characters its encoder keeps
# (no '%', '@' or non-ASCII). Its parse, punycode and encoding (14 us a link, a
# character at a time) only take such a link apart and put it back together.
# tests/test_markdown_config.py compares with the library's on tricky links.
_NORMAL_LINK = re.compile(
    r"(?:https?://[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*(?::[0-9]+)?(?=[/?#]|\Z)"
    r"[A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*"
    r"|(?!//)[A-Za-z0-9;/?&=+$,\-_.!~*'()#]*)")


def _normal_link(normalize):
    def normal_link(url: str) -> str:
        if len(url) <= 255 and _NORMAL_LINK.fullmatch(url):
            return url
        return normalize(url)
    return normal_link


def _normalize(state: StateCore) -> None:
    """markdown-it's own first rule (line endings to '\\n', NUL to U+FFFD), at C speed:
    its regular expression replaced each of a post's '\\n' by itself (7 % of a post's
    parsing). tests/test_markdown_config.py checks both give the same text."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def _footnote_back_link(self, tokens, idx, options, env) -> str:
    """The plugin's '↩' link, with words screen readers say (hidden by the theme's
    `visually-hidden` class; a theme without it shows them, which is no harm)."""
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta["subId"] > 0:
        ident += ":" + str(tokens[idx].meta["subId"])
    number = tokens[idx].meta["id"] + 1
    return (f' <a href="#fnref{ident}" class="footnote-backref">\u21a9\ufe0e'
            f'<span class="visually-hidden"> Back to the text of note {number}</span></a>')


def _footnotes_open(self, tokens, idx, options, env) -> str:
    """Footnotes under a 'Notes' heading: a section needs one (HTML checker, screen
    readers' heading list)."""
    return ('<hr class="footnotes-sep">\n<section class="footnotes" aria-labelledby="fn-heading">\n'
            '<h2 id="fn-heading" class="footnotes-heading">Notes</h2>\n<ol class="footnotes-list">\n')


def render_markdown(text: str, context: LinkContext) -> Rendered:
    md = markdown_parser()
    env = {"links": context}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(html, _first_paragraph(tokens), tuple(context.missing),
                    tuple(context.no_alt), tuple(context.rooted))


def _resolve_links(state: StateCore) -> None:
    """Links and images resolved, and images without a description noted, in one pass."""
    context: LinkContext | None = state.env.get("links")
    if context is None:
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        line = context.first_line + (token.map[0] if token.map else 0)
        for child in token.children:
            if child.type == "link_open":
                _rewrite(child, "href", "link", line, context)
            elif child.type == "image":
                _rewrite(child, "src", "image", line, context)
                if not child.content.strip():
                    context.no_alt.append(line)


def _rewrite(token, attr: str, kind: str, line: int, context: LinkContext) -> None:
    target = token.attrGet(attr)
    if not isinstance(target, str) or not target or _SCHEME.match(target):
        return  # (a scheme is what urlsplit finds there: 7 us less a link elsewhere)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("#"):
        return
    suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
    if target.startswith("/"):
        if not target.startswith(context.base_path):
            token.attrSet(attr, context.base_path + target.lstrip("/"))
        context.rooted.append((line, token.attrGet(attr)))  # checked once all outputs are known
        return
    wanted = relative_source(context.source_path, parts.path)
    url = context.links.get(wanted) or context.links.get(wanted.rstrip("/") + "/index.md")
    if url is None:
        context.missing.append((line, kind, wanted))
        return
    token.attrSet(attr, url + suffix)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _first_paragraph(tokens) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            words = []
            for child in inline.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            text = "".join(words).strip()
            if text:
                return text
    return ""
