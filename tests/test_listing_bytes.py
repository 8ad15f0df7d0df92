"""A listing page is encoded a few thousand template pieces at a time (render.py's
_listing_bytes): the same bytes as Template.render, whatever the pieces."""

from __future__ import annotations

import jinja2
import pytest

from resnetgen import render


@pytest.mark.parametrize("source", [
    "",
    "<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>",
    # runs of empty pieces longer than a chunk: not the end of the page
    "<ul>{% for i in items %}{{ '' }}{% endfor %}</ul><footer>end – fin</footer>",
])
def test_the_same_bytes_as_render(monkeypatch, source):
    monkeypatch.setattr(render, "LISTING_PIECES", 8)
    template = jinja2.Environment().from_string(source)
    context = {"items": range(100)}
    expected = template.render(context).encode("utf-8")
    assert render._listing_bytes(template, context) == expected
