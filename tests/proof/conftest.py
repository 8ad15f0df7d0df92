"""Fixtures for proof by real clients: built sites, a loopback server, one browser.

Each site is built once per session into a temporary folder; one Chromium serves
every browser test. A missing tool skips with how to install it, or fails when CI=true.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NOW, REPO, build_site
from needs import CHROMIUM, CHROMIUM_ARGS, need_chromium, require

VNU_JAR = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE_JS = REPO / "node_modules/axe-core/axe.min.js"
SCREENSHOTS = REPO / "docs/screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
SCHEMES = ("light", "dark")


def require_vnu() -> list[str]:
    java = shutil.which("java")
    require(java is not None, "Java", "apt-get install default-jre-headless")
    require(VNU_JAR.is_file(), "the Nu Html Checker (vnu.jar)", "run `make test` (npm ci)")
    return [java, "-jar", str(VNU_JAR)]


def require_browser() -> None:
    need_chromium()
    require(AXE_JS.is_file(), "axe-core", "run `make test` (npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "Playwright for Python", "run `make test` (requirements-dev.txt)")


@dataclass(frozen=True)
class BuiltSite:
    name: str
    output: Path
    base_path: str      # '/blog/'
    pages: int
    links: int
    site: object = None     # the build's Site: posts and chats to compare outputs with


def _build(tmp_path_factory, name: str, site_dir: Path) -> BuiltSite:
    output = tmp_path_factory.mktemp(name) / "output"
    report = build_site(site_dir, now=NOW, output=output)
    return BuiltSite(name, output, report.site.config.base_path, report.pages, report.links,
                     report.site)


@pytest.fixture(scope="session")
def rich_site(tmp_path_factory) -> BuiltSite:
    return _build(tmp_path_factory, "rich", REPO / "tests/sites/rich")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> BuiltSite:
    """The project's own content/ and site.toml, built outside the repository."""
    return _build(tmp_path_factory, "real", REPO)


class _Handler(http.server.SimpleHTTPRequestHandler):
    base_path = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / "does-not-exist")
        return super().translate_path("/" + path[len(self.base_path):])

    def log_message(self, format, *args):  # keep test output quiet
        pass


@dataclass(frozen=True)
class Server:
    root: str           # 'http://127.0.0.1:PORT/blog/'

    def url(self, route: str) -> str:
        return self.root + route


def serve(site: BuiltSite):
    handler = type("Handler", (_Handler,), {"base_path": site.base_path})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site.output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, Server(f"http://127.0.0.1:{server.server_address[1]}{site.base_path}")


def serving(site: BuiltSite):
    """Serve `site` for the fixture's lifetime: yields its address, then shuts down."""
    server, address = serve(site)
    yield address
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def rich_server(rich_site):
    yield from serving(rich_site)


@pytest.fixture(scope="session")
def real_server(real_site):
    yield from serving(real_site)


@pytest.fixture(scope="package")
def browser():
    """One headless Debian Chromium for these tests; never a downloaded browser.

    Package scope: it closes when tests/proof/ is done, because a second Playwright
    (tests/test_browser_reload.py) cannot start while this one runs in the same thread."""
    require_browser()
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="package")
def contexts(browser):
    """A browser context per (colour scheme, width), made when first asked for."""
    made = {}

    def get(scheme: str, width: int):
        if (scheme, width) not in made:
            made[scheme, width] = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme,
                timezone_id="America/New_York", locale="en-GB",
                device_scale_factor=1, reduced_motion="reduce")
        return made[scheme, width]
    yield get
    for context in made.values():
        context.close()
