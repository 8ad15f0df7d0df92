"""Notice changed source files, and group a burst of saves into one rebuild.

Pure of any server: `FileSnapshot` compares the watched files between two polls,
`Debouncer` decides when a burst of changes has settled. The preview (`serve`) polls
both from livereload's event loop.

python-livereload alone rebuilds once per changed file (its folder scan stops at the
first change; MkDocs #2061). Here every poll scans every watched file, and a rebuild
waits until no file has changed for `quiet` seconds: twenty files saved at once make
one rebuild.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

# Editors' temporary and backup files: saving makes them come and go.
_EDITOR_LITTER_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")
# File timestamps advance in coarse steps (a few ms); a file changed within this
# window of a poll may change again with the same timestamp, so its bytes are compared.
_RACY_NS = 2_000_000_000


def is_editor_litter(name: str) -> bool:
    return (name.startswith((".", "#")) or name.endswith(_EDITOR_LITTER_SUFFIXES)
            or name == "4913")  # vim's "can I write here?" probe


@dataclass
class _Seen:
    stat: tuple[int, int, int]          # mtime_ns, size, inode
    digest: bytes | None = None         # only while the timestamp is too recent to trust


@dataclass
class FileSnapshot:
    """The watched files as of the last poll; `changes()` says which differ now."""
    roots: list[Path]
    seen: dict[str, _Seen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.changes()  # the starting state is not a change

    def changes(self) -> set[str]:
        """Paths added, modified or removed since the previous call."""
        now_ns = time.time_ns()
        current: dict[str, _Seen] = {}
        changed: set[str] = set()
        for path in self._files():
            try:
                info = os.stat(path)
            except OSError:
                continue  # removed while we looked: the next poll sees it gone
            stat = (info.st_mtime_ns, info.st_size, info.st_ino)
            racy = now_ns - info.st_mtime_ns < _RACY_NS
            before = self.seen.get(path)
            digest = _digest(path) if racy or (before and before.digest) else None
            if before is None or before.stat != stat or (
                    before.digest is not None and digest != before.digest):
                changed.add(path)
            current[path] = _Seen(stat, digest if racy else None)
        changed.update(set(self.seen) - set(current))
        self.seen = current
        return changed

    def _files(self):
        for root in self.roots:
            if root.is_file():
                yield str(root)
            elif root.is_dir():
                for folder, dirs, files in os.walk(root):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(files):
                        if not is_editor_litter(name):
                            yield os.path.join(folder, name)


def _digest(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).digest()
    except OSError:
        return None


@dataclass
class Debouncer:
    """Collects changed paths; `due(now)` hands them over once they have settled.

    A batch is due when nothing changed for `quiet` seconds, or `longest` seconds
    after its first change (so a file written continuously still gets previewed).
    """
    quiet: float = 0.3
    longest: float = 3.0
    pending: set[str] = field(default_factory=set)
    first: float | None = None
    last: float | None = None

    def notice(self, paths: set[str], now: float) -> None:
        if not paths:
            return
        self.pending |= paths
        self.first = now if self.first is None else self.first
        self.last = now

    def due(self, now: float) -> set[str] | None:
        if not self.pending:
            return None
        if now - self.last < self.quiet and now - self.first < self.longest:
            return None
        batch, self.pending, self.first, self.last = self.pending, set(), None, None
        return batch
