"""Backtest speed: mentions per CPU-second of `groundswell backtest`, first run (scores) and replay (cache).  JSON.

Input: a replay CSV written to a temporary folder from the real customer tweets in
../shared/data/twcs-sample (drawn with replacement, posted at random times over ``--days`` at
``--per-day`` mentions a day, split over ``--brands`` brands by a ``brand`` column). The first run scores
every distinct text with the model and caches the scores beside the file; the second run is the replay
the cache exists for (tuning, another sensitivity): detection only. CPU time is this process's
(time.process_time); the model runs in-process with the threads it is configured for.
Usage: ``nice python benchmarks/backtest_speed.py [--per-day 4000] [--days 14] [--brands 2] [--model bundled]``;
``--work DIR --skip-first`` keeps the input and its score cache in DIR and, once they exist, times only the replay.
``--seed`` draws another input: choose changes on ``--seed 11`` (tune), report on the default 7.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.replay.backtest import backtest_settings, run_backtest  # noqa: E402

TWCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"
START = datetime(2026, 3, 2, tzinfo=UTC)


def write_input(path: Path, per_day: int, days: int, brands: int, seed: int = 7) -> int:
    with TWCS.open(newline="", encoding="utf-8") as handle:
        pool = [(r["author_id"], r["text"]) for r in csv.DictReader(handle) if r["inbound"] == "True"]
    rng = random.Random(seed)
    times = sorted(rng.uniform(0, days * 86400) for _ in range(per_day * days))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "posted_at", "author_id", "author_followers"]
                        + (["brand"] if brands > 1 else []))
        for i, offset in enumerate(times):
            author, text = rng.choice(pool)
            row = [f"m{i}", text, (START + timedelta(seconds=offset)).isoformat(), author, rng.randint(0, 5000)]
            writer.writerow(row + ([f"brand{rng.randrange(brands)}"] if brands > 1 else []))
    return len(times)


def timed_run(work: Path, mentions: Path, model: str, name: str) -> dict[str, float]:
    run_dir = work / name
    run_dir.mkdir()
    settings = backtest_settings(run_dir, mentions, model, "default", "adaptive")
    cpu, wall = time.process_time(), time.perf_counter()
    result = run_backtest(settings, run_dir / "timeline.jsonl", input_file=mentions)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "texts_scored": result.scored,
            "alert_events": result.events, "mentions_per_cpu_s": round(result.mentions / cpu, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=4000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--brands", type=int, default=1)
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--seed", type=int, default=7, help="the input's draw (11: tune; 7, the default: report)")
    parser.add_argument("--work", type=Path, help="keep the input and its score cache here (default: a temp folder)")
    parser.add_argument("--skip-first", action="store_true",
                        help="with --work: skip the scoring run when the input and its cache are already there")
    args = parser.parse_args(argv)
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        print(json.dumps(measure(args, args.work), indent=2))
        return 0
    with tempfile.TemporaryDirectory(prefix="gs-backtest-speed-") as tmp:
        print(json.dumps(measure(args, Path(tmp)), indent=2))
    return 0


def measure(args: argparse.Namespace, work: Path) -> dict[str, object]:
    """The first (scoring) run unless skipped and cached, then the cached replay; runs go in fresh sub-folders."""
    mentions = work / "mentions.csv"
    cached = args.skip_first and mentions.exists() and len(list(work.glob("mentions.csv.scores-*"))) > 0
    n = sum(1 for _ in mentions.open(encoding="utf-8")) - 1 if cached else \
        write_input(mentions, args.per_day, args.days, args.brands, args.seed)
    report: dict[str, object] = {"mentions": n, "days": args.days, "brands": args.brands, "model": args.model,
                                 "seed": args.seed}
    stamp = time.strftime("%H%M%S")
    if not cached:
        report["first_run"] = timed_run(work, mentions, args.model, f"first-{stamp}")
    report["replay_cached"] = timed_run(work, mentions, args.model, f"again-{stamp}")
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


if __name__ == "__main__":
    raise SystemExit(main())
