"""A fast reading of the start tags the link check needs, from HTML plain enough that
the reading is provably the one lxml (libxml2's HTML5 tokenizer) makes.

lxml builds a whole tree for each page; the link check needs only the start tags that
can carry a link or an id. One regular expression walks the page at C speed over text,
end tags and the common tags without an id (p, div, li, ...), and stops at every other
start tag, which Python reads. It accepts only plain HTML: every '<' opens a strictly
formed tag (attribute values quoted, or bare without quotes, '=' or '<'), an end tag
or the doctype, or is text; script, style, title and textarea hold no '<' but their
end tag; the values read hold no character reference but the five common ones and
plain numeric ones. At anything else (comments, CR, NUL, an iframe, inline SVG, a
second <body>, a '<' in an attribute value, ...) `scan` answers None and the caller
parses with lxml. tests/test_html_scan.py checks both agree, on random tag soup and on
real pages.

For speed (re runs the walk some 300 times a page): character classes are written as
byte ranges, which re checks in a bitmap; the tag names the walk stops at are nested
by first letters; the walk also stops at '</html' (what follows it is checked there,
not by a search of the whole page); a comment needs no search of its own, as no walk
passes its '<!'.
"""

from __future__ import annotations

import re


def _but(excluded: bytes) -> bytes:
    """The class of every byte but `excluded`, written as ranges: re compiles that to a
    bitmap, 3-5 times faster per byte than the same class written [^...] (which re
    checks as a list, one excluded byte after the other)."""
    ranges, start = [], 0
    for stop in [*sorted(set(excluded)), 256]:
        if start < stop:
            ranges.append(rb"\x%02x" % start if start == stop - 1 else
                          rb"\x%02x-\x%02x" % (start, stop - 1))
        start = stop + 1
    return b"[" + b"".join(ranges) + b"]"


_WS = rb"[\t\n\f ]"  # HTML whitespace; pages with CR, VT or NUL are not read here
_NAME = _but(b"\t\n\f />\"'<=")
_VALUE = (rb'(?:"' + _but(b'"<') + rb'*+"|\'' + _but(b"'<") + rb"*+'|" +
          _but(b"\t\n\f \"'=<>`") + rb"++)")
_ATTRS = rb"(?:" + _WS + rb"++" + _NAME + rb"++(?:" + _WS + rb"*+=" + _WS + rb"*+" + _VALUE + rb")?+)*+"
_TAG = rb"[a-z]" + _but(b"\t\n\f />\"'<=ABCDEFGHIJKLMNOPQRSTUVWXYZ") + rb"*+"   # lower case only: other pages go to lxml
# Start tags the walk stops at: those that can carry a link, and those whose content or
# place libxml2 treats in its own way (checked in Python, or sent to lxml).
LINK_TAGS = ("a", "area", "link", "img", "source", "script", "iframe", "embed", "object",
             "video", "audio", "track", "form", "button", "input", "meta", "use", "image")
# <meta property|name="..."> whose content is a URL.
META_URLS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image"}
_META_KEYS = "|".join(sorted(META_URLS)).encode()
_UNSURE_TAGS = {b"xmp", b"iframe", b"noembed", b"noframes", b"noscript", b"plaintext", b"svg",
                b"math", b"template", b"image", b"frameset", b"frame", b"isindex", b"select",
                b"option", b"optgroup"}
_ONCE = {b"html", b"head", b"body"}                    # a second one is dropped by libxml2
_RAW = {b"script", b"style", b"title", b"textarea"}    # text up to their end tag


def _either(words: set[bytes]) -> bytes:
    """An alternation matching exactly `words`, nested by first letters ('a(?:rea|udio|)'):
    re tries a flat one's words one after the other, at every start tag."""
    heads: dict[bytes, set[bytes]] = {}
    for word in words:
        heads.setdefault(word[:1], set()).add(word[1:])
    branches = []
    for head, tails in sorted(heads.items()):
        if len(tails) == 1:
            branches.append(re.escape(head + tails.pop()))
        else:
            rest = _either(tails - {b""}) if tails - {b""} else b""
            branches.append(re.escape(head) + b"(?:" + rest + (b"|)" if b"" in tails else b")"))
    return b"|".join(branches)


