"""Dev-only memory tracing for soak runs: what grows in the service's Python heap.

Set ``GROUNDSWELL_TRACEMALLOC=/some/file.txt`` (and optionally ``GROUNDSWELL_TRACEMALLOC_MINUTES``, default 5)
and `groundswell run` starts ``tracemalloc`` and appends, every N minutes, the top allocations by line and the
top growth by line since the first dump.  Costs CPU and memory; never for production (see benchmarks/soak.py).
Each dump's first line also gives what tracemalloc cannot see (``native``): RSS, anonymous memory, glibc's heap
in use and free, SQLite's memory.  ``GROUNDSWELL_TRACEMALLOC_FRAMES=0`` writes only that line, tracing nothing
(an untraced soak's figures: 25-minute soaks grew 2.4 MB/min traced, 0.8 untraced).
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

from monitor import heap

TOP = 25


def start_from_env() -> threading.Thread | None:
    """A daemon thread dumping snapshots when the variable is set; None (nothing started) otherwise."""
    target = os.environ.get("GROUNDSWELL_TRACEMALLOC", "").strip()
    if not target:
        return None
    minutes = float(os.environ.get("GROUNDSWELL_TRACEMALLOC_MINUTES", "5") or 5)
    frames = int(os.environ.get("GROUNDSWELL_TRACEMALLOC_FRAMES", "1") or 0)
    if frames > 0:  # 0: the native figures alone, without tracing's own cost (an untraced soak's RSS)
        tracemalloc.start(frames)
    thread = threading.Thread(target=_loop, args=(Path(target), minutes * 60), daemon=True, name="memtrace")
    thread.start()
    return thread


def _loop(path: Path, seconds: float) -> None:
    first: tracemalloc.Snapshot | None = None
    began = time.monotonic()
    while True:
        time.sleep(seconds)
        first = tick(path, first, time.monotonic() - began)


def tick(path: Path, first: tracemalloc.Snapshot | None, elapsed: float) -> tracemalloc.Snapshot | None:
    """One dump: the native figures alone when nothing is traced; returns the first snapshot to compare with."""
    if not tracemalloc.is_tracing():
        with path.open("a", encoding="utf-8") as out:
            out.write(f"=== t={elapsed / 60:.1f} min {native()}\n")
        return None
    snapshot = _snapshot()
    dump(path, snapshot, first or snapshot, elapsed)
    return first or snapshot


def _snapshot() -> tracemalloc.Snapshot:
    return tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")))


def dump(path: Path, snapshot: tracemalloc.Snapshot, first: tracemalloc.Snapshot, elapsed: float) -> None:
    """Append the top lines and the top growth since ``first`` to ``path``."""
    traced, peak = tracemalloc.get_traced_memory()
    lines = [f"=== t={elapsed / 60:.1f} min traced={traced / 2**20:.1f} MB peak={peak / 2**20:.1f} MB {native()}"]
    lines += ["-- top by line"] + [str(s) for s in snapshot.statistics("lineno")[:TOP]]
    lines += ["-- growth since first dump"] + [str(d) for d in snapshot.compare_to(first, "lineno")[:TOP]]
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def native() -> str:
    """RSS and anonymous memory (/proc) and glibc's heap in use / free: growth that tracemalloc cannot see."""
    fields: dict[str, int] = {}
    for name in ("/proc/self/smaps_rollup", "/proc/self/status"):
        try:
            for line in Path(name).read_text().splitlines():
                key, _, value = line.partition(":")
                if value.strip().endswith("kB"):
                    fields.setdefault(key, int(value.split()[0]))
        except OSError:
            continue
    info = heap.mallinfo()
    glibc = f" malloc_used={info[0] / 2**20:.1f} MB malloc_free={info[1] / 2**20:.1f} MB" if info else ""
    sqlite = heap.sqlite_memory()
    sqlite_text = f" sqlite={sqlite / 2**20:.1f} MB" if sqlite is not None else ""
    return (f"rss={fields.get('Rss', 0) / 1024:.1f} MB anon={fields.get('Anonymous', 0) / 1024:.1f} MB"
            f"{glibc}{sqlite_text}")
