"""models: Post.but is dataclasses.replace, slot by slot."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from resnetgen.models import Packed, Post, packed


def a_post(**fields) -> Post:
    return Post(source_path="content/x.md", kind="post", title="T",
                date=datetime(2009, 1, 1, tzinfo=timezone.utc), updated=None, slug="x",
                url="/x/", output_path="x/index.html", permalink="https://h/x/", summary="s",
                body_html="<p>b</p>", tags=("a",), extra={"k": 1}, **fields)


@pytest.mark.parametrize("changes", [
    {}, {"body_html": "<p>new</p>"}, {"summary": "t", "image": "https://h/i.png", "facts": None},
    {"title": "U", "tags": ("b", "c"), "extra": {}}, {"body_html": ""}])
def test_but_is_replace(changes):
    post = a_post()
    made, expected = post.but(**changes), replace(post, **changes)
    assert type(made) is Post
    assert made.__getstate__() == expected.__getstate__()
    assert made == expected and made.body_html == expected.body_html
    assert post.__getstate__() == a_post().__getstate__()  # the original is untouched


def test_but_keeps_a_packed_body_packed():
    post = a_post().but(body_html=packed("<p>long</p>"))
    assert type(post.raw_body()) is Packed and post.but(title="V").body_html == "<p>long</p>"


def test_but_refuses_a_field_post_has_not():
    with pytest.raises(TypeError):
        a_post().but(colour="red")
