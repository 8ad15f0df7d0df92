"""The persistent build cache in `.resnetgen-cache/`: an optimisation, never a source of truth.

Files of pickled or marshalled data, each after a header naming the cache format, the
resnetgen code it was made by and the site folder it belongs to, and the length and
CRC-32 of the data:

- `index.marshal` and `index-base.marshal`: each input file's size, mtime and content
  digest, the last build's key (its facts pickled), and a manifest of the output files
  (digest, size, mtime, inode, and the key of what they were made from). Enough to see
  "nothing changed" without loading any content. The tables are kept in the base file,
  written again only once many of their entries changed; until then, the changes since
  (a title edit's dozen outputs of 21,000) are all the other file holds of them.
- `posts-0.marshal` ... `posts-f.marshal` and `bodies-0.marshal` ...: each source file's
  loaded Post (front matter read, Markdown rendered), keyed on the file's content
  digest and everything else reading it depends on (code, site.toml, people.toml),
  plus the links it looked up; bodies apart, read only where shown (see post_cache).
- `memo-0.pickle` ... `memo-f.pickle`: pieces of feeds and calendars, by a digest of
  their key (a changed post rewrites the shards of its pieces only); `linkindex.marshal`
  and its base (plain data, which marshal loads fastest; kept as the index's): what the
  link check needs to check again only what changed (see linkindex).

A cache that cannot be read, or whose header does not match, is deleted and the
build runs from scratch: same bytes either way.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import time
import zlib
from collections import namedtuple
from functools import partial
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see build.py)
if TYPE_CHECKING:
    from typing import Any, Callable

import resnetgen

CACHE_DIR = ".resnetgen-cache"
FORMAT = 18  # 17: a post's date-times as their pickle state (post_codec); 18: the index's
# and link index's tables in a base file and a delta (see _write_split)
SHARDS = "0123456789abcdef"
RACY_SECONDS = 2  # a file changed this recently may change again within the same mtime


def no_memo(what: object, make: Callable[[], bytes]) -> bytes:
    """What outputs get without a cache: `make()`. See Incremental.memo."""
    return make()


def digest(*parts: Any) -> str:
    """A key (never a defence: SHA-1 is twice blake2b's speed here, on the 240 MB of
    pages a 10,000-post build digests)."""
    h = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()[:32]


def code_fingerprint() -> str:
    """resnetgen's version and its code files' sizes and times: new code, new cache."""
    with os.scandir(os.path.dirname(resnetgen.__file__)) as entries:  # not pathlib's glob:
        found = sorted((e.name, e) for e in entries if e.name.endswith(".py"))  # ms count
    stats = []
    for name, entry in found:
        st = entry.stat()
        stats.append((name, st.st_size, st.st_mtime_ns))
    return digest(resnetgen.__version__, FORMAT, stats)


# Tuples (collections.namedtuple: typing.NamedTuple would import typing, see build.py).
# CachedPost: 10,000 made per rebuild, each in one call (a frozen dataclass sets its fields
# one by one): post, the loaded Post, body rendered; lookups, (source path, url or None)
# for every link it resolved; warnings, problems of the warning kind, replayed on reuse;
# key, digest of everything this record was made from; listing, digest of the Post
# without its body (see fingerprint); digest, of key and lookups: the post's digest (see
# loader).
CachedPost = namedtuple("CachedPost", "post lookups warnings key listing digest",
                        defaults=("", ""))
# OutputRecord: made from the saved plain tuples in one C call each (21,000 at 10k): key,
# digest of what this file was made from; digest, of its bytes; size; mtime_ns; inode.
OutputRecord = namedtuple("OutputRecord", "key digest size mtime_ns inode")


# OutputRecord._make without its Python call: record (a tuple of 5) -> OutputRecord.
_new_record = partial(tuple.__new__, OutputRecord)


class BuildCache:
    """The cache's files, as read and as this build changes them. A plain class (see
    build.BuildOptions): the values below are the defaults, each set on the instance
    when it changes; the collections are the instance's own (see __init__)."""
    site_dir: Path
    code: str
    files: dict[str, tuple]          # path -> (size, mtime, ino, digest)
    raw_outputs: dict[str, tuple]    # as saved: see `outputs`
    output_dirs: dict[str, int]      # output folder -> its mtime
    last_build: dict[str, Any]       # key, summary, clock facts
    _posts: Any = None                                           # post_cache.PostStore
    _outputs: dict[str, OutputRecord] | None = None
    _memo: dict[str, bytes] | None = None                        # digest -> bytes (feeds, .ics)
    _memo_used: set[str]
    _memo_new: dict[str, bytes]      # made by this build
    _memo_stale: bool = False                                    # memo not read: see memo
    _link_index: Any = None                                      # linkindex.LinkIndex to save
    # A file saved as a base and its delta (see _write_split) -> (its base's token, the
    # delta's tables of changes, the tables as read: those a save compares with).
    _split: dict[str, tuple[str, tuple, list]]
    _seen: dict[str, tuple]          # files of this build, for the next
    _digests: dict[str, str]         # files of this build, digested once
    # Files digested by whoever read them (the loader's workers, on a first build: see
    # Incremental.scan): name -> (record for `files` or None, digest), for the scan.
    read_digests: dict[str, tuple]
    # A posts shard as read by a quick rebuild's check (post_cache.read_one), (name,
    # data): the full build that follows a title edit loads and saves it too.
    shard_read: tuple | None = None
    discarded: str = ""             # why an existing cache was not trusted, for reports
    location: Path | None = None    # where it is kept, when not SITE/.resnetgen-cache

    def __init__(self, site_dir: Path, code: str):
        self.site_dir, self.code = site_dir, code
        self.files, self.raw_outputs, self.output_dirs, self.last_build = {}, {}, {}, {}
        self._memo_used, self._memo_new = set(), {}
        self._seen, self._digests, self.read_digests = {}, {}, {}
        self._split = {}

    # ----- loading and saving -------------------------------------------------------
    @classmethod
    def load(cls, site_dir: Path, folder: Path | None = None) -> "BuildCache":
        """The cache in `folder` (default: SITE/.resnetgen-cache), or an empty one."""
        cache = cls(site_dir.resolve(), code_fingerprint())
        cache.location = folder
        index = cache._read_split("index.marshal", 3)
        if index is not None:
            try:
                last_build, (files, outputs, dirs) = index
                cache.files, cache.raw_outputs, cache.output_dirs = files, outputs, dirs
                cache.last_build = dict(pickle.loads(last_build))
                records = cache.raw_outputs.values()  # each a tuple of 5 (in C: 21,000 at 10k)
                if not ({tuple} >= set(map(type, records)) and {5} >= set(map(len, records))):
                    raise ValueError
            except Exception:  # of the wrong shape, or its pickle garbled: never trusted
                cache._discard("index.marshal has an unexpected shape")
        return cache

    @property
    def folder(self) -> Path:
        return self.location or self.site_dir / CACHE_DIR

    def _header(self) -> tuple:
        return ("resnetgen-cache", FORMAT, self.code, str(self.site_dir))

    def _read(self, name: str, discard: bool = True) -> Any:
        """A cache file: `.pickle`, or `.marshal` for plain data (loads faster). One that
        cannot be read discards the whole cache, unless `discard` is False (its reader
        then does without it)."""
        path = self.folder / name
        try:
            handle = open(path, "rb")
        except OSError:
            return None
        try:
            with handle:
                header, length, check = marshal.load(handle)
                if header != self._header():
                    if discard:
                        self._discard(f"{name} was made by other code or for another site")
                    return None
                payload = memoryview(handle.read())[:length]
            if len(payload) != length or zlib.crc32(payload) != check:
                raise ValueError("cut short or overwritten")  # see _write
            return marshal.loads(payload) if name.endswith(".marshal") else pickle.loads(payload)
        except Exception:  # truncated, garbled or foreign: never trusted
            if discard:
                self._discard(f"{name} could not be read")
            return None

    def _discard(self, reason: str) -> None:
        self.discarded = reason
        self.shard_read = None
        self._split.clear()
        from resnetgen.post_cache import PostStore  # noqa: PLC0415
        self.files, self.outputs, self.last_build = {}, {}, {}
        self._posts = PostStore(self)
        self.raw_outputs, self.output_dirs = {}, {}
        for name in ("index.marshal", "index.pickle", "memo.pickle", "links.pickle", "linkindex.pickle",
                     "linkindex.marshal", _base_name("index.marshal"),
                     _base_name("linkindex.marshal"), "digests.marshal", "calendar.marshal",
                     *(f"cards-{shard}.marshal" for shard in SHARDS),
                     *(path.name for path in self.folder.glob("cards-*-*.marshal")),
                     *(f"memo-{shard}.pickle" for shard in SHARDS),
                     *(f"posts-{shard}.pickle" for shard in SHARDS),
                     *(f"posts-{shard}.marshal" for shard in SHARDS),
                     *(f"bodies-{shard}.marshal" for shard in SHARDS)):
            try:
                (self.folder / name).unlink()
            except OSError:
                pass

    def _write(self, name: str, data: Any, shared: bool = True) -> None:
        """Overwritten in place: a new file and a rename cost ~10 times as much here (the
        old file's blocks freed each time). The header's length and CRC of the data make
        a write cut short (or two at once) read as damaged, hence discarded. `shared`
        False: marshal writes an object met twice twice (version 2), and so keeps no
        table of every object it wrote (a few MB for the index's 21,000 records)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = ((marshal.dumps(data) if shared else marshal.dumps(data, 2))
                   if name.endswith(".marshal")
                   else pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        head = marshal.dumps((self._header(), len(payload), zlib.crc32(payload)))
        path = self.folder / name
        try:
            handle = open(path, "r+b")
        except FileNotFoundError:
            handle = open(path, "wb")
        with handle:
            handle.write(head)
            handle.write(payload)
            handle.truncate()

    def save(self) -> None:
        from resnetgen.allocator import settle, trim  # noqa: PLC0415
        settle()  # (a quick rebuild's too: marshal's buffer, doubled as it grows, is mapped)
        trim()  # the pages the build let go of, handed back before these files are made
        try:
            if self._posts is not None:
                self._posts.save()
            if self._link_index is not None:
                self.save_link_index(self._link_index)
            if self._memo_used:  # this build made its feeds and calendars afresh
                self._save_memo()
            # Records as plain tuples: they load in one C call (the "nothing changed" path).
            # Marshalled (3 times faster than pickle to save), the last build's facts
            # (date-times, sets) pickled inside; the tables (4.5 MB at 10,000 posts)
            # written again only in their base (see _write_split).
            records = self.outputs
            self._outputs = None  # (read again from raw_outputs, if asked for)
            self.raw_outputs = self._write_split(
                "index.marshal", pickle.dumps(self.last_build, protocol=pickle.HIGHEST_PROTOCOL),
                [self._seen, records, self.output_dirs], shared=False)[1]
            del records
        except OSError:
            pass  # a read-only site folder still builds, just without a cache

    def _read_split(self, name: str, count: int) -> tuple[Any, list[dict]] | None:
        """(rest, tables) as `_write_split` saved them: the `count` tables of the base
        file with the delta's changes made. A delta made for another base (a build cut
        short between the two writes, or two at once) discards the cache."""
        head = self._read(name)
        if head is None:
            return None
        try:
            rest, token, deltas = head
            base = self._read(_base_name(name), discard=False)
            if base is None:  # (missing, damaged or foreign)
                raise ValueError("no base")
            made_for, tables = base
            if (type(token) is not str or made_for != token or type(tables) is not tuple
                    or len(tables) != count or type(deltas) is not tuple or len(deltas) != count
                    or not all(type(table) is dict for table in tables)):
                raise ValueError("not of its base")
            for table, (changed, removed) in zip(tables, deltas):
                if type(changed) is not dict or type(removed) is not tuple:
                    raise TypeError
                for key in removed:
                    table.pop(key, None)
                table.update(changed)
        except Exception:  # of the wrong shape, or the base not its own: never trusted
            self._discard(f"{name} does not match its base")
            return None
        self._split[name] = (token, deltas, list(tables))
        return rest, list(tables)

    def _write_split(self, name: str, rest: Any, tables: list, shared: bool = True
                     ) -> list[dict]:
        """Saves `rest` and the `tables` (dicts, or sets: their keys) so that a small
        change of big tables is a small write: their base, in `_base_name(name)`, is
        written afresh only when the changes since it was (kept, with `rest`, in `name`)
        reach a share of its entries (BASE_SHARE); else only the changes are, compared
        with the tables as read (by `_read_split`): neither may have been changed in
        place since. `shared`: see _write (the base's). Returns the tables as saved (a
        record, a NamedTuple, as a plain tuple: marshal's kind)."""
        known = self._split.get(name)
        if known is not None:
            token, deltas, was = known
            merged, size, total = [], 0, 0
            for table, before, (changed, removed) in zip(tables, was, deltas):
                now_changed, now_removed = _changes(table, before)
                changed = {**changed, **now_changed}
                for key in now_removed:
                    changed.pop(key, None)
                removed = tuple(set(removed).union(now_removed).difference(now_changed))
                merged.append((changed, removed))
                size, total = size + len(changed) + len(removed), total + len(table)
            if size <= max(DELTA_MIN, total // BASE_SHARE):
                self._write(name, (rest, token, tuple(merged)))
                self._split[name] = (token, tuple(merged), list(tables))
                return list(tables)
        token = os.urandom(8).hex()
        plain = tuple(_plain(table) for table in tables)
        # The base first: a delta saved after it names it (the one before, another).
        self._write(_base_name(name), (token, plain), shared)
        self._write(name, (rest, token, tuple(({}, ()) for _ in tables)))
        self._split[name] = (token, tuple(({}, ()) for _ in tables), list(tables))
        return list(plain)

    @property
    def outputs(self) -> dict[str, OutputRecord]:
        """The last build's output files: path -> OutputRecord."""
        if self._outputs is None:
            # In place: raw_outputs and outputs are one dict of records (tuples both).
            # Each value replaced as it is read (no key added or removed), in C.
            raw = self.raw_outputs
            raw.update(zip(raw, map(_new_record, raw.values())))
            self._outputs = raw
        return self._outputs

    @outputs.setter
    def outputs(self, records: dict[str, OutputRecord]) -> None:
        self._outputs = records

    def _save_memo(self) -> None:
        """Rewrite the memo shards that gained pieces (dropping the pieces no longer
        used, there and, when this process read the memo, in every shard)."""
        new: dict[str, dict[str, bytes]] = {}
        for key, value in self._memo_new.items():
            new.setdefault(shard_of(key), {})[key] = value
        shards = set(new)
        if self._memo_stale:  # not read: what each shard holds is not known
            shards = set(SHARDS)
        elif self._memo is not None:  # read here, not in a worker: its unused keys are known
            shards |= {shard_of(key) for key in self._memo if key not in self._memo_used}
        for shard in sorted(shards):
            loaded = None if self._memo_stale else self._read(f"memo-{shard}.pickle")
            pieces = loaded if isinstance(loaded, dict) else {}
            pieces.update(new.get(shard, {}))
            self._write(f"memo-{shard}.pickle",
                        {k: v for k, v in pieces.items() if k in self._memo_used})

    # ----- input files ---------------------------------------------------------------
    def file_digest(self, path: "Path | str", name: str) -> str:
        """Digest of a file's bytes, once per build; a file's size, mtime and inode stand
        for its bytes only when it was last changed well before it was digested."""
        if name in self._digests:
            return self._digests[name]
        self._digests[name] = value = self._file_digest(path, name)
        return value

    def _file_digest(self, path: "Path | str", name: str, st: os.stat_result | None = None) -> str:
        st = st or os.stat(path)  # following links, as reading does
        known = self.files.get(name)
        if known and known[:3] == (st.st_size, st.st_mtime_ns, st.st_ino):
            self._seen[name] = known
            return known[3]
        with open(path, "rb") as handle:
            (record, value), _ = file_record(st, handle.read())
        if record is not None:
            self._seen[name] = record
        return value

    def folder_digest(self, folders: list[Path], label: str,
                      listed: list[str] | None = None) -> str:
        """One digest of every file under `folders`: names and contents. `listed`: the
        files as listed earlier (see Incremental.scan), those gone since included."""
        entries = []
        site = str(self.site_dir) + os.sep
        cut, slash = len(site), os.sep == "/"
        # file_digest inlined for the common case, a file as it was (10,000 at 10k).
        digests, files, seen, stat = self._digests, self.files, self._seen, os.stat
        read = self.read_digests
        for folder in folders:
            for path in (_files_under(str(folder)) if listed is None else listed):
                name = ((path[cut:] if slash else path[cut:].replace(os.sep, "/"))
                        if path.startswith(site) else path)
                value = digests.get(name)
                if value is None and name in read:  # digested where it was read
                    record, value = read.pop(name)
                    if record is not None:
                        seen[name] = record
                    digests[name] = value
                elif value is None:
                    try:
                        st = stat(path)
                    except FileNotFoundError:  # gone since listed: no next scan matches
                        entries.append((name, None))
                        continue
                    known = files.get(name)
                    if (known and known[1] == st.st_mtime_ns and known[0] == st.st_size
                            and known[2] == st.st_ino):  # (as known[:3] == ..., no tuples)
                        seen[name] = known
                        digests[name] = value = known[3]
                    else:  # (its stat known: a first build digests every file)
                        digests[name] = value = self._file_digest(path, name, st)
                entries.append((name, value))
        # (marshalled: its repr took three times as long, for 10,000 files)
        return digest(label, marshal.dumps(entries, 2))

    # ----- loaded posts --------------------------------------------------------------
    @property
    def posts(self):
        """The cached posts (a post_cache.PostStore): read on first use."""
        if self._posts is None:
            from resnetgen.post_cache import PostStore  # noqa: PLC0415
            self._posts = PostStore.load(self)
        return self._posts

    def set_post(self, path: str, cached: CachedPost) -> None:
        self.posts.set(path, cached)

    def keep_posts(self, paths: set[str]) -> None:
        """Forget the posts of files that are gone (deleted, renamed)."""
        self.posts.keep(paths)

    def compiled_templates(self) -> Path | None:
        """A folder for Jinja's compiled templates, one per resnetgen code (Jinja checks
        each template's source and its own and Python's versions itself)."""
        import shutil  # noqa: PLC0415  (here, as jinja2: only builds that render get here)

        import jinja2  # noqa: PLC0415
        folder = self.folder / f"templates-{digest(self.code, jinja2.__version__)[:16]}"
        try:
            for old in self.folder.glob("templates-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    # ----- pieces of site-wide outputs ---------------------------------------------------
    def memo(self, key: str, make: Callable[[], bytes], stale: bool = False) -> bytes:
        """The bytes made under `key` in an earlier build, else make() (kept for the next).
        `stale`: no piece kept can be one of this build's (their keys cover the templates
        and settings, which changed): none is read (20 MB at 10,000 chats, beside the 20
        MB made again), and every shard is written again without them."""
        if self._memo is None:
            self._memo = {}
            if stale:
                self._memo_stale = True
            for shard in SHARDS if not stale else ():
                loaded = self._read(f"memo-{shard}.pickle")
                self._memo.update(loaded if isinstance(loaded, dict) else {})
        self._memo_used.add(key)
        value = self._memo.get(key)
        if not isinstance(value, bytes):
            value = self._memo[key] = self._memo_new[key] = make()
        return value

    def read_file(self, name: str) -> Any:
        """Another module's cache file (cards.py's `cards-0.marshal`...): its data, or None
        when missing or not to be trusted (that file alone is then done without)."""
        return self._read(name, discard=False)

    def write_file(self, name: str, data: Any) -> None:
        try:
            self._write(name, data)
        except OSError:
            pass  # a read-only site folder still builds, just without a cache

    def link_index(self) -> Any:
        """The link check's index of the last build that passed it (see linkindex)."""
        from resnetgen.linkindex import from_plain  # noqa: PLC0415
        loaded = self._read_split("linkindex.marshal", 2)
        if loaded is None:
            return None
        try:
            index = from_plain(loaded)
        except (TypeError, ValueError):
            self._discard("linkindex.marshal has an unexpected shape")
            return None
        # Its tables as the index holds them (the files written: a frozenset), for the
        # next save to compare with (see _write_split).
        token, deltas, _ = self._split["linkindex.marshal"]
        self._split["linkindex.marshal"] = (token, deltas, [index.written, index.entries])
        return index

    def save_link_index(self, index: Any) -> None:
        """The link index alone, now (a forked process writes it beside `save`)."""
        from resnetgen.linkindex import to_plain  # noqa: PLC0415
        rest, tables = to_plain(index)
        self._write_split("linkindex.marshal", rest, tables)

    def set_link_index(self, index: Any) -> None:
        """Saved with the rest of the cache (the build passed its link check)."""
        self._link_index = index

    def save_memo(self) -> None:
        """The memo's pieces this build made and used, written now by the process that
        made them (20 MB at 10,000 chats need not travel to the main one); `save` then
        has none to write. Pieces are keyed on what they are made from, so they stay
        good for a later build even if this one fails."""
        if self._memo_used:
            try:
                self._save_memo()
            except OSError:
                pass  # a read-only site folder still builds, just without a cache
        self._memo_new, self._memo_used = {}, set()

    def memo_state(self) -> tuple[dict[str, bytes], set[str]]:
        """What this build added to and used of the memo: to hand from a worker process."""
        return self._memo_new, self._memo_used

    def adopt_memo(self, state: tuple[dict[str, bytes], set[str]]) -> None:
        new, used = state
        self._memo_new.update(new)
        self._memo_used |= used


BASE_SHARE, DELTA_MIN = 8, 256  # see _write_split: changes of 1/8 of the entries, or 256
_MISSING = object()


def _base_name(name: str) -> str:
    """The file of a split file's base (see BuildCache._write_split)."""
    return name.replace(".marshal", "-base.marshal")


def _changes(table: "dict | set | frozenset", before: "dict | set | frozenset"
             ) -> tuple[dict, "set | Any"]:
    """(the entries of `table` new or changed since `before`, plain; the keys removed)."""
    if not isinstance(table, dict):
        return dict.fromkeys(table - before), before - table  # type: ignore[operator]
    get = before.get
    changed = {key: (value if type(value) is not OutputRecord else tuple(value))
               for key, value in table.items()
               if (old := get(key, _MISSING)) is not value and old != value}
    return changed, before.keys() - table.keys()


def _plain(table: "dict | set | frozenset") -> dict:
    """A table as marshal saves it: a set's keys with None, records as plain tuples."""
    if not isinstance(table, dict):
        return dict.fromkeys(table)
    if any(type(value) is OutputRecord for value in table.values()):
        return dict(zip(table, map(tuple, table.values())))  # (in C)
    return table


def file_record(st: os.stat_result, data: bytes) -> tuple[tuple, bytes]:
    """((record for BuildCache.files, or None when the file changed too recently for its
    stat to stand for its bytes; digest), data) of a file's bytes read after `st`."""
    value = digest(data)
    if st.st_mtime_ns < time.time_ns() - RACY_SECONDS * 10**9:
        return ((st.st_size, st.st_mtime_ns, st.st_ino, value), value), data
    return (None, value), data


def read_digested(path: str) -> tuple[tuple, bytes]:
    """A file's bytes with `file_record`'s (record, digest): for a process that reads
    the file anyway (a loader's worker), so the scan need not read it too."""
    # os's own calls, not open()'s file objects (which stat it twice more): 5 us a file.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        st = os.fstat(descriptor)  # before reading, as _file_digest: never newer bytes
        chunks, wanted = [], st.st_size + 1
        while chunk := os.read(descriptor, wanted):
            chunks.append(chunk)
            wanted = 1 << 16
    finally:
        os.close(descriptor)
    return file_record(st, chunks[0] if len(chunks) == 1 else b"".join(chunks))


def shard_of(path: str) -> str:
    return hashlib.blake2b(path.encode(), digest_size=1).hexdigest()[0]


def _files_under(root: str) -> list[str]:
    """The path of every file under root, sorted. An input folder may hold a link to
    another folder: the loader reads through it (source.discover), so its files are
    inputs too, not the link a file. (walk_files's, without the relative names and the
    generators it does not need: every build lists its content.)"""
    found: list[str] = []
    folders = [root]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    (folders if entry.is_dir() else found).append(entry.path)
        except (FileNotFoundError, NotADirectoryError):
            pass
    found.sort()
    return found


def walk_files(root: str, prefix: str = "", follow: bool = False):
    """(path relative to root, '/'-separated; its DirEntry) of every file under root;
    `follow`: into linked folders too. scandir's entries know their kind without a
    system call each."""
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=follow):
            yield from walk_files(entry.path, prefix + entry.name + "/", follow)
        else:
            yield prefix + entry.name, entry


def folder_mtime(root: str, folder: str) -> int:
    """The mtime of a folder of output/ ('' for output/ itself, which may be a link to
    the folder a web server serves: its target's mtime is the one that changes)."""
    return (os.lstat(f"{root}/{folder}") if folder else os.stat(root)).st_mtime_ns
