"""Memory the in-memory adaptive detector keeps per mention (what the soak's RSS slope is made of, in part).

    nice python benchmarks/detector_memory.py --batches 150 [--warmup 500] [--trace-after-warmup]

Feeds one ``BrandDetector`` the soak's traffic (two everyday mentions a second, near-identical texts,
20 per pass) and measures with tracemalloc what it still holds after a warm-up: bytes per mention and the
source lines that hold them.  The state is bounded by design (story authors 24 h, stories 48 h, seen ids
2 days), so RSS grows for hours before it levels off.  Prints JSON.

Tracing starts before the warm-up, so a bounded cache that is full by then (its entries replaced, not added)
counts nothing; ``--trace-after-warmup`` starts it after (the first version of this benchmark), which counts
such a cache's new entries but not the old ones they replace.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PER_PASS = 20


def batch(start: int) -> list[Observation]:
    return [Observation(posted_at=T0 + timedelta(seconds=(start + i) * 0.5), author_id=f"x:user{start + i}",
                        negative_weight=0.1, is_negative=False, followers=10, ref=str(start + i),
                        text=f"Acme new router arrived today, setting it up {start + i}") for i in range(PER_PASS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=150, help="measured passes of 20 mentions (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=500, help="passes of 20 mentions first (fills bounded caches)")
    parser.add_argument("--trace-after-warmup", action="store_true", help="start tracing after the warm-up")
    args = parser.parse_args()
    if args.batches < 1 or args.warmup < 0:
        parser.error("--batches must be at least 1 and --warmup at least 0")
    detector, n = BrandDetector(BrandConfig.for_sensitivity("default")), 0
    if not args.trace_after_warmup:
        tracemalloc.start(1)
    for _ in range(args.warmup):
        detector.run(batch(n), T0 + timedelta(seconds=(n + PER_PASS) * 0.5))
        n += PER_PASS
    if args.trace_after_warmup:
        tracemalloc.start(1)
    gc.collect()
    before = tracemalloc.take_snapshot()
    for _ in range(args.batches):
        detector.run(batch(n), T0 + timedelta(seconds=(n + PER_PASS) * 0.5))
        n += PER_PASS
    gc.collect()
    diff = tracemalloc.take_snapshot().compare_to(before, "lineno")
    mentions = args.batches * PER_PASS
    print(json.dumps({"mentions": mentions, "warmup_mentions": args.warmup * PER_PASS,
                      "traced_from": "after warm-up" if args.trace_after_warmup else "start",
 "bytes_per_mention": round(sum(s.size_diff for s in diff) / mentions),
                      "mb_per_hour_at_2_per_s": round(sum(s.size_diff for s in diff) / mentions * 7200 / 2**20, 1),
                      "top_lines": [{"where": f"{s.traceback[0].filename.split('/')[-1]}:{s.traceback[0].lineno}",
                                     "kib": round(s.size_diff / 1024)} for s in diff[:6]]}, indent=2))


if __name__ == "__main__":
    main()
