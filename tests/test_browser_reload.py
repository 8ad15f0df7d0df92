"""A real browser (Debian's Chromium, driven by Playwright) reloads by itself on save.

Playwright never downloads a browser here: it launches the system's chromium.
"""

from __future__ import annotations

import shutil
import time

import pytest

from conftest import REPO
from preview_process import PreviewProcess
from needs import CHROMIUM_ARGS, need_chromium

RICH = REPO / "tests" / "sites" / "rich"
POST = "content/2017/2017-12-01-plain-post.md"
POST_URL = "/blog/2017/12/plain-post/"
TIMEOUT_MS = 15_000


@pytest.fixture
def browser_page():
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                             timeout=TIMEOUT_MS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def open_and_connect(page, url: str) -> None:
    """Load the page and wait until its live-reload socket has said hello both ways."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda data: frames.append(str(data))))
    page.goto(url)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not any('"info"' in frame for frame in frames):
        assert time.monotonic() < deadline, "the live-reload script never connected"
        page.wait_for_timeout(50)
    page.evaluate("window.notReloadedYet = true")


def wait_for_reload(page, condition_js: str) -> float:
    """Seconds until the page has reloaded (our marker is gone) and meets the condition."""
    started = time.monotonic()
    page.wait_for_function(f"() => !window.notReloadedYet && ({condition_js})",
                           timeout=TIMEOUT_MS, polling=50)
    return time.monotonic() - started


def test_the_open_page_reloads_itself_on_save_into_errors_and_back(tmp_path, browser_page):
    site_dir = tmp_path / "site"
    shutil.copytree(RICH, site_dir)
    server = PreviewProcess(site_dir)
    try:
        server.wait_ready()
        page = browser_page
        open_and_connect(page, server.origin + POST_URL)
        assert page.inner_text("h1").startswith("A plain post")

        post = site_dir / POST
        good = post.read_text()
        post.write_text(good.replace('title: "A plain post:', 'title: "Edited in place:'))
        seconds = wait_for_reload(page, "document.querySelector('h1').textContent"
                                        ".startsWith('Edited in place')")
        print(f"save to reload: {seconds:.2f} s")

        page.evaluate("window.notReloadedYet = true")
        post.write_text(good.replace("date: 2017-12-01", "date: 2017-13-45"))
        wait_for_reload(page, "document.querySelector('ol.problems') !== null")
        assert page.inner_text("ol.problems li").startswith(f"{POST}:3: 'date' is not a valid date")

        page.evaluate("window.notReloadedYet = true")
        post.write_text(good)
        wait_for_reload(page, "document.querySelector('h1').textContent.startsWith('A plain post')")
        assert page.url == server.origin + POST_URL
    finally:
        server.stop()
