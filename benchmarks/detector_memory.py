"""What a brand's detector holds as a soak-like stream runs for hours or days (issue #17's RSS slope), as JSON.

    python benchmarks/detector_memory.py --hours 2 --per-minute 120     # the soak's feed: 2 posts a second
    python benchmarks/detector_memory.py --hours 96 --per-minute 6 --step 300 --every 12   # four days: flattens

A real ``BrandDetector`` is fed as the soak feeds the service (benchmarks/soak.py): every 10 simulated seconds
a batch of posts with one text repeated but for a number, each from a new author, and every 60th post a churn
threat in random words from a 900k-follower account.  Every ``--every`` hours it prints the Python heap held
since the start (tracemalloc), the per-text caches' entries and the windowed state (dedupe keys, a story's
authors, stories); at the end the memory the caches held (cleared and measured) and the state's share.
Growth that stops once a window (6 h singletons, 24 h authors, 48 h dedupe keys) is full is bounded; growth
that does not is a leak.

Bounds (issue #17; ``--hours 96 --per-minute 6 --step 300 --every 12``, flat after 48 h, then scaled to the soak's
120 a minute): a dedupe key cost ~104 B as a dict entry, 36 MB at 48 h of the soak's feed; ids older than 10-20
minutes now sit in numpy arrays (monitor/detection/seen_keys.py, 16 B: ~6 MB at 48 h; this run's state 8.21 ->
6.64 MB).  A story's new author cost ~210 B (key, ``(first, weight)`` tuple, two floats, dict slot) and stays
24-48 h (authors are pruned to 24 h once they outnumber twice the recent ones): 12-17k entries here, 250-350k at
the soak's feed (50-75 MB).  An author's entry is now one ``complex(first, weight)`` (32 B instead of 104; ~140 B
an author with its key and slots: 35-49 MB at the soak's feed): this run's state 6.65 -> 5.53 MB, the heap at 96 h
8.73 -> 7.61 MB (16.6k authors), cpu_s 31.7-33.3 -> 22.1-23.5 (long recent lists filtered in numpy).  Smaller still
would take the author names out of Python strings (hashes in arrays: a checkpoint format change).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection import story_index, story_text, story_vectors  # noqa: E402
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402

CACHES = {"content_words": story_text._content_words, "clean_text": story_text.clean_text,
          "minhash": story_text._minhash, "band_keys": story_index._band_keys, "vectors": story_vectors.cached_vector}


def batch(n: int, now: datetime, step: timedelta, size: int, rng: random.Random) -> tuple[int, list[Observation]]:
    """One poll's posts, as the soak's feeder makes them."""
    out = []
    for i in range(size):
        n += 1
        at = now - step + step * i / size
        out.append(Observation(at, f"x:user{n}", 0.1, False, f"Acme new router arrived today, setting it up {n}",
                               followers=100, ref=str(n), post_id=f"p{n}"))
        if n % 60 == 0:
            words = " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
                             for _ in range(8))
            out.append(Observation(at, f"x:big{n}", 0.9, True, f"Acme {words} terrible, cancelling my subscription",
                                   followers=900_000, ref=f"{n}0", post_id=f"q{n}", churn_threat=True))
    return n, out


def sample(detector: BrandDetector, hours: float, base: int) -> dict[str, Any]:
    gc.collect()
    stories = detector.stories.stories
    return {"hour": round(hours, 2), "python_heap_mb": round((tracemalloc.get_traced_memory()[0] - base) / 2**20, 2),
            "cache_entries": {k: c.cache_info().currsize for k, c in CACHES.items()},
            "dedupe_keys": len(detector.seen), "story_authors": sum(len(s.authors) for s in stories.values()),
            "stories": len(stories), "complaint_authors": len(detector.complaints)}


def run(hours: float, per_minute: int, every: float, step_s: int = 10) -> dict[str, Any]:
    for cache in CACHES.values():
        cache.cache_clear()
    tracemalloc.start()
    base, began = tracemalloc.get_traced_memory()[0], time.process_time()
    detector, rng = BrandDetector(BrandConfig.for_sensitivity("default", 100_000)), random.Random(17)
    start, n, samples = datetime(2026, 12, 1, tzinfo=UTC), 0, []
    step, per_hour = timedelta(seconds=step_s), 3600 // step_s
    steps, per_step = int(hours * per_hour), max(1, per_minute * step_s // 60)
    for s in range(1, steps + 1):
        now = start + s * step
        n, observations = batch(n, now, step, per_step, rng)
        detector.run(observations, now)
        if s % max(1, int(every * per_hour)) == 0 or s == steps:
            samples.append(sample(detector, s / per_hour, base))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    for cache in CACHES.values():
        cache.cache_clear()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"hours": hours, "posts_per_minute": per_minute, "posts": n,
            "text_cache_entries": getattr(story_text, "TEXT_CACHE", None), "samples": samples,
            "caches_held_mb": round((held - after) / 2**20, 2),
            "state_mb": round((after - base) / 2**20, 2), "cpu_s": round(time.process_time() - began, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--per-minute", type=int, default=120, help="posts a minute (the soak: 120)")
    parser.add_argument("--every", type=float, default=0.5, help="hours between samples")
    parser.add_argument("--step", type=int, default=10, help="seconds between detection passes (the soak: 10)")
    args = parser.parse_args()
    print(json.dumps(run(args.hours, args.per_minute, args.every, args.step), indent=2))


if __name__ == "__main__":
    main()
