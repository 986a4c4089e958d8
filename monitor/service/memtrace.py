"""Dev-only memory tracing for soak runs: what grows in the service's Python heap.

Set ``GROUNDSWELL_TRACEMALLOC=/some/file.txt`` (and optionally ``GROUNDSWELL_TRACEMALLOC_MINUTES``, default 5)
and `groundswell run` starts ``tracemalloc`` and appends, every N minutes, the top allocations by line and the
top growth by line since the first dump.  Costs CPU and memory; never for production (see benchmarks/soak.py).
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

TOP = 25


def start_from_env() -> threading.Thread | None:
    """A daemon thread dumping snapshots when the variable is set; None (nothing started) otherwise."""
    target = os.environ.get("GROUNDSWELL_TRACEMALLOC", "").strip()
    if not target:
        return None
    minutes = float(os.environ.get("GROUNDSWELL_TRACEMALLOC_MINUTES", "5") or 5)
    tracemalloc.start(int(os.environ.get("GROUNDSWELL_TRACEMALLOC_FRAMES", "1") or 1))
    thread = threading.Thread(target=_loop, args=(Path(target), minutes * 60), daemon=True, name="memtrace")
    thread.start()
    return thread


def _loop(path: Path, seconds: float) -> None:
    first: tracemalloc.Snapshot | None = None
    began = time.monotonic()
    while True:
        time.sleep(seconds)
        snapshot = _snapshot()
        first = first or snapshot
        dump(path, snapshot, first, time.monotonic() - began)


def _snapshot() -> tracemalloc.Snapshot:
    return tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")))


def dump(path: Path, snapshot: tracemalloc.Snapshot, first: tracemalloc.Snapshot, elapsed: float) -> None:
    """Append the top lines and the top growth since ``first`` to ``path``."""
    traced, peak = tracemalloc.get_traced_memory()
    lines = [f"=== t={elapsed / 60:.1f} min traced={traced / 2**20:.1f} MB peak={peak / 2**20:.1f} MB"]
    lines += ["-- top by line"] + [str(s) for s in snapshot.statistics("lineno")[:TOP]]
    lines += ["-- growth since first dump"] + [str(d) for d in snapshot.compare_to(first, "lineno")[:TOP]]
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
