"""The build cache's form of a loaded post (post_codec) and its bodies kept apart
(post_cache): every post comes back exactly, and a lost body is rendered again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site, snapshot
from resnetgen.cache import CACHE_DIR, BuildCache
from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.models import Later
from resnetgen.post_codec import from_plain, to_plain
from resnetgen.problems import Problems

RICH = REPO / "tests" / "sites" / "rich"



def _posts(site: Path, drafts: bool = True):
    problems = Problems()
    config = load_config(site, problems)
    content = load_content(site, config, problems, drafts)
    return [*content.posts, *content.pages]


def _same(a, b) -> bool:
    return repr(a) == repr(b) and a.extra == b.extra and a.facts == b.facts and a == b


def test_every_post_of_the_rich_site_comes_back_exactly():
    posts = _posts(RICH)
    assert len(posts) >= 8
    for post in posts:
        plain = to_plain(post)
        assert isinstance(plain, tuple), post.source_path  # no fallback needed here
        back = from_plain(plain, post.body_html)
        assert _same(back, post)
        assert to_plain(back) == plain  # a decoded post is saved again as it was read
        assert back.date.tzinfo is post.date.tzinfo  # the same zone, not an equal offset
        assert type(back.hosts) is tuple and all(type(h) is type(post.hosts[0]) for h in back.hosts)


def test_a_post_plain_data_cannot_hold_is_kept_pickled():
    post = _posts(RICH)[0]
    odd = [replace(post, date=datetime(2020, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))),
           replace(post, extra={"when": datetime(2020, 1, 1)})]
    for post in odd:
        plain = to_plain(post)
        assert isinstance(plain, bytes)
        back = from_plain(plain, "<p>body</p>")
        assert _same(back, replace(post, body_html="<p>body</p>"))


def test_a_later_body_is_read_once_and_pickles_as_text():
    import pickle
    calls = []
    post = from_plain(to_plain(_posts(RICH)[0]), Later(lambda: calls.append(1) or "<p>x</p>"))
    assert not calls
    assert post.body_html == "<p>x</p>" and post.body_html == "<p>x</p>" and calls == [1]
    assert pickle.loads(pickle.dumps(post)).body_html == "<p>x</p>"


def test_a_rebuild_reads_no_body_it_does_not_show(rich):
    build_site(rich)
    cache = BuildCache.load(rich)
    posts = _posts_cached(rich, cache)
    assert posts and all(type(p.__dict__["_body_html"]) is Later for p in posts)


def _posts_cached(site: Path, cache: BuildCache):
    problems = Problems()
    config = load_config(site, problems)
    content = load_content(site, config, problems, False, cache)
    return [*content.posts, *content.pages]


def test_lost_bodies_are_rendered_again(rich, tmp_path):
    build_site(rich)
    for path in (rich / CACHE_DIR).glob("bodies-*.marshal"):
        path.unlink()
    (rich / "templates").mkdir(exist_ok=True)  # a template edit: every page renders again
    base = REPO / "themes" / "default" / "templates" / "base.html"
    (rich / "templates" / "base.html").write_text(base.read_text() + "\n<!-- edited -->\n")
    assert build_site(rich).rendered > 10
    built = snapshot(rich / "output")
    clean = tmp_path / "clean"
    shutil.copytree(rich, clean, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build_site(clean)
    assert built == snapshot(clean / "output")
    page = next((rich / "output").rglob("winter-chat/index.html")).read_text()
    assert BeautifulSoup(page, "html.parser").find("main").get_text(strip=True)


def test_bodies_are_held_compressed_and_read_as_text():
    import pickle
    from resnetgen.models import Packed
    posts = _posts(RICH)
    assert all(type(p.__dict__["_body_html"]) is Packed for p in posts)
    post = next(p for p in posts if "winter" in p.source_path)
    text = post.body_html
    assert isinstance(text, str) and "<p>" in text
    assert len(post.__dict__["_body_html"]) < len(text.encode())
    copy = pickle.loads(pickle.dumps(post))
    assert copy.body_html == text and copy == post
