"""Detection speed: one huge 5-minute batch for one brand, and a pass over 100 brands with a few mentions each.

Usage: ``nice python benchmarks/detection_speed.py [--brands 100] [--batch 3500]``; prints JSON with wall and
CPU seconds (the machine is shared: CPU seconds are the figure to compare).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WORDS = ["outage", "billing", "router", "slow", "refund", "support", "app", "login", "wifi", "charge", "fibre",
         "speed", "help"]


def chatter(now: datetime, rng: random.Random, n: int, share: float, seq: list[int]) -> list[Observation]:
    out = []
    for _ in range(n):
        seq[0] += 1
        negative = rng.random() < share
        out.append(Observation(now - timedelta(seconds=rng.randint(1, 299)), f"u{rng.randint(0, 10**6)}",
                               0.9 if negative else 0.1, negative, " ".join(rng.choices(WORDS, k=9)),
                               ref=f"m{seq[0]}"))
    return out


def timed(work: object) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    return {"wall_s": round(time.perf_counter() - wall, 4), "cpu_s": round(time.process_time() - cpu, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brands", type=int, default=100)
    parser.add_argument("--batch", type=int, default=3500)
    args = parser.parse_args()
    rng, seq = random.Random(3), [0]
    big = BrandDetector(BrandConfig.for_sensitivity("default"))
    batch = chatter(T0, rng, args.batch, 0.15, seq)
    huge = timed(lambda: big.run(batch, T0))
    brands = [BrandDetector(BrandConfig.for_sensitivity("default")) for _ in range(args.brands)]
    batches = [chatter(T0 + timedelta(minutes=5), rng, 5, 0.15, seq) for _ in brands]

    def one_pass() -> None:
        for detector, mentions in zip(brands, batches, strict=True):
            detector.run(mentions, T0 + timedelta(minutes=5))

    many = timed(one_pass)
    print(json.dumps({"huge_batch": {"mentions": args.batch, **huge},
                      "brand_pass": {"brands": args.brands, **many}}, indent=2))


if __name__ == "__main__":
    main()
