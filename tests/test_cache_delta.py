"""The cache's big tables (output records, input files, output folders, the link index)
kept as a base file and the changes since: a small edit rewrites the changes, never the
base, and what loads back is what a whole save would have held."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import NOW, REPO, build_site, snapshot
from resnetgen.build import BuildOptions, build
from resnetgen.cache import CACHE_DIR, BASE_SHARE, BuildCache, code_fingerprint

RICH = REPO / "tests" / "sites" / "rich"
POST = "content/2018/winter-chat.md"


def retitle(site: Path, title: str) -> None:
    post = site / POST
    text = post.read_text(encoding="utf-8")
    start = text.index("title:")
    end = text.index("\n", start)
    post.write_text(text[:start] + f'title: "{title}"' + text[end:], encoding="utf-8")


def clean_output(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean-output"
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
    return snapshot(out)


def tables(site: Path) -> tuple:
    cache = BuildCache.load(site)
    assert not cache.discarded
    index = cache.link_index()
    return (dict(cache.raw_outputs), dict(cache.files), dict(cache.output_dirs),
            index.written, index.entries, index.paths)


def test_a_title_edit_writes_the_changes_not_the_bases(rich, tmp_path):
    build_site(rich)
    folder = rich / CACHE_DIR
    bases = {name: (folder / name).read_bytes()
             for name in ("index-base.marshal", "linkindex-base.marshal")}
    for title in ("A first new title", "A second new title"):
        retitle(rich, title)
        report = build_site(rich)
        assert report.rendered and report.reused
        # the bases as the first build wrote them: only the changes were written
        assert {name: (folder / name).read_bytes() for name in bases} == bases
        assert snapshot(rich / "output") == clean_output(rich, tmp_path)
    split = tables(rich)
    loaded = BuildCache.load(rich)
    assert loaded._split["index.marshal"][1][1][0]  # the records changed, in the delta
    # the same tables as a build that saved them whole (no base known to it)
    whole = tmp_path / "whole"
    shutil.copytree(rich, whole)
    shutil.rmtree(whole / CACHE_DIR)
    shutil.rmtree(whole / "output")
    shutil.copytree(rich / "output", whole / "output")
    build_site(whole)
    assert {p: r[:2] for p, r in tables(whole)[0].items()} == {
        p: r[:2] for p, r in split[0].items()}
    assert tables(whole)[4].keys() == split[4].keys() and tables(whole)[3] == split[3]
    assert build_site(rich).unchanged


def test_many_changes_write_the_base_again(rich, monkeypatch):
    build_site(rich)
    base = rich / CACHE_DIR / "index-base.marshal"
    before = base.read_bytes()
    monkeypatch.setattr("resnetgen.cache.DELTA_MIN", 0)
    monkeypatch.setattr("resnetgen.cache.BASE_SHARE", 10**9)  # any change is too many
    retitle(rich, "Another title")
    build_site(rich)
    assert base.read_bytes() != before
    loaded = BuildCache.load(rich)
    assert not loaded.discarded
    assert all(changed == {} and removed == ()
               for changed, removed in loaded._split["index.marshal"][1])
    assert BASE_SHARE > 1 and build_site(rich).unchanged


@pytest.mark.parametrize("name", ["index.marshal", "linkindex.marshal"])
def test_changes_made_for_another_base_discard_the_cache(rich, tmp_path, monkeypatch, name):
    """A build cut short between its base and its changes (or two builds at once):
    the changes name another base, and the cache is not trusted."""
    build_site(rich)
    head = (rich / CACHE_DIR / name).read_bytes()
    with monkeypatch.context() as patched:
        patched.setattr("resnetgen.cache.DELTA_MIN", 0)
        patched.setattr("resnetgen.cache.BASE_SHARE", 10**9)  # a new base
        retitle(rich, "Elsewhere")
        build_site(rich)
    (rich / CACHE_DIR / name).write_bytes(head)  # the changes of the base before
    cache = BuildCache.load(rich)
    if name == "linkindex.marshal":
        assert not cache.discarded and cache.link_index() is None
    assert cache.discarded and not cache.outputs
    retitle(rich, "And again")
    report = build_site(rich)
    assert not report.unchanged and report.reused == 0
    assert snapshot(rich / "output") == clean_output(rich, tmp_path)


def test_a_lost_base_discards_the_cache(rich, tmp_path):
    build_site(rich)
    (rich / CACHE_DIR / "index-base.marshal").unlink()
    loaded = BuildCache.load(rich)
    assert loaded.discarded and not loaded.outputs and not loaded.last_build
    retitle(rich, "A title once the base is lost")
    report = build_site(rich)
    assert not report.unchanged and report.reused == 0
    assert snapshot(rich / "output") == clean_output(rich, tmp_path)
