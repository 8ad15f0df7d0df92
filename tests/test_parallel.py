"""Parallel rendering: the work is cut in pieces, listings go first, and the results
still come out in the site's order, whatever the number of processes."""

from __future__ import annotations

import os
import select
from functools import partial

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
    pid = background.pid
    for _ in range(200):  # until the child is blocked writing, with data waiting
        if select.select([background.receive], [], [], 0.05)[0]:
            break
    closing = threading.Thread(target=background.close, daemon=True)
    closing.start()
    closing.join(timeout=30)
    assert not closing.is_alive(), "close() is still waiting for the background process"
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ended, and waited for


def test_backgrounds_left_unread_end_whatever_their_siblings_hold(monkeypatch):
    """Two background processes (a first build's calendars and feeds), both blocked
    writing results larger than a pipe holds, closed unread as a failing build does:
    the second was forked while the parent held the first one's read end, and must not
    keep it open (the first would never see its broken pipe, the parent wait for ever)."""
    import threading

    forking(monkeypatch)
    first = parallel.Background(lambda: b"x" * (4 << 20))
    second = parallel.Background(lambda: b"y" * (4 << 20))
    for background in (first, second):
        for _ in range(200):  # until the child is blocked writing, with data waiting
            if select.select([background.receive], [], [], 0.05)[0]:
                break
    pids = [first.pid, second.pid]

    def close_both() -> None:
        first.close()
        second.close()
    closing = threading.Thread(target=close_both, daemon=True)
    closing.start()
    closing.join(timeout=30)
    assert not closing.is_alive(), "close() is still waiting for a background process"
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # ended, and waited for


def test_idle_work_is_hurried_only_where_the_system_allows_it(monkeypatch):
    """Root without CAP_SYS_NICE (a container's usual root) cannot give a process at the
    lowest priority the usual one back: such work is not put there."""
    import resource
    monkeypatch.setattr(parallel, "_may_set_priorities", lambda: False)
    monkeypatch.setattr(resource, "getrlimit", lambda which: (0, 0))
    assert not parallel.can_hurry()
    monkeypatch.setattr(parallel, "_may_set_priorities", lambda: True)
    assert parallel.can_hurry() == hasattr(os, "SCHED_IDLE")


def _fails_at_300(n: int) -> int:
    if n == 300:
        raise ValueError("item 300")
    return n


def test_a_worker_error_is_raised_at_its_turn_after_the_earlier_results(monkeypatch):
    forking(monkeypatch)
    seen = []
    with pytest.raises(ValueError, match="item 300") as raised:
        for value in parallel.parallel_imap(_fails_at_300, list(range(700))):
            seen.append(value)
    assert "_fails_at_300" in "".join(raised.value.__notes__)  # where, for a bug report
    assert seen == list(range(len(seen))) and len(seen) >= 256  # the pieces before 300's


def test_a_worker_that_dies_is_reported_not_waited_for(monkeypatch):
    forking(monkeypatch)
    parent = os.getpid()

    def dies(n: int) -> int:
        if n == 650 and os.getpid() != parent:
            os._exit(3)  # as if killed: its piece never comes back
        return n
    with pytest.raises(RuntimeError, match="ended without its results"):
        list(parallel.parallel_imap(dies, list(range(700))))


def test_workers_stopped_early_are_ended_and_waited_for(monkeypatch):
    """A consumer that stops (an error of its own) leaves no worker behind."""
    forking(monkeypatch)
    pids = []

    def slow(n: int) -> int:
        import time
        time.sleep(0.001)
        return os.getpid()
    results = parallel.parallel_imap(slow, list(range(2000)))
    pids.append(next(results))
    results.close()
    for pid in set(pids):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already: not our child any more


def test_unpicklable_results_are_an_error_not_a_hang(monkeypatch):
    forking(monkeypatch)
    with pytest.raises(RuntimeError, match="cannot be sent back"):
        list(parallel.parallel_imap(lambda n: (lambda: n), list(range(200))))


def test_more_pieces_than_a_pipe_holds_are_done_here(monkeypatch):
    forking(monkeypatch)
    monkeypatch.setattr(parallel, "chunks", lambda count, processes, together=0:
                        [(i, i + 1) for i in range(count)])
    items = list(range(20000))  # 80 KB of piece numbers: more than a pipe's 64 KiB
    assert list(parallel.parallel_imap(lambda n: (n, os.getpid()), items)) == [
        (n, os.getpid()) for n in items]


