"""Review of the cache's base-and-changes files (cache._write_split): builds that cross
the threshold again and again, tombstones, builds cut short between the two writes, a
failed build between good ones. The cache must never describe files that are not there,
and every build must give a `--no-cache` build's bytes."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import NOW, build_site, snapshot
from resnetgen.build import BuildOptions, build
from resnetgen.cache import BuildCache, digest
from resnetgen.problems import SiteError
from test_cache_delta import POST, retitle
from test_incremental import EDITS, edits_build_as_clean


def clean_snapshot(site: Path, out: Path, now=NOW) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=now, cache=False))
    return snapshot(out)


def assert_cache_describes_output(site: Path) -> BuildCache:
    """The saved cache, read back, names exactly output/'s files, with their bytes."""
    cache = BuildCache.load(site)
    assert not cache.discarded, cache.discarded
    output = snapshot(site / "output")
    assert set(cache.raw_outputs) == set(output)
    for path, record in cache.raw_outputs.items():
        st = (site / "output" / path).stat()
        assert record[1:] == (digest(output[path]), st.st_size, st.st_mtime_ns, st.st_ino), path
    index = cache.link_index()
    if index is not None:
        assert set(index.written) <= set(output)
        assert set(index.entries) <= set(output)
    return cache


@settings(max_examples=12, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=3, max_size=8), st.sampled_from([(0, 10**9), (3, 8), (12, 4), (10**9, 8)]))
def test_builds_crossing_the_base_threshold_equal_clean_builds(edits, threshold):
    """As test_incremental's property test, with thresholds that write the base again
    after a few builds' changes (the real ones, 256 entries, are never met there)."""
    minimum, share = threshold
    with mock.patch("resnetgen.cache.DELTA_MIN", minimum), \
            mock.patch("resnetgen.cache.BASE_SHARE", share):
        edits_build_as_clean(edits, after_each=assert_cache_describes_output)


@pytest.mark.parametrize("threshold", [(10**9, 8), (0, 10**9)], ids=["changes", "base"])
def test_a_removed_output_never_comes_back_from_the_base(rich, tmp_path, threshold):
    build_site(rich)
    base = BuildCache.load(rich)
    gone = [p for p in base.raw_outputs if "winter-chat" in p]
    assert gone and POST in base.files
    with mock.patch("resnetgen.cache.DELTA_MIN", threshold[0]), \
            mock.patch("resnetgen.cache.BASE_SHARE", threshold[1]):
        moved = rich / POST
        text = moved.read_text(encoding="utf-8")
        moved.unlink()
        build_site(rich)
        cache = assert_cache_describes_output(rich)
        assert not set(gone) & set(cache.raw_outputs) and POST not in cache.files
        index = cache.link_index()
        assert not set(gone) & set(index.entries) and not set(gone) & set(index.written)
        # another edit: the changes saved again, the tombstones kept
        other = rich / "content" / "2018" / "renamed-chat.md"
        other.write_text(text, encoding="utf-8")
        build_site(rich)
        cache = assert_cache_describes_output(rich)
        assert not set(gone) & set(cache.raw_outputs) and POST not in cache.files
        assert snapshot(rich / "output") == clean_snapshot(rich, tmp_path / "clean")
        # and back under its old name: its outputs are recorded again
        other.unlink()
        moved.write_text(text, encoding="utf-8")
        build_site(rich)
        cache = assert_cache_describes_output(rich)
        assert set(gone) <= set(cache.raw_outputs)
        assert snapshot(rich / "output") == clean_snapshot(rich, tmp_path / "clean")
        assert build_site(rich).unchanged


class Killed(BaseException):
    """The build's process killed (no `except Exception` catches it)."""


@pytest.mark.parametrize("name", ["index-base.marshal", "index.marshal",
                                  "linkindex-base.marshal", "linkindex.marshal"])
