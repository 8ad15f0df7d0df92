"""A first build (no cache yet) leaves the content's digests to the loader's workers and
the pages' keys to the render workers: what it saves in the cache must be exactly what
the plain way (a scan of every file first, every key made in the main process) gives."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from resnetgen.build import BuildOptions, build
from resnetgen.cache import BuildCache
from resnetgen.config import load_config
from resnetgen.incremental import POST_DIGESTS, Incremental
from resnetgen.problems import Problems
from conftest import NOW, forking, write_site

POSTS = 140  # enough for two load workers (parallel.MIN_ITEMS_PER_PROCESS)


def many_posts(root) -> object:
    files = {
        f"content/2018/p{n:03d}.md": (
            f'---\ntitle: "Post {n}"\ndate: 2018-01-{1 + n % 28:02d}T10:{n % 60:02d}:00Z\n'
            f"tags: [t{n % 3}]\n---\n\nText of post {n}, after [the one before](p{max(n - 1, 0):03d}.md).\n")
        for n in range(POSTS)}
    files["content/2018/pic.png"] = b"\x89PNG"
    files["content/_notes.txt"] = "not published, still an input\n"
    files["content/people.toml"] = '[ann]\nname = "Ann"\n'
    site = write_site(root, files)
    past = time.time() - 3600  # older than the cache's racy window: every file recorded
    for folder, _, names in os.walk(site):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))
    return site


def options(site) -> BuildOptions:
    return BuildOptions(site_dir=site, output_dir=site / "output", now=NOW)


def scanned(site, opts: BuildOptions) -> Incremental:
    """A plain scan of the site, with a cache that knows no file."""
    incremental = Incremental.open(site, opts.output_dir, opts.now, site / "fresh-cache")
    incremental.scan(load_config(site, Problems()),
                     (opts.drafts, str(opts.output_dir), opts.link_check))
    return incremental


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_first_build_saves_what_a_scan_finds(tmp_path, monkeypatch, jobs):
    if jobs == "2":
        forking(monkeypatch)
    else:
        monkeypatch.setenv("RESNETGEN_JOBS", "1")
    site = many_posts(tmp_path / "site")
    opts = options(site)
    build(opts)
    saved = BuildCache.load(site)
    plain = scanned(site, opts)
    assert saved.last_build["inputs"] == plain.inputs_key
    assert saved.last_build["surface"] == plain.surface
    assert "content/_notes.txt" in saved.files and "content/2018/p000.md" in saved.files
    # the same records, in the same order (the cache's index is the same bytes)
    assert list(saved.files.items()) == list(plain.cache._seen.items())
    assert saved.last_build["racy"] == {}
    assert build(opts).unchanged


def test_recent_files_are_left_racy_as_a_scan_leaves_them(tmp_path, monkeypatch):
    forking(monkeypatch)
    site = many_posts(tmp_path / "site")
    (site / "content/2018/p005.md").write_text(
        '---\ntitle: "Post 5"\ndate: 2018-01-06T10:05:00Z\n---\n\nJust written.\n')
    opts = options(site)
    build(opts)
    saved = BuildCache.load(site)
    plain = scanned(site, opts)
    assert "content/2018/p005.md" not in saved.files
    assert saved.last_build["racy"] == {"content/2018/p005.md":
                                        plain.cache._digests["content/2018/p005.md"]}
    assert list(saved.files.items()) == list(plain.cache._seen.items())
    assert saved.last_build["inputs"] == plain.inputs_key


def test_keys_made_by_render_workers_are_those_of_the_main_process(tmp_path, monkeypatch):
    forking(monkeypatch)
    site = many_posts(tmp_path / "site")
    opts = options(site)
    build(opts)  # first build: each page's key made where it rendered
    first = dict(BuildCache.load(site).outputs)
    shutil.rmtree(site / "output")  # every page renders again, its key made up front ...
    (site / ".resnetgen-cache" / POST_DIGESTS).unlink()  # ... afresh (not the records')
    report = build(opts)
    assert report.reused == 0 and report.rendered > POSTS
    again = BuildCache.load(site).outputs
    assert first.keys() == again.keys()
    assert {path: record.key for path, record in first.items()} == \
        {path: record.key for path, record in again.items()}
    assert all(record.key for record in first.values())
