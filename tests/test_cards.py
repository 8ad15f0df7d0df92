"""Listing cards (resnetgen/cards.py): made once per post per build, keyed on all they read."""

from __future__ import annotations

import copy
import re
import zlib
from datetime import datetime, timezone
from pathlib import Path

from bs4 import BeautifulSoup

from resnetgen.build import BuildOptions, build
from resnetgen.cache import SHARDS, BuildCache
from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.pages import all_pages
from resnetgen.problems import Problems
from resnetgen.render import _render
from resnetgen.site import assemble
from resnetgen.theme import make_environment
from conftest import build_site, snapshot

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
        ("card", "events.html:event", "content/2020/chat-1.md", False, ()),
        ("card", "partials/macros.html:post_summary", "content/2020/chat-1.md", False, ()),
        ("card", "partials/macros.html:post_summary", "content/2020/chat-1.md", False, ("h3",))]
    # (and each chat once more, as the events page's entry)
    assert len(memo.made) == len(set(memo.made)) == 8   # 3 posts x 2 kinds, 2 events
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


# ----- kept between builds (KeptCards, in the build cache) ---------------------------

def events(site_dir: Path) -> dict[str, str]:
    """Title of each chat on the events page -> its entry's text."""
    soup = BeautifulSoup((site_dir / "output" / "events" / "index.html").read_text(), "html.parser")
    return {li.h3.a.get_text(): li.get_text(" ", strip=True) for li in soup.select("li.event")}


def kept(site_dir: Path) -> dict[str, dict]:
    """Every file of the kept cards (one per kind and shard), by file name."""
    cache = BuildCache.load(site_dir)
    return {path.name: saved for path in sorted(cache.folder.glob("cards-*-*.marshal"))
            if (saved := cache.read_file(path.name)) is not None}


def tamper(site_dir: Path, old: bytes, new: bytes) -> int:
    """Rewrite the kept cards' bytes (as a test's proof that they are used); how many."""
    cache = BuildCache.load(site_dir)
    count = 0
    for name, saved in kept(site_dir).items():
        for path, (token, value) in saved["cards"].items():
            if old in value:
                saved["cards"][path] = (token, value.replace(old, new))
                count += 1
        cache.write_file(name, saved)
    return count


def clean_build(site_dir: Path, tmp_path: Path, now: datetime) -> dict[str, bytes]:
    build(BuildOptions(site_dir=site_dir, output_dir=tmp_path / "clean", now=now, cache=False))
    return snapshot(tmp_path / "clean")


def test_a_title_edit_joins_the_other_posts_cards_from_the_last_build(site, tmp_path):
    folder = site(FILES)
    build_site(folder, AFTER)
    # Chat 2's cards (events entry, two kinds of summary) are kept in the cache ...
    assert tamper(folder, b"Chat 2</a>", b"Chat 2 (kept)</a>") == 3
    chat_1 = folder / "content/2020/chat-1.md"
    chat_1.write_text(chat_1.read_text().replace('"Chat 1"', '"Chat one"'))
    report = build_site(folder, AFTER)
    assert "events/index.html" in report.rendered_paths
    # ... and used: only chat 1's were made again, with its new title.
    assert sorted(events(folder)) == ["Chat 2 (kept)", "Chat one"]
    home = BeautifulSoup((folder / "output" / "index.html").read_text(), "html.parser")
    assert [a.get_text() for a in home.select("article.summary h3 a")] == [
        "Chat 2 (kept)", "Chat one", "A note"]


def test_kept_cards_give_the_bytes_of_a_clean_build(site, tmp_path):
    folder = site(FILES)
    build_site(folder, BEFORE)
    chat_1 = folder / "content/2020/chat-1.md"
    for title, now in (('"Chat one"', BEFORE), ('"Chat 1"', AFTER), ('"Chat uno"', AFTER)):
        chat_1.write_text(re.sub(r'title: ".*"', f"title: {title}", chat_1.read_text()))
        build_site(folder, now)
        assert snapshot(folder / "output") == clean_build(folder, tmp_path, now), title
    # The clock moved chat 2 from upcoming to over: its entry shows it.
    assert "This chat is over" in events(folder)["Chat 2"]


def test_kept_cards_of_other_templates_or_settings_are_not_used(site, tmp_path):
    folder = site(FILES)
    build_site(folder, AFTER)
    tamper(folder, b"Chat 2</a>", b"Chat 2 (stale)</a>")
    (folder / "site.toml").write_text((folder / "site.toml").read_text() + "posts_per_page = 2\n")
    build_site(folder, AFTER)
    assert "Chat 2" in events(folder)
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)


def test_kept_cards_drop_posts_that_are_gone_and_survive_damage(site, tmp_path):
    folder = site(FILES)
    build_site(folder, AFTER)
    (folder / "content/2020/chat-2.md").unlink()
    build_site(folder, AFTER)
    shards = kept(folder)
    assert "Chat 2" not in events(folder)
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)
    # A file read again in a build (one of its posts listed) drops the posts gone.
    assert shards
    for saved in shards.values():
        if "content/2020/chat-2.md" in saved["cards"]:
            assert set(saved["cards"]) == {"content/2020/chat-2.md"}
    for name in shards:  # cut short
        cards_file = folder / ".resnetgen-cache" / name
        cards_file.write_bytes(cards_file.read_bytes()[:200])
    chat_1 = folder / "content/2020/chat-1.md"
    chat_1.write_text(chat_1.read_text().replace('"Chat 1"', '"Chat one"'))
    build_site(folder, AFTER)
    assert sorted(events(folder)) == ["Chat one"]
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)


