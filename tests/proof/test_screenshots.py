"""Screenshots of the home page and a briefing, phone and desktop, for reviewers.

Written to docs/screenshots/ (named in the README) from the project's own content,
built with the clock a week before its chat so the page shows an upcoming chat. A file
is rewritten only when the picture changed, so a test run leaves git clean.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from conftest import REPO, build_site
from proof.conftest import SCREENSHOTS, WIDTHS, serve

BEFORE_THE_CHAT = datetime(2018, 1, 24, 12, 0, tzinfo=timezone.utc)
SHOTS = {"home": "", "briefing": "2018/01/thinking-together/"}


@pytest.fixture(scope="module")
def upcoming_server(tmp_path_factory):
    output = tmp_path_factory.mktemp("screenshots") / "output"
    report = build_site(REPO, now=BEFORE_THE_CHAT, output=output)
    from proof.conftest import BuiltSite
    server, address = serve(BuiltSite("real", output, report.site.config.base_path, 0, 0))
    yield address
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(name, device, contexts, upcoming_server):
    page = contexts("light", WIDTHS[device]).new_page()
    page.goto(upcoming_server.url(SHOTS[name]), wait_until="load")
    if name == "home":
        assert page.locator(".next-chat").is_visible()  # the picture shows what matters
    else:
        assert page.locator(".badge-upcoming").first.is_visible()
    picture = page.screenshot(full_page=True, type="png")
    page.close()
    assert picture.startswith(b"\x89PNG")
    path = SCREENSHOTS / f"{name}-{device}.png"
    if not path.is_file() or path.read_bytes() != picture:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(picture)
