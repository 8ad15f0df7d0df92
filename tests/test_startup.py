"""A build with nothing to do stops before reading the settings (see
Incremental.unchanged_as_last): what it then reports, and what it never imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from bs4 import BeautifulSoup

from conftest import NOW, REPO, RICH, build_site


def test_nothing_changed_reports_the_settings_it_did_not_read(rich):
    first = build_site(rich)
    again = build_site(rich)
    assert again.unchanged and again.site is None
    assert again.config == first.config  # read when asked for (serve, deploy)
    assert again.config.base_path == first.config.base_path
    assert (again.pages, again.files, again.warnings) == (first.pages, first.files, first.warnings)


def test_settings_edited_after_a_build_with_nothing_to_do_are_built(rich):
    build_site(rich)
    assert build_site(rich).unchanged
    toml = rich / "site.toml"
    text = toml.read_text(encoding="utf-8")
    old_title = build_site(rich).config.title
    toml.write_text(text.replace(f'title = "{old_title}"', 'title = "Renamed Network"', 1),
                    encoding="utf-8")
    report = build_site(rich)
    assert not report.unchanged and report.config.title == "Renamed Network"
    page = BeautifulSoup((rich / "output" / "index.html").read_bytes(), "html.parser")
    assert "Renamed Network" in page.title.get_text()
    assert build_site(rich).unchanged


def test_a_theme_of_the_site_named_after_a_build_is_used(rich):
    build_site(rich)
    shutil.copytree(REPO / "themes" / "default", rich / "themes" / "own")
    base = rich / "themes" / "own" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "<body", '<body data-theme="own"', 1), encoding="utf-8")
    assert build_site(rich).unchanged  # a theme folder alone is not the site's theme
    toml = rich / "site.toml"
    toml.write_text('theme = "own"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    assert not build_site(rich).unchanged
    page = BeautifulSoup((rich / "output" / "index.html").read_bytes(), "html.parser")
    assert page.body["data-theme"] == "own"
    assert build_site(rich).unchanged
    base.write_text(base.read_text(encoding="utf-8").replace('"own"', '"edited"'),
                    encoding="utf-8")
    assert not build_site(rich).unchanged  # the last build's theme, scanned before its settings
    page = BeautifulSoup((rich / "output" / "index.html").read_bytes(), "html.parser")
    assert page.body["data-theme"] == "edited"


def test_nothing_changed_imports_no_settings_and_no_dataclasses(tmp_path):
    """What a build with nothing to do imports is most of its time (a fresh process
    each: ~0.08 s at 1,000 posts, 0.03 of it imports): the settings' parser and the
    dataclasses (inspect, ast, dis...) are for a build that does something."""
    site = tmp_path / "rich"
    shutil.copytree(RICH, site)
    script = (
        "import json, sys\n"
        "from resnetgen.cli import run\n"
        f"code = run(['--site', {str(site)!r}, 'build', '--now', {NOW.isoformat()!r}])\n"
        "print(json.dumps([code, sorted(m for m in ('dataclasses', 'inspect', 'tomllib',"
        " 'zoneinfo', 'resnetgen.config', 'jinja2', 'markdown_it', 'shutil', 'typing') if m in sys.modules)]))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True)
    assert json.loads(first.stdout.splitlines()[-1])[0] == 0
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True)
    assert again.stdout.startswith("Nothing changed:"), again.stdout
    code, imported = json.loads(again.stdout.splitlines()[-1])
    assert code == 0 and imported == []