def test_a_sites_own_template_may_call_card_as_a_function(site):
    """The README's `card(macro, post, ...)`: the same cards as the theme's filter form."""
    theme = (Path(__file__).parent.parent / "themes/default/templates/tag.html").read_text()
    own = theme.replace("{{ post | card(post_summary) }}", "{{ card(post_summary, post) }}")
    assert own != theme
    plain = render_site(site(FILES), AFTER)
    folder = site({**FILES, "templates/tag.html": own})
    pages = render_site(folder, AFTER)
    assert cards(pages["tags/voice/index.html"]) == cards(plain["tags/voice/index.html"])
    assert sorted(cards(pages["tags/voice/index.html"])) == ["A note", "Chat 1", "Chat 2"]


def test_kept_cards_are_kept_kind_by_kind(site):
    """Each kind of card has its own files, by shard of posts: a listing reads the cards
    of its kind only (the events page is made without every topic page's summaries)."""
    from resnetgen.cards import cards_file
    folder = site(FILES)
    build_site(folder, AFTER)
    files = kept(folder)
    kinds = {saved["kind"] for saved in files.values()}
    assert {kind.split("\x1f")[1] for kind in kinds} >= {"events.html:event",
                                                          "partials/macros.html:post_summary"}
    for name, saved in files.items():
        shards = {SHARDS[zlib.crc32(path.encode()) & 15] for path in saved["cards"]}
        assert len(shards) == 1 and name == cards_file(saved["kind"], shards.pop())
        assert all(type(token) is str and type(card) is bytes
                   for token, card in saved["cards"].values())


def test_kinds_of_card_let_go_between_listings_give_the_same_pages(site, tmp_path, monkeypatch):
    """A listing worker lets go of the kinds of card a listing did not use (saved first:
    cards.Cards.listing_done); a later listing of that kind reads them back from the
    cache, not made again, and every page is a clean build's."""
    from resnetgen.cards import KeptCards
    monkeypatch.setenv("RESNETGEN_JOBS", "1")  # in this process, where the spies are
    dropped, made = [], []
    drop, call = KeptCards.drop, KeptCards.__call__

    def spied_drop(self, kinds):
        done = drop(self, kinds)
        dropped.append(({name for name, _ in kinds}, done))
        return done

    def spied_call(self, what, make):
        def counted():
            made.append((what[1], what[4], what[2].source_path))
            return make()
        return call(self, what, counted)
    monkeypatch.setattr(KeptCards, "drop", spied_drop)
    monkeypatch.setattr(KeptCards, "__call__", spied_call)
    folder = site(FILES)
    build_site(folder, AFTER)
    assert ({"events.html:event"}, True) in [(names & {"events.html:event"}, done)
                                             for names, done in dropped]
    assert made and len(made) == len(set(made))  # each card made once, kept or not
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)
    chat_1 = folder / "content/2020/chat-1.md"
    chat_1.write_text(chat_1.read_text().replace('"Chat 1"', '"Chat one"'))
    made.clear()
    build_site(folder, AFTER)
    assert {path for _, _, path in made} == {"content/2020/chat-1.md"}
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)


def test_kept_cards_are_read_by_a_reader_per_kind_not_asked_for_one_by_one(site, tmp_path,
                                                                            monkeypatch):
    """After a title edit, every card of an unchanged post comes from its kind's reader
    (KeptCards.reader: the kind worked out once); the memo itself is asked only for the
    edited post's cards, and the pages are a clean build's."""
    from resnetgen.cards import KeptCards
    monkeypatch.setenv("RESNETGEN_JOBS", "1")  # in this process, where the spies are
    asked, readers = [], []
    call, reader = KeptCards.__call__, KeptCards.reader

    def spied_call(self, what, make):
        asked.append(what[2].source_path)
        return call(self, what, make)

    def spied_reader(self, name, args):
        found = reader(self, name, args)
        readers.append((name, args, found is not None))
        return found
    monkeypatch.setattr(KeptCards, "__call__", spied_call)
    monkeypatch.setattr(KeptCards, "reader", spied_reader)
    folder = site(FILES)
    build_site(folder, AFTER)
    chat_1 = folder / "content/2020/chat-1.md"
    chat_1.write_text(chat_1.read_text().replace('"Chat 1"', '"Chat one"'))
    asked.clear()
    readers.clear()
    build_site(folder, AFTER)
    assert asked and set(asked) == {"content/2020/chat-1.md"}
    assert ("events.html:event", (), True) in readers
    assert len(readers) == len(set(readers))  # one reader per kind of card
    assert snapshot(folder / "output") == clean_build(folder, tmp_path, AFTER)
    assert sorted(events(folder)) == ["Chat 2", "Chat one"]
