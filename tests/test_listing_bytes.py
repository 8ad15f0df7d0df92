"""A page is encoded piece by piece, a few thousand template pieces at a time (render.py's
page_bytes): the same bytes as Template.render, whatever the pieces."""

from __future__ import annotations

import jinja2
import pytest

from resnetgen import render


@pytest.mark.parametrize("source", [
    "",
    "<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>",
    # runs of empty pieces longer than a chunk: not the end of the page
    "<ul>{% for i in items %}{{ '' }}{% endfor %}</ul><footer>end – fin</footer>",
    # pieces of every width, and characters of four bytes
    "{% for i in items %}<p>{{ i }} é – 😀 {{ '\u00e9' * i }}</p>{% endfor %}",
])
@pytest.mark.parametrize("by_piece", [True, False])
def test_the_same_bytes_as_render(monkeypatch, source, by_piece):
    monkeypatch.setattr(render, "LISTING_PIECES", 8)
    template = jinja2.Environment().from_string(source)
    context = {"items": range(100)}
    expected = template.render(context).encode("utf-8")
    assert render.page_bytes(template, context, by_piece) == expected


def test_a_fault_is_raised_as_render_raises_it():
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        "<p>{{ items | length }}</p>\n<p>{{ missing.x }}</p>")
    with pytest.raises(jinja2.UndefinedError) as expected:
        template.render({"items": []})
    with pytest.raises(jinja2.UndefinedError) as raised:
        render.page_bytes(template, {"items": []})
    assert str(raised.value) == str(expected.value)
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate, as "".join(...).encode
        render.page_bytes(jinja2.Environment().from_string("a{{ x }}b"), {"x": "\ud800"})
