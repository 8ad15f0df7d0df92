"""Accessibility: axe-core in headless Chromium over every page type, in light and dark
colour schemes, at phone and desktop widths; zero WCAG 2.2 AA violations."""

from __future__ import annotations

import pytest

from proof.axe import run_axe
from proof.conftest import SCHEMES, WIDTHS

# One page of each type of the rich fixture site (routes below its base path).
PAGE_TYPES = {
    "home": "",
    "home page 2": "page/2/",
    "briefing, upcoming": "2026/11/upcoming-chat/",
    "briefing, over": "2018/01/winter-chat/",
    "briefing, cancelled": "2019/04/cancelled-chat/",
    "ordinary post": "2017/12/plain-post/",
    "post with pictures": "2019/05/bundle-post/",
    "standalone page": "about/",
    "tags index": "tags/",
    "tag": "tags/news/",
    "people": "people/",
    "person": "people/salpratten/",
    "archive": "archive/",
    "404": "404.html",
    "events": "events/",
}
# Redirect pages (old addresses) leave at once by <meta http-equiv="refresh">, so axe
# cannot run on them; vnu and the link check cover them.


def test_every_page_type_exists(rich_site):
    for name, route in PAGE_TYPES.items():
        path = rich_site.output / (route + "index.html" if route.endswith("/") or not route
                                   else route)
        assert path.is_file(), f"{name}: {route} was not built"


@pytest.fixture(scope="module")
def tab(contexts):
    """One tab reused for every page: navigating is cheaper than opening."""
    page = contexts("light", WIDTHS["desktop"]).new_page()
    yield page
    page.close()


def axe_in_every_view(page, url: str) -> dict[str, list]:
    """axe's violations at each width in each colour scheme, keyed 'dark, 390 px'."""
    page.goto(url, wait_until="load")
    found = {}
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            violations = run_axe(page)
            if violations:
                found[f"{scheme}, {width} px"] = violations
    return found


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_axe_violations(name, tab, rich_server):
    route = PAGE_TYPES[name]
    found = axe_in_every_view(tab, rich_server.url(route))
    assert not found, f"{name} (/{route}):\n" + "\n".join(
        f"  {view}:\n    " + "\n    ".join(map(str, v)) for view, v in found.items())


def test_the_real_sites_pages_have_no_axe_violations(tab, real_server, real_site):
    found = {}
    routes = sorted(p.relative_to(real_site.output).as_posix().removesuffix("index.html")
                    for p in real_site.output.rglob("*.html") if not is_redirect(p))
    for route in routes:
        for view, violations in axe_in_every_view(tab, real_server.url(route)).items():
            found[f"{route} ({view})"] = violations
    assert routes and not found, "\n".join(f"{r}:\n  " + "\n  ".join(map(str, v))
                                           for r, v in found.items())


def is_redirect(path) -> bool:
    return b'http-equiv="refresh"' in path.read_bytes()


BROKEN_PAGE = """<!DOCTYPE html><html><head><title>Broken</title>
<style>p { color: #aaa; background: #fff; }</style></head>
<body><p>Pale grey text on white.</p><img src="x.png"><input type="text">
<a href="/"></a></body></html>"""


def test_axe_reports_an_inaccessible_page(tab):
    tab.set_content(BROKEN_PAGE)
    rules = {v.rule for v in run_axe(tab)}
    assert {"color-contrast", "image-alt", "label", "link-name", "html-has-lang"} <= rules


DARK_ONLY_FAULT = """<!DOCTYPE html><html lang="en"><head><title>Dark fault</title><style>
p { color: #111; background: #fff; }
@media (prefers-color-scheme: dark) { p { color: #333; background: #222; } }
</style></head><body><main><p>Readable in light, not in dark.</p></main></body></html>"""


def test_each_colour_scheme_is_checked_on_its_own(tab):
    from urllib.parse import quote
    found = axe_in_every_view(tab, "data:text/html," + quote(DARK_ONLY_FAULT))
    assert set(found) == {"dark, 390 px", "dark, 1280 px"}
    assert {v.rule for v in found["dark, 390 px"]} == {"color-contrast"}
