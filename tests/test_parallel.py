"""Parallel rendering: the work is cut in pieces, listings go first, and the results
still come out in the site's order, whatever the number of processes."""

from __future__ import annotations

import os

import pytest
from bs4 import BeautifulSoup

from resnetgen import parallel
from resnetgen.pages import Page
from resnetgen.render import work_order

from resnetgen.build import BuildOptions, build

from conftest import NOW, forking, write_site


@pytest.mark.parametrize("count", [0, 1, 7, 64, 130, 1167, 11067])
@pytest.mark.parametrize("processes", [2, 3, 8])
def test_chunks_cover_every_item_once_in_order(count, processes):
    ranges = parallel.chunks(count, processes)
    assert [i for start, end in ranges for i in range(start, end)] == list(range(count))
    sizes = [end - start for start, end in ranges]
    assert all(1 <= size <= 256 for size in sizes)
    if count >= 8 * processes * 8:
        assert len(ranges) >= processes * 4 or max(sizes) == 256  # enough pieces to share


@pytest.mark.parametrize("count,processes,together,alone", [
    (1167, 2, 167, True), (11067, 2, 1070, True), (11067, 8, 1070, False), (100, 2, 40, False)])
def test_shared_work_goes_to_one_worker_when_that_is_a_fair_share(count, processes, together,
                                                                  alone):
    ranges = parallel.chunks(count, processes, together)
    assert [i for start, end in ranges for i in range(start, end)] == list(range(count))
    assert (ranges[0] == (0, together)) is alone


def _page(route: str, made_from=None) -> Page:
    return Page(route, "page.html", route, made_from=made_from)


def test_work_order_puts_listings_first_last_first_and_skips_kept_pages():
    """Listings first, the site-wide ones (last in the site's order) first of all; then
    the posts in the site's order."""
    pages = [_page(""), _page("a/", ("post", 1)), _page("b/", ("post", 2)),
             _page("tags/x/"), _page("c/", ("post", 3)), _page("archive/")]
    kept = [None, None, object(), None, None, None]
    assert work_order(pages, kept) == [5, 3, 0, 1, 4]


def test_parallel_imap_keeps_the_order_of_the_items(monkeypatch):
    forking(monkeypatch)
    items = list(range(700))
    results = list(parallel.parallel_imap(lambda n: (n * n, os.getpid()), items))
    assert [square for square, _ in results] == [n * n for n in items]
    assert {pid for _, pid in results} - {os.getpid()}, "no item was done by another process"


def test_a_site_renders_the_same_with_one_process_or_two(tmp_path, monkeypatch):
    """Enough posts for the pages to be shared between processes (listings go first)."""
    files = {}
    for n in range(150):
        files[f"content/2018/post-{n:03d}.md"] = (
            f'---\ntitle: "Post {n}"\ndate: 2018-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n'
            f'tags: ["topic {n % 5}"]\n---\n\nText of post {n}.\n')
    site = write_site(tmp_path / "site", files)
    outputs = {}
    forking(monkeypatch)
    for jobs in ("1", "2"):
        monkeypatch.setenv("RESNETGEN_JOBS", jobs)
        out = tmp_path / f"out{jobs}"
        build(BuildOptions(site_dir=site, output_dir=out, now=NOW, cache=False))
        outputs[jobs] = {p.relative_to(out).as_posix(): p.read_bytes()
                         for p in out.rglob("*") if p.is_file()}
    assert outputs["1"] == outputs["2"]
    tag = BeautifulSoup(outputs["2"]["tags/topic-0/index.html"], "html.parser")
    assert len(tag.select("main article")) == 30


def test_background_left_unread_ends_instead_of_blocking(monkeypatch):
    """A build that fails while the background process is still sending its result
    closes it unread: the child must then see a broken pipe and end, not wait for ever
    on a full pipe whose read end it inherited."""
    import threading

    forking(monkeypatch)
    background = parallel.Background(lambda: b"x" * (4 << 20))  # far more than a pipe holds
    process = background.process
    for _ in range(200):  # until the child is blocked writing, with data waiting
        if parallel.select.select([background.receive], [], [], 0.05)[0]:
            break
    closing = threading.Thread(target=background.close, daemon=True)
    closing.start()
    closing.join(timeout=30)
    assert not closing.is_alive(), "close() is still waiting for the background process"
    assert process.exitcode is not None