def test_a_busy_parent_does_not_stall_the_workers(monkeypatch):
    """Results wait in the worker while the parent is busy (compiling templates while
    the content is read): the workers go on with their pieces meanwhile."""
    import time
    forking(monkeypatch)
    # 16 pieces of 40 items, 360 KB each: 2.9 MB a worker, more than its pipe holds
    # (1 MiB), less than that and what it may hold besides (parallel.PENDING)
    payload = "x" * 9000
    results = parallel.parallel_imap(lambda n: (time.monotonic(), payload + str(n)),
                                     list(range(640)))  # (each its own string)
    first = next(results)
    time.sleep(1.0)
    rest = list(results)
    assert len(rest) == 639
    assert min(t for t, _ in rest[-40:]) < first[0] + 0.9, "the workers waited for the parent"


def _policies(started, then: float) -> int:
    """Notes its scheduling policy in `started`; returns it `then` seconds later."""
    import time
    started.write_text(str(os.sched_getscheduler(0)))
    time.sleep(then)
    return os.sched_getscheduler(0)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE") or not parallel.can_hurry(),
                    reason="needs Linux and the right to give a process its priority back")
def test_idle_work_runs_at_the_lowest_priority_until_its_result_is_wanted(tmp_path,
                                                                          monkeypatch):
    """Work that may wait (the cache's posts) uses only a core nothing else wants; once
    this process waits for it, it runs as any other (a busy machine would starve it)."""
    import time
    forking(monkeypatch)
    started = tmp_path / "started"
    work = parallel.Background(partial(_policies, started, 0.5), idle=True)
    for _ in range(3000):
        if started.exists() and started.read_text():
            break
        time.sleep(0.01)
    assert int(started.read_text()) == os.SCHED_IDLE
    assert work.result() == os.SCHED_OTHER  # given the usual priority when asked for
    started.unlink()
    assert parallel.Background(partial(_policies, started, 0)).result() == os.SCHED_OTHER


def _aside_work(name: str) -> tuple:
    import time
    time.sleep(0.05)
    return name, os.getpid()


def test_asides_are_done_by_the_workers_first_and_kept_for_their_results(monkeypatch):
    forking(monkeypatch)
    asides = [parallel.Aside(partial(_aside_work, name)) for name in ("calendar", "feeds")]
    results = parallel.parallel_imap(lambda n: n * n, list(range(700)), aside=asides)
    assert list(results) == [n * n for n in range(700)]  # ended: every aside's outcome is in
    made = [aside.result() for aside in asides]
    assert [name for name, _ in made] == ["calendar", "feeds"]
    # both taken first: by the two workers, one each
    assert len({pid for _, pid in made}) == 2 and os.getpid() not in {pid for _, pid in made}


def test_an_aside_error_is_raised_by_its_result(monkeypatch):
    forking(monkeypatch)

    def fails() -> None:
        raise ValueError("no calendar")
    aside = parallel.Aside(fails)
    assert list(parallel.parallel_imap(lambda n: n, list(range(300)), aside=[aside])) == \
        list(range(300))
    with pytest.raises(ValueError, match="no calendar") as raised:
        aside.result()
    assert "in a worker process" in "".join(raised.value.__notes__)


def test_asides_of_work_done_in_one_process_are_done_when_asked(monkeypatch):
    monkeypatch.setenv("RESNETGEN_JOBS", "1")
    aside = parallel.Aside(partial(_aside_work, "calendar"))
    assert list(parallel.parallel_imap(lambda n: n, list(range(300)), aside=[aside])) == \
        list(range(300))
    assert aside.result() == ("calendar", os.getpid())


def test_an_aside_lost_with_its_worker_is_reported(monkeypatch):
    forking(monkeypatch)
    parent = os.getpid()

    def dies() -> None:
        if os.getpid() != parent:
            os._exit(3)
    aside = parallel.Aside(dies)
    with pytest.raises(RuntimeError, match="ended without its results"):
        list(parallel.parallel_imap(lambda n: n, list(range(700)), aside=[aside]))
    with pytest.raises(RuntimeError, match="ended without its result"):
        aside.result()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this error")


def _fail_unpicklably():
    raise _Unpicklable("the reason, as raised")


def test_an_unpicklable_error_in_the_background_is_said_not_lost(monkeypatch):
    """lxml's parser errors cannot be pickled: the parent said only "a worker process
    ended without its result"; now it says the error's kind and message."""
    forking(monkeypatch)
    work = parallel.Background(_fail_unpicklably)
    assert work.pid
    with pytest.raises(RuntimeError, match="_Unpicklable: the reason, as raised"):
        work.result()
