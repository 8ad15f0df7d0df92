"""Links between the old blog's own posts, pointed at the new site.

A post that linked to another post on the old blog (https://x.blogspot.com/2017/12/a.html)
now links to that post's old address on this site (/2017/12/a.html), which the imported
post answers with a redirect: the link keeps working when the old blog is gone.
Label pages (/search/label/X) become topic pages; the blog's home page, the home page.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from bs4 import Tag

from resnetgen.urls import slugify

BLOGSPOT = re.compile(r"(^|\.)blogspot\.[a-z.]+$")


def rewrite_links(blocks: list[Tag], old_paths: set[str], hosts: set[str]) -> int:
    """Rewrites links to the old blog in place; returns how many."""
    count = 0
    for block in blocks:
        for link in ([block] if block.name == "a" else []) + block.find_all("a", href=True):
            new = new_address(link.get("href", ""), old_paths, hosts)
            if new is not None:
                link["href"] = new
                count += 1
    return count


def new_address(href: str, old_paths: set[str], hosts: set[str]) -> str | None:
    parts = urlsplit(href.strip())
    host = parts.netloc.lower().split(":")[0]
    if parts.scheme not in ("http", "https") or not (host in hosts or BLOGSPOT.search(host)):
        return None
    path = unquote(parts.path)
    fragment = "#" + parts.fragment if parts.fragment else ""
    if path in old_paths:
        return path + fragment
    if path.startswith("/search/label/") and slugify(path[len("/search/label/"):]):
        return f"/tags/{slugify(path[len('/search/label/'):])}/"
    if path in ("", "/") and not parts.query:
        return "/"
    return None
