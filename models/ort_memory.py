"""How the ONNX sessions hold their working memory (issue #17): onnxruntime's CPU arena, shrunk after each call.

Without the arena every tensor is a malloc: scoring a catch-up batch of real posts peaked at 755 MB RSS and
cost more CPU.  With the arena alone the largest batch's buffers stay held for good (474 MB kept after the
run; the soak's +57 MB step).  With the arena and ``memory.enable_memory_arena_shrinkage`` on the last batch
of each call, the arena hands its free regions back once the call is done: 469 MB peak, 256 MB kept
(``benchmarks/pipeline_throughput.py`` on real posts).  Shrinking after every batch cost ~4 % more CPU for
little; an arena that grows by what it is asked for (kSameAsRequested, an env-wide allocator) peaked higher.

``GROUNDSWELL_ORT_ARENA`` (dev only, for side-by-side benchmarks): ``shrink`` (default), ``off`` (no arena,
the setting before) or ``on`` (arena, never shrunk).
"""

from __future__ import annotations

import os
from typing import Any

SHRINK_KEY = "memory.enable_memory_arena_shrinkage"
MODES = ("shrink", "off", "on")


def arena_mode() -> str:
    """The arena setting for new sessions (an unknown value falls back to the default)."""
    value = os.environ.get("GROUNDSWELL_ORT_ARENA", "shrink").strip().lower()
    return value if value in MODES else "shrink"


def session_options(ort: Any, threads: int) -> Any:
    """Options shared by the sentiment and sentence-vector sessions."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = arena_mode() != "off"
    # No busy-waiting threads: on a shared 2-core box spinning halved throughput (185 vs 325/s).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def shrink_options(ort: Any) -> Any:
    """Run options for a call's last batch: the arena's free regions go back to the system (None: no arena
    to shrink; onnxruntime refuses the key when the arena is off)."""
    if arena_mode() != "shrink":
        return None
    run = ort.RunOptions()
    run.add_run_config_entry(SHRINK_KEY, "cpu:0")
    return run
