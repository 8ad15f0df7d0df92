"""A post's listing digest (what listings, cards and calendars are keyed on): it follows
every field a listing shows, and stays put when only the body past its first paragraph
changes (so such an edit renders no listing again)."""

from __future__ import annotations

import shutil

from conftest import RICH, build_site, forking, snapshot
from resnetgen.cache import BuildCache
from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.problems import Problems

POST = """\
---
title: "{title}"
date: 2018-01-10
summary: "{summary}"
tags: [voice]
---

First paragraph.

Second paragraph{more}.
"""


def listing_digests(site_dir, **fields):
    values = {"title": "A chat", "summary": "About voice", "more": "", **fields}
    (site_dir / "content" / "2018").mkdir(parents=True, exist_ok=True)
    (site_dir / "content" / "2018" / "chat.md").write_text(POST.format(**values))
    problems = Problems()
    config = load_config(site_dir, problems)
    content = load_content(site_dir, config, problems, cache=BuildCache(site_dir.resolve(), "code"))
    assert not problems.errors
    return content.listing_digests["content/2018/chat.md"], content.digests["content/2018/chat.md"]


def test_a_listing_digest_follows_the_fields_and_not_the_rest_of_the_body(site):
    site_dir = site({})
    listed, full = listing_digests(site_dir)
    assert listing_digests(site_dir) == (listed, full)          # the same file: the same
    more_listed, more_full = listing_digests(site_dir, more=", longer")
    assert more_listed == listed and more_full != full          # body only: listings keep it
    assert listing_digests(site_dir, title="Another chat")[0] != listed
    assert listing_digests(site_dir, summary="About speech")[0] != listed


def test_a_summary_taken_from_the_body_counts(site):
    site_dir = site({})
    post = POST.replace('summary: "{summary}"\n', "")
    (site_dir / "content" / "2018").mkdir(parents=True, exist_ok=True)

    def digests(first: str):
        (site_dir / "content" / "2018" / "chat.md").write_text(
            post.format(title="A chat", more="").replace("First paragraph.", first))
        problems = Problems()
        content = load_content(site_dir, load_config(site_dir, problems), problems,
                               cache=BuildCache(site_dir.resolve(), "code"))
        return content.listing_digests["content/2018/chat.md"]
    assert digests("First paragraph.") != digests("Another first paragraph.")


def test_a_first_build_keeps_the_calendars_and_feeds_of_both_processes(tmp_path, monkeypatch):
    """Made in two processes, both site-wide outputs are known to the cache: a build with
    nothing but an output file removed keeps every feed and calendar."""
    forking(monkeypatch)
    site_dir = tmp_path / "rich"
    shutil.copytree(RICH, site_dir)
    build_site(site_dir)
    cache = BuildCache.load(site_dir)
    assert set(cache.last_build["site_wide"]) == {"calendar", "feeds"}
    first = snapshot(site_dir / "output")
    (site_dir / "output" / "index.html").unlink()
    report = build_site(site_dir)
    assert not any(p.endswith((".ics", ".xml")) for p in report.rendered_paths)
    assert snapshot(site_dir / "output") == first
