"""Write the built site: changed files go to a staging folder, and only when the whole
site built cleanly are they moved into output/.

A failed build never touches output/. A file whose bytes did not change is left
where it is in output/ (same modification time, same inode), so deploys and rsync
see no change; with the build cache's manifest of the previous output, it is not
even read. On commit, the staged files replace their old versions one rename each,
and files the site no longer has are removed: output/ then holds exactly what a
clean build writes. The first build (no output/ yet) renames the staging folder.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from resnetgen.cache import OutputRecord, digest, folder_mtime, walk_files


class Previous:
    """An output file of the previous build, kept as it is (its key matched). A plain
    class with slots: a rebuild makes 21,000 at 10,000 posts, and a frozen dataclass
    costs four times as much to make."""
    __slots__ = ("path", "record")

    def __init__(self, path: str, record: OutputRecord):
        self.path, self.record = path, record

    def __eq__(self, other) -> bool:
        return (type(other) is Previous and self.path == other.path
                and self.record == other.record)

    def __hash__(self) -> int:
        return hash((self.path, self.record))

    def __repr__(self) -> str:
        return f"Previous(path={self.path!r}, record={self.record!r})"

    def __reduce__(self):
        return Previous, (self.path, self.record)

    def read_bytes(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


@dataclass(frozen=True)
class Written:
    """What `StagedOutput.prepare` did with an output's bytes (in a worker process)."""
    value: str                  # the digest of the bytes ('' without a manifest)
    staged: bool                # written to the staging folder, else output/'s file kept
    record: OutputRecord | None


class OutputClash(Exception):
    def __init__(self, output_path: str):
        super().__init__(output_path)
        self.output_path = output_path


