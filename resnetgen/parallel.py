"""Run one function over many items on several processes, results in input order.

Worker processes are forked, so they share the parent's loaded site and templates
without pickling them; only each item's result travels back. Where fork is not
available, in a process running other threads, with RESNETGEN_JOBS=1, or for a
handful of items, everything runs in this process. The output is the same whatever
the number of processes: results come back in the order of the items.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see build.py)
if TYPE_CHECKING:
    from typing import Callable, Iterator, Sequence, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")

MIN_ITEMS_PER_PROCESS = 64      # below this, forking costs more than it saves
# The read ends of the pipes this process reads its children's results from. Every
# child forked closes them all: a child holding a sibling's read end keeps that sibling
# blocked on a full pipe when this process stops reading, and this one waiting for it.
_reading: set[int] = set()
_work: tuple[Callable, Sequence, Sequence["Aside"]] | None = None  # set in the parent,
# inherited by fork


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
    # (os.fork, not multiprocessing's start methods: importing multiprocessing, sockets
    # and all, was ~5 ms of a build with nothing to do). threading not imported: no
    # thread it counts was started (importing it was ~1 ms of that build).
    threading = sys.modules.get("threading")
    return (hasattr(os, "fork") and (threading is None or threading.active_count() == 1)
            and jobs() > 1)


def parallel_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return list(parallel_imap(function, items))


def pool_size(count: int) -> int:
    """How many worker processes `parallel_imap` starts for `count` items (1: none)."""
    processes = min(jobs(), count // MIN_ITEMS_PER_PROCESS)
    return processes if processes >= 2 and can_fork() else 1


class Aside:
    """function() done by one of the workers `parallel_imap` starts, as a piece of its
    own: the first worker free takes it, before any item (a site's calendars and feeds,
    beside its pages: no process of their own, which cost a fork and a core shared
    by three). Its result is kept for `result()`. Where no worker took it (one process,
    too few items), it is done here when its result is asked for."""

    def __init__(self, function: Callable[[], R]):
        self.function = function
        self.outcome: tuple | None = None   # (ok, value), once a worker sent it
        self.taken = False                  # by a worker

    def result(self) -> R:
        if self.outcome is None:
            if self.taken:  # (its pool stopped early: the build failed)
                raise RuntimeError("a worker process ended without its result")
            return self.function()
        (ok, value), self.outcome = self.outcome, None  # held by the caller alone
        if not ok:
            raise value
        return value

    def peek(self) -> R | None:
        """Its result, once a worker sent it (None before, or if it failed); `result()`
        still hands it over."""
        outcome = self.outcome
        return outcome[1] if outcome is not None and outcome[0] else None

    def close(self) -> None:
        self.outcome = None


def parallel_imap(function: Callable[[T], R], items: Sequence[T], together: int = 0,
                  aside: Sequence[Aside] = ()) -> Iterator[R]:
    """function(item) for each item, in order, yielded as soon as each chunk is done
    (so a large site's rendered pages are written as they come, not held in memory).
    `together`: the first items share work made once per process (listings share their
    cards), so they go to one worker as one piece when that is a fair share. `aside`:
    pieces of other work for the workers, taken first (see Aside), all done when the
    last result is yielded."""
    processes = pool_size(len(items))
    if processes < 2:
        yield from (function(item) for item in items)
        return
    global _work
    _work = (function, items, aside)
    thawed = gc.get_freeze_count() == 0
    gc.freeze()  # objects made so far stay put: forked workers share their memory pages
    trim_memory()
    try:
        try:
            workers = Workers(chunks(len(items), processes, together), processes, len(aside))
        except TooManyPieces:
            yield from (function(item) for item in items)
            return
        for piece in aside:
            piece.taken = True
        with workers:
            for part in workers.results(aside):
                yield from part
    finally:
        _work = None
        if thawed:  # else the build froze its loaded site itself (see build.quiet_gc)
            gc.unfreeze()


def chunks(count: int, processes: int, together: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each piece of work handed to a worker: about an eighth of a
    process's share (8 to 256 items), the last two per process a quarter of that: the
    workers then end within a small piece of each other (a piece of 256 posts is 0.2 s
    of loading, with one core idle at the end of a pass for half of it on average).
    The first `together` items are one piece when they are at most half a process's
    share. (Pieces shrinking all along were tried: they raised the build's peak memory
    at 10,000 posts from 305 to 335 MB.)"""
    ranges, start = [], 0
    if 0 < together <= count // (2 * processes):
        ranges.append((0, together))
        start = together
    size = max(8, min(256, -(-count // (processes * 8))))
    small = max(8, size // 4)
    last = count - min(count - start, 2 * processes * small) if small < size else count
    ranges.extend((first, min(first + size, last)) for first in range(start, last, size))
    ranges.extend((first, min(first + small, count)) for first in range(last, count, small))
    return ranges


class TooManyPieces(Exception):
    """The pieces' numbers do not fit in a pipe: the work is done in this process."""


class Workers:
    """Forked processes doing the pieces of `_work` (`ranges` of its items), each piece
    taken by whichever is free, its results sent back as one pickle. Plain os.fork and
    pipes: multiprocessing's Pool took 30-60 ms to start and stop (three threads in this
    process, queues with locks), twice a build, and hung for ever when a worker died."""

    def __init__(self, ranges: list[tuple[int, int]], processes: int, asides: int = 0):
        self.ranges = ranges
        self.pids: list[int] = []
        self.receive: dict[int, int] = {}   # read end of each worker's results -> its pid
        # Every piece's number, written at once (4 bytes each, far less than a pipe
        # holds): a worker reads one number at a time, and reads of a pipe are atomic.
        # The asides (numbered after the ranges) first: they take longest.
        tasks, feed = os.pipe()
        numbers = b"".join(n.to_bytes(4, "little") for n in (
            *range(len(ranges), len(ranges) + asides), *range(len(ranges))))
        os.set_blocking(feed, False)
        try:
            written = os.write(feed, numbers)
        except BlockingIOError:
            written = 0
        os.close(feed)  # read to the end: no pieces left
        if written < len(numbers):  # a pipe of 4 KiB (a user over the system's limit)
            os.close(tasks)
            raise TooManyPieces
        try:
            for _ in range(processes):
                readable, send = os.pipe()
                try:
                    pid = os.fork()
                except BaseException:
                    os.close(readable)
                    os.close(send)
                    raise
                if pid == 0:  # the worker: never returns
                    _worker(tasks, send, ranges, [readable, *_reading])
                os.close(send)  # the worker's alone: its end of file is its end
                self.pids.append(pid)
                self.receive[readable] = pid
                _reading.add(readable)
        except BaseException:
            self.close()
            raise
        finally:
            os.close(tasks)

    def results(self, aside: Sequence[Aside] = ()) -> Iterator[list]:
        """Each piece's results, in the order of the pieces; the asides' outcomes are
        theirs (see Aside), all in when the last piece's results are yielded."""
        from select import select  # (here: a build with nothing to do forks no worker)
        done: dict[int, object] = {}
        readers = {fd: _Reader(fd) for fd in self.receive}
        count = len(self.ranges)

        def receive(number: int) -> None:
            while number not in done:
                if not readers:
                    raise RuntimeError("a worker process ended without its results")
                for fd in select(list(readers), [], [])[0]:
                    for piece, ok, value in readers[fd].read():
                        if piece >= count:  # an aside's: its own, at once
                            aside[piece - count].outcome = (ok, value)
                            ok, value = True, None
                        done[piece] = (ok, value)
                    if readers[fd].ended:
                        del readers[fd]
        for number in range(count):
            receive(number)
            ok, value = done.pop(number)
            if not ok:
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]
        for number in range(count, count + len(aside)):
            receive(number)

    def close(self) -> None:
        """Ends the workers (at once, unless they are done) and waits for them."""
        for fd in self.receive:
            _reading.discard(fd)
            os.close(fd)  # a worker still sending then ends, on a broken pipe
        self.receive = {}
        for pid in self.pids:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.pids = []

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Reader:
    """A worker's results as they arrive: frames of (length, pickle)."""

    def __init__(self, fd: int):
        self.fd, self.data, self.ended = fd, bytearray(), False

    def read(self) -> list[tuple]:
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.ended = True
        self.data += chunk
        frames = []
        while len(self.data) >= 8:
            size = int.from_bytes(self.data[:8], "little")
            if len(self.data) < 8 + size:
                break
            frames.append(pickle.loads(memoryview(self.data)[8:8 + size]))
            del self.data[:8 + size]
        return frames


def _worker(tasks: int, send: int, ranges: list[tuple[int, int]], others: list[int]) -> None:
    """A forked worker's life: pieces taken from `tasks` till none is left, each one's
    results sent as (piece, True, results), or (piece, False, exception); then it ends
    without running anything of its parent's (exit handlers, buffered output)."""
    code = 1
    try:
        for fd in others:  # the parent's ends of its children's pipes (see _reading)
            os.close(fd)
        # The parent ends it (SIGTERM) when it stops waiting; ^C is the parent's to handle.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.enable()  # a worker's garbage is its own, whatever the parent's setting
        function, items, asides = _work  # type: ignore[misc]
        out = _Sender(send)
        while len(task := os.read(tasks, 4)) == 4:
            piece = int.from_bytes(task, "little")
            try:
                results = []
                if piece >= len(ranges):
                    results = asides[piece - len(ranges)].function()
                for index in range(*ranges[piece]) if piece < len(ranges) else ():
                    results.append(function(items[index]))
                    out.flush()
                outcome = (piece, True, results)
            except Exception as error:  # raised again in the parent, at its turn
                import traceback
                error.add_note(f"(in a worker process)\n{traceback.format_exc()}")
                outcome = (piece, False, error)
            out.send(_pickled(outcome))
        out.finish()
        code = 0
    except BrokenPipeError:
        code = 0  # the parent stopped waiting
    finally:
        os._exit(code)


def _pickled(outcome: tuple) -> bytes:
    try:
        data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        if not outcome[1]:
            pickle.loads(data)  # some exceptions pickle, and cannot be unpickled
        return data
    except Exception as error:
        return pickle.dumps((outcome[0], False, RuntimeError(
            f"a worker's result cannot be sent back: {type(error).__name__}: {error}")))


PENDING = 2 << 20  # results a worker holds for its parent at most, beside the pipe's


class _Sender:
    """A worker's results into its pipe, without waiting for the parent to read them:
    what the pipe cannot take yet waits here, and goes out between two items (the
    parent may be busy, compiling templates while the content is read)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.pending: list[memoryview] = []
        try:  # fewer, larger reads and writes (Linux; 1 MiB is the usual limit)
            import fcntl
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        except (ImportError, AttributeError, OSError):
            pass
        os.set_blocking(fd, False)

    def send(self, data: bytes) -> None:
        self.pending += [memoryview(len(data).to_bytes(8, "little")), memoryview(data)]
        self.flush()
        if sum(map(len, self.pending)) > PENDING:  # held while the next piece is made
            os.set_blocking(self.fd, True)
            self.flush()
            os.set_blocking(self.fd, False)

    def flush(self) -> None:
        while self.pending:
            try:
                written = os.write(self.fd, self.pending[0])
            except BlockingIOError:
                return
            if written == len(self.pending[0]):
                self.pending.pop(0)
            else:
                self.pending[0] = self.pending[0][written:]

    def finish(self) -> None:
        os.set_blocking(self.fd, True)
        self.flush()
        os.close(self.fd)


def trim_memory() -> None:
    """Hands the C allocator's free pages back to the system before forking: glibc keeps
    them (the pieces of big pages rendered, a worker's results unpickled), and a forked
    process starts with every page its parent holds counted in its own memory."""
    from resnetgen.allocator import trim
    trim()


class Background:
    """function() computed in a forked process while this one goes on; `result()` waits
    for it. Without fork, function() runs when its result is asked for."""

    def __init__(self, function: Callable[[], R], idle: bool = False, trim: bool = True):
        """`idle`: work that may wait, done on a core no other process wants (at the
        lowest priority) while this process goes on, until `result()` is asked for
        (then at the usual priority: see can_hurry). `trim`: False where this process
        has loaded nothing yet (a build's start: handing back its free pages would
        load ctypes and glibc's symbols, ~2 ms, for nothing)."""
        self.function, self.idle, self.trim = function, idle, trim
        self.pid = 0  # the process computing it (0: none, or it is done)
        self.received = False  # its whole result read
        if can_fork():
            # A plain pipe, the result pickled into it and read out of it as a stream:
            # neither process holds the whole pickle at once (a large site's feeds and
            # calendars hand back tens of MB to the build cache).
            readable, send = os.pipe()
            self.receive = open(readable, "rb")
            thawed = gc.get_freeze_count() == 0
            gc.freeze()
            if trim:
                trim_memory()
            try:
                self.pid = os.fork()  # (multiprocessing's Process: a few ms more each)
                if self.pid == 0:
                    code = 1
                    try:
                        _run_background(function, send, readable, idle)
                        code = 0
                    finally:
                        os._exit(code)  # nothing of this process's to run or flush there
            except BaseException:
                self.receive.close()
                os.close(send)
                raise
            finally:
                if thawed:
                    gc.unfreeze()
            os.close(send)
            _reading.add(readable)

    def result(self) -> R:
        if not self.pid:
            return self.function()
        self._hurry()
        try:
            ok, value = pickle.load(self.receive)
            self.received = True
        except Exception:  # the stream cut short: see _run_background
            raise RuntimeError("a worker process ended without its result") from None
        finally:
            self.close()
        if self.trim:
            trim_memory()  # the stream's frames, unpickled and let go of: handed back
        if not ok:
            raise value
        return value

    def _hurry(self) -> None:
        if self.idle and self.pid:
            try:
                os.sched_setscheduler(self.pid, os.SCHED_OTHER, os.sched_param(0))
            except OSError:
                pass  # done already

    def close(self) -> None:
        if self.pid:
            # Its result not read is not wanted: ended, whether at work or blocked
            # writing (a result larger than the pipe waits for a reader that is gone).
            if not self.received and os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                os.kill(self.pid, signal.SIGTERM)
            _reading.discard(self.receive.fileno())
            self.receive.close()
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass  # waited for above
            self.pid = 0


def _run_background(function: Callable, send: int, readable: int, idle: bool = False) -> None:
    # The read end is the parent's alone: were it open here too, a parent that stopped
    # reading would leave this process blocked on a full pipe, and the parent's join
    # waiting for it, for ever (a write must fail with a broken pipe instead). So are
    # those of the parent's other children (see _reading).
    for fd in (readable, *_reading):
        os.close(fd)
    gc.enable()
    # The parent's terminate() ends this process quietly, whatever handler it inherited
    # (serve's turns SIGTERM into a KeyboardInterrupt, printed as a traceback).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if idle:
        lowest_priority()
    try:
        outcome = (True, function())
    except BaseException as error:  # handed to the parent, which raises it
        outcome = (False, _sendable(error))
    with open(send, "wb", buffering=0) as out:  # pickle writes it in frames of 64 KB
        try:
            pickle.dump(outcome, out, pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # the parent stopped waiting (it failed, or was interrupted)
        # An unpicklable result leaves the stream cut short: the parent's result() then
        # raises "ended without its result", and this process says why.


def _sendable(error: BaseException) -> BaseException:
    """`error`, or a RuntimeError with its kind and message where it cannot be pickled
    (lxml's parser errors hold their error log): else the parent said only "ended
    without its result"."""
    try:
        pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


def can_hurry() -> bool:
    """Whether a process put at the lowest priority (Linux's SCHED_IDLE) can be given
    the usual one back, as `Background.result` does: else, on a machine kept busy by
    others, it could wait for a core for ever."""
    try:
        import resource
        return bool(os.SCHED_IDLE + 1) and (
            _may_set_priorities() or resource.getrlimit(resource.RLIMIT_NICE)[0] >= 20)
    except (ImportError, AttributeError, OSError):
        return False


CAP_SYS_NICE = 23  # linux/capability.h


def _may_set_priorities() -> bool:
    """Whether this process holds CAP_SYS_NICE: root in a container often does not."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_SYS_NICE & 1)
    return False


def lowest_priority() -> None:
    """This process runs only on a core nothing else wants."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
