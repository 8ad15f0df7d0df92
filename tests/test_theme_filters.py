"""url, permalink and hashtag_url: functions for templates, and filters with the same answers."""

from __future__ import annotations

from resnetgen.config import load_config
from resnetgen.problems import Problems
from resnetgen.theme import make_environment

from conftest import write_site

SUBPATH = """\
title = "Test Network"
description = "A site for tests."
base_url = "https://example.org/blog/"
"""


def test_filters_and_functions_give_the_same_links(tmp_path):
    site = write_site(tmp_path / "site", {}, site_toml=SUBPATH)
    problems = Problems()
    env = make_environment(site, load_config(site, problems))
    assert not problems.items
    template = env.from_string(
        "{{ 'archive/' | url }} {{ url('archive/') }} {{ '' | url }} {{ url('') }} "
        "{{ 'x/y/' | permalink }} {{ permalink('x/y/') }} "
        "{{ '#ResNetSLT' | hashtag_url }} {{ hashtag_url('#ResNetSLT') }}")
    words = template.render().split()
    assert words == ["/blog/archive/", "/blog/archive/", "/blog/", "/blog/",
                     "https://example.org/blog/x/y/", "https://example.org/blog/x/y/",
                     "https://twitter.com/hashtag/ResNetSLT",
                     "https://twitter.com/hashtag/ResNetSLT"]
