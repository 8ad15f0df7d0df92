"""Shortcuts of a title edit's rebuild: the posts' key from the last build's, lists of
posts keyed as one digest (walked once per build), a posts shard read once, output/
not looked at again on commit when the build found it intact. Each gives what the
long way gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, build_site, forking, snapshot
from resnetgen.build import BuildOptions, build
from resnetgen.cache import BuildCache, OutputRecord
from resnetgen.fingerprint import POSTS_DIGESTED, Fingerprints, posts_key, posts_key_since
from resnetgen.pages import Page
from resnetgen.post_cache import PostStore, read_one
from resnetgen.writer import Previous, StagedOutput

digests = st.dictionaries(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8),
                          max_size=30)


@settings(max_examples=200, deadline=None)
@given(digests, digests)
def test_the_posts_key_from_the_last_one_is_the_key_made_afresh(last, now):
    assert posts_key_since(last, posts_key(last), now) == posts_key(now)


def test_a_last_key_not_made_by_a_build_gives_the_key_made_afresh():
    now = {"content/a.md": "1", "content/b.md": "2"}
    assert posts_key_since({"content/a.md": "1"}, "not hex", now) == posts_key(now)
    assert posts_key_since({"content/a.md": ["1"]}, "00", now) == posts_key(now)


def _posts(site: Path):
    from resnetgen.config import load_config
    from resnetgen.loader import load_content
    from resnetgen.problems import Problems
    problems = Problems()
    config = load_config(site, problems)
    return load_content(site, config, problems).posts


def _fingerprints(posts, **digests) -> Fingerprints:
    return Fingerprints("surface", {p.source_path: digests.get(p.slug, "d" + p.slug)
                                    for p in posts}, NOW, False,
                        {p.source_path: "l" + p.slug for p in posts}, frozenset({"post.html"}))


@pytest.mark.parametrize("times", [1, 30])  # a short list (its tokens), a long one (a digest)
def test_a_list_of_posts_counts_each_post_once_walked_or_remembered(rich, times):
    posts = _posts(rich)
    assert len(posts) >= 3
    listing = tuple(posts) * times
    assert (len(listing) >= POSTS_DIGESTED) == (times > 1)

    def page(context):
        return Page("tags/x/", "tag.html", "X", context=context)
    fingerprints = _fingerprints(posts)
    first = fingerprints.page_key(page({"posts": listing}))
    again = fingerprints.page_key(page({"posts": listing}))  # remembered
    fresh = _fingerprints(posts).page_key(page({"posts": listing}))
    assert first == again == fresh
    # the same posts as a list, walked: the same key
    assert _fingerprints(posts).page_key(page({"posts": list(listing)})) == first
    # another order, one post fewer or more, another post's digest: another key
    others = {_fingerprints(posts).page_key(page({"posts": listing[::-1]})),
              _fingerprints(posts).page_key(page({"posts": listing[1:]})),
              _fingerprints(posts).page_key(page({"posts": listing + listing[:1]})),
              _fingerprints(posts).page_key(page({"posts": (*listing, "text")}))}
    assert first not in others and len(others) == 4
    # a listing counts posts without bodies, a page reading bodies with them: a tuple
    # remembered for one is not taken for the other
    full = Page("tags/x/", "post.html", "X", context={"posts": listing})
    bodies = _fingerprints(posts, **{posts[0].slug: "changed"})
    before = bodies.page_key(page({"posts": listing}))
    assert bodies.page_key(full) != _fingerprints(posts).page_key(full)
    assert bodies.page_key(page({"posts": listing})) == before == first


def test_a_large_plain_value_counts_whole():
    entries = [(f"https://example.org/{n}/", "2020-01-01") for n in range(2000)]
    fingerprints = Fingerprints("surface", {}, NOW, False, {}, frozenset())

    def key(entries):
        return fingerprints.page_key(Page("sitemap.xml", "sitemap.xml", "S",
                                          context={"entries": entries}))
    changed = [*entries[:-1], ("https://example.org/1999/", "2020-01-02")]
    assert key(entries) == key(list(entries)) != key(changed)
    assert key(entries[:3]) != key(entries[:4])


def test_a_quick_checks_shard_is_read_once_for_the_full_build(rich, monkeypatch):
    build_site(rich)
    cache = BuildCache.load(rich)
    path = next(p for p in cache.files if p.startswith("content/") and p.endswith(".md"))
    names = []
    read = BuildCache._read

    def counting(self, name, discard=True):
        names.append(name)
        return read(self, name, discard)
    monkeypatch.setattr(BuildCache, "_read", counting)
    assert read_one(cache, path, "no such key") is None
    store = PostStore.load(cache)
    shard = cache.shard_read[0]
    assert names.count(shard) == 1 and len(names) == 16
    fresh = PostStore.load(BuildCache.load(rich))
    assert store.records == fresh.records
    # saved: written again from what was read, and no longer taken for the file
    record = store.records[path]
    post = store.get(path, record[0])
    store.set(path, post)
    store.save()
    assert cache.shard_read is None
    again = PostStore.load(BuildCache.load(rich))
    assert again.records == fresh.records


def test_commit_of_an_output_found_intact_removes_what_the_manifest_says(tmp_path, monkeypatch):
    out = tmp_path / "output"
    (out / "a").mkdir(parents=True)
    (out / "a" / "old.html").write_text("old")
    (out / "keep.html").write_text("keep")
    manifest = {name: OutputRecord("k", "d", 0, 0, 0) for name in ("a/old.html", "keep.html")}
    staged = StagedOutput(out, manifest, {"": 1, "a": 1}, intact=True)
    monkeypatch.setattr(StagedOutput, "_same_folders", lambda self: pytest.fail("looked"))
    staged.write("new.html", b"new")
    staged.write("keep.html", Previous(str(out / "keep.html"), manifest["keep.html"]))
    staged.commit()
    assert not staged.listed
    assert snapshot(out) == {"keep.html": b"keep", "new.html": b"new"}


def test_commit_without_an_intact_output_looks_at_it(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "stray.html").write_text("stray")  # not in the manifest: found by listing
    staged = StagedOutput(out, {}, {"": 1}, intact=False)
    staged.write("new.html", b"new")
    staged.commit()
    assert staged.listed
    assert snapshot(out) == {"new.html": b"new"}


def _middle(site: Path) -> Path:
    paths = sorted(site.glob("content/*/*.md"))
    return paths[len(paths) // 2]


@pytest.fixture
def bench(tmp_path, monkeypatch) -> Path:
    """A generated site of 40 briefings, built once, on two processes."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import generate  # noqa: PLC0415
    forking(monkeypatch)
    generate.generate(40, tmp_path / "gen")
    site = tmp_path / "gen" / "resnetgen"
    build_site(site)
    return site