class StagedOutput:
    def __init__(self, output_dir: Path, manifest: dict[str, OutputRecord] | None = None,
                 folders: dict[str, int] | None = None, intact: bool = False):
        self.output_dir = output_dir
        self.manifest = manifest            # the previous output's files, when known ...
        self.folders = folders or {}        # ... and its folders' mtimes, if it held only those
        # output/ held exactly the manifest's files, untouched, when this build started
        # (see Incremental.check_outputs_aside): commit need not look at its folders again.
        self.intact = intact and manifest is not None
        self.records: dict[str, OutputRecord] = {}   # this build's files, for the next one
        self.staging = output_dir.parent / f".{output_dir.name}.staging"
        self._staging = str(self.staging)   # a str: paths joined once per file, not by pathlib
        self.previous = output_dir if output_dir.is_dir() else None
        self.paths: set[str] = set()        # every file of this build
        self.staged: list[str] = []         # those that are new or changed
        self.listed = False                 # whether commit had to list output/
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)

    @property
    def kept(self) -> int:
        """Files left untouched in output/."""
        return len(self.paths) - len(self.staged)

    def _claim(self, output_path: str) -> None:
        if output_path in self.paths:
            raise OutputClash(output_path)
        self.paths.add(output_path)

    def _stage(self, output_path: str) -> Path:
        self.staged.append(output_path)
        target = self.staging / output_path
        _make_folder(target.parent)
        return target

    def prepare(self, output_path: str, data: bytes, key: str = "") -> Written:
        """The file work of `write`, which a render worker does beside rendering (it
        touches only this output's file in the staging folder); `write` then adopts it."""
        old = self.previous / output_path if self.previous else None
        value = digest(data) if self.manifest is not None else ""
        if old is not None and self._unchanged(old, output_path, value, lambda: _same_bytes(old, data)):
            return Written(value, False, self._make_record(old, key, value))
        st = write_file(f"{self._staging}/{output_path}", data)
        return Written(value, True, None if self.manifest is None else
                       OutputRecord(key, value, st.st_size, st.st_mtime_ns, st.st_ino))

    def write(self, output_path: str, data: "bytes | Previous", key: str = "",
              written: Written | None = None) -> str:
        """Returns the digest of the bytes (with a manifest; else ''), for the link check.
        `written`: what `prepare` did with these bytes already."""
        self._claim(output_path)
        if isinstance(data, Previous):
            self.records[output_path] = data.record
            return data.record.digest
        if written is None:
            written = self.prepare(output_path, data, key)
        if written.staged:
            self.staged.append(output_path)
        if written.record is not None:
            self.records[output_path] = written.record
        return written.value

    def keep(self, kept: list[tuple[str, Previous]]) -> bool:
        """`write` of each of these previous files, at once; False (and nothing done)
        when a path among them is booked already or twice: `write` them one by one."""
        paths, count = self.paths, len(self.paths)
        names = [path for path, _ in kept]
        if not paths.isdisjoint(names):
            return False
        paths.update(names)
        if len(paths) != count + len(names):  # a path twice in the run
            paths.difference_update(names)
            return False
        self.records.update((path, previous.record) for path, previous in kept)
        return True

    def current(self, output_path: str) -> bytes:
        """The bytes this build has for an output: staged, or kept in output/."""
        staged = self.staging / output_path
        if staged.is_file():
            return staged.read_bytes()
        return (self.output_dir / output_path).read_bytes()

    def copy(self, output_path: str, source: Path, key: str = "") -> None:
        self._claim(output_path)
        old = self.previous / output_path if self.previous else None
        if old is not None and self._unchanged(
                old, output_path, key, lambda: old.is_file() and filecmp.cmp(old, source, shallow=False)):
            self._record(output_path, old, key, key)
            return
        target = self._stage(output_path)
        shutil.copyfile(source, target)
        self._record(output_path, target, key, key)

    def _unchanged(self, old: Path, output_path: str, value: str, compare) -> bool:
        """Whether the previous file has these bytes: from the manifest when it can say."""
        if self.manifest is not None and value:
            record = self.manifest.get(output_path)
            if record is not None and record.digest == value:
                try:
                    st = old.stat()
                except OSError:
                    return False
                if (st.st_size, st.st_mtime_ns, st.st_ino) == (record.size, record.mtime_ns, record.inode):
                    return True
        return compare()

    def _record(self, output_path: str, path: Path, key: str, value: str) -> None:
        record = self._make_record(path, key, value)
        if record is not None:
            self.records[output_path] = record

    def _make_record(self, path: Path, key: str, value: str) -> OutputRecord | None:
        if self.manifest is None:
            return None
        st = path.stat()  # a rename into output/ keeps size, mtime and inode
        return OutputRecord(key, value, st.st_size, st.st_mtime_ns, st.st_ino)

    def commit(self) -> None:
        """Make output/ hold exactly this build's files."""
        if self.previous is None:
            os.replace(self.staging, self.output_dir)
            return
        self._remove_stale()
        self.commit_staged()

    def commit_staged(self) -> None:
        """Move this build's staged files into output/, removing none: for a build
        that wrote only some of the site's files (quick_edit), the others kept."""
        if self.previous is None:
            raise FileNotFoundError(self.output_dir)
        for output_path in self.staged:
            target = self.output_dir / output_path
            _make_room(self.output_dir, target)
            os.replace(self.staging / output_path, target)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_stale(self) -> None:
        """Delete files of output/ that this build does not produce, and folders emptied."""
        emptied = set()
        root = str(self.output_dir)
        if self.manifest is not None and (self.intact or self._same_folders()):
            # output/ holds exactly the manifest's files: no need to list it
            for relative in self.manifest:
                if relative not in self.paths:
                    try:
                        os.unlink(f"{root}/{relative}")
                    except FileNotFoundError:  # removed by someone else since `intact`
                        pass
                    emptied.add(os.path.dirname(f"{root}/{relative}"))
        else:
            self.listed = True  # output/ was not as the manifest says (see Incremental.finish)
            for relative, entry in walk_files(root):
                if relative not in self.paths:
                    os.unlink(entry.path)
                    emptied.add(os.path.dirname(entry.path))
        for folder in sorted(emptied, key=len, reverse=True):  # deepest first
            while folder != str(self.output_dir) and folder.startswith(str(self.output_dir)):
                try:
                    os.rmdir(folder)  # only succeeds when empty
                except OSError:
                    break
                folder = os.path.dirname(folder)

    def _same_folders(self) -> bool:
        """Whether every folder of output/ still has the mtime it had when output/ held
        the manifest's files only: then no name in it was added, removed or replaced.
        (10,000 folders at 10,000 posts: 40 ms of a rebuild's end. A build that found
        output/ intact as it started asks none: `intact`. Nothing writes to output/ but
        the build's commit; a file put there by hand meanwhile is seen by the next build,
        whose check finds its folder's mtime changed, and removed then.)"""
        if not self.folders:
            return False
        root = str(self.output_dir)
        try:
            if folder_mtime(root, "") != self.folders.get(""):
                return False
            if os.stat not in os.supports_dir_fd:  # (lstat is stat, not following links)
                return all(folder_mtime(root, folder) == mtime
                           for folder, mtime in self.folders.items())
            # Relative to output/'s descriptor (10,000 folders at 10,000 posts): as
            # folder_mtime, with fewer names for the kernel to walk.
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                lstat = os.lstat
                return all(lstat(folder, dir_fd=fd).st_mtime_ns == mtime
                           for folder, mtime in self.folders.items() if folder)
            finally:
                os.close(fd)
        except OSError:
            return False

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_file(path: str, data: bytes) -> os.stat_result:
    """Write a new file and return its stat, with the fewest system calls: open (making
    its folder only when the open says it is missing), write, fstat, close. Pathlib's
    write_bytes and a stat after it cost four calls more per file (isatty, lseek, fstat,
    stat) and ~20 us of Python; a build writes 21,000 files at 10,000 posts."""
    try:
        fd = os.open(path, _CREATE, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, _CREATE, 0o666)
    try:
        view, written = memoryview(data), 0
        while written < len(data):  # a regular file takes it in one call; be sure anyway
            written += os.write(fd, view[written:])
        return os.fstat(fd)
    finally:
        os.close(fd)


def _make_folder(folder: Path) -> None:
    """mkdir -p, asking first: a page and its .ics share a folder (made by different
    processes), and on ext4 here a mkdir that fails because the folder exists costs
    ~25 times a stat (strace: 340 us against 13 us; 1,364 of them in a 1,000-post build)."""
    if not os.path.isdir(folder):
        folder.mkdir(parents=True, exist_ok=True)


def _make_room(root: Path, target: Path) -> None:
    """Create target's folders; a file where a folder must go (or a folder where the
    file goes) belongs to the previous build's layout and is removed."""
    parent = target.parent
    for ancestor in reversed([parent, *parent.parents]):
        if ancestor == root or root not in ancestor.parents:
            continue
        if ancestor.is_file() or ancestor.is_symlink():
            ancestor.unlink()
    parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False
