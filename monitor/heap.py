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
