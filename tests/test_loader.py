"""Loading reads and renders each file in one pass, before the other files' URLs are
known (a worker guesses them from the files themselves): a body whose links resolve
otherwise with the final links map is rendered again, and only such a body."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from resnetgen import loader
from resnetgen.config import load_config
from resnetgen.problems import Problems, SiteError
from conftest import build_site, forking


def post(title: str, date: str, body: str, extra: str = "") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n{extra}---\n\n{body}\n'


LINKED = {
    "content/2018/a.md": post("A", "2018-01-05", "See [b](b.md) and ![chart](../bundle/chart.png)."),
    "content/2018/b.md": post("B", "2018-02-05", "Plain text, no links."),
    "content/2018/c.md": post("C", "2018-03-05", "Also plain, with [a link](https://example.com/)."),
    "content/bundle/index.md": post("Bundle", "2018-04-05", "A bundle."),
    "content/bundle/chart.png": b"\x89PNG not really",
}


@pytest.fixture
def renders(monkeypatch):
    """The source path of every body rendered, in one process."""
    monkeypatch.setenv("RESNETGEN_JOBS", "1")
    seen: list[str] = []
    original = loader._render_one

    def counting(source, post, links, config):
        seen.append(source.source_path)
        return original(source, post, links, config)
    monkeypatch.setattr(loader, "_render_one", counting)
    return seen


def load(site_dir, drafts=False):
    problems = Problems()
    config = load_config(site_dir, problems)
    content = loader.load_content(site_dir, config, problems, drafts)
    return content, problems


@pytest.fixture
def wrong_guesses(monkeypatch):
    """Workers that guess no other file's URL: every link to content is re-rendered."""
    monkeypatch.setattr("resnetgen.guessed_links.GuessedLinks._guess", lambda self, path: None)


def test_links_to_content_are_guessed_and_each_body_rendered_once(site, renders):
    content, problems = load(site(LINKED))
    assert problems.errors == []
    assert sorted(renders) == sorted(p for p in LINKED if p.endswith(".md"))
    a = next(p for p in content.posts if p.source_path == "content/2018/a.md")
    html = BeautifulSoup(a.body_html, "html.parser")
    assert html.a["href"] == "/2018/02/b/"
    assert html.img["src"] == "/2018/04/bundle/chart.png"


def test_only_bodies_whose_guesses_were_wrong_are_rendered_again(site, renders, wrong_guesses):
    content, problems = load(site(LINKED))
    assert problems.errors == []  # the first render's 'does not exist' dropped
    assert sorted(renders) == sorted([*(p for p in LINKED if p.endswith(".md")),
                                      "content/2018/a.md"])
    a = next(p for p in content.posts if p.source_path == "content/2018/a.md")
    html = BeautifulSoup(a.body_html, "html.parser")
    assert html.a["href"] == "/2018/02/b/"
    assert html.img["src"] == "/2018/04/bundle/chart.png"


def test_links_resolve_in_the_built_pages_with_two_processes(site, monkeypatch):
    forking(monkeypatch)
    monkeypatch.setattr("resnetgen.parallel.MIN_ITEMS_PER_PROCESS", 1)
    root = site(LINKED)
    build_site(root)
    page = BeautifulSoup((root / "output/2018/01/a/index.html").read_text(), "html.parser")
    body = page.select_one("main")
    assert "/2018/02/b/" in [a["href"] for a in body.find_all("a")]
    assert "/2018/04/bundle/chart.png" in [img["src"] for img in body.find_all("img")]


@pytest.mark.parametrize("guessing", [True, False])
def test_a_missing_target_is_reported_once_by_line(site, renders, monkeypatch, guessing):
    if not guessing:
        monkeypatch.setattr("resnetgen.guessed_links.GuessedLinks._guess", lambda self, path: None)
    files = dict(LINKED)
    files["content/2018/d.md"] = post("D", "2018-05-05", "Fine.\n\nSee [gone](gone.md) and [b](b.md).")
    content, problems = load(site(files))
    assert [str(p) for p in problems.errors] == [
        "content/2018/d.md:8: link points to content/2018/gone.md, which does not exist "
        "(check the file name and its folder; paths are relative to this file)"]


@pytest.mark.parametrize("guessing", [True, False])
def test_a_link_to_a_draft_is_missing_unless_drafts_are_built(site, monkeypatch, guessing):
    if not guessing:
        monkeypatch.setattr("resnetgen.guessed_links.GuessedLinks._guess", lambda self, path: None)
    files = {"content/a.md": post("A", "2018-01-05", "See [b](b.md)."),
             "content/b.md": post("B", "2018-02-05", "Draft.", "draft: true\n")}
    root = site(files)
    _, problems = load(root)
    assert [p.message for p in problems.errors] == [
        "link points to content/b.md, which does not exist"]
    content, problems = load(root, drafts=True)
    assert problems.errors == []
    a = next(p for p in content.posts if p.source_path == "content/a.md")
    assert BeautifulSoup(a.body_html, "html.parser").a["href"] == "/2018/02/b/"


CANCELLED = ("chat:\n  start: 2018-01-10 19:30\n  end: 2018-01-10 20:30\n"
             "  status: cancelled\n")


def test_front_matter_problems_of_a_body_rendered_again_are_reported_once(site, renders,
                                                                        wrong_guesses):
    files = {"content/a.md": post("A", "2018-01-05", "See [b](b.md).", CANCELLED),
             "content/b.md": post("B", "2018-02-05", "B.")}
    report = build_site(site(files))
    assert [(p.path, p.line) for p in report.warnings] == [("content/a.md", 7)]
    assert "cancelled" in report.warnings[0].message
    assert renders.count("content/a.md") == 2


def test_guesses_agree_with_the_final_links_of_the_rich_site(rich):
    from resnetgen.guessed_links import GuessedLinks
    from resnetgen.urls import Urls
    content, problems = load(rich)
    config = load_config(rich, Problems())
    urls = Urls(config)
    final = {p.source_path: p.url for p in (*content.posts, *content.pages)}
    final.update({path: urls.url(route) for path, route in content.assets.items()})
    assert any(posixpath_dir(p) in {posixpath_dir(a) for a in content.assets} for p in final
               if p.endswith("index.md")), "the rich site has a bundle"
    reading = loader.Reading(rich, config, content.people, urls, None)
    guessed = GuessedLinks(rich, lambda path: reading._read_one(path)[1], urls.url, False)
    assert {path: guessed.get(path) for path in final} == final
    for absent in ("content/nothing.md", "content/.hidden.md", "outside.md", "content/people.toml",
                   "content/2026/draft-post.md"):
        assert guessed.get(absent) is None


def posixpath_dir(path: str) -> str:
    return path.rsplit("/", 1)[0]
