"""What the service's Python heap holds as the soak's feed runs for many simulated hours, as JSON (issue #17).

    python benchmarks/service_memory.py --hours 24 --every 2            # a day of the soak's feed, lexicon model

The real ``Service`` (monitor/service/scheduler.py) without its scheduler: every 10 simulated seconds (a
``ManualClock``) the soak's feed (benchmarks/soak.py: two posts a second, every 60th a churn threat from a
900k-follower account) goes to a fake X, then the service's own jobs run in order: poll, score, detect,
deliver (to a fake SMTP server), the heartbeat every 10 minutes and retention every hour. Much faster than a
wall-clock soak, so windowed state that fills for a day or two shows whether it stops.  Every ``--every``
simulated hours it prints the Python heap (tracemalloc, this process: the fakes' own share is pruned and left out
by file) and at the end the lines that grew most since ``--from-hour``.

What it found (issue #17, lexicon model, ``--hours 1.5 --every 0.25 --from-hour 0.5``): the service's Python heap
grew ~4 MB an hour (7.9 MB at 15 minutes, 13.9 at 90), nearly all of it the brand detector's windowed state
(benchmarks/detector_memory.py: a new author's entry in the feed's one story for 24-48 h, ~210 B; a dedupe key for
48 h, ~104 B, now ~16 past 20 minutes: monitor/detection/seen_keys.py; the churn threats' singleton stories and
their words for 6 h) and caches that fill and stop (the per-text LRUs, the lexicon per detected language, 32).
Nothing grew without a bound.  Its own cost grows too: every pass reviews every watched high-reach incident with a
count over the brand's mentions (monitor/detection/watchlist.py ``reactions``), 0.25 -> 1.1 CPU-s per simulated
minute over the first 90 minutes.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks.soak import config_text, words  # noqa: E402
from monitor import heap  # noqa: E402
from monitor.clock import ManualClock  # noqa: E402
from monitor.replay.fakes.smtp import FakeSMTP  # noqa: E402
from monitor.replay.fakes.x_api import FakeX  # noqa: E402
from monitor.service.scheduler import Service  # noqa: E402
from monitor.settings import load_settings  # noqa: E402

KEEP_TWEETS = 600  # the fake keeps the newest posts only (a poll reads ~20): its own memory stays flat
FAKES = ("/replay/fakes/", "/benchmarks/", "tracemalloc")


class QuickX(FakeX):
    """The fake X with users looked up by name (the fake scans them all, quadratic over a day) and old posts
    dropped."""

    def __init__(self, token: str, clock: ManualClock) -> None:
        super().__init__(token=token, clock=clock)
        self._by_name: dict[str, str] = {}
        self._count = 0

    def add_user(self, username: str, followers: int = 10, name: str = "") -> str:
        uid = self._by_name.get(username)
        if uid is None:
            self._count += 1
            uid = self._by_name[username] = str(1000 + self._count)
            self.users[uid] = {"id": uid, "username": username, "name": name or username.title(),
                               "public_metrics": {"followers_count": followers, "following_count": 1,
                                                  "tweet_count": 5, "listed_count": 0, "like_count": 0}}
        return uid

    def prune(self) -> None:
        if len(self.tweets) > KEEP_TWEETS:
            del self.tweets[:-KEEP_TWEETS]
            keep = {t["author_id"] for t in self.tweets}
            self.users = {uid: u for uid, u in self.users.items() if uid in keep}
            self._by_name = {u["username"]: uid for uid, u in self.users.items()}


def ours(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snapshot.filter_traces([tracemalloc.Filter(False, f"*{part}*") for part in FAKES])


def heap_mb(snapshot: tracemalloc.Snapshot) -> float:
    return round(sum(s.size for s in snapshot.statistics("filename")) / 2**20, 2)


def sqlite_mb() -> float | None:
    used = heap.sqlite_memory()
    return None if used is None else round(used / 2**20, 2)


def pooled(service: Service) -> int:
    """Connections the engine's pool holds open (each with its own page cache and statements)."""
    return int(getattr(service.runtime.engine.pool, "checkedin", lambda: 0)())


