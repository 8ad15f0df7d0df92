"""Shared test helpers: tiny sites written into tmp_path, built with a fixed clock."""

from __future__ import annotations

import os
import shutil
import textwrap
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pytest

from resnetgen.build import BuildOptions, BuildReport, build

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)

SITE_TOML = """\
title = "Test Network"
description = "A site for tests."
base_url = "https://example.org/"
"""

# Pin the machine-dependent bits so tests mean the same everywhere.
os.environ["TZ"] = "America/Los_Angeles"  # far from the site's zone on purpose
os.environ["LC_ALL"] = "C.UTF-8"
os.environ.pop("SOURCE_DATE_EPOCH", None)


def write_site(root: Path, files: dict[str, str], site_toml: str = SITE_TOML) -> Path:
    """Write `files` (path -> text, dedented) under `root`, plus site.toml unless given."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"site.toml": site_toml, **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def build_site(site_dir: Path, now: datetime = NOW, drafts: bool = False,
               output: Path | None = None) -> BuildReport:
    # Building a site of the repository into tmp_path: its build cache goes there too.
    return build(BuildOptions(site_dir=site_dir, output_dir=output or site_dir / "output",
                              now=now, drafts=drafts,
                              cache_dir=output.parent / ".resnetgen-cache" if output else None))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: for 'unchanged' and determinism checks."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path):
    """A factory: site(files, site_toml=...) -> site folder."""
    def make(files: dict[str, str], site_toml: str = SITE_TOML) -> Path:
        return write_site(tmp_path / "site", files, site_toml)
    return make


RICH = REPO / "tests" / "sites" / "rich"


@pytest.fixture
def rich(tmp_path) -> Path:
    """A copy of the rich fixture site, for a test that builds or edits it."""
    site = tmp_path / "rich"
    shutil.copytree(RICH, site)
    return site


@pytest.fixture(scope="module")
def rich_assembled():
    """The rich fixture site loaded (drafts too) and assembled at NOW, nothing built."""
    from resnetgen.config import load_config
    from resnetgen.loader import load_content
    from resnetgen.problems import Problems
    from resnetgen.site import assemble
    problems = Problems()
    config = load_config(RICH, problems)
    site = assemble(config, load_content(RICH, config, problems, include_drafts=True), NOW)
    assert site.briefings
    return site


@pytest.fixture(scope="session")
def rich_output(tmp_path_factory) -> Path:
    """The rich fixture site built once, at NOW, for tests that only read its output."""
    output = tmp_path_factory.mktemp("rich") / "output"
    build_site(RICH, output=output)
    return output


def forking(monkeypatch) -> None:
    """Two processes, even where an earlier test left an idle server thread behind
    (which makes can_fork() say no, and a test of two processes compare one with itself)."""
    from resnetgen import parallel
    if not hasattr(os, "fork"):
        pytest.skip("this platform cannot fork")
    monkeypatch.setenv("RESNETGEN_JOBS", "2")
    monkeypatch.setattr(parallel, "can_fork", lambda: True)


def bytes_held(action) -> int:
    """Bytes of Python memory `action()` leaves held (tracemalloc): for tables that must
    stay small whatever the pages."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def bytes_kept_in(table: dict, action) -> int:
    """`bytes_held(action)`, with `table` (a module's cache of what it read) emptied
    before and after, so that what the test measures is what `action` made it keep."""
    table.clear()
    try:
        return bytes_held(action)
    finally:
        table.clear()


def html_page(text: str) -> bytes:
    """A plain page around `text`, as bytes."""
    return f"<!DOCTYPE html>\n<html><head></head><body>\n{text}\n</body></html>\n".encode()
