"""urls: slugs."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, strategies as st

from resnetgen.urls import slugify


def nfkd_slug(text: str) -> str:
    """The slug as first defined: Unicode NFKD to ASCII for every text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@given(st.text(max_size=20) | st.text(alphabet="aZ09 -_:!'\x7fé\u212a", max_size=20))
@example("Thinking together: CoPs!")
@example("Café au lait")
@example("\u212aelvin")
def test_slugify_gives_the_nfkd_slug(text):
    assert slugify(text) == nfkd_slug(text)


def test_slugs():
    assert slugify("Thinking together: CoPs!") == "thinking-together-cops"
    assert slugify("Dysphagia & Voice") == "dysphagia-voice"
    assert slugify("Ærøskøbing café") == "rskbing-cafe"
    assert slugify("!!!") == ""
