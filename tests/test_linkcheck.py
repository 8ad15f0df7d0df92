"""The link check: extraction from each kind of output, resolution, and the build's use of it."""

from __future__ import annotations

import re
import shutil
import sys
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from resnetgen import build as build_module, linkcheck, parallel
from resnetgen.build import BuildOptions, build
from resnetgen.cache import BuildCache, shard_of
from resnetgen.cli import main
from resnetgen.linkcheck import LinkChecker, extract, srcset_urls
from resnetgen.linkindex import IncrementalLinks
from resnetgen.post_cache import PostStore
from resnetgen.problems import SiteError
from conftest import NOW, REPO, build_site, bytes_kept_in, html_page, snapshot

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (the bench's synthetic site generator)

BASE = "https://example.org/blog/"

POST = """\
---
title: A post
date: 2018-01-22
---
Hello. {extra}

## A heading
"""


def checker(files: dict[str, str | bytes]) -> LinkChecker:
    links = LinkChecker(BASE)
    for path, data in files.items():
        links.add(path, data.encode() if isinstance(data, str) else data)
    return links


def reasons(links: LinkChecker) -> dict[str, str]:
    return {fault.link.url: fault.reason for fault in links.broken()}


def test_extract_html_finds_every_kind_of_link_and_id():
    page = extract("x/index.html", b"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/blog/style.css">
<meta property="og:image" content="https://example.org/blog/a.png">
<meta http-equiv="refresh" content="0; url=/blog/new/">
</head><body>
<a href="../y/#part">y</a><img src="p.png" srcset="p1.png 1x, p2.png 2x" alt="">
<h2 id="here">Here</h2><a name="old"></a>
<script src="/blog/app.js"></script>
</body></html>""")
    assert page.is_html
    urls = {link.url for link in page.links}
    assert urls == {"/blog/style.css", "https://example.org/blog/a.png", "/blog/new/",
                    "../y/#part", "p.png", "p1.png", "p2.png", "/blog/app.js"}
    assert page.ids == {"here", "old"}
    assert next(link for link in page.links if link.url == "/blog/app.js").line == 8


def test_extract_reads_sitemaps_feeds_and_calendars():
    sitemap = extract("sitemap.xml", b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/blog/</loc></url></urlset>""")
    assert [link.url for link in sitemap.links] == ["https://example.org/blog/"]
    atom = extract("feed.atom", b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://example.org/blog/feed.atom" rel="self"/>
<entry><link href="https://example.org/blog/x/"/></entry></feed>""")
    assert {link.url for link in atom.links} == {"https://example.org/blog/feed.atom",
                                                 "https://example.org/blog/x/"}
    rss = extract("rss.xml", b"""<?xml version="1.0"?><rss version="2.0"><channel>
<link>https://example.org/blog/</link><item><link>https://example.org/blog/x/</link></item>
</channel></rss>""")
    assert {link.url for link in rss.links} == {"https://example.org/blog/",
                                                "https://example.org/blog/x/"}
    ics = extract("calendar.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nURL:https://example.org/bl\r\n"
                                  b" og/x/\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert [(link.url, link.line) for link in ics.links] == [("https://example.org/blog/x/", 3)]
    assert extract("style.css", b"a { background: url(x.png) }").links == ()


def test_srcset_urls():
    assert srcset_urls("a.png 1x, b,c.png 2x,d.png") == ["a.png", "b,c.png", "d.png"]
    assert srcset_urls(" a.png, b.png 480w ,  c.png") == ["a.png", "b.png", "c.png"]
    assert srcset_urls("a.png,b.png 480w") == ["a.png,b.png"]  # a comma inside a URL


def test_links_resolve_against_written_files_with_the_base_path():
    links = checker({
        "index.html": '<a href="/blog/x/">x</a> <a href="x/#h">h</a> <a href="/blog">home</a>'
                      ' <a href="https://other.example/">away</a> <a href="mailto:a@b.c">m</a>'
                      ' <a href="#top">top</a> <a href="webcal://example.org/blog/cal.ics">cal</a>'
                      ' <a href="/blog/x">no slash</a> <a href="/blog/x/?q=1">query</a>',
        "x/index.html": '<h2 id="h">H</h2><a href="../">back</a> <a href="/blog/old.html#more">old</a>',
        "old.html": '<meta http-equiv="refresh" content="0; url=/blog/x/"><a href="/blog/x/">x</a>',
        "cal.ics": "BEGIN:VCALENDAR\r\nURL:https://example.org/blog/x/\r\nEND:VCALENDAR\r\n",
    })
    assert links.broken() == []
    assert links.links_checked == 14  # a redirect page's #fragments are not checked


def test_every_kind_of_fault_is_reported():
    links = checker({
        "index.html": '<a href="/blog/missing/">m</a> <a href="x/#nope">f</a>'
                      ' <a href="#self">s</a> <a href="/elsewhere/">e</a> <img src="" alt="">'
                      ' <img srcset="ok.png 1x, gone.png 2x" alt="">'
                      ' <a href="webcal://example.org/blog/none.ics">subscribe</a>',
        "x/index.html": "<p>no ids</p>",
        "sitemap.xml": '<urlset><url><loc>https://example.org/blog/old/</loc></url></urlset>',
        "feed.atom": '<feed xmlns="http://www.w3.org/2005/Atom"><link href="/blog/feed.xml"/></feed>',
    })
    links.add_file("ok.png")
    assert reasons(links) == {
        "/blog/missing/": "no file missing/index.html was written",
        "x/#nope": "no id 'nope' on /blog/x/index.html",
        "#self": "no id 'self' on this page",
        "/elsewhere/": "it is outside the site's base path /blog/",
        "": "the link is empty",
        "gone.png": "no file gone.png was written",
        "https://example.org/blog/old/": "no file old/index.html was written",
        "/blog/feed.xml": "no file feed.xml was written",
        "webcal://example.org/blog/none.ics": "no file none.ics was written",
    }


def test_a_broken_link_in_a_post_stops_the_build_naming_page_link_and_source(site):
    folder = site({"content/2018/a-post.md": POST.format(extra="[see](#a-heading)")})
    build_site(folder)  # a first, good build...
    good = snapshot(folder / "output")
    (folder / "content/2018/a-post.md").write_text(
        POST.format(extra="[see](#a-heading) [gone](#no-such-heading)"), encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        build_site(folder)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("content/2018/a-post.md", 5)
    assert "'#no-such-heading'" in problem.message
    assert "/2018/01/a-post/" in problem.message
    assert "no id 'no-such-heading' on this page" in problem.message
    assert snapshot(folder / "output") == good  # ...stays exactly as it was


def test_the_posts_are_saved_beside_the_link_check_even_by_a_failing_build(tmp_path,
                                                                           monkeypatch):
    """A first build's posts are written to the cache by a forked process while this
    one checks the links (this one writes them no more), even when the check fails:
    the next build reads them, and equals a clean build. An edit's one shard is written
    by this process (a fork would cost more); the link index, by another one."""
    monkeypatch.setattr(parallel, "can_fork", lambda: True)  # whatever threads are left
    monkeypatch.setattr(build_module, "ASIDE_POSTS", 40)  # as for a large site
    monkeypatch.setattr(build_module, "ASIDE_PAGES", 40)
    saved_here = []
    real_save = PostStore.save

    def save(store):
        saved_here.extend(store.dirty)
        real_save(store)
    monkeypatch.setattr(PostStore, "save", save)
    indexed_here = []
    real_index = IncrementalLinks.make_index
    monkeypatch.setattr(IncrementalLinks, "make_index",
                        lambda links: indexed_here.append(1) or real_index(links))
    generate.generate(60, tmp_path / "gen")  # posts in every shard of the cache
    rich = tmp_path / "gen" / "resnetgen"
    path = sorted(p.relative_to(rich).as_posix() for p in rich.glob("content/*/*.md"))[30]
    post = rich / path
    good = post.read_text(encoding="utf-8")
    post.write_text(good + "\n[gone](/no/such/page/)\n", encoding="utf-8")
    with pytest.raises(SiteError, match="no/such/page"):
        build_site(rich)
    assert not (rich / "output").exists() and saved_here == []
    cache = BuildCache.load(rich)
    assert not cache.discarded and len(cache.posts.records) == 60
    post.write_text(good, encoding="utf-8")
    report = build_site(rich)
    assert saved_here == [shard_of(path)]  # the other posts: read from the cache
    index = BuildCache.load(rich).link_index()  # written by the other process
    assert index is not None and len(index.written) == report.files and indexed_here == []
    settings = rich / "site.toml"  # every post read again: a passing build's turn
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    build_site(rich)
    assert saved_here == [shard_of(path)] and len(BuildCache.load(rich).posts.records) == 60
    out = tmp_path / "clean"
    build(BuildOptions(site_dir=rich, output_dir=out, now=NOW, cache=False))
    assert snapshot(rich / "output") == snapshot(out)


def test_a_broken_link_in_a_template_is_reported_once_with_a_count(site, tmp_path):
    folder = site({"content/2018/a-post.md": POST.format(extra=""),
                   "templates/base.html": (REPO / "themes/default/templates/base.html")
                   .read_text().replace("{{ 'people/' | url }}", "{{ url('hosts/') }}")})
    with pytest.raises(SiteError) as caught:
        build_site(folder)
    [problem] = caught.value.problems
    assert "broken link '/hosts/'" in problem.message
    assert "other pages" in problem.message
    assert "no file hosts/index.html was written" in problem.message
    assert not (folder / "output").exists()


def test_no_link_check_builds_anyway(site, capsys):
    folder = site({"content/2018/a-post.md": POST.format(extra="[gone](#no-such-heading)")})
    assert main(["--site", str(folder), "check", "--now", NOW.isoformat()]) == 1
    assert "no-such-heading" in capsys.readouterr().err
    assert main(["--site", str(folder), "build", "--now", NOW.isoformat(),
                 "--no-link-check"]) == 0
    assert (folder / "output/2018/01/a-post/index.html").is_file()


def test_the_rich_site_and_the_real_content_have_no_broken_links(tmp_path):
    for name, source in (("rich", REPO / "tests/sites/rich"), ("real", REPO)):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(source / "site.toml", folder)
        shutil.copytree(source / "content", folder / "content")
        report = build_site(folder)
        assert report.links > 10 * report.pages  # menus, footers, canonical links, sitemap


_URL_PARTS = st.sampled_from(["http://", "https://", "HTTPS://", "webcal://", "//", "/", "",
                              "example.org", "EXAMPLE.org", "other.example", "example.org:8080",
                              "u@example.org", "[::1]", "exämple.org", "/blog/", "x/", "a b",
                              "\t", "\n", "?q=1", "#h", "#", "%41", "..", "/./", "blog",
                              "index.html", "mailto:a@b.c", ":", "@", "\u00e9"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_URL_PARTS, max_size=6).map("".join))
def test_the_shortcut_for_other_sites_links_changes_no_answer(url):
    """`_target` answers another site's http(s) link without urljoin: the same answer as
    the long way (the shortcut turned off), whatever the URL."""
    links = checker({"index.html": "", "x/index.html": "", "a/b/index.html": ""})

    def answer(page_url):
        try:
            return links._target(url, page_url, "example.org", "/blog/")
        except ValueError as error:  # urlsplit refuses some hosts ('[::1'): then both do
            return str(error)
    for page in ("index.html", "a/b/index.html"):
        page_url = f"https://example.org/blog/{page}"
        short = answer(page_url)
        with mock.patch.object(linkcheck, "_OTHER_SITE", re.compile(r"(?!)")):
            assert answer(page_url) == short


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_URL_PARTS, max_size=6).map("".join), max_size=5),
       st.sampled_from(["example.org", "example.org:8080", "[::1]", "exämple.org"]))
def test_the_site_s_own_urls_are_kept_without_the_test_with_the_same_answer(urls, host):
    """_other_sites_counted keeps a URL starting with the site's own https://host/ at
    once: the same links kept and counted as by the test alone."""
    def counted(shortcut: bool):
        page = linkcheck._page_links(urls, linkcheck.array("I", range(len(urls))).tobytes(),
                                     (), True, False)
        prefixes = linkcheck._own_prefixes if shortcut else (lambda host: ("\0",))
        with mock.patch.object(linkcheck, "_own_prefixes", prefixes):
            return linkcheck._other_sites_counted(page, host)
    assert counted(True) == counted(False)


_PAGE_PARTS = st.sampled_from(["index.html", "x/", "a b/", "%41/", "é/", "?q/", "#h/", ";p/",
                               "/", "./", "../", "\t", "\n", "x.ics", "index.html"])
_FRAGMENT_PARTS = st.sampled_from(["#", "h", "top", "%41", "%zz", "#", " ", "\t", "\n", "é", "?",
                                   "/", "content"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PAGE_PARTS, min_size=1, max_size=4).map("".join),
       st.lists(_FRAGMENT_PARTS, max_size=5).map(lambda parts: "#" + "".join(parts)),
       st.sampled_from(["https://example.org/blog/", "http://EXAMPLE.org/", "https://u@ex.org:8/"]))
def test_the_shortcut_for_links_within_the_page_changes_no_answer(page, url, base):
    """`_target` answers a '#fragment' link without urljoin: the same answer as the long
    way (the shortcut turned off), whatever the page's path and the fragment."""
    links = LinkChecker(base)
    links.add_file(page)
    links.add_file("index.html")
    parts = linkcheck.urlsplit(base)
    page_url = f"{parts.scheme}://{parts.netloc.lower()}{links.base_path}{page}"
    short = links._target(url, page_url, parts.netloc.lower(), links.base_path)
    with mock.patch.object(linkcheck, "_SAME_PAGE", re.compile(r"(?!)")):
        assert links._target(url, page_url, parts.netloc.lower(), links.base_path) == short


def test_an_address_urllib_refuses_is_a_broken_link_not_a_crash(site, capsys):
    links = checker({"index.html": '<a href="http://[x">x</a> <a href="/blog/">home</a>'})
    assert reasons(links) == {"http://[x": "it is not a valid address (Invalid IPv6 URL)"}
    # In a post's raw HTML: reported at its line (it stopped the build with an internal
    # error, in the feeds and in the link check); without the check, the feeds keep it.
    folder = site({"content/2018/a-post.md": POST.format(extra='<a href="http://[x">x</a>')})
    assert main(["--site", str(folder), "build", "--now", NOW.isoformat()]) == 1
    error = capsys.readouterr().err
    assert "content/2018/a-post.md:5: broken link 'http://[x'" in error
    assert "internal error" not in error
    assert main(["--site", str(folder), "build", "--now", NOW.isoformat(),
                 "--no-link-check"]) == 0
    assert b'href="http://[x"' in (folder / "output/feed.xml").read_bytes().replace(
        b"&quot;", b'"')


def test_each_broken_link_is_reported_in_the_pages_order_repeats_included():
    links = checker({
        "index.html": '<a href="/blog/b/">1</a>\n<a href="/blog/x/">2</a>\n<a href="/blog/a/">3</a>'
                      '\n<a href="/blog/b/">4</a>\n<a href="#gone">5</a>',
        "x/index.html": '<a href="/blog/b/">b</a>',
    })
    found = [(fault.output_path, fault.link.url, fault.link.line) for fault in links.broken()]
    assert found == [("index.html", "/blog/b/", 1), ("index.html", "/blog/a/", 3),
                     ("index.html", "/blog/b/", 4), ("index.html", "#gone", 5),
                     ("x/index.html", "/blog/b/", 1)]
    depends = linkcheck.Depends()
    links.broken(depends=depends)
    # A link to a written file depends on that file alone; a broken one, on both
    # candidates (either could appear).
    assert depends.files["index.html"] == ({"b/index.html", "b//index.html", "x/index.html",
                                            "a/index.html", "a//index.html", "index.html"},
                                           {"index.html"})


# Pieces of calendars, the odd ones included: folds (CRLF or LF, then a space or a tab)
# anywhere, names cut by a fold, parameters without a ':', bad UTF-8, bare CRs.
_ICS_PARTS = st.sampled_from([
    "URL", "ATTACH", "U", "UR", "A", "ATT", "ATTAC", "url", ";", ":", "=", "VALUE=URI",
    "\r\n", "\n", "\r", " ", "\t", "\r\n ", "\n\t", "https://example.org/blog/x/", "é", "–",
    "x", "DESCRIPTION:", "BEGIN:VEVENT", "\r\nURL:", "\r\nATTACH;FMTTYPE=a/b:", "\\,"])


def _both_readings(data: bytes):
    quick = linkcheck._ics_links_quick(data)
    text = linkcheck._ics_links_text(data)
    return quick, text


@settings(max_examples=1500, deadline=None)
@given(st.lists(_ICS_PARTS | st.binary(max_size=3), max_size=24).map(
    lambda parts: b"".join(p.encode() if isinstance(p, str) else p for p in parts)))
@example(b"BEGIN:VEVENT\n\n URL:https://example.org/x/\nEND:VEVENT\n")  # a fold after an
@example(b"BEGIN:VEVENT\r\n\r\n\tURL:https://example.org/x/\r\n")     # empty line makes a URL
@example(b"BEGIN:VEVENT\r\nUR\r\n L:https://example.org/x/\r\nATTACH:/a.pdf\r\n")
def test_the_quick_calendar_reading_is_the_general_one(data):
    """Where the quick reading answers, it answers as the general one (decode, unfold,
    search); where it cannot be sure it says None and `extract` reads the long way."""
    quick, text = _both_readings(data)
    if quick is not None:
        assert quick == text
    assert extract("x.ics", data) == text


def test_the_quick_calendar_reading_reads_the_rich_sites_calendars(rich_output):
    calendars = sorted(rich_output.rglob("*.ics"))
    assert len(calendars) > 3
    for path in calendars:
        data = path.read_bytes()
        quick, text = _both_readings(data)
        assert quick is not None and quick == text, path  # resnetgen's own: never the long way
        assert quick.urls
    # Folds and a long URL, as icalendar writes them: read at the unfolded line.
    long_url = "https://example.org/blog/" + "a-very-long-slug-" * 6 + "/"
    data = ("BEGIN:VCALENDAR\r\nDESCRIPTION:" + "word " * 30 + "\r\nURL:" + long_url
            + "\r\nEND:VCALENDAR\r\n").encode()
    from resnetgen.calendar import fold_line
    folded = b"\r\n".join(fold_line(line).encode() for line in data.decode().split("\r\n"))
    quick, text = _both_readings(folded)
    assert quick is not None and [(link.url, link.line) for link in quick.links] == [(long_url, 3)]
    assert quick == text


def test_urls_remembered_by_host_give_the_same_answers_and_stay_small():
    """_other_sites_counted remembers, by host, whether a URL is kept: the answer for one
    host never leaks to another, a page read again reads alike, and long URLs (a post's
    inline data: picture, a chat's calendar link) are not remembered."""
    page = ('<!DOCTYPE html>\n<html><head><title>t</title></head><body>\n'
            '<a href="https://example.org/x">a</a>\n<a href="https://other.org/y">b</a>\n'
            '<a href="http://EXAMPLE.org:80/z">c</a>\n<a href="/local">d</a>\n'
            '</body></html>\n').encode()
    linkcheck._KNOWN_URLS.clear()
    fresh = {host: extract("p.html", page, host) for host in ("example.org", "other.org")}
    assert fresh["example.org"].urls == ("https://example.org/x", "/local")
    assert fresh["other.org"].urls == ("https://other.org/y", "/local")
    for host in ("other.org", "example.org", "example.org:80", "other.org"):
        linkcheck._KNOWN_URLS.pop((host, linkcheck._own_prefixes(host)), None)
        first = extract("p.html", page, host)
        assert extract("p.html", page, host) == first  # from what is remembered
        if host in fresh:
            assert first == fresh[host]
    def read_long_urls() -> None:
        for number in range(300):
            picture = "data:image/png;base64," + "%05d" % number * 20_000
            chat = "https://calendar.example.com/add?text=" + "%05d" % number * 2_000
            extract("p.html", f'<img src="{picture}"><a href="{chat}">x</a>'.encode(),
                    "example.org")
    held = bytes_kept_in(linkcheck._KNOWN_URLS, read_long_urls)
    assert held < 5_000_000, f"{held / 1e6:.0f} MB kept by the remembered URLs"


# (found in review) the bound was checked before a page's URLs were added, and each
# host kept its own table for the life of the process.
def test_the_remembered_urls_stay_within_their_bound_after_a_big_page():
    linkcheck._KNOWN_URLS.clear()
    try:
        links = "".join(f'<a href="https://other.example/{n:06d}/{"p" * 200}">x</a>\n'
                        for n in range(20_000))
        extract("archive.html", html_page(links), "example.org")
        assert sum(map(len, linkcheck._KNOWN_URLS.values())) <= linkcheck.KNOWN_URLS_KEPT + 1
    finally:
        linkcheck._KNOWN_URLS.clear()


def test_the_remembered_urls_of_many_hosts_stay_within_the_bound():
    linkcheck._KNOWN_URLS.clear()
    try:
        links = "".join(f'<a href="/p{n}">x</a>\n' for n in range(4000))
        for number in range(20):  # a long `serve` with site.toml's base_url edited
            extract("p.html", html_page(links), f"site{number}.example")
        assert sum(map(len, linkcheck._KNOWN_URLS.values())) <= linkcheck.KNOWN_URLS_KEPT + 1
    finally:
        linkcheck._KNOWN_URLS.clear()
