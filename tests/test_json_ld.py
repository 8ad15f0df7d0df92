"""A post's structured data: written directly (seo.PostLdText, what the default theme
prints) it is byte for byte what json_ld(post_ld(...)) gives, whatever the post holds;
and page.json_ld is still the data, for templates that read it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from conftest import build_site, write_site
from resnetgen import seo
from resnetgen.config import load_config
from resnetgen.models import CANCELLED, SCHEDULED, Chat, Paper, Person, Post
from resnetgen.pages import Page, PostLd
from resnetgen.problems import Problems
from resnetgen.theme import json_ld, make_environment

# Markup characters, quotes, a backslash, controls, an en dash and a character past the BMP
text = st.text(alphabet=st.sampled_from("ab Zé<>&\"'\\/\n\t\x01–\U0001F600#@"), max_size=12)
people = st.builds(Person, key=st.just("k"), name=text, handle=text,
                   profile_url=st.one_of(st.just(""), text), url=text)
papers = st.builds(Paper, title=text, authors=st.lists(text, max_size=2).map(tuple),
                   year=st.one_of(st.none(), st.integers(1990, 2030)), venue=text,
                   doi=st.one_of(st.just(""), text), url=st.one_of(st.just(""), text))
zones = st.sampled_from(["Europe/London", "UTC", "America/St_Johns", "Asia/Kolkata"])


@st.composite
def posts(draw) -> Post:
    zone = ZoneInfo(draw(zones))
    date = datetime(2018, 1, 1, tzinfo=zone) + timedelta(minutes=draw(st.integers(0, 10**6)))
    updated = draw(st.one_of(st.none(), st.just(date + timedelta(days=3, seconds=7))))
    start = date + timedelta(days=2)
    chat = draw(st.one_of(st.none(), st.builds(
        Chat, start=st.just(start), end=st.just(start + timedelta(minutes=90)),
        timezone=st.just(str(zone)), hashtag=text,
        status=st.sampled_from([SCHEDULED, CANCELLED]))))
    return Post(source_path="content/x.md", kind="post", title=draw(text), date=date,
                updated=updated, slug="x", url="/x/", output_path="x/index.html",
                permalink=draw(text), summary=draw(text), body_html="",
                tags=tuple(draw(st.lists(text, max_size=3))), chat=chat,
                hosts=tuple(draw(st.lists(people, max_size=3))),
                paper=draw(st.one_of(st.none(), papers)), author=draw(text),
                image=draw(text))


SETTINGS = """\
title = "Speech & <Language> \\"Network\\""
description = "A site for tests."
base_url = "https://example.org/blog/"
language = "en-GB"
"""


def test_written_directly_it_is_what_the_data_gives(tmp_path):
    site = write_site(tmp_path / "site", {}, site_toml=SETTINGS)
    config = load_config(site, Problems())
    env = make_environment(site, config)
    write = seo.PostLdText(config)
    filter_ = env.filters["json_ld"]

    @settings(max_examples=400, deadline=None)
    @given(posts())
    def check(post):
        data = seo.post_ld(post, config)
        assert write(post) == json.dumps(data, ensure_ascii=False, sort_keys=True,
                                         separators=(",", ":"))
        page = Page("x/", "post.html", post.title, json_ld=PostLd(post, config))
        assert filter_(page) == json_ld(data)  # the filter given the page, not its data
        assert page.unmade_post_ld() is post
        assert page.json_ld == data  # read: made, as before
        assert page.unmade_post_ld() is None
        assert filter_(page) == json_ld(data)

    check()


def test_pages_without_data_print_none(tmp_path):
    site = write_site(tmp_path / "site", {})
    env = make_environment(site, load_config(site, Problems()))
    for value in (None, {}, []):
        assert env.filters["json_ld"](Page("x/", "post.html", "x", json_ld=value)) == ""
    assert env.filters["json_ld"]({"a": "<b>"}) == '{"a":"\\u003cb\\u003e"}'


def test_a_template_reading_the_data_still_gets_it(tmp_path):
    # A site's own template reading into page.json_ld, as the README documents it
    post = ("---\ntitle: A chat\ndate: 2018-01-01\nchat:\n  start: 2018-01-31 19:30\n"
            "---\nBody.\n")
    template = ("{% extends 'base.html' %}{% block content %}"
                "<p id='kind'>{{ page.json_ld[1]['@type'] }} {{ page.json_ld | length }}</p>"
                "{% endblock %}")
    site = write_site(tmp_path / "site", {"content/a.md": post,
                                          "templates/briefing.html": template})
    build_site(site)
    soup = BeautifulSoup((site / "output/2018/01/a/index.html").read_text(), "html.parser")
    assert soup.find(id="kind").get_text() == "Event 2"
    [script] = soup.find_all("script", type="application/ld+json")
    assert [item["@type"] for item in json.loads(script.string)] == ["BlogPosting", "Event"]
