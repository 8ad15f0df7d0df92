"""The link check: every internal link in the built site must lead to a written file.

Two pure steps, so a cache can keep the first per (output_path, bytes):
- `extract(output_path, data)` reads one output's links and ids (HTML, XML feeds and
  sitemaps, ICS calendars) as it streams past the writer; nothing is read back.
- `LinkChecker.broken()` resolves every link against the set of written files.

A link is internal when it is relative, site-absolute, or an absolute URL on the
site's own host (canonical links, sitemap entries, feed and calendar URLs). External
links are not fetched: tests and builds need no network.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, compress
from typing import TYPE_CHECKING, Callable, Iterable, Iterator
from posixpath import splitext
from sys import intern
from urllib.parse import unquote, urljoin, urlsplit

from resnetgen.html_scan import LINK_TAGS, META_URLS, scan
from resnetgen.problems import Problems
from resnetgen.urls import output_path_for

if TYPE_CHECKING:
    from resnetgen.early_links import EarlyCheck

HTML_EXTENSIONS = {".html", ".htm"}
XML_EXTENSIONS = {".xml", ".atom", ".rss"}
ICS_EXTENSIONS = {".ics"}

# The HTML elements that can carry a link, and the attributes that hold one URL.
_LINK_TAGS = LINK_TAGS
_LINK_TAG_SET = frozenset(_LINK_TAGS)
_URL_ATTRIBUTES = ("href", "src", "poster", "data", "action", "formaction")
_META_URLS = META_URLS
_REFRESH = re.compile(r"^\s*\d+\s*[;,]\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)
_ICS_URL = re.compile(r"^(?:URL|ATTACH)(?:;[^:]*)?:(.+)$", re.MULTILINE)
_SITE_SCHEMES = {"http", "https", "webcal"}
# A fragment-only link, and a page path urljoin keeps as it is (no %-escape, query,
# fragment or parameters; urlsplit drops tabs and line breaks from both).
_SAME_PAGE = re.compile(r"#[^\t\r\n]*\Z")
_PLAIN_PATH = re.compile(r"[^%?#;\t\r\n]*\Z")
_ABSOLUTE = ("/", "http:", "https:", "webcal:")  # URLs read alike from every page
# An http(s) URL whose host is plain (no brackets, no non-ASCII, nothing urlsplit would
# strip or refuse): its host is what urlsplit calls its netloc. Others take the long way.
_OTHER_SITE = re.compile(r"https?://([A-Za-z0-9.\-:@%_~!$&'()*+,;=]+)(?:[/?#][^\t\n\r]*)?\Z")


@dataclass(frozen=True)
class Link:
    url: str
    line: int           # line in the output file, to find it there


_NO_IDS: frozenset[str] = frozenset()


class PageLinks:
    """What one output file links to, and the fragment targets it offers.

    Kept compact, for the link check holds one per output (21,000 at 10,000 posts):
    the URLs as a tuple of interned strings (a menu's links are one string each, however
    many pages show them) and their lines as the bytes of an array("I"); `links` makes
    Link records again only when asked. Interned again when unpickled (from a worker).
    `others`: how many links to other sites were left out (see `extract`)."""
    __slots__ = ("urls", "lines", "ids", "is_html", "is_redirect", "others")

    def __init__(self, links=(), ids: frozenset[str] = _NO_IDS, is_html: bool = False,
                 is_redirect: bool = False):  # is_redirect: a <meta http-equiv="refresh">
        self.urls = tuple(intern(link.url) for link in links)
        self.lines = array("I", [link.line for link in links]).tobytes()
        self.ids = frozenset(map(intern, ids)) if ids else _NO_IDS
        self.is_html, self.is_redirect = is_html, is_redirect
        self.others = 0

    @property
    def total(self) -> int:
        """How many links the output has, those to other sites included."""
        return len(self.urls) + self.others

    @property
    def links(self) -> tuple[Link, ...]:
        lines = array("I")
        lines.frombytes(self.lines)
        return tuple(map(Link, self.urls, lines))

    def __reduce__(self):
        return _page_links, (self.urls, self.lines, tuple(self.ids), self.is_html,
                             self.is_redirect, self.others)

    def __eq__(self, other) -> bool:
        return (isinstance(other, PageLinks) and self.urls == other.urls
                and self.lines == other.lines and self.ids == other.ids
                and (self.is_html, self.is_redirect, self.others)
                == (other.is_html, other.is_redirect, other.others))

    def __hash__(self) -> int:  # by value, like the frozen dataclass it was
        return hash((self.urls, self.lines, self.ids, self.is_html, self.is_redirect,
                     self.others))

    def __repr__(self) -> str:
        return (f"PageLinks(links={self.links!r}, ids={set(self.ids)!r}, "
                f"is_html={self.is_html}, is_redirect={self.is_redirect}, "
                f"others={self.others})")


def _page_links(urls: Iterable[str], lines: bytes, ids: Iterable[str], is_html: bool,
                is_redirect: bool, others: int = 0) -> PageLinks:
    page = PageLinks.__new__(PageLinks)
    page.urls, page.lines = tuple(map(intern, urls)), lines
    page.ids = frozenset(map(intern, ids)) if ids else _NO_IDS
    page.is_html, page.is_redirect, page.others = is_html, is_redirect, others
    return page


def extract(output_path: str, data: bytes, host: str | None = None) -> PageLinks:
    """The links and ids of one output file; files of other kinds have none. With the
    site's `host` (see `site_host`), links to other sites are only counted: they are
    never broken (nothing is fetched), and at 10,000 posts their URLs (a calendar
    link per chat, with the chat's text in it) were 10 MB of the link check's memory."""
    extension = splitext(output_path)[1].lower()
    if extension in HTML_EXTENSIONS:
        page = _extract_html(data)
    elif extension in XML_EXTENSIONS:
        page = (_extract_xml(data) if type(data) is not XmlRead
                else _page_links(data.urls, array("I", data.lines).tobytes(), (), False, False))
    elif extension in ICS_EXTENSIONS:
        page = (_extract_ics(data) if type(data) is not XmlRead
                else _page_links(data.urls, array("I", data.lines).tobytes(), (), False, False))
    else:
        return PageLinks()
    return page if host is None else _other_sites_counted(page, host)


class XmlRead(bytes):
    """An XML (or iCalendar) file's bytes with their links (`urls`, at `lines`) as
    `xml_links` (`ics_links`) reads them, read by their maker from pieces it put together
    (see feeds.make_feed, calendar.IcsLinks): `extract` takes those rather than parsing
    the file again."""
    urls: tuple[str, ...]
    lines: tuple[int, ...]


def read_in_parts(data: bytes, parts, urls=(), lines=(), line: int = 0) -> XmlRead:
    """`data` with its links: `urls` at `lines` first, then each part's (urls, lines
    counted from the part's first line, how many lines it has), the parts one after
    the other from line `line`."""
    all_urls, all_lines = list(urls), list(lines)
    for own_urls, own_lines, size in parts:
        all_urls.extend(own_urls)
        all_lines.extend(line + own for own in own_lines)
        line += size
    read = XmlRead(data)
    read.urls, read.lines = tuple(all_urls), tuple(all_lines)
    return read


def xml_links(data: bytes) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The links of an XML file as `extract` reads them before it leaves out other
    sites': (urls, lines)."""
    page = _extract_xml(data)
    lines = array("I")
    lines.frombytes(page.lines)
    return page.urls, tuple(lines)


def ics_links(data: bytes) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The links of an iCalendar file (or of whole content lines of one) as `extract`
    reads them before it leaves out other sites': (urls, lines)."""
    page = _extract_ics(data)
    lines = array("I")
    lines.frombytes(page.lines)
    return page.urls, tuple(lines)


def site_host(base_url: str) -> str:
    """The host of the site's address, as the check compares hosts."""
    return urlsplit(base_url).netloc.lower()


_WEB = ("http://", "https://")


@lru_cache(maxsize=8)
def _own_prefixes(host: str) -> tuple[str, str]:
    """The site's own absolute URLs (canonical links, feeds: a dozen a page) start so;
    `_OTHER_SITE` finds such a URL's host is `host` (or it does not match): kept."""
    return f"https://{host}/", f"http://{host}/"


def _other_sites_counted(page: PageLinks, host: str) -> PageLinks:
    """`page` without its links to other sites: those `LinkChecker._target` finds lead
    elsewhere by `_OTHER_SITE` alone, whatever the page (so the check is the same)."""
    urls = page.urls
    own = _own_prefixes(host)  # a URL starting so is kept without the test (the same answer)
    known = _KNOWN_URLS.get((host, own))
    if known is None or len(known) >= KNOWN_URLS_KEPT:
        _KNOWN_URLS.clear()  # (one site's host at a time: a `serve` whose base_url changes)
        known = _KNOWN_URLS[host, own] = {}
    keep = list(map(known.get, urls))  # most URLs are on many pages (menus, tags, hosts)
    if None in keep:
        for index, url in enumerate(urls):
            if keep[index] is None:
                keep[index] = kept = url.startswith(own) or not (
                    url.startswith(_WEB) and (other := _OTHER_SITE.match(url)) is not None
                    and other.group(1).lower() != host)
                if len(url) <= KNOWN_URL_LONGEST and len(known) < KNOWN_URLS_KEPT:
                    known[url] = kept  # (not a data: picture, a chat's link; nor past the bound)
    if False in keep:
        lines = array("I")
        lines.frombytes(page.lines)
        page.urls = tuple(compress(urls, keep))
        page.lines = array("I", compress(lines, keep)).tobytes()
        page.others += len(urls) - len(page.urls)
    return page


# Whether each short URL seen is kept, by (host, own prefixes); cleared when it grows
# past KNOWN_URLS_KEPT (each page adds a few of its own: canonical, og:url).
_KNOWN_URLS: dict[tuple[str, tuple[str, str]], dict[str, bool]] = {}
KNOWN_URLS_KEPT = 4096
KNOWN_URL_LONGEST = 300


def _extract_html(data: bytes) -> PageLinks:
    if not data or data.isspace():  # (not data.strip(), without a copy of the page)
        return PageLinks(is_html=True)
    scanned = scan(data)  # most pages: several times faster than a tree
    if scanned is None:
        return _extract_html_tree(data)
    urls, lines, ids, tags = scanned
    redirect = False
    if tags:  # the few tags read in Python: their links put in their places
        all_urls: list[str] = []
        all_lines: list[int] = []
        start = 0
        for index, tag, attributes, line in tags:
            if "id" in attributes:
                ids.add(attributes["id"])
            if tag in _LINK_TAG_SET:
                if tag == "a" and "name" in attributes:
                    ids.add(attributes["name"])
                links: list[Link] = []
                redirect = _element_links(tag, attributes, line, links) or redirect
                if links:
                    all_urls += urls[start:index]
                    all_lines += lines[start:index]
                    start = index
                    all_urls.extend(link.url for link in links)
                    all_lines.extend(link.line for link in links)
        if all_urls:
            urls, lines = all_urls + urls[start:], all_lines + lines[start:]
    return _page_links(urls, array("I", lines).tobytes(), ids, True, redirect)


def _extract_html_tree(data: bytes) -> PageLinks:
    """The same reading, from lxml's tree: for pages `scan` is not sure of."""
    from lxml import etree  # here: most pages never need it (~10 ms to import)
    # huge_tree: a value or text of over 10 MB read whole, as html_scan reads it
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True,
                              huge_tree=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return PageLinks(is_html=True)
    links: list[Link] = []
    redirect = False
    for element in root.iter(*_LINK_TAGS):  # only these carry links: much faster than all
        redirect = _element_links(element.tag, element.attrib, element.sourceline or 1,
                                  links) or redirect
    ids = frozenset(map(str, root.xpath("//@id | //a/@name")))  # plain str: free the tree
    return PageLinks(tuple(links), ids, is_html=True, is_redirect=redirect)


def _element_links(tag: str, attributes, line: int, links: list[Link]) -> bool:
    """Adds the links of one element to `links`; True for a refresh (redirect) <meta>."""
    for name in _URL_ATTRIBUTES:
        value = attributes.get(name)
        if value is not None:
            links.append(Link(value.strip(), line))
    srcset = attributes.get("srcset")
    if srcset:
        links.extend(Link(url, line) for url in srcset_urls(srcset))
    if tag == "meta":
        links.extend(Link(url, line) for url in _meta_urls(attributes))
        return attributes.get("http-equiv", "").lower() == "refresh"
    return False


def srcset_urls(srcset: str) -> list[str]:
    """'a.png 1x, b.png 2x' -> ['a.png', 'b.png'], as the HTML standard splits a srcset:
    a URL runs to whitespace (trailing commas end it), then descriptors run to a comma."""
    urls = []
    for match in re.finditer(r"[\s,]*([^\s]+)(?:(?<=,)|\s*[^,]*(?:,|$))", srcset):
        url = match.group(1).rstrip(",")
        if url:
            urls.append(url)
    return urls


def _meta_urls(attributes) -> list[str]:
    content = attributes.get("content", "")
    key = attributes.get("property") or attributes.get("name") or ""
    if key.lower() in _META_URLS and content:
        return [content.strip()]
    if attributes.get("http-equiv", "").lower() == "refresh":
        match = _REFRESH.match(content)
        if match:
            return [match.group(1).strip()]
    return []


def _extract_xml(data: bytes) -> PageLinks:
    """Atom <link href>, RSS <enclosure url> (any element's href and url attributes) and
    the text of sitemap <loc>, RSS <link>, <url> and <comments>, in the file's order."""
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return PageLinks()
    urls: list[str] = []
    lines: list[int] = []
    # Only the elements that can have a link, found by lxml's walk (not every element
    # taken to Python: 300 a feed, 3,000 in the sitemap, two thirds of the reading):
    # those so named in any namespace, and those named as one with an href or url is.
    tags = {*_XML_TEXT_TAGS, *(value.getparent().tag for value in _xml_attributes()(root))}
    for element in root.iter(*tags):
        tag = element.tag
        local = tag[tag.rfind("}") + 1:]  # as etree.QName(element).localname
        line = element.sourceline or 1
        for name in ("href", "url"):  # Atom <link href>, RSS <enclosure url>
            value = element.get(name)
            if value:
                urls.append(value.strip())
                lines.append(line)
        if local in _XML_TEXT_LINKS:
            text = element.text
            if text and text.strip():
                urls.append(text.strip())  # sitemap <loc>, RSS <link>
                lines.append(line)
    return _page_links(urls, array("I", lines).tobytes(), (), False, False)


_XML_TEXT_LINKS = ("loc", "link", "url", "comments")
_XML_TEXT_TAGS = tuple(f"{{*}}{name}" for name in _XML_TEXT_LINKS)


@lru_cache(maxsize=1)
def _xml_attributes():
    from lxml import etree
    return etree.XPath("//@href | //@url")


def _extract_ics(data: bytes) -> PageLinks:
    """The URL and ATTACH values of a calendar, at their lines (of the unfolded text)."""
    found = _ics_links_quick(data)
    return found if found is not None else _ics_links_text(data)


# At a line break: a content line named URL or ATTACH, or a line that is a fold away
# from being one (empty, or "U", "ATT"... then a fold): its unfolded name is not what
# its first octets say, so the file goes the long way.
_ICS_LINE = re.compile(rb"\n(?:(URL|ATTACH)|(?:U|UR|A|AT|ATT|ATTA|ATTAC)?\r?\n[ \t])")
_ICS_FIRST = re.compile(rb"(?:(URL|ATTACH)|(?:U|UR|A|AT|ATT|ATTA|ATTAC)?\r?\n[ \t])")
# Where `_ICS_LINE` can match: a line break before a U, an A or another line break
# (most lines start otherwise, and are passed over at C speed).
_ICS_CANDIDATE = re.compile(rb"\n(?=[UA\r\n])")


def _ics_links_quick(data: bytes) -> PageLinks | None:
    """`_ics_links_text(data)`, without decoding and unfolding the whole file (0.9 s of a
    10,000-post build): only the content lines that start with URL or ATTACH are read,
    each as `_ics_links_text` reads it (the same regular expression, on the same decoded
    and unfolded text: UTF-8 decoding is the same line by line, as no sequence spans a
    line break), and its line is the count of line breaks before it less the folds.
    None when a line's name could be cut by a fold, or a match could run past its line
    (tests/test_linkcheck.py checks both readings agree on random calendars)."""
    first = _ICS_FIRST.match(data)
    starts = [] if first is None else [0] if first.group(1) else None
    if starts is None:
        return None
    line_at = _ICS_LINE.match
    for candidate in _ICS_CANDIDATE.finditer(data):  # a few a file: not every line
        found = line_at(data, candidate.start())
        if found is not None:
            if found.group(1) is None:
                return None
            starts.append(found.start() + 1)
    urls: list[str] = []
    lines: list[int] = []
    line, counted = 1, 0
    find, count, tabs = data.find, data.count, b"\t" in data
    for start in starts:
        end = find(b"\n", start)
        while end != -1 and data[end + 1:end + 2] in (b" ", b"\t"):
            end = find(b"\n", end + 1)
        if end == -1:
            end = len(data)
        elif data[end - 1] == 13:  # its CRLF is a line break, as "\r\n" -> "\n" makes it
            end -= 1
        text = data[start:end].decode("utf-8", "replace")
        if "\n" in text or "\r" in text:
            text = re.sub(r"\n[ \t]", "", text.replace("\r\n", "\n"))
        match = _ICS_URL.match(text)
        if match is None:
            if text.startswith(("URL;", "ATTACH;")):
                return None  # its parameters could run on to a ':' in later lines
            continue
        line += (count(b"\n", counted, start) - count(b"\n ", counted, start)
                 - (count(b"\n\t", counted, start) if tabs else 0))
        counted = start
        urls.append(match.group(1).strip())
        lines.append(line)
    return _page_links(urls, array("I", lines).tobytes(), (), False, False)


def _ics_links_text(data: bytes) -> PageLinks:
    """The general reading: the text decoded, unfolded, and searched."""
    links: list[Link] = []
    line = 1  # of the unfolded text, counted as the matches go: linear in the file's size
    for part in _ics_parts(data):
        text = part.decode("utf-8", "replace").replace("\r\n", "\n")
        unfolded = re.sub(r"\n[ \t]", "", text)
        counted = 0
        for match in _ICS_URL.finditer(unfolded):
            line += unfolded.count("\n", counted, match.start())
            counted = match.start()
            links.append(Link(match.group(1).strip(), line))
        line += unfolded.count("\n", counted)
    return PageLinks(tuple(links))


def _ics_parts(data: bytes, size: int = 1 << 18) -> Iterator[bytes]:
    """The file in pieces of about `size` bytes, each ending with a whole content line
    (at a line break not followed by a folded line's space): the site's events.ics
    (18 MB at 10,000 chats) read as one text took 100 MB at once."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + size)
        while end != -1 and data[end + 1:end + 2] in (b" ", b"\t"):
            end = data.find(b"\n", end + 1)
        end = len(data) if end == -1 else end + 1
        yield data[start:end]
        start = end


class Depends:
    """What `LinkChecker.broken` found each page checked depends on: the files its links
    could lead to (present or not), and the files its fragment links lead to (as sets
    of paths in `files`; linkindex keeps them as numbers, the same way)."""

    def __init__(self, files: dict[str, tuple[set, set]] | None = None) -> None:
        self.files: dict[str, tuple[set, set]] = {} if files is None else files

    def number(self, paths: tuple[str, ...]) -> tuple:
        """A link's candidate files, as `add` will get them."""
        return paths

    def add(self, output_path: str, files: set, fragments: set[str]) -> None:
        self.files[output_path] = (files, fragments)


def _as_they_are(paths: tuple[str, ...]) -> tuple[str, ...]:
    return paths


@dataclass(frozen=True)
class Broken:
    output_path: str    # the page with the link
    link: Link
    reason: str


@dataclass
class LinkChecker:
    """Collects every written file's links, then reports the broken ones.

    `base_url` is the site's full address ('https://host/blog/'); site URLs have
    its path ('/blog/...'), and a route 'x/' is the file 'x/index.html'.
    """
    base_url: str
    pages: dict[str, PageLinks] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    _id_sets: dict[frozenset, frozenset] = field(default_factory=dict, repr=False)
    # Checks each page as it is added, while the others render (see early_links): its
    # findings taken by `broken`, which checks what it left.
    early: "EarlyCheck | None" = field(default=None, repr=False)

    def add(self, output_path: str, data: bytes, extracted: PageLinks | None = None) -> None:
        """`extracted`: what `extract` gave for the same bytes before (the build cache's)."""
        self.written.add(output_path)
        links = extracted if extracted is not None else extract(output_path, data)
        if links.ids:  # a few sets at 10,000 posts (each page's template's): one of each
            links.ids = self._id_sets.setdefault(links.ids, links.ids)
        if links.urls or links.ids or links.is_html or links.others:
            self.pages[output_path] = links
            if self.early is not None:
                self.early.check(output_path, links)

    def add_file(self, output_path: str) -> None:
        """A file copied as it is (pictures, styles): a target only."""
        self.written.add(output_path)

    @property
    def base_path(self) -> str:
        """The path part of base_url, ending in '/': '/blog/'."""
        path = urlsplit(self.base_url).path
        return path if path.endswith("/") else path + "/"

    @property
    def links_checked(self) -> int:
        return sum(p.total for p in self.pages.values())

    def broken(self, only: set[str] | None = None,
               depends: "Depends | dict | None" = None, forget: bool = False) -> list[Broken]:
        """The broken links of every page (or of the pages in `only`). `depends`, when
        given, gets for each page checked the files its links could lead to (present or
        not) and the files its fragment links lead to: see linkindex (a dict gets them
        as Depends.files does). `forget`: each
        page checked keeps only its count of links and its ids (what linkindex needs
        after), so the memory of its links goes to the next pages' findings."""
        parts = urlsplit(self.base_url)
        host, base_path = parts.netloc.lower(), self.base_path
        if isinstance(depends, dict):
            depends = Depends(depends)
        number = depends.number if depends is not None else _as_they_are
        # A URL that starts like an absolute one leads to the same place from every page:
        # resolved once (from the first page that has it), its candidate files kept apart
        # (as `depends` numbers them) so a page's are gathered at C speed; `special` holds
        # those that need more (a fragment to look up, or a reason), with their target.
        # 400,000 links at 10,000 posts, 30,000 unique.
        candidates: dict[str, tuple] = {}
        special: dict[str, tuple] = {}
        found = []
        early, self.early = self.early, None  # (what it found is taken now)
        if early is not None and not early.holds(self.written, only, depends):
            early.undo()  # a file it took for written was not: every page checked here
            early = None
        elif early is not None:
            early.finish()
        for output_path in sorted(self.pages if only is None else only):
            page = self.pages[output_path]
            state = None
            if early is not None:  # what the early check found of this page
                state = early.partial.pop(output_path, None)
                if state is None:  # checked whole
                    found.extend(early.broken(output_path))
                    if forget:
                        page.others, page.urls, page.lines = page.total, (), b""
                    continue
            # With an early check's state: the links it left, and what it found of the others.
            unique = set(page.urls) if state is None else set(state[3])
            local: dict[str, tuple] = {}  # relative URLs: resolved against this page
            unknown = unique.difference(candidates)
            if unknown:
                page_url = f"{parts.scheme}://{host}{base_path}{output_path}"
                for url in sorted(unknown):
                    target = self._target(url, page_url, host, base_path)
                    if url.startswith(_ABSOLUTE):
                        candidates[url] = number(target[3])
                        if target[2] is not None or (target[1] and target[0] is not None):
                            special[url] = target
                    else:
                        local[url] = target
            files = set(chain.from_iterable(map(candidates.__getitem__, unique.difference(local))
                                            if local else map(candidates.__getitem__, unique)))
            fragments: set[str] = set()
            reasons: dict[str, str] = {}
            if state is not None:
                files |= state[0]
                fragments |= state[1]
                reasons.update(state[2])
            for url in (special.keys() & unique) | local.keys():
                if url in local:
                    file, fragment, reason, more = local[url]
                    files.update(number(more))
                else:
                    file, fragment, reason, more = special[url]
                if reason is None and fragment and file is not None:
                    fragments.add(file)
                    reason = self._missing_id(file, fragment, output_path, base_path)
                if reason:
                    reasons[url] = reason
            if reasons:  # each broken link, in the page's order
                links = page.links
                found.extend(Broken(output_path, links[index], reasons[url])
                             for index, url in enumerate(page.urls) if url in reasons)
            if depends is not None:
                depends.add(output_path, files, fragments)
            if forget:
                page.others, page.urls, page.lines = page.total, (), b""
        return found

    def _target(self, url: str, page_url: str, host: str, base_path: str,
                written: set[str] | None = None
                ) -> tuple[str | None, str, str | None, tuple[str, ...]]:
        """(file, fragment, reason it is broken, the files whose coming or going could
        change that); no file for another site's link. `written`: the files written
        (default: those added so far; see EarlyCheck)."""
        if not url:
            return None, "", "the link is empty", ()
        if url[0] == "/" and url[1:2] != "/" and "/." not in url:
            # The common case first (40,000 links of a title edit's pages at 10,000
            # posts): a site-absolute link, neither another site's nor the page's origin.
            raw_path, _, raw_fragment = url.partition("#")
            return self._resolved(unquote(raw_path.partition("?")[0]), unquote(raw_fragment),
                                  base_path, written)
        other = _OTHER_SITE.match(url)
        if other is not None and other.group(1).lower() != host:
            return None, "", None, ()  # what urlsplit(urljoin(...)) says, at a tenth of the cost
        origin = page_url[:page_url.index("/", page_url.index("//") + 2)]
        if url.startswith(origin + "/"):
            url = url[len(origin):]
        if (url[0] == "#" and _SAME_PAGE.match(url) and page_url.startswith(("https:", "http:"))
                and _PLAIN_PATH.match(page_url, len(origin))):
            # A link within the page ('#content' on every page): what urljoin makes of it
            # (the page's own path, and this fragment), without its cost.
            path, fragment = page_url[len(origin):], unquote(url[1:])
        elif url.startswith("/") and not url.startswith("//") and "/." not in url:
            # The common case, without urljoin's cost: a site-absolute link.
            raw_path, _, raw_fragment = url.partition("#")
            path, fragment = unquote(raw_path.partition("?")[0]), unquote(raw_fragment)
        else:
            try:
                target = urlsplit(urljoin(page_url, url))
            except ValueError as error:  # 'http://[x' (raw HTML in a post): no address
                return None, "", f"it is not a valid address ({error})", ()
            if target.scheme not in _SITE_SCHEMES or target.netloc.lower() != host:
                return None, "", None, ()  # another site, mailto:, data:, ...
            path, fragment = unquote(target.path), unquote(target.fragment)
        return self._resolved(path, fragment, base_path, written)

    def _resolved(self, path: str, fragment: str, base_path: str, written: set[str] | None = None
                  ) -> tuple[str | None, str, str | None, tuple[str, ...]]:
        """`_target` of a link to this site's `path`."""
        if not path.startswith(base_path) and path + "/" != base_path:
            return None, "", f"it is outside the site's base path {base_path}", ()
        route = path[len(base_path):]
        candidates = (output_path_for(route), route + "/index.html")
        file = self._file_for(candidates, written)
        if file is None:
            return None, "", f"no file {candidates[0]} was written", candidates
        # While its first candidate is written, the link leads there whatever the second:
        # it depends on that one alone (half the files linkindex keeps).
        return file, fragment, None, candidates[:1] if file == candidates[0] else candidates

    def _missing_id(self, file: str, fragment: str, output_path: str,
                    base_path: str) -> str | None:
        page = self.pages.get(file)
        if (fragment.lower() == "top" or page is None or not page.is_html or page.is_redirect
                or fragment in page.ids):
            return None  # an old address's redirect page forwards to the page, not a section
        where = "this page" if file == output_path else f"{base_path}{file}"
        return f"no id '{fragment}' on {where}"

    def _file_for(self, candidates: tuple[str, str], written: set[str] | None = None) -> str | None:
        """The file a route leads to: 'x', else 'x/index.html' ('/x' is served as '/x/'
        by static hosts)."""
        file, folder = candidates
        if written is None:
            written = self.written
        if file in written:
            return file
        return folder if folder in written else None

    def report(self, sources: dict[str, str], problems: Problems,
               line_of: Callable[[str, str], int] = lambda source, url: 1,
               only: set[str] | None = None,
               depends: Depends | None = None, forget: bool = False) -> None:
        """One error per broken link, on the source file that produced the page, at
        `line_of(source, url)`. A link broken on many pages (a theme fault) is
        reported once, with a count. `only`, `depends`: see `broken`."""
        base_path = self.base_path
        by_link: dict[tuple[str, str], list[Broken]] = {}
        for fault in self.broken(only, depends, forget):
            by_link.setdefault((fault.link.url, fault.reason), []).append(fault)
        for (url, reason), faults in by_link.items():
            first = faults[0]
            page = base_path + first.output_path.removesuffix("index.html")
            others = f" and {len(faults) - 1} other pages" if len(faults) > 1 else ""
            source = sources.get(first.output_path, f"output/{first.output_path}")
            problems.error(source, line_of(source, url),
                           f"broken link '{url}' on page {page}{others} "
                           f"(output/{first.output_path}, line {first.link.line}): {reason}",
                           _hint(source))


def _hint(source: str) -> str:
    if source.endswith(".md"):
        return ("fix the link in the text, or in the theme if the text has no such link; "
                "`--no-link-check` skips this check in an emergency")
    return "fix the template or setting that makes it; `--no-link-check` skips this check"
