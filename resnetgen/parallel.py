"""Run one function over many items on several processes, results in input order.

Worker processes are forked, so they share the parent's loaded site and templates
without pickling them; only each item's result travels back. Where fork is not
available, in a process running other threads, with RESNETGEN_JOBS=1, or for a
handful of items, everything runs in this process. The output is the same whatever
the number of processes: results come back in the order of the items.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import select
import signal
import threading
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_PROCESS = 64      # below this, forking costs more than it saves
_work: tuple[Callable, Sequence] | None = None  # set in the parent, inherited by fork


def jobs() -> int:
    """RESNETGEN_JOBS, else the number of usable cores (at most 8)."""
    wanted = os.environ.get("RESNETGEN_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def can_fork() -> bool:
    # Forking a process that runs other threads (a server's) can deadlock the child.
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and jobs() > 1)


def parallel_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return list(parallel_imap(function, items))


def parallel_imap(function: Callable[[T], R], items: Sequence[T], together: int = 0) -> Iterator[R]:
    """function(item) for each item, in order, yielded as soon as each chunk is done
    (so a large site's rendered pages are written as they come, not held in memory).
    `together`: the first items share work made once per process (listings share their
    cards), so they go to one worker as one piece when that is a fair share."""
    processes = min(jobs(), len(items) // MIN_ITEMS_PER_PROCESS)
    if processes < 2 or not can_fork():
        yield from (function(item) for item in items)
        return
    global _work
    _work = (function, items)
    thawed = gc.get_freeze_count() == 0
    gc.freeze()  # objects made so far stay put: forked workers share their memory pages
    trim_memory()
    try:
        ranges = chunks(len(items), processes, together)
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for part in pool.imap(_run_range, ranges):
                yield from part
    finally:
        _work = None
        if thawed:  # else the build froze its loaded site itself (see build.quiet_gc)
            gc.unfreeze()


def chunks(count: int, processes: int, together: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each piece of work handed to a worker: about an eighth of a
    process's share (8 to 256 items). The first `together` items are one piece when they
    are at most half a process's share. (Pieces shrinking towards the end were tried:
    they raised the build's peak memory at 10,000 posts from 305 to 335 MB.)"""
    ranges, start = [], 0
    if 0 < together <= count // (2 * processes):
        ranges.append((0, together))
        start = together
    size = max(8, min(256, -(-count // (processes * 8))))
    ranges.extend((first, min(first + size, count)) for first in range(start, count, size))
    return ranges


def _run_range(bounds: tuple[int, int]) -> list:
    gc.enable()  # a worker's garbage is its own, whatever the parent's setting
    function, items = _work  # type: ignore[misc]
    return [function(items[i]) for i in range(*bounds)]


def trim_memory() -> None:
    """Hands the C allocator's free pages back to the system before forking: glibc keeps
    them (the pieces of big pages rendered, a worker's results unpickled), and a forked
    process starts with every page its parent holds counted in its own memory."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (ImportError, OSError, AttributeError):  # not glibc: nothing to do
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


class Background:
    """function() computed in a forked process while this one goes on; `result()` waits
    for it. Without fork, function() runs when its result is asked for."""

    def __init__(self, function: Callable[[], R]):
        self.function = function
        self.process = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            # A plain pipe, the result pickled into it and read out of it as a stream:
            # neither process holds the whole pickle at once (a large site's feeds and
            # calendars hand back tens of MB to the build cache).
            readable, send = os.pipe()
            self.receive = open(readable, "rb")
            self.process = context.Process(target=_run_background,
                                           args=(function, send, readable), daemon=True)
            thawed = gc.get_freeze_count() == 0
            gc.freeze()
            trim_memory()
            try:
                self.process.start()
            finally:
                if thawed:
                    gc.unfreeze()
            os.close(send)

    def result(self) -> R:
        if self.process is None:
            return self.function()
        try:
            ok, value = pickle.load(self.receive)
        except Exception:  # the stream cut short: see _run_background
            raise RuntimeError("a worker process ended without its result") from None
        finally:
            self.close()
        trim_memory()  # the stream's frames, unpickled and let go of: handed back
        if not ok:
            raise value
        return value

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive() and not select.select([self.receive], [], [], 0)[0]:
                self.process.terminate()
            self.receive.close()
            self.process.join()
            self.process = None


def _run_background(function: Callable, send: int, readable: int) -> None:
    # The read end is the parent's alone: were it open here too, a parent that stopped
    # reading would leave this process blocked on a full pipe, and the parent's join
    # waiting for it, for ever (a write must fail with a broken pipe instead).
    os.close(readable)
    gc.enable()
    # The parent's terminate() ends this process quietly, whatever handler it inherited
    # (serve's turns SIGTERM into a KeyboardInterrupt, printed as a traceback).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        outcome = (True, function())
    except BaseException as error:  # handed to the parent, which raises it
        outcome = (False, error)
    with open(send, "wb", buffering=0) as out:  # pickle writes it in frames of 64 KB
        try:
            pickle.dump(outcome, out, pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # the parent stopped waiting (it failed, or was interrupted)
        # An unpicklable result leaves the stream cut short: the parent's result() then
        # raises "ended without its result", and this process says why.