_STOP = _either({*(t.encode() for t in LINK_TAGS), *_UNSURE_TAGS, *_ONCE, *_RAW})
# The inside of a start tag the walk passes over: attributes after whitespace or '/',
# values quoted right after their name (so '>' ends the tag exactly where the
# tokenizer ends it), no attribute named id.
_DQ, _SQ, _DQA = _but(b'"<'), _but(b"'<"), _but(b'"&<')  # inside quoted values
_PNAME = _but(b"\"'<>=\t\n\f /")
_PLAIN = (rb"(?:[\t\n\f /]++(?![iI][dD][\t\n\f =/>])(?:" + _PNAME + rb"++"
          rb"(?:=(?:\"" + _DQ + rb"*+\"|'" + _SQ + rb"*+'))?+)?+)*+")
_PASS = rb"(?!(?:" + _STOP + rb")[\t\n\f />])" + _TAG   # a tag the walk may pass over
# A <meta> that says nothing to the link check: names and properties that are no URL's.
_QUIET_META = (rb"meta(?:" + _WS + rb"++(?:(?:name|property)=\"(?!(?i:" + _META_KEYS +
               rb")\")" + _DQA + rb"*+\"|content=\"" + _DQ + rb"*+\"|charset=\"" + _DQ + rb"*+\"))*+" + _WS + rb"*+/?>")
# Text, end tags, the doctype, start tags of no interest, quiet <meta>s: passed over.
_END_TAG = _TAG + _WS + rb"*+>"
_WALK = (rb"[^<]*+(?:<(?:/" + _END_TAG + rb"|" + _PASS + _PLAIN + rb">|!DOCTYPE html>"
         rb"|!doctype html>|" + _QUIET_META + rb"|(?![a-zA-Z/!?]))[^<]*+)*+")  # end tags: half
# The same, stopping at '</html' (where what follows is checked)
_WALK_TO_HTML_END = _WALK.replace(rb"<(?:/" + _END_TAG, rb"<(?:/(?!html)" + _END_TAG, 1)
# Attributes that say nothing to the link check, on <a> and <link>.
_KEPT = (rb"(?: (?:" + _either({b"rel", b"class", b"title", b"type", b"target", b"download",
                                b"hreflang", b"media", b"sizes", b"crossorigin", b"as", b"lang",
                                b"dir", b"role", b"tabindex", b"referrerpolicy"}) +
         rb")(?:=\"" + _DQ + rb"*+\")?+)*+")
# The next start tag to read. At once: <a> and <link> with one link, a <meta> with one
# (og:url...), a tag of no link with its id; else any tag, its attributes read in Python.
_STOP_TAG = (rb"<(?:(?:a|link)" + _KEPT + rb" href=\"(" + _DQA + rb"*+)\"" + _KEPT +
             rb"/?>|meta (?:property|name)=\"(?i:" + _META_KEYS +
             rb")\" content=\"(" + _DQA + rb"++)\"/?>|(" + _PASS +
             rb")" + _PLAIN + _WS + rb"++id=\"(" + _DQA + rb"*+)\"" + _PLAIN + rb">|(" + _TAG +
             rb")(" + _ATTRS + rb")" + _WS + rb"*+/?>)")
# For finditer, which then never skips a byte (no other pattern of these is compiled:
# each costs milliseconds of a quick rebuild's start): each next start tag to read, or
# (group 7) all that is left from where none is found. A match's lastindex tells which.
# (group 7: empty) '</html' and its end tag, a stop of the walk so that scan need not
# look for it in the whole page.
_ALL = re.compile(rb"(?:" + _WALK_TO_HTML_END + rb"(?:" + _STOP_TAG + rb"|()</" + _END_TAG +
                  rb"))|([\s\S]++)")
_HREF, _CONTENT, _ID, _OTHER, _HTML_END, _LEFT = 1, 2, 4, 6, 7, 8
_REST = re.compile(_WALK)
_START = re.compile(rb"<[a-zA-Z]")
_ATTRIBUTE = re.compile(r"""([^\t\n\f />"'<=]++)(?:[\t\n\f ]*+=[\t\n\f ]*+"""
                        r"""(?:"([^"]*+)"|'([^']*+)'|([^\t\n\f "'=<>`]++)))?+""")
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
MAX_LINE = 65534  # libxml2 keeps line numbers in 16 bits


# In place of a tag name (no tag name holds a space): a tag with one link, its URL in
# place of the attributes; a tag of no link, its id in place of the attributes.
HREF, ID = " href", " id"


