"""The build cache's loaded posts: `posts-X.marshal` and `bodies-X.marshal` (X: 0-f, by
a digest of the path, so an edit rewrites one sixteenth of them).

- posts: per source file, (key, listing digest, links looked up, warnings, the Post
  without its body as plain data: see post_codec). Read whole on a rebuild, decoded
  only where the key still matches.
- bodies: per source file, (the post's digest, rendered body, zlib-compressed). The
  digest covers the links the body looked up, which the key does not: a body saved
  before a link target moved is never taken for the new one. Never read whole: a cached Post's
  body is a models.Later, read from its shard by the process that shows it (the render
  worker of its page, the feeds), so a rebuild's main process holds no bodies.

A shard that cannot be read, or an entry of the wrong shape, is never trusted: a
posts shard discards the cache (as any other cache file does); a body missing or
unreadable is rendered again from its source file (`fallback`).
"""

from __future__ import annotations

import pickle
from functools import partial
from typing import TYPE_CHECKING, Callable

from resnetgen.cache import SHARDS, CachedPost, shard_of
from resnetgen.models import Later, Packed
from resnetgen.post_codec import from_plain, problems_from_plain, problems_to_plain, to_plain

if TYPE_CHECKING:
    from resnetgen.cache import BuildCache



class PostStore:
    def __init__(self, cache: "BuildCache"):
        self.cache = cache
        self.records: dict[str, tuple] = {}       # path -> plain record, as read, till decoded
        self.known: set[str] = set()              # paths of the records read
        self.used: dict[str, CachedPost] = {}     # decoded or made by this build
        self.made: set[str] = set()               # ... made by this build
        self.dirty: set[str] = set()              # shards to write back
        self._bodies: dict[str, dict] = {}        # shard -> {path: (key, body)}, as read
        self.fallback: Callable[[str], str] | None = None  # path -> body, made afresh
        self._reader: Callable[[str, str], "str | Packed"] | None = None  # self.body

    @classmethod
    def load(cls, cache: "BuildCache") -> "PostStore":
        store = cls(cache)
        for shard in SHARDS:
            loaded = _read_shard(cache, f"posts-{shard}.marshal")
            if loaded is not None and not isinstance(loaded, dict):
                cache._discard(f"posts-{shard}.marshal has an unexpected shape")
                return cls(cache)
            if cache.discarded:
                return cls(cache)
            store.records.update(loaded or {})
        store.known = set(store.records)
        return store

    def get(self, path: str, key: str) -> "CachedPost | None":
        """The cached post of `path`, if it was made under `key`."""
        cached = self.used.get(path)
        if cached is not None:
            return cached if cached.key == key else None
        record = self.records.get(path)
        if type(record) is not tuple or len(record) != 6 or record[0] != key:
            return None
        del self.records[path]  # decoded: the Post holds it now (16 MiB at 10k posts)
        reader = self._reader
        if reader is None:  # one bound method for every post's Later
            reader = self._reader = self.body
        cached = _decoded(record, path, key, reader)
        if cached is None:  # a record of the wrong shape: read the file again
            self.dirty.add(shard_of(path))
            return None
        self.used[path] = cached
        return cached

    def set(self, path: str, cached: "CachedPost") -> None:
        self.used[path] = cached
        self.made.add(path)
        self.dirty.add(shard_of(path))

    def keep(self, paths: set[str]) -> None:
        """Forget the posts of files that are gone (deleted, renamed)."""
        for gone in [p for p in self.known if p not in paths]:
            self.known.discard(gone)
            self.records.pop(gone, None)
            self.used.pop(gone, None)
            self.dirty.add(shard_of(gone))

    def _shard_bodies(self, shard: str) -> dict:
        """A bodies shard, {path: (post digest, compressed body)}, read once."""
        bodies = self._bodies.get(shard)
        if bodies is None:
            loaded = self.cache._read(f"bodies-{shard}.marshal", discard=False)
            bodies = self._bodies[shard] = loaded if isinstance(loaded, dict) else {}
        return bodies

    def body(self, path: str, post_digest: str) -> "str | Packed":
        """A cached post's body: from its shard if saved with this post, else rendered
        again (a save cut short can leave a shard's bodies older than its posts)."""
        packed = _packed_body(self._shard_bodies(shard_of(path)).get(path), post_digest)
        if packed is not None:
            return Packed(packed)  # inflated where shown (the shard's CRC vouches for it)
        if self.fallback is None:
            raise RuntimeError(f"the cached body of {path} cannot be read")
        return self.fallback(path)

    def save(self) -> None:
        """Write back the shards that changed: the posts used by this build only (a file
        changed but not read cleanly again is read again next time)."""
        by_shard: dict[str, list] = {shard: [] for shard in self.dirty}
        for path in self.made:
            by_shard[shard_of(path)].append(path)
        for shard in sorted(self.dirty):
            # A post decoded from this shard is written back as the record it was
            # decoded from (read again: not kept in memory), the others encoded afresh.
            old = _read_shard(self.cache, f"posts-{shard}.marshal", discard=False)
            old = old if isinstance(old, dict) else {}
            paths = sorted({*old, *by_shard[shard]})
            posts, bodies = {}, {}
            old_bodies = None
            for path in paths:
                cached = self.used.get(path)
                if cached is None:
                    continue  # gone, or not read cleanly
                record = old.get(path)
                if (path not in self.made and type(record) is tuple and len(record) == 6
                        and record[0] == cached.key and record[5] == cached.digest):
                    posts[path] = record
                    # its body as saved, not read into its Post to be saved again
                    if old_bodies is None:
                        old_bodies = self._shard_bodies(shard)
                    entry = old_bodies.get(path)
                    if _packed_body(entry, cached.digest) is not None:
                        bodies[path] = entry
                        continue
                else:
                    posts[path] = self._record(cached)
                bodies[path] = (cached.digest, cached.post.packed_body())
            _forget_shard(self.cache, f"posts-{shard}.marshal")
            self.cache._write(f"posts-{shard}.marshal", posts)
            self.cache._write(f"bodies-{shard}.marshal", bodies)
            del posts, bodies, old
            self._bodies.pop(shard, None)  # read for this save: not kept (read again if asked)
        self.saved()

    def saved(self) -> None:
        """The shards are written, by `save` or by another process (see
        build.save_posts_aside): nothing is left to write, and a second `save` writes
        nothing (it filed `made` under `dirty` shards, so the two are cleared together)."""
        self.dirty.clear()
        self.made.clear()

    @staticmethod
    def _record(cached: "CachedPost") -> tuple:
        try:
            warnings = problems_to_plain(cached.warnings)
        except Exception:
            warnings = pickle.dumps(cached.warnings, pickle.HIGHEST_PROTOCOL)
        return (cached.key, cached.listing, cached.lookups, warnings, to_plain(cached.post),
                cached.digest)


