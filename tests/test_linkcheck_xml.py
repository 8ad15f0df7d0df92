"""linkcheck's reading of XML outputs (feeds, sitemaps): the same links at the same lines
as a walk over every element (the way it was written first), on odd XML and on the
rich site's feeds and sitemap."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from resnetgen.linkcheck import Link, PageLinks, extract


def every_element_links(data: bytes) -> PageLinks:
    """The reference: every element, its href and url attributes, then the text of a
    loc, link, url or comments element, whatever its namespace (as it was written
    first, but for a name with an undeclared prefix, which stopped it)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return PageLinks()
    links = []
    for element in root.iter(etree.Element):
        try:
            local = etree.QName(element).localname
        except ValueError:  # 'a:link', its prefix undeclared: the reading stopped there
            local = element.tag  # (a traceback); it is no link element
        line = element.sourceline or 1
        for name in ("href", "url"):
            value = element.get(name)
            if value:
                links.append(Link(value.strip(), line))
        if local in ("loc", "link", "url", "comments") and element.text and element.text.strip():
            links.append(Link(element.text.strip(), line))
    return PageLinks(tuple(links))


def outcome(function, data: bytes):
    try:
        return function(data)
    except Exception as error:  # noqa: BLE001 - compared, never hidden
        return type(error)


_NAMES = st.sampled_from(["link", "loc", "url", "comments", "enclosure", "entry", "item",
                          "a:link", "atom:link", "x:loc", "LINK", "urlset", "feed", "p",
                          "xlink", "href", "url:url"])
_ATTRIBUTES = st.sampled_from([
    ' href="/a/"', " href=' /b '", ' url="/c/"', ' url=""', ' href="&amp;x"', ' HREF="/d/"',
    ' xmlns="urn:x"', ' xmlns:a="urn:a"', ' xmlns:atom="http://www.w3.org/2005/Atom"',
    ' a:href="/e/"', ' rel="self"', ' href="/f/" href="/g/"', ' url="/h/"\n href="/i/"',
    ' href="&bad;"', ' href="<"', " href", ' href="x\ny"'])
_TEXT = st.sampled_from(["", " ", "\n", "/t/", " https://example.org/blog/ ", "&amp;q",
                         "&nbsp;", "<![CDATA[/cdata/]]>", "<!-- c -->", "<?pi x?>", "&#47;x",
                         "&lt;a href=&quot;/no/&quot;&gt;", "\u00e9", "&ent;", "]]>", "\x01"])


@st.composite
def _elements(draw) -> str:
    name = draw(_NAMES)
    attributes = "".join(draw(st.lists(_ATTRIBUTES, max_size=3)))
    inner = "".join(draw(st.lists(_TEXT | _NAMES.map(lambda n: f"<{n}/>"), max_size=3)))
    return draw(st.sampled_from([f"<{name}{attributes}>{inner}</{name}>",
                                 f"<{name}{attributes}/>", f"<{name}{attributes}>{inner}",
                                 f"</{name}>"]))


_PARTS = _elements() | _TEXT | st.sampled_from([
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<!DOCTYPE r [<!ENTITY ent "<link>/ent/</link>">]>', "\n\n", "<", ">"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PARTS, max_size=10).map("".join))
@example('<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>\n<atom:link href="/a/"/>'
         '<link>/b/</link><item><enclosure url="/c/"/><comments>/d/</comments></item>'
         "</channel></rss>")
@example('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>\n<loc>/x/</loc>'
         "</url></urlset>")
@example('<r><a:link href="/u/">/t/</a:link><link xmlns="urn:c" url="/v/"> /w/ </link></r>')
@example('<!DOCTYPE r [<!ENTITY ent "<link>/ent/</link>">]><r>&ent;<link>&ent;</link></r>')
@example("<r><link><![CDATA[/cdata/]]></link><loc><!-- c -->/after/</loc></r>")
@example("")
def test_the_xml_reading_is_a_walk_over_every_element(text):
    data = text.encode("utf-8", "surrogatepass")
    assert outcome(lambda d: extract("x.xml", d), data) == outcome(every_element_links, data)


def test_the_xml_reading_reads_the_rich_sites_feeds_and_sitemap(rich_output):
    files = sorted(rich_output.rglob("*.xml"))
    assert {path.name for path in files} >= {"feed.xml", "atom.xml", "sitemap.xml"}
    for path in files:
        data = path.read_bytes()
        page = extract(path.name, data)
        assert page == every_element_links(data), path
        assert page.urls, path
        if path.name == "sitemap.xml":  # one <loc> a page, each on its own line
            locs = etree.fromstring(data).findall(".//{*}loc")
            assert list(page.urls) == [loc.text.strip() for loc in locs]
            assert [link.line for link in page.links] == [loc.sourceline for loc in locs]
