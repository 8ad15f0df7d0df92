"""The build cache: an optimisation that never changes a byte of output.

Corrupt, truncated or foreign caches are discarded; --no-cache gives the same bytes;
unchanged files keep their mtime and inode; a failing build leaves output/ as it was;
any number of worker processes gives the same output.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site, forking, snapshot, write_site
from resnetgen.build import BuildOptions, build
from resnetgen.cache import CACHE_DIR, BuildCache, code_fingerprint
from resnetgen.cli import main
from resnetgen.problems import SiteError

RICH = REPO / "tests" / "sites" / "rich"
sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (the bench's synthetic site generator)



def clean_build(site: Path, tmp_path: Path, now=NOW) -> dict[str, bytes]:
    """What a build with no cache and no previous output writes."""
    out = tmp_path / "clean-output"
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site_dir=site, output_dir=out, now=now, cache=False))
    return snapshot(out)


def identity(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_cached_rebuild_equals_clean_build(rich, tmp_path):
    first = build_site(rich)
    assert first.rendered == first.pages + 2 and first.reused == 0  # + sitemap, robots
    assert (rich / CACHE_DIR / "index.marshal").is_file()
    again = build_site(rich)
    assert again.unchanged and again.site is None
    assert again.pages == first.pages and again.files == first.files
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)


def test_no_cache_writes_no_cache_and_gives_the_same_bytes(rich, tmp_path, capsys):
    assert main(["--site", str(rich), "build", "--no-cache", "--now", NOW.isoformat()]) == 0
    assert not (rich / CACHE_DIR).exists()
    no_cache = snapshot(rich / "output")
    shutil.rmtree(rich / "output")
    assert main(["--site", str(rich), "build", "--now", NOW.isoformat()]) == 0
    assert (rich / CACHE_DIR).is_dir()
    assert snapshot(rich / "output") == no_cache
    assert main(["--site", str(rich), "build", "--now", NOW.isoformat()]) == 0
    assert "Nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "wrong-shape", "flipped"])
@pytest.mark.parametrize("name", ["index.marshal", "posts-*.marshal", "bodies-*.marshal",
                                  "linkindex.marshal", "index-base.marshal",
                                  "linkindex-base.marshal"])
def test_corrupt_cache_is_discarded(rich, tmp_path, name, damage):
    build_site(rich)
    post = rich / "content" / "2018" / "winter-chat.md"
    post.write_text(post.read_text().replace("\n\n", "\n\nA new first line.\n\n", 1))
    path = sorted((rich / CACHE_DIR).glob(name))[0]
    data = path.read_bytes()
    if damage == "flipped":  # a write cut short over an older file: same length, new head
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "wrong-shape":  # our header, length and CRC: only the shape is wrong
        BuildCache(rich.resolve(), code_fingerprint())._write(path.name, ["not", "a", "dict"])
    else:
        path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x80\x05not a pickle",
                          "empty": b""}[damage])
    report = build_site(rich)
    assert not report.unchanged
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)
    soup = BeautifulSoup(_page_of(rich, "winter-chat"), "html.parser")
    assert "A new first line." in soup.get_text()


def _page_of(site: Path, slug: str) -> str:
    return next((site / "output").rglob(f"{slug}/index.html")).read_text()


def test_foreign_cache_is_discarded(rich, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(RICH, other)
    (other / "content" / "2018" / "winter-chat.md").unlink()
    build_site(other)
    shutil.copytree(other / CACHE_DIR, rich / CACHE_DIR)  # a cache made for another site
    loaded = BuildCache.load(rich)
    assert loaded.discarded and not loaded.files and not loaded.outputs
    build_site(rich)
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)


def test_cache_from_other_code_is_discarded(rich, monkeypatch):
    build_site(rich)
    monkeypatch.setattr("resnetgen.cache.code_fingerprint", lambda: "another version")
    loaded = BuildCache.load(rich)
    assert "other code" in loaded.discarded
    assert not (rich / CACHE_DIR / "index.marshal").exists()
    report = build_site(rich)
    assert not report.unchanged and report.reused == 0


def test_unchanged_files_keep_inode_and_mtime(rich):
    build_site(rich)
    before = identity(rich / "output")
    post = rich / "content" / "2017" / "2017-12-01-plain-post.md"
    post.write_text(post.read_text() + "\nOne more paragraph at the end.\n")
    report = build_site(rich)
    after = identity(rich / "output")
    assert after.keys() == before.keys()
    changed = {path for path in after if after[path] != before[path]}
    feeds = {p for p in changed if p.endswith((".xml", ".ics")) or p.startswith("feeds/")}
    assert changed and changed - feeds <= set(report.rendered_paths)
    assert any(path.endswith("plain-post/index.html") for path in changed)
    assert "favicon.svg" not in changed and "2018/chart.png" not in changed


def test_touched_or_extra_output_files_are_repaired(rich, tmp_path):
    build_site(rich)
    (rich / "output" / "404.html").write_text("edited by hand")
    (rich / "output" / "stray.html").write_text("not part of the site")
    (rich / "output" / "robots.txt").unlink()
    report = build_site(rich)
    assert not report.unchanged
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)


@pytest.mark.parametrize("change", ["extra file deep", "extra folder", "file replaced",
                                    "empty folder, then a file in it"])
def test_nothing_changed_sees_every_change_to_output(rich, tmp_path, change):
    """"Nothing changed" stats each output file and folder, lists none: a name added,
    removed or replaced anywhere in output/ is still seen."""
    build_site(rich)
    assert build_site(rich).unchanged
    output = rich / "output"
    folder = next(p.parent for p in sorted(output.rglob("index.html")) if p.parent != output)
    if change == "extra file deep":
        (folder / "notes.txt").write_text("stray")
    elif change == "extra folder":
        (folder / "sub").mkdir()
        (folder / "sub" / "stray.html").write_text("stray")
    elif change == "file replaced":  # same size and bytes, a new file
        data = (folder / "index.html").read_bytes()
        (folder / "index.html").unlink()
        (folder / "index.html").write_bytes(data)
    else:
        (output / "empty").mkdir()
        build_site(rich)  # the build keeps a folder it did not make: listed next time
        assert build_site(rich).unchanged
        (output / "empty" / "stray.html").write_text("stray")
    report = build_site(rich)
    assert not report.unchanged
    assert snapshot(output) == clean_build(rich, tmp_path)
    assert build_site(rich).unchanged


def test_an_output_folder_that_is_a_link_is_watched_through_it(rich, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (rich / "output").symlink_to(served)
    build_site(rich)
    assert build_site(rich).unchanged
    (served / "stray.html").write_text("stray")
    report = build_site(rich)
    assert not report.unchanged and not (served / "stray.html").exists()


def test_failing_build_leaves_output_and_cache_usable(rich, tmp_path):
    build_site(rich)
    before = snapshot(rich / "output"), identity(rich / "output")
    post = rich / "content" / "2018" / "winter-chat.md"
    good = post.read_text()
    post.write_text(good.replace("title:", "titel:", 1))
    with pytest.raises(SiteError):
        build_site(rich)
    assert (snapshot(rich / "output"), identity(rich / "output")) == before
    assert not (rich / ".output.staging").exists()
    post.write_text(good)
    assert build_site(rich).unchanged
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)


def test_the_clock_moves_a_chat_from_upcoming_to_past(rich, tmp_path):
    build_site(rich)
    later = NOW + timedelta(days=3650)
    report = build_site(rich, now=later)
    assert not report.unchanged and report.rendered > 0
    assert snapshot(rich / "output") == clean_build(rich, tmp_path, now=later)
    assert build_site(rich, now=later + timedelta(days=1)).unchanged  # no chat changes state


def test_any_number_of_processes_gives_the_same_bytes(tmp_path, monkeypatch):
    generate.generate(150, tmp_path / "gen")
    site = tmp_path / "gen" / "resnetgen"
    outputs = {}
    forking(monkeypatch)
    for jobs in ("1", "2"):
        monkeypatch.setenv("RESNETGEN_JOBS", jobs)
        out = tmp_path / f"out-{jobs}"
        build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
        outputs[jobs] = snapshot(out)
    assert outputs["1"] == outputs["2"]
    assert len(outputs["1"]) > 200  # enough pages for two processes
    monkeypatch.setenv("RESNETGEN_JOBS", "2")
    build(BuildOptions(site_dir=site, output_dir=site / "output", now=NOW))
    assert snapshot(site / "output") == outputs["1"]


def test_generator_is_deterministic(tmp_path):
    generate.generate(20, tmp_path / "a", seed=3)
    generate.generate(20, tmp_path / "b", seed=3)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    sizes = [p.stat().st_size for p in (tmp_path / "a" / "resnetgen" / "content").rglob("*.md")]
    assert len(sizes) == 20 and 2500 < sum(sizes) / len(sizes) < 4500
    assert os.listdir(tmp_path / "a" / "hugo" / "content" / "posts")


def test_feeds_and_calendars_do_not_depend_on_the_clock(rich, tmp_path):
    """The cache keeps them across clocks (fingerprint.output_key): true only while
    they do not read it."""
    site_wide = (".xml", ".ics")
    early = clean_build(rich, tmp_path, now=NOW - timedelta(days=3650))
    late = clean_build(rich, tmp_path, now=NOW + timedelta(days=3650))
    feeds = {path for path in early if (path.endswith(site_wide) or path.startswith("feeds/"))
             and path != "sitemap.xml"}
    assert any(p.endswith(".ics") for p in feeds) and any(p.endswith(".xml") for p in feeds)
    assert {p: early[p] for p in feeds} == {p: late[p] for p in feeds}


def test_a_template_edit_keeps_the_feeds_and_calendars(rich, tmp_path, monkeypatch):
    """Feeds and calendars are made in Python, never from a template: after a template
    edit they are kept, file by file, and the calendar's memo of pieces is not even read
    (its 20 MB at 10,000 chats). A settings edit makes every piece stale: the memo is
    not read, only rewritten with the new pieces, which the next build reads."""
    import resnetgen.cache as cache_module
    monkeypatch.setenv("RESNETGEN_JOBS", "1")  # the calendar made in this process
    build_site(rich)
    site_wide = {path: path.stat().st_mtime_ns for path in (rich / "output").rglob("*")
                 if path.suffix == ".ics" or path.name in ("feed.xml", "atom.xml")}
    assert any(p.suffix == ".ics" for p in site_wide) and any(p.suffix == ".xml" for p in site_wide)
    read: list[str] = []
    original = cache_module.BuildCache._read

    def reading(self, name, discard=True):
        read.append(name)
        return original(self, name, discard)
    monkeypatch.setattr(cache_module.BuildCache, "_read", reading)
    import resnetgen.calendar as calendar_module
    import resnetgen.feeds as feeds_module
    made: list[str] = []
    for module, name in ((calendar_module, "event_read"), (feeds_module, "make_feed")):
        def counting(*args, _made=getattr(module, name), _name=name, **kwargs):
            made.append(_name)
            return _made(*args, **kwargs)
        monkeypatch.setattr(module, name, counting)
    theme = REPO / "themes" / "default" / "templates" / "404.html"
    (rich / "templates").mkdir(exist_ok=True)
    (rich / "templates" / "404.html").write_text("{# edited #}" + theme.read_text())
    report = build_site(rich)
    assert made == []  # neither an event nor a feed made again
    assert "404.html" in report.rendered_paths
    assert not [p for p in report.rendered_paths if p.endswith((".ics", "feed.xml", "atom.xml"))]
    assert {path: path.stat().st_mtime_ns for path in site_wide} == site_wide
    assert read and not [name for name in read if name.startswith("memo-")]
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)

    read.clear()
    settings = rich / "site.toml"
    settings.write_text(settings.read_text() + "\n# edited\n")
    build_site(rich)
    assert "event_read" in made and "make_feed" in made  # made again: settings count
    assert read and not [name for name in read if name.startswith("memo-")]  # all stale
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)
    cache = BuildCache.load(rich)
    assert sum(len(original(cache, f"memo-{shard}.pickle") or {}) for shard in "0123456789abcdef")
    read.clear()
    made.clear()
    chat = next(path for path in sorted((rich / "content").rglob("*.md"))
                if "chat:" in path.read_text())
    chat.write_text(chat.read_text().replace("title: ", "title: Edited ", 1))
    build_site(rich)
    # The other chats' events are the last events.ics's (see calendar_kept): the memo
    # is not read, and one event is made.
    assert made.count("event_read") == 1
    assert not [name for name in read if name.startswith("memo-")]
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)
    read.clear()
    made.clear()
    chat.write_text(chat.read_text().replace("title: Edited ", "title: ", 1))
    os.utime(rich / "output" / "events.ics", ns=(1, 1))  # touched: not a file to copy from
    build_site(rich)
    assert [name for name in read if name.startswith("memo-")]  # the same settings: read
    assert snapshot(rich / "output") == clean_build(rich, tmp_path)


def test_a_linked_folder_in_content_is_read_through(tmp_path):
    """A folder of posts kept elsewhere and linked into content/ (the loader reads
    through the link): its files are inputs, digested through the link, not the link
    taken for a file (an internal error, IsADirectoryError, in every cached build)."""
    elsewhere = write_site(tmp_path / "elsewhere", {
        "2019/linked.md": "---\ntitle: Linked\ndate: 2019-02-01\n---\n\nFrom elsewhere.\n"})
    site = write_site(tmp_path / "site", {
        "content/2019/own.md": "---\ntitle: Own\ndate: 2019-01-01\n---\n\nOwn text.\n"})
    (site / "content" / "kept").symlink_to(elsewhere / "2019", target_is_directory=True)
    first = build_site(site)
    page = site / "output" / "2019" / "02" / "linked" / "index.html"
    assert first.pages and page.is_file()
    assert build_site(site).unchanged
    (elsewhere / "2019" / "linked.md").write_text(
        "---\ntitle: Linked again\ndate: 2019-02-01\n---\n\nFrom elsewhere.\n")
    assert not build_site(site).unchanged
    assert BeautifulSoup(page.read_text(), "html.parser").h1.get_text(strip=True) == "Linked again"
    assert snapshot(site / "output") == clean_build(site, tmp_path)


@pytest.mark.parametrize("size", [0, 1, 4096, 200_000])
def test_read_digested_gives_the_bytes_and_their_record(tmp_path, size):
    from resnetgen.cache import file_record, read_digested
    path = tmp_path / "post.md"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    os.utime(path, ns=(1, 10**9))  # an old file: its record stands for its bytes
    (record, value), read = read_digested(str(path))
    assert read == data
    assert (record, value) == file_record(os.stat(path), data)[0]
    assert record[:2] == (size, 10**9)


def test_read_digested_of_a_folder_is_an_os_error(tmp_path):
    from resnetgen.cache import read_digested
    with pytest.raises(OSError):
        read_digested(str(tmp_path))


def test_primed_listing_tokens_are_those_made_one_by_one(rich):
    """Fingerprints.prime (every post's listing token, made before the build forks) gives
    each post the token, hence every key, that `_post` makes for it one at a time."""
    from resnetgen.fingerprint import Fingerprints
    site = build_site(rich).site
    assert any(site.is_upcoming(p) for p in site.posts)
    assert any(p.chat is not None and not site.is_upcoming(p) for p in site.posts)
    digests = {p.source_path: f"full{i}" for i, p in enumerate(site.posts)}
    listed = {p.source_path: f"list{i}" for i, p in enumerate(site.posts)}
    del listed[site.posts[0].source_path]  # a post without a listing digest: not primed

    def fingerprints() -> Fingerprints:
        made = Fingerprints("surface", digests, NOW, False, listed, frozenset())
        made.upcoming = site.is_upcoming
        return made
    primed, plain = fingerprints(), fingerprints()
    primed.prime(site.posts)
    assert len(primed._listed) == len(site.posts) - 1
    for post in site.posts:
        assert (primed.output_piece_key(("event", post), bodies=False)
                == plain.output_piece_key(("event", post), bodies=False))
    assert primed._listed == plain._listed
    assert primed.page_key(("listing", *site.posts), bodies=False) == \
        plain.page_key(("listing", *site.posts), bodies=False)