# ----- one post at a time: a quick rebuild's (see quick_edit) --------------------------

def read_one(cache: "BuildCache", path: str, key: str) -> "CachedPost | None":
    """The cached post of `path` if made under `key`, read from its shard alone (its
    body left out: ''), without loading the store. The shard is kept (`_read_shard`):
    when the edit is not a quick one, the full build reads and writes it again."""
    name = f"posts-{shard_of(path)}.marshal"
    loaded = _read_shard(cache, name, discard=False)
    if isinstance(loaded, dict):
        cache.shard_read = (name, loaded)
    return _decoded(loaded.get(path) if isinstance(loaded, dict) else None, path, key)


def _read_shard(cache: "BuildCache", name: str, discard: bool = True):
    """A posts shard's data: as `read_one` kept it, else read (never changed by its
    readers: the store copies its records, `save` reads them)."""
    kept = cache.shard_read
    if kept is not None and kept[0] == name:
        return kept[1]
    return cache._read(name, discard=discard)


def _forget_shard(cache: "BuildCache", name: str) -> None:
    """Before `name` is written: the data kept of it is no longer the file's."""
    if cache.shard_read is not None and cache.shard_read[0] == name:
        cache.shard_read = None


def read_some(cache: "BuildCache", keys: dict[str, str]) -> "dict[str, CachedPost] | None":
    """`read_one` of each path in `keys` (path -> key), with its body, each shard read
    once: None when one of them is not there."""
    by_shard: dict[str, list[str]] = {}
    for path in keys:
        by_shard.setdefault(shard_of(path), []).append(path)
    found = {}
    for shard, paths in sorted(by_shard.items()):
        posts = _read_shard(cache, f"posts-{shard}.marshal", discard=False)
        bodies = cache._read(f"bodies-{shard}.marshal", discard=False)
        if not isinstance(posts, dict) or not isinstance(bodies, dict):
            return None
        for path in paths:
            cached = _decoded(posts.get(path), path, keys[path])
            packed = _packed_body(bodies.get(path), cached.digest) if cached else None
            if packed is None:
                return None
            found[path] = cached._replace(post=cached.post.but(body_html=Packed(packed)))
    return found


def _decoded(record, path: str, key: str, reader: "Callable[[str, str], str | Packed] | None"
             = None) -> "CachedPost | None":
    """A post's record in its shard, decoded, if made under `key` and of the right
    shape; its Post's body `reader(path, post digest)` when first read, else ''."""
    if type(record) is not tuple or len(record) != 6 or record[0] != key:
        return None
    try:
        _, listing, lookups, warnings, plain, post_digest = record
        post = from_plain(plain, "" if reader is None else Later(reader, path, post_digest))
        warnings = (() if warnings == () else pickle.loads(warnings) if type(warnings) is bytes
                    else problems_from_plain(warnings))
        if post.source_path != path or type(lookups) is not tuple or type(post_digest) is not str:
            return None
    except Exception:
        return None
    return _cached_post((post, lookups, warnings, key, listing, post_digest))


# CachedPost(...) without its Python __new__ (10,000 a rebuild): a tuple of its 6 fields.
_cached_post = partial(tuple.__new__, CachedPost)


def _packed_body(entry, post_digest: str) -> "bytes | None":
    """A bodies shard's entry (the post's digest, its compressed body), if it is the
    body of the post of that digest."""
    if type(entry) is tuple and len(entry) == 2 and entry[0] == post_digest \
            and type(entry[1]) is bytes:
        return entry[1]
    return None


def write_one(cache: "BuildCache", path: str, cached: CachedPost) -> None:
    """Replace the records of one post in its shards, the other posts' as they were
    saved; when a shard cannot be read, nothing is written (the post is then read
    again by the next build, its key no longer the cached one's)."""
    shard = shard_of(path)
    posts = cache._read(f"posts-{shard}.marshal", discard=False)
    bodies = cache._read(f"bodies-{shard}.marshal", discard=False)
    if not isinstance(posts, dict) or not isinstance(bodies, dict):
        return
    posts[path] = PostStore._record(cached)
    bodies[path] = (cached.digest, cached.post.packed_body())
    _forget_shard(cache, f"posts-{shard}.marshal")
    try:
        cache._write(f"posts-{shard}.marshal", posts)
        cache._write(f"bodies-{shard}.marshal", bodies)
    except OSError:
        pass  # a full disk or a read-only cache: as the cache's save, output/ is written
        # (a shard written alone reads as its body missing: that post is read again)