def scan(data: bytes) -> list[tuple[str, dict[str, str] | str, int]] | None:
    """(tag, attributes, line) of each start tag that can carry a link or has an id, in
    document order, as lxml reads them: names in lower case, the first of repeated
    attributes, references resolved, the line of the tag's '>'; (HREF, url, line) and
    (ID, id, line) for the two commonest tags. None when `data` is not plain enough to
    be sure."""
    if b"\r" in data or b"\0" in data or b"\x0b" in data:  # '<!--': no walk passes it
        return None
    found: list = []
    seen_once: set[bytes] = set()
    line, counted, rest, html_end = 1, 0, b"", -1
    count, append = data.count, found.append
    try:
        for match in _ALL.finditer(data):
            kind = match.lastindex
            if kind == _LEFT:
                rest = match[_LEFT]
                break
            position = match.end()
            line += count(b"\n", counted, position)
            counted = position
            if kind == _HTML_END:
                if html_end < 0:
                    html_end = match.start(_HTML_END)
                    if _START.search(data, html_end):
                        return None  # lxml leaves what follows </html> outside the root element
            elif kind == _HREF:
                append((HREF, match[_HREF].decode(), line))
            elif kind == _ID:
                append((ID, match[_ID].decode(), line))
            elif kind == _CONTENT:
                append((HREF, match[_CONTENT].decode(), line))
            else:
                name = match[5]
                values = _attributes(data, position, name, match[_OTHER], seen_once)
                if values is None:
                    return None
                append((name.decode(), values, line))
    except UnicodeDecodeError:
        return None  # lxml puts U+FFFD in place of each bad byte sequence; not guessed here
    if rest and _REST.match(rest).end() != len(rest):
        return None  # stopped at something not plain
    if html_end < 0 and (html_end := rest.find(b"</html")) >= 0 and _START.search(rest, html_end):
        return None
    if line + rest.count(b"\n") > MAX_LINE:
        return None
    return found


def _attributes(data: bytes, end: int, name: bytes, attributes: bytes,
                seen_once: set[bytes]) -> dict[str, str] | None:
    """A start tag's attributes, or None when the tag makes the page not plain."""
    if name in _UNSURE_TAGS:
        return None
    if name in _ONCE:
        if name in seen_once or data[end - 2:end] == b"/>":
            return None  # libxml2 drops a second one, and closes <html/> and <body/> at once
        seen_once.add(name)
    elif name in _RAW:
        close = data.find(b"<", end)
        if close >= 0 and not _closes(data, close + 2, name):
            return None  # a '<' inside: the page says something subtler than plain HTML
    values = _READ.get(attributes)
    if values is None:
        values = _read_attributes(attributes)
        if values is None:
            return None
        if len(attributes) <= READ_LONGEST:  # a tag repeated page after page is short
            if len(_READ) >= READ_KEPT:
                _READ.clear()
            _READ[attributes] = values
    if name in _ONCE and "id" in values:
        return None  # libxml2 drops <html>, <head>, <body> when one is already implied
    return values


# The attributes of the tags read in Python, by their text: every page of a site repeats
# most of them (<html lang>, the JSON-LD <script>, the theme's script). Callers only read
# the dicts.
_READ: dict[bytes, dict[str, str]] = {}
READ_KEPT = 512
READ_LONGEST = 200


def _read_attributes(attributes: bytes) -> dict[str, str] | None:
    text = attributes.decode()
    values: dict[str, str] = {}
    for key, double, single, bare in _ATTRIBUTE.findall(text):
        key = key.lower()
        if key not in values:
            values[key] = double or single or bare
    if "&" in text:
        for key, value in values.items():
            if "&" in value:
                resolved = _resolve(value)
                if resolved is None:
                    return None
                values[key] = resolved
    return values


def _closes(data: bytes, start: int, name: bytes) -> bool:
    """Whether `data[start - 2:]` is the end tag '</name' of a raw text element."""
    return (data[start - 2:start] == b"</" and data[start:start + len(name)] == name
            and data[start + len(name):start + len(name) + 1] in (b" ", b"\t", b"\n", b"\f", b"/", b">"))


def _resolve(value: str) -> str | None:
    """Character references resolved, when all are of the kinds lxml surely reads alike."""
    if value.count("&amp;") == value.count("&"):
        return value.replace("&amp;", "&")  # the usual case (a URL's query), at C speed
    references = list(_REFERENCE.finditer(value))
    if len(references) != value.count("&"):
        return None  # a bare '&', a legacy reference without ';', another named one
    parts, start = [], 0
    for match in references:
        named, decimal, hexadecimal = match.groups()
        if named:
            character = _NAMED[named]
        else:
            code = int(decimal) if decimal else int(hexadecimal, 16)
            if not (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFDCF
                    or 0xFDF0 <= code <= 0xFFFD):
                return None  # controls, surrogates, noncharacters: rewritten by the tokenizer
            character = chr(code)
        parts += (value[start:match.start()], character)
        start = match.end()
    return "".join(parts) + value[start:]
