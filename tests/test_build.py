"""The build as a whole: determinism, the clock, base_url paths, output swaps, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from conftest import build_site, snapshot
from resnetgen.cli import main


def test_two_builds_give_identical_bytes(rich, tmp_path):
    build_site(rich, output=tmp_path / "one")
    build_site(rich, output=tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_source_date_epoch_fixes_the_clock(rich, tmp_path, monkeypatch):
    # 2026-12-10: the upcoming chat of 9 December is then over.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 12, 10, tzinfo=timezone.utc).timestamp())))
    assert main(["--site", str(rich), "build", "--output", str(tmp_path / "a")]) == 0
    assert main(["--site", str(rich), "build", "--output", str(tmp_path / "b")]) == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    page = BeautifulSoup((tmp_path / "a/2026/11/upcoming-chat/index.html").read_text(), "html.parser")
    assert page.find(class_="badge-over")


def test_now_option_decides_upcoming_or_over(rich, tmp_path):
    assert main(["--site", str(rich), "build", "--now", "2026-12-09T19:00:00+00:00",
                 "--output", str(tmp_path / "before")]) == 0
    page = BeautifulSoup((tmp_path / "before/2026/11/upcoming-chat/index.html").read_text(), "html.parser")
    assert page.find(class_="badge-upcoming")


def test_bad_now_is_a_clear_error(rich, capsys):
    assert main(["--site", str(rich), "build", "--now", "yesterday"]) == 2
    assert "--now 'yesterday' is not an ISO date-time" in capsys.readouterr().err


def test_every_internal_link_resolves_under_a_base_path(rich):
    build_site(rich)
    out = rich / "output"
    checked = 0
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for node in soup.find_all(tag):
                link = node.get(attr)
                parts = urlsplit(link or "")
                if not link or parts.scheme or parts.netloc or link.startswith("#"):
                    continue
                assert parts.path.startswith("/blog/"), (page, link)
                target = out / parts.path.removeprefix("/blog/")
                if parts.path.endswith("/"):
                    target = target / "index.html"
                assert target.is_file(), (page, link)
                checked += 1
    assert checked > 100


def test_a_rebuild_replaces_output_and_keeps_unchanged_files(rich):
    build_site(rich)
    out = rich / "output"
    about = out / "about/index.html"
    inode = about.stat().st_ino
    (out / "stale.html").write_text("left from an older build")
    post = rich / "content/2017/2017-12-01-plain-post.md"
    post.write_text(post.read_text().replace("Hello.", "Hello again."))
    build_site(rich)
    assert not (out / "stale.html").exists()
    assert about.stat().st_ino == inode  # same bytes: linked, not rewritten
    assert "Hello again." in (out / "2017/12/plain-post/index.html").read_text()


def test_check_validates_and_writes_nothing(rich, capsys):
    assert main(["--site", str(rich), "check", "--now", "2026-11-29T12:00Z"]) == 0
    assert "no errors" in capsys.readouterr().out
    assert not (rich / "output").exists()
    (rich / "content/bad.md").write_text("no front matter")
    assert main(["--site", str(rich), "check"]) == 1
    assert not (rich / "output").exists()


def test_command_line_summary_and_python_m(rich):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1800000000"}
    result = subprocess.run([sys.executable, "-m", "resnetgen", "--site", str(rich), "build"],
                            capture_output=True, text=True, env=env, check=True)
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("Built ") and "(6 briefings)" in line and line.endswith(" s")


def test_command_line_exit_saves_the_cache_and_keeps_the_exit_code(rich):
    """A build from the command line leaves early (os._exit): its cache is saved, its
    output flushed (buffered, as in a pipe), its exit code kept."""
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
           "SOURCE_DATE_EPOCH": "1800000000"}
    command = [sys.executable, "-m", "resnetgen", "--site", str(rich), "build"]
    subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert (rich / ".resnetgen-cache/index.marshal").is_file()
    again = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert again.stdout.startswith("Nothing changed: ")
    (rich / "content/bad.md").write_text("no front matter")
    failed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert failed.returncode == 1
    assert "content/bad.md:1:" in failed.stderr and "nothing was written" in failed.stderr


def test_site_option_after_the_command(rich, tmp_path):
    assert main(["build", "--site", str(rich), "--now", "2026-11-29T12:00Z",
                 "--output", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o/index.html").is_file()


def test_missing_site_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["--site", str(tmp_path / "nowhere"), "build"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_missing_site_toml(tmp_path, capsys):
    (tmp_path / "content").mkdir()
    assert main(["--site", str(tmp_path), "build"]) == 1
    assert "site.toml:1: site.toml is missing" in capsys.readouterr().err


def test_toml_front_matter(site):
    site_dir = site({"content/t.md": '+++\ntitle = "In TOML"\ndate = 2018-01-01\n+++\nBody.\n'})
    build_site(site_dir)
    soup = BeautifulSoup((site_dir / "output/2018/01/t/index.html").read_text(), "html.parser")
    assert soup.find("h1").get_text() == "In TOML"


def test_site_override_templates_and_static(site):
    site_dir = site({
        "content/a.md": "---\ntitle: A\ndate: 2018-01-01\n---\nB\n",
        "templates/page.html": "{% extends 'base.html' %}{% block content %}<p id=custom>{{ post.title }}</p>{% endblock %}",
        "content/pages/x.md": "---\ntitle: X page\n---\nB\n",
        "static/assets/style.css": "body { color: red; }\n",
    })
    build_site(site_dir)
    out = site_dir / "output"
    assert BeautifulSoup((out / "x/index.html").read_text(), "html.parser").find(id="custom").get_text() == "X page"
    assert (out / "assets/style.css").read_text() == "body { color: red; }\n"
    assert (out / "assets/local-time.js").is_file()
