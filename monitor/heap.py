"""Handing freed heap back to the system (glibc only; a no-op elsewhere).

A catch-up batch (hundreds of mentions scored at once after a rate-limit window) frees its buffers, but glibc
keeps the freed pages in its arenas: the soak saw RSS step up ~100 MB and stay there.  ``malloc_trim(0)``
returns them.  It costs a few milliseconds at most, so it runs after every scoring job, after large scoring
batches (the workers too) and on the heartbeat.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def trim() -> bool:
    """Return free heap pages to the system; False where the C library has no ``malloc_trim`` (musl, macOS)."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_arenas(count: int = 2) -> bool:
    """At most ``count`` malloc arenas: each scheduler thread otherwise grows its own (up to 8 a core), and freed
    memory in one serves no other (the soak's RSS crept about half as fast with two).  Call before threads start."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))


M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024


def pin_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Blocks of ``size`` and more always get their own mapping, returned to the system when freed.  glibc's
    default threshold rises to the largest block freed so far (up to 32 MB): after a catch-up batch's buffers, the
    same sizes land in the arenas and leave free pages held there (the soak's glibc free memory rose after each
    fault window).  Setting it also pins the trim threshold (128 KiB).  Call before threads start."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, size))


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def mallinfo() -> tuple[int, int] | None:
    """glibc's heap: bytes in use (arenas + mmapped chunks) and bytes free in the arenas; None off glibc."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd), int(info.fordblks)


def sqlite_memory() -> int | None:
    """Bytes the process's SQLite library holds now (page caches, statements); None when not loaded."""
    import sqlite3  # the module links the library this finds

    name = getattr(sqlite3, "__file__", None) and ctypes.util.find_library("sqlite3")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if lib is None or not hasattr(lib, "sqlite3_memory_used"):
        return None
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())
