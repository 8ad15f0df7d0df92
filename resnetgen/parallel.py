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


def parallel_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return list(parallel_imap(function, items))


def parallel_imap(function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """function(item) for each item, in order, yielded as soon as each chunk is done
    (so a large site's rendered pages are written as they come, not held in memory)."""
    processes = min(jobs(), len(items) // MIN_ITEMS_PER_PROCESS)
    # Forking a process that runs other threads (a server's) can deadlock the child.
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods() \
            or threading.active_count() > 1:
        yield from (function(item) for item in items)
        return
    global _work
    _work = (function, items)
    gc.freeze()  # objects made so far stay put: forked workers share their memory pages
    try:
        chunk = max(8, min(256, -(-len(items) // (processes * 8))))
        ranges = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for part in pool.imap(_run_range, ranges):
                yield from part
    finally:
        _work = None
        gc.unfreeze()


def _run_range(bounds: tuple[int, int]) -> list:
    function, items = _work  # type: ignore[misc]
    return [function(items[i]) for i in range(*bounds)]