@pytest.mark.parametrize("when", ["before", "half-written", "after"])
def test_a_build_killed_at_each_write_of_a_split_file(rich, tmp_path, name, when):
    """Killed before, while or after writing each file of a base rewrite: the next
    build trusts no cache that does not match output/, and gives a clean build's bytes."""
    build_site(rich)
    real = BuildCache._write

    def write(self, file, data, shared=True):
        if file == name and when == "before":
            raise Killed
        real(self, file, data, shared)
        if file == name:
            if when == "half-written":
                path = self.folder / file
                path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
            raise Killed
    with mock.patch("resnetgen.cache.DELTA_MIN", 0), \
            mock.patch("resnetgen.cache.BASE_SHARE", 10**9), \
            mock.patch.object(BuildCache, "_write", write), \
            mock.patch("resnetgen.build.ASIDE_PAGES", 10**9):
        retitle(rich, "Cut short")
        try:
            build_site(rich)
        except Killed:
            pass
    # (a cache of the build before may stay: its records' stats no longer match output/)
    retitle(rich, "And built again")
    build_site(rich)
    assert snapshot(rich / "output") == clean_snapshot(rich, tmp_path / "clean")
    assert_cache_describes_output(rich)
    assert build_site(rich).unchanged


def test_a_failed_build_between_two_good_ones(rich, tmp_path):
    build_site(rich)
    with mock.patch("resnetgen.cache.DELTA_MIN", 0), \
            mock.patch("resnetgen.cache.BASE_SHARE", 10**9):
        retitle(rich, "A good title")
        build_site(rich)
        before = snapshot(rich / "output")
        post = rich / POST
        good = post.read_text(encoding="utf-8")
        post.write_text(good.replace("title:", "title: [unclosed\nbad:", 1), encoding="utf-8")
        with pytest.raises(SiteError):
            build_site(rich)
        assert snapshot(rich / "output") == before
        assert_cache_describes_output(rich)
        post.write_text(good.replace("A good title", "A better title"), encoding="utf-8")
        build_site(rich)
        assert snapshot(rich / "output") == clean_snapshot(rich, tmp_path / "clean")
        assert_cache_describes_output(rich)


@pytest.mark.parametrize("threshold", [(10**9, 8), (0, 10**9)], ids=["changes", "base"])
def test_a_kept_page_link_broken_after_the_base_was_written_again(rich, tmp_path, threshold):
    """The plain post (kept, never rendered again) links to /about/: after builds that
    saved the link index as changes, or wrote its base again, deleting the about page
    still breaks that link, reported as a clean build reports it."""
    build_site(rich)
    with mock.patch("resnetgen.cache.DELTA_MIN", threshold[0]), \
            mock.patch("resnetgen.cache.BASE_SHARE", threshold[1]):
        for title in ("First", "Second"):
            retitle(rich, title)
            build_site(rich)
        assert_cache_describes_output(rich)
        (rich / "content" / "pages" / "about.md").unlink()
        with pytest.raises(SiteError) as incremental:
            build_site(rich)
    with pytest.raises(SiteError) as clean:
        build(BuildOptions(site_dir=rich, output_dir=tmp_path / "clean", now=NOW, cache=False))
    assert_same_broken_about_link(incremental.value, clean.value)


@pytest.mark.parametrize("threshold", [(10**9, 8), (0, 10**9)], ids=["changes", "base"])
def test_a_build_without_the_link_check_then_one_with_it(rich, tmp_path, threshold):
    """A `--no-link-check` build saves no link index: the next build's check, from the
    index of the build before, still finds the kept page's link broken since."""
    build_site(rich)
    with mock.patch("resnetgen.cache.DELTA_MIN", threshold[0]), \
            mock.patch("resnetgen.cache.BASE_SHARE", threshold[1]):
        retitle(rich, "Unchecked")
        (rich / "content" / "pages" / "about.md").unlink()
        build(BuildOptions(site_dir=rich, output_dir=rich / "output", now=NOW, link_check=False))
        build(BuildOptions(site_dir=rich, output_dir=tmp_path / "clean", now=NOW,
                           cache=False, link_check=False))
        assert snapshot(rich / "output") == snapshot(tmp_path / "clean")
        with pytest.raises(SiteError) as incremental:
            build_site(rich)
    with pytest.raises(SiteError) as clean:
        build(BuildOptions(site_dir=rich, output_dir=tmp_path / "clean2", now=NOW, cache=False))
    assert_same_broken_about_link(incremental.value, clean.value)


def assert_same_broken_about_link(incremental: SiteError, clean: SiteError) -> None:
    """The incremental build reports what the clean one does, the plain post's link to
    the deleted /about/ among it."""
    found = [str(p) for p in incremental.problems]
    assert found == [str(p) for p in clean.problems]
    assert any("plain-post" in line and "/about/" in line for line in found), found
