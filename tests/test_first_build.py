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


def _jobs(monkeypatch, jobs: str) -> None:
    if jobs == "2":
        forking(monkeypatch)
    else:
        monkeypatch.setenv("RESNETGEN_JOBS", "1")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_post_added_while_a_first_build_runs_is_built_by_the_next(tmp_path, monkeypatch, jobs):
    """Added once the loader listed the content: that build does not make it, and the
    next one must not take the site as unchanged (the cache's key is of the files the
    first build loaded, not of the folder as it was at its end)."""
    import resnetgen.loader as loader
    _jobs(monkeypatch, jobs)
    site = many_posts(tmp_path / "site")
    listed = loader.discover

    def discover_then_add(site_dir):
        found = listed(site_dir)
        (site / "content/2018/new.md").write_text(
            '---\ntitle: "New"\ndate: 2018-02-01T10:00:00Z\n---\n\nNew.\n')
        return found
    monkeypatch.setattr(loader, "discover", discover_then_add)
    build(options(site))
    monkeypatch.setattr(loader, "discover", listed)
    assert not (site / "output/2018/02/new/index.html").exists()
    report = build(options(site))
    assert not report.unchanged
    assert (site / "output/2018/02/new/index.html").is_file()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_post_renamed_while_a_first_build_runs_is_moved_by_the_next(tmp_path, monkeypatch, jobs):
    """Renamed after its worker read it: the next build drops the old name's page and
    makes the new name's."""
    import resnetgen.site as site_module
    _jobs(monkeypatch, jobs)
    site = many_posts(tmp_path / "site")
    assemble = site_module.assemble

    def rename_then_assemble(*args, **kwargs):
        os.rename(site / "content/2018/p139.md", site / "content/2018/renamed.md")  # linked by none
        return assemble(*args, **kwargs)
    monkeypatch.setattr(site_module, "assemble", rename_then_assemble)
    build(options(site))
    monkeypatch.setattr(site_module, "assemble", assemble)
    report = build(options(site))
    assert not report.unchanged
    names = {page.parent.name for page in (site / "output").rglob("index.html")}
    assert "renamed" in names and "p139" not in names


def test_a_lost_folder_listing_costs_only_time(tmp_path, monkeypatch):
    """The process listing a first build's output folders (beside the link check) dies,
    killed say: output/ is committed by then, so the build still succeeds and saves its
    cache, listing the folders itself."""
    import resnetgen.build as build_module
    import resnetgen.incremental as incremental_module
    forking(monkeypatch)
    monkeypatch.setattr(build_module, "ASIDE_FOLDERS", 1)
    site = many_posts(tmp_path / "site")
    listed, parent = incremental_module.output_folders, os.getpid()

    def lost(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)
        return listed(*args, **kwargs)
    monkeypatch.setattr(incremental_module, "output_folders", lost)
    first = build(options(site))
    assert first.files and not first.unchanged
    monkeypatch.setattr(incremental_module, "output_folders", listed)
    assert build(options(site)).unchanged
