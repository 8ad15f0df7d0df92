"""A worker's read post travels to the main process as plain data (marshal bytes):
what arrives equals what the worker made, field for field, or it travels as it was."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from resnetgen import loader
from resnetgen.cache import BuildCache
from resnetgen.config import load_config
from resnetgen.models import Packed
from resnetgen.people import load_people
from resnetgen.problems import Problems
from resnetgen.source import discover
from resnetgen.urls import Urls
from conftest import RICH, write_site


def reading(site_dir: Path, tmp_path: Path) -> loader.Reading:
    problems = Problems()
    config = load_config(site_dir, problems)
    people = load_people(site_dir, config, problems)
    cache = BuildCache.load(site_dir, tmp_path / "cache")
    return loader.Reading(site_dir, config, people, Urls(config), cache)


def results(site_dir: Path, tmp_path: Path) -> list[tuple]:
    read = reading(site_dir, tmp_path)
    paths, _ = discover(site_dir)
    return [read._read_and_render_here((path, read._key(path))) for path in paths]


def fields(post) -> dict:
    values = {name: getattr(post, name) for name in post.__dataclass_fields__}
    values["body_html"] = post.body_html
    return values


def assert_arrives_as_made(result: tuple) -> None:
    made = pickle.loads(pickle.dumps(result))  # what travelled before: pickled
    arrived = loader._from_worker(loader._to_main(result))
    post, found, fresh = made
    if post is None:
        assert arrived[0] is None and arrived[1] == found
        return
    assert fields(arrived[0]) == fields(post)
    assert type(arrived[0].__dict__["_body_html"]) is Packed  # kept compressed
    assert list(arrived[1]) == list(found)
    assert arrived[2] == fresh
    assert [type(h) for h in arrived[0].hosts] == [type(h) for h in post.hosts]


def test_every_post_of_the_rich_site_arrives_as_made(tmp_path):
    made = results(RICH, tmp_path)
    assert sum(1 for post, _, _ in made if post is not None) >= 10
    assert any(post and post.chat and post.hosts and post.paper for post, _, _ in made)
    for result in made:
        assert type(loader._to_main(result)) is (bytes if result[0] is not None else tuple)
        assert_arrives_as_made(result)


@pytest.mark.parametrize("extra", [
    "extra:\n  room: 12\n  notes: [a, {b: c}]\n",
    "extra:\n  when: !!timestamp 2018-01-31\n",    # a date: the post travels pickled
    "summary: x\nimage: pic.png\nupdated: 2018-02-01\n",
    "tags: [a]\nbad_field: 1\n",                     # a warning travels too
    "date: 2018-02-30\n",                            # an error: no post
])
def test_posts_with_unusual_fields_arrive_as_made(tmp_path, extra):
    site = write_site(tmp_path / "site", {
        "content/2018/a.md": f'---\ntitle: "A"\ndate: 2018-01-05\n{extra}---\n\n'
                             "Text with [a link](b.md), [^1] and ![](pic.png).\n\n[^1]: A note.\n",
        "content/2018/b.md": '---\ntitle: "B"\ndate: 2018-01-06\n---\n\nB.\n',
        "content/2018/pic.png": b"\x89PNG",
    })
    (result, *_) = results(site, tmp_path)
    assert_arrives_as_made(result)


def test_a_post_that_travelled_is_as_small_as_one_made_here(tmp_path):
    """Its dicts share their keys with their class's other instances, as __init__'s do
    (one made by dict.update took three times the memory: 8 MB at 10,000 posts)."""
    import sys
    made = [r for r in results(RICH, tmp_path) if r[0] is not None and r[0].chat and r[0].paper]
    post = made[0][0]
    arrived = loader._from_worker(loader._to_main(made[0]))[0]
    assert sys.getsizeof(arrived.__dict__) == sys.getsizeof(post.__dict__)
    assert sys.getsizeof(arrived.chat.__dict__) == sys.getsizeof(post.chat.__dict__)
    assert sys.getsizeof(arrived.paper.__dict__) == sys.getsizeof(post.paper.__dict__)
