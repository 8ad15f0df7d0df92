"""A rebuild makes no Page for the page of a post unchanged since the last build
(pages.KeptPage), and keys such a post's chat file by the file it made last time: what
it reads of them must be what the Page would say, and a file touched in output/ since
is still made again."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from conftest import build_site, snapshot
from resnetgen import pages as pages_module
from resnetgen.pages import KeptPage, post_page
from test_incremental import Model, page_of
from test_quick_edit import clean_build


@pytest.fixture
def model(tmp_path) -> Model:
    model = Model(tmp_path / "site")
    build_site(model.root, now=model.now)
    return model


def spied_pages(monkeypatch) -> list:
    """Every page list all_pages gives from now on."""
    seen: list = []
    all_pages = pages_module.all_pages

    def spy(site, kept=()):
        seen.append(all_pages(site, kept))
        return seen[-1]
    monkeypatch.setattr(pages_module, "all_pages", spy)
    return seen


def test_a_kept_page_reads_as_its_page(model, monkeypatch):
    seen = spied_pages(monkeypatch)
    model.apply("title", 2, 5)
    report = build_site(model.root, now=model.now)
    kept = [page for page in seen[-1] if type(page) is KeptPage]
    # every post but the edited one, whose own page is rendered again
    assert len(kept) == len(report.site.posts) - 1
    assert page_of(report.rendered_paths, "post-2") not in {p.output_path for p in kept}
    for page in kept:
        made = page.made()
        assert made == post_page(report.site, page.post)
        for name in ("route", "output_path", "source", "in_sitemap", "lastmod", "made_from"):
            assert getattr(page, name) == getattr(made, name), name
    assert snapshot(model.root / "output") == clean_build(model)


def test_a_kept_page_touched_in_output_is_made_again(model):
    post_3 = page_of(list(snapshot(model.root / "output")), "post-3")
    target = model.root / "output" / post_3
    target.write_text("<p>edited by hand</p>")
    model.apply("title", 2, 5)  # another post: post-3's page would be kept
    report = build_site(model.root, now=model.now)
    assert post_3 in report.rendered_paths
    soup = BeautifulSoup(target.read_text(), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Post 3"
    assert snapshot(model.root / "output") == clean_build(model)


def test_a_kept_chat_file_touched_in_output_is_made_again(model):
    output = model.root / "output"
    chats = sorted(path for path in snapshot(output) if path.endswith(".ics")
                   and "post-3" in path)
    assert chats, "post-3's chat has a calendar file"
    target = output / chats[0]
    good = target.read_bytes()
    target.write_bytes(good.replace(b"Post 3", b"Edited 3"))
    model.apply("title", 2, 5)
    build_site(model.root, now=model.now)
    assert target.read_bytes() == good
    event = next(c for c in Calendar.from_ical(good).walk("VEVENT"))
    assert "Post 3" in str(event["SUMMARY"])
    assert snapshot(output) == clean_build(model)


def test_after_a_template_edit_no_page_is_kept(model, monkeypatch):
    """Other templates: the last build's keys hold for no page."""
    seen = spied_pages(monkeypatch)
    model.apply("template", 0, 3)
    build_site(model.root, now=model.now)
    assert seen and not any(type(page) is KeptPage for page in seen[-1])
    assert snapshot(model.root / "output") == clean_build(model)
    shutil.rmtree(model.root.parent / "clean")
