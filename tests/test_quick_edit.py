"""The quick rebuild after one post's body changed (resnetgen/quick_edit.py): only that
post's pages and the feeds showing it are made again, and everything (output bytes,
the report, its warnings, the cache for the next build) is what the full rebuild gives.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import NOW, build_site, snapshot
from resnetgen import quick_edit
from resnetgen.build import BuildOptions, build
from resnetgen.pages import LISTING_TEMPLATES, all_pages, made, own_pages
from resnetgen.problems import SiteError
from test_incremental import Model, page_of


EARLY = NOW - timedelta(days=90)


def clean_build(model: Model) -> dict[str, bytes]:
    clean = model.root.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(BuildOptions(site_dir=model.root, output_dir=clean, now=model.now, cache=False))
    return snapshot(clean)


def full_rebuild(model: Model, monkeypatch):
    """The same rebuild with the quick path turned off."""
    with monkeypatch.context() as patch:
        patch.setattr(quick_edit, "quick_edit", lambda *args: None)
        return build_site(model.root, now=model.now)


@pytest.fixture
def model(tmp_path) -> Model:
    model = Model(tmp_path / "site")
    build_site(model.root, now=model.now)
    return model


def test_listing_templates_are_those_of_every_page_not_made_from_one_post(rich):
    site = build_site(rich).site
    pages = all_pages(site)
    assert {p.template for p in pages if p.made_from is None} <= LISTING_TEMPLATES
    assert not {p.template for p in pages if p.made_from is not None} & LISTING_TEMPLATES
    for post in (*site.posts, *site.pages):
        own = {p.output_path for p in own_pages(site, post)}
        assert own == {p.output_path for p in pages
                       if p.made_from is not None and p.made_from[-1] is post}


def test_a_paragraph_edit_is_quick_and_as_the_full_rebuild(tmp_path, monkeypatch):
    model = Model(tmp_path / "site")
    twin = Model(tmp_path / "twin")   # the same site, rebuilt the full way
    for site in (model, twin):
        site.now = EARLY  # every chat to come, and none has questions: editor warnings
        build_site(site.root, now=site.now)
        site.apply("paragraph", 2, 7)
    quick, full = build_site(model.root, now=model.now), full_rebuild(twin, monkeypatch)
    assert quick.site is None and full.site is not None  # the quick path, and the full one
    assert quick.rendered_paths == full.rendered_paths == [page_of(full.rendered_paths, "post-2")]
    for name in ("pages", "briefings", "files", "links", "rendered", "reused"):
        assert getattr(quick, name) == getattr(full, name), name
    assert quick.warnings == full.warnings
    assert any("no questions" in w.message for w in quick.warnings)
    assert snapshot(model.root / "output") == snapshot(twin.root / "output") == clean_build(model)
    soup = BeautifulSoup((model.root / "output" / quick.rendered_paths[0]).read_text(),
                         "html.parser")
    assert "An edited second paragraph 7." in soup.select_one("div.body").get_text()
    # Every feed showing the post has it, the others are untouched.
    feed = feedparser.parse((model.root / "output" / "feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Post 2")
    assert "An edited second paragraph 7." in entry.content[0].value
    # The cache is the full rebuild's: nothing changed now, and the next edits build right.
    assert build_site(model.root, now=model.now).unchanged
    for kind, index, value in [("paragraph", 2, 8), ("title", 2, 3), ("paragraph", 2, 9),
                               ("template", 0, 1), ("paragraph", 4, 1), ("paragraph", 4, 2)]:
        model.apply(kind, index, value)
        report = build_site(model.root, now=model.now)
        assert (report.site is None) == (kind == "paragraph"), (kind, value)
        assert snapshot(model.root / "output") == clean_build(model), (kind, index, value)


def test_two_quick_edits_in_a_row(model):
    """The paragraph edit right after another build: its file's digest is the last
    build's too recent one (not in the cache's file records), still known."""
    model.apply("paragraph", 1, 1)
    assert build_site(model.root, now=model.now).site is None
    model.apply("paragraph", 1, 2)
    assert build_site(model.root, now=model.now).site is None
    assert snapshot(model.root / "output") == clean_build(model)


def edit_second_paragraph(model: Model, index: int, text: str) -> None:
    path = sorted(model.posts)[index]
    old = model.posts[path].get("second", "A second paragraph.")
    target = model.root / path
    target.write_text(target.read_text().replace(old, text))
    model.posts[path]["second"] = text


@pytest.mark.parametrize("text, why", [
    ("A link to [the anchor](anchor.md).", "looks up another file"),
    ("## A new heading\n\nWith an id others may link to.", "new ids on its page"),
    ("A picture without words: ![](https://pictures.example.com/x.png)", "a new editor warning"),
])
def test_an_edit_the_quick_path_cannot_vouch_for_is_built_in_full(model, text, why):
    edit_second_paragraph(model, 2, text)
    report = build_site(model.root, now=model.now)
    assert report.site is not None, why
    assert snapshot(model.root / "output") == clean_build(model), why
    clean = build(BuildOptions(site_dir=model.root, output_dir=model.root.parent / "again",
                               now=model.now, cache=False))
    assert report.warnings == clean.warnings


def test_a_broken_link_fails_as_in_a_full_build_and_leaves_output_as_it_was(model):
    before = snapshot(model.root / "output")
    edit_second_paragraph(model, 2, "A link to [nowhere](/no/such/page/).")
    with pytest.raises(SiteError) as failed:
        build_site(model.root, now=model.now)
    problem, = failed.value.problems
    assert problem.path == sorted(model.posts)[2] and problem.line > 1
    assert "broken link '/no/such/page/'" in problem.message and problem.hint
    assert snapshot(model.root / "output") == before
    edit_second_paragraph(model, 2, "Mended.")
    assert build_site(model.root, now=model.now).site is None  # against the last good build
    assert snapshot(model.root / "output") == clean_build(model)


def test_links_left_unchecked_by_a_no_link_check_build_are_checked_by_the_next(model):
    """The link index is the last checked build's: a build after a `--no-link-check` one
    that wrote a broken link must find it, whether nothing changed since or another
    post's paragraph did (which alone would be quick)."""
    edit_second_paragraph(model, 1, "A link to [nowhere](/no/such/page/).")
    build(BuildOptions(site_dir=model.root, output_dir=model.root / "output", now=model.now,
                       link_check=False))
    for edit in (None, 3):
        if edit is not None:
            edit_second_paragraph(model, edit, "Another paragraph.")
        with pytest.raises(SiteError) as failed:
            build_site(model.root, now=model.now)
        problem, = failed.value.problems
        assert problem.path == sorted(model.posts)[1], edit
        assert "broken link '/no/such/page/'" in problem.message


