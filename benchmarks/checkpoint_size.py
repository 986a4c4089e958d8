"""Detector checkpoint size and encode/decode cost for one busy brand (synthetic, diverse text).

Usage: ``nice python benchmarks/checkpoint_size.py [--per-day 10000] [--hours 8] [--repeat 5]``.  Feeds a
brand's detector 5-minute batches for ``hours`` and prints JSON: the compressed checkpoint, what it is made
of (each part pickled and zlib-compressed on its own), and the CPU milliseconds to encode and decode it
(paid on every detection pass, and on a hand-over): the median of ``repeat`` runs, and the first.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection import checkpoint  # noqa: E402
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402

WORDS = ["outage", "down", "slow", "billing", "refund", "app", "crash", "wifi", "router", "support", "great", "love",
         "thanks", "price", "plan", "phone", "tv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=5, help="encode/decode this many times; the median is shown")
    parser.add_argument("--post-ids", action="store_true",
                        help="give each mention its post id, as the pipeline does since replies join stories")
    args = parser.parse_args()
    if args.per_day < 288 or args.hours <= 0 or args.repeat < 1:
        parser.error("--per-day must be at least 288, --hours above 0 and --repeat at least 1")
    rng, start = random.Random(3), datetime(2026, 11, 1, tzinfo=UTC)
    detector, number = BrandDetector(BrandConfig.for_sensitivity("default")), 0
    for step in range(int(args.hours * 12)):
        now = start + timedelta(minutes=5 * (step + 1))
        batch = []
        for _ in range(args.per_day // 288):
            number += 1
            negative = rng.random() < 0.3
            batch.append(Observation(
                posted_at=now - timedelta(seconds=rng.random() * 300), author_id=f"x:{rng.randrange(20_000)}",
                negative_weight=0.9 if negative else 0.1, is_negative=negative,
                text=" ".join(rng.choice(WORDS) for _ in range(10)) + f" {number}", followers=rng.randrange(1000),
                story_key=None, ref=str(number), churn_threat=False,
                post_id=f"1{number:018d}" if args.post_ids else None))
        detector.run(batch, now)
    encodes, decodes = [], []
    for _ in range(args.repeat):  # the median of a few: the machine is shared
        began = time.process_time()
        blob = checkpoint.encode(detector)
        encoded = time.process_time()
        checkpoint.decode(blob)
        decodes.append(time.process_time() - encoded)
        encodes.append(encoded - began)
    parts = {name: round(len(zlib.compress(pickle.dumps(value, protocol=5), 1)) / 1024, 1)
             for name, value in vars(detector).items()}
    print(json.dumps({"per_day": args.per_day, "hours": args.hours, "mentions": number,
                      "stories_held": len(detector.stories.stories), "checkpoint_kb": round(len(blob) / 1024, 1),
                      "encode_cpu_ms": round(statistics.median(encodes) * 1000, 1),
                      "decode_cpu_ms": round(statistics.median(decodes) * 1000, 1),
                      "first_encode_cpu_ms": round(encodes[0] * 1000, 1), "repeat": args.repeat,
                      "largest_parts_kb": dict(sorted(parts.items(), key=lambda p: -p[1])[:3])}, indent=2))


if __name__ == "__main__":
    main()
