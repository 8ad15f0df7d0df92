"""The build cache's form of a loaded post (post_codec) and its bodies kept apart
(post_cache): every post comes back exactly, and a lost body is rendered again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import RICH, REPO, build_site, snapshot
from resnetgen.cache import CACHE_DIR, BuildCache
from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.models import Later
from resnetgen.post_codec import from_plain, to_plain
from resnetgen.problems import Problems


def _posts(site: Path, drafts: bool = True):
    problems = Problems()
    config = load_config(site, problems)
    content = load_content(site, config, problems, drafts)
    return [*content.posts, *content.pages]


def _same(a, b) -> bool:
    return repr(a) == repr(b) and a.extra == b.extra and a.facts == b.facts and a == b


def test_every_post_of_the_rich_site_comes_back_exactly():
    posts = _posts(RICH)
    assert len(posts) >= 8
    for post in posts:
        plain = to_plain(post)
        assert isinstance(plain, tuple), post.source_path  # no fallback needed here
        back = from_plain(plain, post.body_html)
        assert _same(back, post)
        assert to_plain(back) == plain  # a decoded post is saved again as it was read
        assert back.date.tzinfo is post.date.tzinfo  # the same zone, not an equal offset
        assert type(back.hosts) is tuple and all(type(h) is type(post.hosts[0]) for h in back.hosts)


def test_a_post_plain_data_cannot_hold_is_kept_pickled():
    post = _posts(RICH)[0]
    odd = [replace(post, date=datetime(2020, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))),
           replace(post, extra={"when": datetime(2020, 1, 1)})]
    for post in odd:
        plain = to_plain(post)
        assert isinstance(plain, bytes)
        back = from_plain(plain, "<p>body</p>")
        assert _same(back, replace(post, body_html="<p>body</p>"))


def test_a_later_body_is_read_once_and_pickles_as_text():
    import pickle
    calls = []
    post = from_plain(to_plain(_posts(RICH)[0]), Later(lambda: calls.append(1) or "<p>x</p>"))
    assert not calls
    assert post.body_html == "<p>x</p>" and post.body_html == "<p>x</p>" and calls == [1]
    assert pickle.loads(pickle.dumps(post)).body_html == "<p>x</p>"


def test_a_rebuild_reads_no_body_it_does_not_show(rich):
    build_site(rich)
    cache = BuildCache.load(rich)
    posts = _posts_cached(rich, cache)
    assert posts and all(type(p._body_html) is Later for p in posts)


def _posts_cached(site: Path, cache: BuildCache):
    problems = Problems()
    config = load_config(site, problems)
    content = load_content(site, config, problems, False, cache)
    return [*content.posts, *content.pages]


def test_lost_bodies_are_rendered_again(rich, tmp_path):
    build_site(rich)
    for path in (rich / CACHE_DIR).glob("bodies-*.marshal"):
        path.unlink()
    (rich / "templates").mkdir(exist_ok=True)  # a template edit: every page renders again
    base = REPO / "themes" / "default" / "templates" / "base.html"
    (rich / "templates" / "base.html").write_text(base.read_text() + "\n<!-- edited -->\n")
    assert build_site(rich).rendered > 10
    built = snapshot(rich / "output")
    clean = tmp_path / "clean"
    shutil.copytree(rich, clean, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build_site(clean)
    assert built == snapshot(clean / "output")
    page = next((rich / "output").rglob("winter-chat/index.html")).read_text()
    assert BeautifulSoup(page, "html.parser").find("main").get_text(strip=True)


def test_bodies_are_held_compressed_and_read_as_text():
    import pickle
    from resnetgen.models import Packed
    posts = _posts(RICH)
    assert all(type(p._body_html) is Packed for p in posts)
    post = next(p for p in posts if "winter" in p.source_path)
    text = post.body_html
    assert isinstance(text, str) and "<p>" in text
    assert len(post._body_html) < len(text.encode())
    copy = pickle.loads(pickle.dumps(post))
    assert copy.body_html == text and copy == post


def test_a_save_cut_short_never_gives_a_post_an_older_body(rich, tmp_path, monkeypatch):
    """A post's body depends on the links it looks up, which its cache key does not
    cover: when a link target moves and the save of the new body fails (disk full,
    Ctrl-C between two shards), a later build must render the body again, not take
    the old one from the cache because the key still matches."""
    import resnetgen.cache as cache_module

    build_site(rich)
    moved = rich / "content" / "2018" / "summer-chat.md"
    moved.write_text(moved.read_text().replace("date: 2018-06-20\n",
                                               "date: 2018-06-20\nslug: moved-summer\n", 1))
    linking = "content/2018/winter-chat.md"  # links to summer-chat.md
    assert "summer-chat.md" in (rich / linking).read_text()
    write = cache_module.BuildCache._write
    lost = f"bodies-{cache_module.shard_of(linking)}.marshal"

    def disk_full(self, name, data):
        if name == lost:
            raise OSError("No space left on device")
        return write(self, name, data)
    monkeypatch.setattr(cache_module.BuildCache, "_write", disk_full)
    build_site(rich)
    monkeypatch.setattr(cache_module.BuildCache, "_write", write)
    (rich / "templates").mkdir(exist_ok=True)  # every page rendered again, bodies from the cache
    base = REPO / "themes" / "default" / "templates" / "base.html"
    (rich / "templates" / "base.html").write_text(base.read_text() + "\n<!-- edited -->\n")
    build_site(rich)

    clean = tmp_path / "clean"
    shutil.copytree(rich, clean, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build_site(clean, output=tmp_path / "clean-output")
    assert snapshot(rich / "output") == snapshot(tmp_path / "clean-output")
    page = BeautifulSoup((rich / "output" / "2018" / "01" / "winter-chat" / "index.html").read_text(),
                         "html.parser")
    hrefs = [a["href"] for a in page.select("a[href]") if "summer" in a["href"]]
    assert hrefs and all("moved-summer" in href for href in hrefs), hrefs


def _shards(site: Path) -> dict[str, tuple]:
    cache = BuildCache.load(site)
    records = {}
    for shard in "0123456789abcdef":
        records.update(cache._read(f"posts-{shard}.marshal") or {})
    return records


def test_a_rewritten_shard_keeps_its_other_posts_as_they_were_read(site, tmp_path, monkeypatch):
    """A shard is written back with the records its unchanged posts were decoded from;
    they come back exactly, and the next build reads none of their files again."""
    import resnetgen.cache as cache_module
    import resnetgen.loader as loader_module

    files = {f"content/2020/post-{i:02d}.md":
             f"---\ntitle: Post {i}\ndate: 2020-01-{i % 28 + 1:02d}\ntags: [t{i % 3}]\n---\n"
             f"Paragraph {i}.\n\nSee [the first](post-00.md).\n" for i in range(48)}
    root = site(files)
    build_site(root)
    before = _shards(root)
    edited = "content/2020/post-07.md"
    neighbours = [p for p in before if p != edited
                  and cache_module.shard_of(p) == cache_module.shard_of(edited)]
    assert neighbours  # 48 posts in 16 shards: the edited one shares its shard
    path = root / edited
    path.write_text(path.read_text().replace("Paragraph 7.", "Paragraph seven, edited."))
    assert build_site(root).rendered >= 1
    after = _shards(root)
    assert set(after) == set(before)
    assert after[edited] != before[edited]
    assert all(after[p] == before[p] for p in before if p != edited)

    def no_reading(*args, **kwargs):
        raise AssertionError("a cached post was read from its file again")
    monkeypatch.setattr(loader_module, "read_source", no_reading)
    cached = _posts_cached(root, BuildCache.load(root))
    assert "Paragraph seven, edited." in next(p for p in cached if p.source_path == edited).body_html
    monkeypatch.undo()
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build_site(clean)
    assert snapshot(root / "output") == snapshot(clean / "output")


def test_a_store_saved_twice_writes_nothing_the_second_time(rich, monkeypatch):
    """`save` files the posts it made under their shards; once written, both are
    forgotten together (a second save found made posts without their shard: KeyError)."""
    cache = BuildCache.load(rich)
    made = _posts_cached(rich, cache)
    store = cache.posts
    assert made and store.dirty
    store.save()
    assert _shards(rich)  # written
    writes = []
    monkeypatch.setattr(cache, "_write", lambda name, data: writes.append(name))
    store.save()
    assert writes == [] and not store.dirty and not store.made


# ----- kept small: the posts are in every process of a build ---------------------------

def test_a_post_keeps_no_dict_and_pickles_with_its_body():
    import pickle
    post = _posts(RICH)[0]
    assert not hasattr(post, "__dict__")
    back = pickle.loads(pickle.dumps(post))
    assert _same(back, post) and back.body_html == post.body_html
    assert replace(post, title="Other").title == "Other" and post.title != "Other"


def test_posts_read_from_the_cache_share_their_tags_and_facts(rich):
    """One object per distinct value, however many posts hold it: in one shard (marshal
    writes it once) and across shards (post_codec's tables); tag names are interned."""
    import sys
    build_site(rich)
    posts = _posts_cached(rich, BuildCache.load(rich))
    by_tags: dict[tuple, list] = {}
    for post in posts:
        by_tags.setdefault(post.tags, []).append(post.tags)
    shared = [held for held in by_tags.values() if len(held) > 1]
    assert shared, "the rich site has posts with the same tags"
    assert all(all(tags is held[0] for tags in held) for held in shared)
    assert all(sys.intern(name) is name for post in posts for name in post.tags)
    facts = [post.facts for post in posts if post.facts is not None]
    assert len({id(f) for f in facts}) == len({(tuple(f.lines.items()), f.images_without_alt,
                                               f.rooted_links) for f in facts})


class _Text(str):
    """Text of another type: equal to a str, but not what marshal gives back."""


def test_values_equal_to_plain_ones_but_of_other_types_are_kept_pickled():
    post = next(p for p in _posts(RICH) if p.hosts and p.tags and p.facts and p.facts.lines)
    assert isinstance(to_plain(post), tuple)  # its plain tags, hosts and facts now known
    host = post.hosts[0]
    facts = post.facts
    odd = [replace(post, title=_Text(post.title)),
           replace(post, tags=tuple(map(_Text, post.tags))),
           replace(post, hosts=(replace(host, name=_Text(host.name)),)),
           replace(post, facts=replace(facts, lines={_Text(k): v for k, v in facts.lines.items()}))]
    for changed in odd:
        plain = to_plain(changed)
        assert isinstance(plain, bytes)
        assert _same(from_plain(plain, changed.body_html), changed)


def test_a_host_changed_is_encoded_afresh():
    post = next(p for p in _posts(RICH) if p.hosts)
    renamed = replace(post, hosts=(replace(post.hosts[0], name="Someone Else"),))
    for changed in (post, renamed, post):
        assert _same(from_plain(to_plain(changed), changed.body_html), changed)
