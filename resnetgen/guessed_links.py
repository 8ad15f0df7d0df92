"""The URL of another content file, as a loading worker guesses it before the whole site
is read: a Markdown file's from its own front matter, any other file's from the bundle
(index.md) it sits in. A guess only saves rendering a body twice: the loader keeps a
body only while every link it looked up resolves the same in the final links map."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Callable

from resnetgen.source import CONTENT_DIR, discoverable


class GuessedLinks:
    """A read-only links map (source path -> URL) that reads what it is asked for."""

    def __init__(self, site_dir: Path, read: Callable[[str], "object | None"],
                 url: Callable[[str], str], include_drafts: bool):
        self.site_dir, self.read, self.url = site_dir, read, url
        self.include_drafts = include_drafts
        self.known: dict[str, str | None] = {}
        self.posts: dict[str, object | None] = {}   # source path -> its Post, or None

    def get(self, path: str, default=None):
        if path not in self.known:
            self.known[path] = self._guess(path)
        value = self.known[path]
        return default if value is None else value

    def _guess(self, path: str) -> str | None:
        if not discoverable(self.site_dir, path):
            return None
        if path.lower().endswith(".md"):
            post = self._post(path)
            return post.url if post is not None else None
        folder = posixpath.dirname(path)
        while folder.startswith(CONTENT_DIR):   # as loader.asset_route
            bundle = self._post(folder + "/index.md")
            if bundle is not None:
                post_dir = posixpath.dirname(bundle.output_path)
                return self.url(posixpath.join(post_dir, posixpath.relpath(path, folder)))
            folder = posixpath.dirname(folder)
        return self.url(posixpath.relpath(path, CONTENT_DIR))

    def _post(self, path: str):
        if path not in self.posts:
            post = self.read(path) if discoverable(self.site_dir, path) else None
            if post is not None and post.draft and not self.include_drafts:
                post = None
            self.posts[path] = post
        return self.posts[path]

    def forget(self) -> None:
        self.known.clear()
        self.posts.clear()
