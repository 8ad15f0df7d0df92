"""Screenshots of the home page and a briefing, phone and desktop, for reviewers.

Written to docs/screenshots/ (named in the README) from the project's own content,
built with the clock a week before its chat so the page shows an upcoming chat.
Chromium's PNG bytes vary a little from run to run, so a picture is rewritten only
when what it shows changed: the page, the theme's assets or the width, whose digest
`inputs.json` keeps. A test run with an unchanged theme leaves git clean.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest

from conftest import REPO, build_site
from proof.conftest import SCREENSHOTS, WIDTHS, BuiltSite, serve

BEFORE_THE_CHAT = datetime(2018, 1, 24, 12, 0, tzinfo=timezone.utc)
SHOTS = {"home": "", "briefing": "2018/01/thinking-together/"}


@pytest.fixture(scope="module")
def upcoming_server(tmp_path_factory):
    output = tmp_path_factory.mktemp("screenshots") / "output"
    report = build_site(REPO, now=BEFORE_THE_CHAT, output=output)
    site = BuiltSite("real", output, report.site.config.base_path, 0, 0)
    server, address = serve(site)
    yield address, site
    server.shutdown()
    server.server_close()


def digest(site: BuiltSite, route: str, width: int) -> str:
    """What a picture shows: the page's HTML, every theme asset, and the width."""
    page = site.output / (route + "index.html" if route.endswith("/") or not route else route)
    parts = [str(width).encode(), page.read_bytes()]
    parts += [p.read_bytes() for p in sorted((site.output / "assets").rglob("*")) if p.is_file()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(name, device, contexts, upcoming_server):
    server, site = upcoming_server
    page = contexts("light", WIDTHS[device]).new_page()
    page.goto(server.url(SHOTS[name]), wait_until="load")
    if name == "home":
        assert page.locator(".next-chat").is_visible()  # the picture shows what matters
    else:
        assert page.locator(".badge-upcoming").first.is_visible()
    picture = page.screenshot(full_page=True, type="png")
    page.close()
    assert picture.startswith(b"\x89PNG")

    path = SCREENSHOTS / f"{name}-{device}.png"
    manifest = SCREENSHOTS / "inputs.json"
    inputs = json.loads(manifest.read_text()) if manifest.is_file() else {}
    key, value = path.name, digest(site, SHOTS[name], WIDTHS[device])
    if not path.is_file() or inputs.get(key) != value:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(picture)
        inputs[key] = value
        manifest.write_text(json.dumps(inputs, indent=2, sort_keys=True) + "\n")