def run(hours: float, every: float, model: str, from_hour: float, frames: int, top: int) -> dict[str, Any]:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    x, smtp = QuickX("soak-token", clock).start(), FakeSMTP().start()
    folder = Path(tempfile.mkdtemp(prefix="gs-svcmem-"))
    config = folder / "soak.toml"
    config.write_text(config_text(x, smtp, folder, 10, model, 0))
    os.environ["SOAK_X_TOKEN"] = x.token
    logging.basicConfig(filename=str(folder / "service.log"), level=logging.INFO)
    service = Service(load_settings(config), clock=clock)
    _ = service.runtime.engine, service.runtime.model, service.runtime.notifiers
    rng, n, samples, began = random.Random(17), 0, [], time.process_time()
    if frames > 0:
        tracemalloc.start(frames)
    base: tracemalloc.Snapshot | None = None
    steps, per_hour = int(hours * 360), 360
    for s in range(1, steps + 1):
        for _ in range(20):  # two posts a second for 10 s
            n += 1
            clock.advance(timedelta(seconds=0.5))
            x.add_tweet(f"Acme new router arrived today, setting it up {n}", user=f"user{n}", age=timedelta(0))
            if n % 60 == 0:
                x.add_tweet(f"Acme {words(rng)} terrible, cancelling my subscription LAT{n // 60}",
                            user=f"big{n // 60}", followers=900_000, age=timedelta(0))
        x.prune()
        service.poll("x-acme")
        service.score()
        service.detect()
        service.deliver()
        if s % 60 == 0:
            service.heartbeat()
        if s % per_hour == 0:
            service.retention()
        smtp.received.clear()
        if s % max(1, int(every * per_hour)) == 0 or s == steps:
            gc.collect()
            if not tracemalloc.is_tracing():
                samples.append({"hour": round(s / per_hour, 2), "cpu_s": round(time.process_time() - began, 1),
                                "sqlite_mb": sqlite_mb(), "pooled": pooled(service)})
                print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
                continue
            snap = ours(tracemalloc.take_snapshot())
            if base is None and s / per_hour >= from_hour:
                base = snap
            samples.append({"hour": round(s / per_hour, 2), "python_heap_mb": heap_mb(snap),
                            "cpu_s": round(time.process_time() - began, 1), "sqlite_mb": sqlite_mb(),
                            "pooled": pooled(service)})
            print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
    grew = [str(d) for d in snap.compare_to(base or snap, "traceback" if frames > 1 else "lineno")[:top]] \
        if frames > 0 else []
    x.stop()
    smtp.stop()
    return {"hours": hours, "model": model, "samples": samples, "from_hour": from_hour, "grew_most": grew,
            "counts": counts(service)}


def counts(service: Service) -> dict[str, Any]:
    """What detection decided, to compare runs: incidents by status, alerts by event (and how many paged)."""
    with service.runtime.engine.connect() as connection:
        incidents = {str(k): int(v) for k, v in connection.execute(
            text("select status, count(*) from incidents group by status"))}
        alerts = {str(k): int(v) for k, v in connection.execute(
            text("select event, count(*) from alerts group by event"))}
        paged = connection.execute(text("select count(*) from alerts where paged")).scalar()
        rows = connection.execute(text("select i.key, a.event, a.severity, a.created_at, i.status from alerts a "
                                       "join incidents i on i.id = a.incident_id")).all()
    start = min((str(r[3]) for r in rows), default="")
    when = [(datetime.fromisoformat(str(r[3])) - datetime.fromisoformat(start)).total_seconds() for r in rows] \
        if rows else []
    lines = sorted(f"{r[0]}|{r[1]}|{r[2]}|{w:.0f}|{r[4]}" for r, w in zip(rows, when, strict=True))
    # the same decisions at the same simulated times give the same digest (the clock starts at the real time)
    return {"incidents": incidents, "alerts": alerts, "paged_alerts": paged,
            "timeline_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--every", type=float, default=1.0, help="simulated hours between samples")
    parser.add_argument("--model", default="lexicon", help="the service's sentiment model (lexicon, bundled)")
    parser.add_argument("--from-hour", type=float, default=1.0, help="growth is counted from this sample on")
    parser.add_argument("--frames", type=int, default=1, help="tracemalloc frames (growth by traceback when > 1)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(run(args.hours, args.every, args.model, args.from_hour, args.frames, args.top), indent=2))


if __name__ == "__main__":
    main()
