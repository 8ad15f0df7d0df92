"""`resnetgen serve` as an editor uses it: a real server on a loopback port, over HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO
from preview_process import PreviewProcess

RICH = REPO / "tests" / "sites" / "rich"
POST = "content/2017/2017-12-01-plain-post.md"
POST_URL = "/blog/2017/12/plain-post/"


def running_preview(folder):
    site_dir = folder / "site"
    shutil.copytree(RICH, site_dir)
    server = PreviewProcess(site_dir)
    try:
        server.wait_ready()
        server.site_dir = site_dir
        yield server
    finally:
        server.stop()
    assert server.process.returncode == 0
    assert not list(server.temp_dir.iterdir())  # the preview folder is removed on exit


@pytest.fixture
def preview(tmp_path):
    """A preview of its own, for a test that changes files."""
    yield from running_preview(tmp_path)


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory):
    """One preview shared by the tests that only read pages."""
    yield from running_preview(tmp_path_factory.mktemp("unchanged"))


def h1(html: str) -> str:
    return BeautifulSoup(html, "html.parser").h1.get_text(" ", strip=True)


def test_serves_the_site_under_its_base_path_with_the_reload_script(unchanged):
    status, html = unchanged.fetch("/blog/")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text() == "Rich Test Network"
    assert any("livereload.js" in (s.string or "") for s in soup.find_all("script"))
    assert unchanged.fetch("/livereload.js")[0] == 200
    status, html = unchanged.fetch("/")  # the site root redirects to the base path
    assert status == 200 and BeautifulSoup(html, "html.parser").title.get_text() == "Rich Test Network"
    assert unchanged.fetch("/blog/assets/style.css")[0] == 200


def test_drafts_are_shown_and_marked(unchanged):
    status, html = unchanged.fetch("/blog/2026/11/draft-post/")
    assert status == 200
    badge = BeautifulSoup(html, "html.parser").h1.find(class_="badge-draft")
    assert badge is not None and badge.get_text() == "Draft"


def test_a_missing_page_gets_the_sites_404_page(unchanged):
    status, html = unchanged.fetch("/blog/no/such/page/")
    assert status == 404
    assert h1(html) == "Page not found"


def test_an_edited_post_is_served_anew(preview):
    assert h1(preview.fetch(POST_URL)[1]).startswith("A plain post")
    path = preview.site_dir / POST
    path.write_text(path.read_text().replace('title: "A plain post:', 'title: "Edited post:'))
    preview.wait_for(lambda: h1(preview.fetch(POST_URL)[1]).startswith("Edited post"), 15,
                     "the edited title to be served")
    assert len(preview.wait_for(preview.rebuilds, 5, "the rebuild's line")) == 1


def test_a_broken_post_shows_the_error_page_until_it_is_fixed(preview):
    path = preview.site_dir / POST
    good = path.read_text()
    path.write_text(good.replace("date: 2017-12-01", "date: 2017-13-45"))

    def error_page():
        status, html = preview.fetch(POST_URL)
        return html if status == 500 else None
    html = preview.wait_for(error_page, 15, "the error page")
    soup = BeautifulSoup(html, "html.parser")
    items = [li.get_text() for li in soup.select("ol.problems li")]
    assert items == [f"{POST}:3: 'date' is not a valid date: '2017-13-45' "
                     "(write it as YYYY-MM-DD or YYYY-MM-DD HH:MM)"]
    assert "1 problem" in soup.h1.get_text()
    assert any("livereload.js" in (s.string or "") for s in soup.find_all("script"))
    # Every page shows it, not only the broken post's; pictures and styles still load.
    assert preview.fetch("/blog/")[0] == 500
    assert preview.fetch("/blog/assets/style.css")[0] == 200
    assert any(l.startswith(f"  {POST}:3:") for l in preview.lines)  # also in the terminal

    path.write_text(good)
    preview.wait_for(lambda: preview.fetch(POST_URL)[0] == 200, 15, "the fixed page")
    assert h1(preview.fetch(POST_URL)[1]).startswith("A plain post")


def test_twenty_files_saved_at_once_make_one_rebuild(preview):
    folder = preview.site_dir / "content" / "2016"
    folder.mkdir()
    for number in range(20):
        (folder / f"post-{number}.md").write_text(
            f"---\ntitle: Post {number}\ndate: 2016-01-{number + 1:02d}\n---\n\nText {number}.\n")
    preview.wait_for(preview.rebuilds, 15, "a rebuild")
    time.sleep(1.5)  # a second rebuild would come within the debounce window
    rebuilds = preview.rebuilds()
    assert len(rebuilds) == 1, rebuilds
    assert "(20 changed:" in rebuilds[0]
    assert h1(preview.fetch("/blog/2016/01/post-19/")[1]) == "Post 19"


def test_a_port_in_use_is_a_plain_message(tmp_path):
    site_dir = tmp_path / "site"
    shutil.copytree(RICH, site_dir)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "resnetgen", "--site", str(site_dir), "serve",
             "--port", str(port), "--now", NOW.isoformat()],
            capture_output=True, text=True, timeout=60, cwd=REPO,
            env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not list(tmp_path.glob("resnetgen-preview-*"))  # its temporary folder is gone