def _clean(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
    return snapshot(out)


def test_title_edits_give_a_clean_builds_bytes(bench, tmp_path):
    post = _middle(bench)
    text = post.read_text(encoding="utf-8")
    for n in range(3):
        text = text.replace('title: "', f'title: "Edit {n} ', 1)
        post.write_text(text, encoding="utf-8")
        report = build_site(bench)
        assert 0 < report.rendered < 20
        assert snapshot(bench / "output") == _clean(bench, tmp_path)
    soup = BeautifulSoup((bench / "output" / "events" / "index.html").read_text("utf-8"),
                         "html.parser")
    assert any(a.get_text().startswith("Edit 2 Edit 1 Edit 0 ")
               for a in soup.select("li.event h3 a"))
    # the posts' key kept by the last build is the key of its posts
    cache = BuildCache.load(bench)
    saved = cache.read_file("digests.marshal")
    assert saved[0] == cache.last_build["inputs"]
    assert cache.last_build["posts_key"] == posts_key(saved[1])


def test_a_file_put_into_output_during_a_build_is_removed_by_the_next(bench, monkeypatch):
    post = _middle(bench)
    post.write_text(post.read_text(encoding="utf-8").replace('title: "', 'title: "New ', 1),
                    encoding="utf-8")
    commit = StagedOutput.commit

    def meanwhile(self):  # after the build found output/ intact, before its commit
        (self.output_dir / "stray").mkdir(exist_ok=True)
        (self.output_dir / "stray" / "stray.html").write_text("stray")
        commit(self)
    monkeypatch.setattr(StagedOutput, "commit", meanwhile)
    build_site(bench)
    monkeypatch.setattr(StagedOutput, "commit", commit)
    assert (bench / "output" / "stray" / "stray.html").exists()  # (not seen: found intact)
    report = build_site(bench)
    assert not report.unchanged
    assert not (bench / "output" / "stray").exists()
