"""The site's topics are grouped in one pass over the posts, each distinct tuple of
tags worked out once (posts loaded from the cache share them): the same topics, names
and members as reading post by post."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from resnetgen.models import POST, Post
from resnetgen.site import group_tags
from resnetgen.urls import Urls, slugify


class Settings:
    base_path = "/blog/"
    origin = "https://example.org"


def one_by_one(posts, urls):
    """The grouping as it was written first: each post's tags read in turn."""
    names, members = {}, defaultdict(list)
    for post in posts:
        for name in dict.fromkeys(post.tags):
            slug = slugify(name)
            names.setdefault(slug, name)
            if not members[slug] or members[slug][-1] is not post:
                members[slug].append(post)
    return [(names[s], s, urls.url(f"tags/{s}/"), tuple(members[s]))
            for s in sorted(members, key=lambda s: (names[s].lower(), s))]


def post(n: int, tags: tuple) -> Post:
    return Post(f"content/p{n}.md", POST, f"P{n}", datetime(2020, 1, 1, tzinfo=timezone.utc),
                None, f"p{n}", f"/blog/p{n}/", f"p{n}/index.html",
                f"https://example.org/blog/p{n}/", "", tags=tags)


# Names that slugify alike ('Voice', 'voice', 'Voice!'), repeated within a post.
NAME = st.sampled_from(["Voice", "voice", "Voice!", "Aphasia", "aphasia ", "Stroke",
                        "Parents", "Café", "cafe"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(NAME, max_size=4).map(tuple), min_size=1, max_size=12),
       st.lists(st.integers(0, 11), max_size=30))
def test_topics_are_grouped_as_post_by_post(tuples, order):
    """Posts sharing tuples of tags (as the cache's do) or holding equal ones."""
    urls = Urls(Settings())
    posts = [post(n, tuples[i % len(tuples)] if n % 3 else tuple(list(tuples[i % len(tuples)])))
             for n, i in enumerate(order or [0])]
    grouped = [(t.name, t.slug, t.url, t.posts) for t in group_tags(tuple(posts), urls)]
    assert grouped == one_by_one(posts, urls)
    for _, _, _, members in grouped:
        assert all(a is b for a, b in zip(members, [p for p in posts if p in members]))
