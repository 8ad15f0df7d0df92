"""The C allocator (glibc's malloc) told to hand memory back to the system.

A build's peak memory is what the bench and a small server see. glibc keeps the blocks
Python frees, and by default raises the size from which it maps a block on its own
(up to 32 MB) every time a mapped block is freed: after the first large page is made,
the next ones (the events page, 6 MB at 10,000 posts; a cache file's 4.5 MB of
records) come from the heap, which grows and keeps them. With that size fixed, blocks
from 1 MiB up are mapped and unmapped (a realloc of one moves no bytes), and the heap
gives its free top back. `trim()` hands back the free pages inside the heap too: called
where a build has just let go of much (a listing worker's cards, before the cache is
saved). Elsewhere than glibc, both do nothing.
"""

from __future__ import annotations

M_MMAP_THRESHOLD = -3   # mallopt's parameter numbers (malloc.h)
MAP_FROM = 1 << 20      # 1 MiB: 256 KiB and 128 KiB measured 3-4 MiB higher at 10k

_libc = None


def _glibc():
    global _libc
    if _libc is None:
        try:
            import ctypes
            libc = ctypes.CDLL(None)
            _libc = libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else False
        except (ImportError, OSError):
            _libc = False
    return _libc


def settle() -> None:
    """Fix the size from which blocks are mapped (inherited by forked processes)."""
    libc = _glibc()
    if libc:
        libc.mallopt(M_MMAP_THRESHOLD, MAP_FROM)


def trim() -> None:
    """Give the heap's free pages back to the system."""
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)