def test_an_output_file_touched_since_the_last_build_is_mended(model):
    stray = model.root / "output" / "tags" / "voice" / "index.html"
    stray.write_text("edited by hand")
    model.apply("paragraph", 2, 3)
    assert build_site(model.root, now=model.now).site is not None
    assert snapshot(model.root / "output") == clean_build(model)


def test_a_chat_gone_past_or_another_file_changed_is_not_quick(model):
    model.apply("paragraph", 2, 3)
    (model.root / "content" / "notes.txt").write_text("a new asset")
    assert build_site(model.root, now=model.now).site is not None
    model.now = EARLY
    build_site(model.root, now=model.now)
    model.apply("paragraph", 2, 4)
    model.now = NOW   # chats go past
    assert build_site(model.root, now=model.now).site is not None
    assert snapshot(model.root / "output") == clean_build(model)


def test_a_redirect_of_the_post_is_kept_and_its_page_made(model):
    path = sorted(model.posts)[3]
    text = (model.root / path).read_text().replace("hosts:", "aliases: [/old/x.html]\nhosts:")
    (model.root / path).write_text(text)
    build_site(model.root, now=model.now)
    (model.root / path).write_text(text.replace("A second paragraph.", "Second, edited."))
    report = build_site(model.root, now=model.now)
    assert report.site is None and report.rendered_paths == [page_of(report.rendered_paths,
                                                                     "post-3")]
    assert snapshot(model.root / "output") == clean_build(model)
    assert (model.root / "output" / "old" / "x.html").is_file()


def test_without_a_feed_showing_the_post_no_feed_is_read(model):
    model.site_toml += "\n[feeds]\nitems = 1\n"
    model.write_settings()
    build_site(model.root, now=model.now)
    feeds = {p: p.stat().st_mtime_ns for p in (model.root / "output").rglob("*.xml")}
    model.apply("paragraph", 0, 3)  # the oldest post: in no feed of one entry
    report = build_site(model.root, now=model.now)
    assert report.site is None
    assert {p: p.stat().st_mtime_ns for p in feeds} == feeds
    assert snapshot(model.root / "output") == clean_build(model)


def test_it_needs_no_link_check_to_run(model, tmp_path):
    """The first `--no-link-check` build after a checked one is a full one (its options
    differ); the next is quick."""
    for value, quick in ((3, False), (4, True)):
        model.apply("paragraph", 2, value)
        report = build(BuildOptions(site_dir=model.root, output_dir=model.root / "output",
                                    now=model.now, link_check=False))
        assert (report.site is None) == quick, value
        assert snapshot(model.root / "output") == clean_build(model)


def test_a_standalone_page_and_a_post_of_the_rich_site(rich, tmp_path):
    """Pages of the site (with a redirect), and a briefing to come (warnings, feeds)."""
    build_site(rich)
    about = rich / "content" / "pages" / "about.md"
    about.write_text(about.read_text() + "\nA second paragraph, added.\n")
    report = build_site(rich)
    assert report.site is None and report.rendered_paths == ["about/index.html"]
    upcoming = rich / "content" / "2026" / "upcoming-chat.md"
    text = upcoming.read_text()
    upcoming.write_text(text + "\nOne more paragraph at the end.\n")
    report = build_site(rich)
    assert report.site is None
    clean = build(BuildOptions(site_dir=rich, output_dir=tmp_path / "clean", now=NOW,
                               cache=False))
    assert report.warnings == clean.warnings
    assert (report.pages, report.files, report.links) == (clean.pages, clean.files, clean.links)
    assert snapshot(rich / "output") == snapshot(tmp_path / "clean")


def test_page_keys_kept_from_the_last_build_are_the_keys_walked_again(model, monkeypatch):
    """Incremental.page_keys takes a post's pages' keys from the last build while the
    post's digest is the same: they must be what walking each page again gives."""
    from resnetgen.incremental import Incremental
    seen = {}
    page_keys = Incremental.page_keys

    def spy(self, pages):
        seen.update(kept=bool(self._last_digests()), keys=page_keys(self, pages),
                    walked={p.output_path: self.fingerprints.page_key(made(p)) for p in pages})
        return seen["keys"]
    monkeypatch.setattr(Incremental, "page_keys", spy)
    for kind, index, value in [("title", 2, 5), ("paragraph", 1, 1), ("tags", 3, 2),
                               ("hosts", 1, 4), ("date", 0, 17)]:
        model.apply(kind, index, value)
        report = build_site(model.root, now=model.now)
        if report.site is not None:  # built in full
            assert seen.pop("kept") and seen["keys"] == seen["walked"], kind
    assert snapshot(model.root / "output") == clean_build(model)
