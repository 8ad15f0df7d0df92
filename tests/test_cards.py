"""Listing cards (resnetgen/cards.py): made once per post per build, keyed on all they read."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path

from bs4 import BeautifulSoup

from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.pages import all_pages
from resnetgen.problems import Problems
from resnetgen.render import _render
from resnetgen.site import assemble
from resnetgen.theme import make_environment

BEFORE = datetime(2020, 1, 1, tzinfo=timezone.utc)
AFTER = datetime(2021, 1, 1, tzinfo=timezone.utc)

CHAT = """\
    ---
    title: "Chat {n}"
    date: 2020-02-0{n}
    tags: [voice, autism]
    hosts: [sally]
    chat:
      start: 2020-03-0{n} 19:30
      end: 2020-03-0{n} 20:30
      hashtag: "#ResNetSLT"
    questions: ["Why?"]
    ---
    Text of chat {n}.
    """

FILES = {
    "content/people.toml": '[sally]\nname = "Sally Pratten"\nhandle = "@salpratten"\n',
    "content/2020/chat-1.md": CHAT.format(n=1),
    "content/2020/chat-2.md": CHAT.format(n=2),
    "content/2020/note.md": '---\ntitle: "A note"\ndate: 2020-01-15\ntags: [voice]\n---\nA note.\n',
}


class Recording:
    """A memo of the persistent kind: bytes kept under what the card depends on."""

    def __init__(self):
        self.kept: dict[tuple, bytes] = {}
        self.made: list[tuple] = []

    def __call__(self, what, make):
        kind, macro, post, upcoming, args = what
        key = (kind, macro, post.source_path, upcoming, args)
        if key not in self.kept:
            self.made.append(key)
            self.kept[key] = make()
        return self.kept[key]


def render_site(site_dir: Path, now: datetime, memo=None, env=None, content=None
                ) -> dict[str, BeautifulSoup]:
    problems = Problems()
    config = load_config(site_dir, problems)
    content = content or load_content(site_dir, config, problems, False, None)
    site = assemble(config, content, now)
    if env is None:
        env = make_environment(site_dir, config, **({"memo": memo} if memo else {}))
    pages = {}
    for page in all_pages(site):
        data, fault, _ = _render(site, page, env, site_dir)
        assert fault is None, fault
        if page.output_path.endswith(".html"):
            pages[page.output_path] = BeautifulSoup(data.decode(), "html.parser")
    return pages


def cards(soup: BeautifulSoup) -> dict[str, str]:
    """Title of each listed post -> its card's HTML, headings made alike."""
    found = {}
    for article in map(copy.copy, soup.find_all("article", class_="summary")):
        heading = article.find(["h2", "h3"])
        heading.name = "h"
        found[heading.a.get_text()] = str(article)
    return found


def test_each_card_is_made_once_and_every_listing_shows_the_same(site):
    memo = Recording()
    pages = render_site(site(FILES), AFTER, memo)
    # Chat 1 is listed on the home page, two topic pages and its host's page ...
    listings = [pages[p] for p in ("index.html", "tags/voice/index.html",
                                   "tags/autism/index.html", "people/sally/index.html")]
    seen = [cards(soup)["Chat 1"] for soup in listings]
    assert len(set(seen)) == 1
    assert "This chat is over" in seen[0] and "Sally" not in seen[0]
    # ... but made once per kind of card (h3 on home and host pages, h2 on topics).
    assert sorted(m for m in memo.made if m[2] == "content/2020/chat-1.md") == [
        ("card", "post_summary", "content/2020/chat-1.md", False, ()),
        ("card", "post_summary", "content/2020/chat-1.md", False, ("h3",))]
    assert len(memo.made) == len(set(memo.made)) == 6   # 3 posts x 2 kinds
    assert cards(pages["tags/voice/index.html"])["A note"].count("<time") == 1


def test_a_card_follows_the_clock_even_in_one_environment(site):
    folder = site(FILES)
    config = load_config(folder, Problems())
    env = make_environment(folder, config)
    content = load_content(folder, config, Problems(), False, None)  # the same Post objects
    before = cards(render_site(folder, BEFORE, env=env, content=content)["tags/voice/index.html"])
    after = cards(render_site(folder, AFTER, env=env, content=content)["tags/voice/index.html"])
    assert "badge-upcoming" in before["Chat 2"] and "badge-over" not in before["Chat 2"]
    assert "badge-over" in after["Chat 2"] and "badge-upcoming" not in after["Chat 2"]
    assert before["A note"] == after["A note"]


def test_cards_kept_by_a_persistent_memo_are_used_by_the_next_build(site):
    folder = site(FILES)
    memo = Recording()
    first = render_site(folder, AFTER, memo)
    made = list(memo.made)
    memo.kept = {key: value.replace(b"A note", b"A kept note") for key, value in memo.kept.items()}
    second = render_site(folder, AFTER, memo)     # a new environment: a new build
    assert memo.made == made                       # nothing made again
    assert "A kept note" in str(second["index.html"]) and "A kept note" not in str(first["index.html"])
    # The clock moved: upcoming chats' cards are made again, the others are kept.
    render_site(folder, BEFORE, memo)
    assert sorted({m[2] for m in memo.made[len(made):]}) == [
        "content/2020/chat-1.md", "content/2020/chat-2.md"]
