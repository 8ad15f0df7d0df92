"""HTML that came from outside (the old blog's comments) made safe to publish.

Used twice on purpose: by the importer when it writes a comment, and by the loader
on every build, because front matter can be edited by anyone and is never trusted.
"""

from __future__ import annotations

import re

import nh3

# What a comment may keep: text formatting and links, nothing that runs or loads.
COMMENT_TAGS = {"p", "br", "a", "b", "strong", "i", "em", "u", "s", "blockquote",
                "ul", "ol", "li", "code", "pre"}
COMMENT_ATTRIBUTES = {"a": {"href"}}


def clean_comment_html(html: str) -> str:
    """Scripts, styles, event handlers and unknown tags removed; links marked nofollow."""
    cleaned = nh3.clean(html, tags=COMMENT_TAGS, attributes=COMMENT_ATTRIBUTES,
                        url_schemes={"http", "https", "mailto"},
                        link_rel="nofollow ugc noopener")
    # A link whose address was removed (javascript:...) is left as its text. nh3's
    # output is serialised in one fixed form, so this pattern is exact.
    cleaned = re.sub(r'<a rel="nofollow ugc noopener">(.*?)</a>', r"\1", cleaned, flags=re.S)
    return cleaned.strip()
