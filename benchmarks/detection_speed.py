"""Detection speed: the pure detector (one huge batch; 100 brands), and the real pipeline pass over N brands.

Pure detector: one huge 5-minute batch for one brand, and a pass over ``--brands`` detectors with a few
mentions each. Pipeline (issue 17): ``run_detection`` over N brands on a real database (SQLite file,
PostgreSQL schema), warm: each brand has a day of examined mentions, one pass builds every detector,
then three passes are timed: nothing new anywhere (the quiet pass), ``--active`` brands with a few new
mentions, and those brands with open incidents and nothing new. Statements are counted with an
SQLAlchemy event listener on the engine.

Usage: ``nice python benchmarks/detection_speed.py [--brands 100] [--batch 3500] [--pass-brands 100 1000]
[--db sqlite postgresql] [--stored 1000000] [--no-pure] [--paged 200 --watched 150]``; ``--stored N`` adds N
examined mentions older than the warm-up window (a long-running install's table) and reopens the database as a
restart does; ``--paged``/``--watched`` then open that many acknowledged pages and watched high-reach complaints
across the brands and time passes with them open and none due (``open_many_passes``, per pass). Prints
JSON with wall and CPU seconds (the machine is shared: CPU seconds are the figure to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest_speed import insert_batched  # noqa: E402  (this folder: the multi-row SQLite loader)

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402
from monitor.detection.warmup import forget_detectors  # noqa: E402
from monitor.pipeline import run_detection  # noqa: E402
from monitor.settings import Settings  # noqa: E402
from monitor.storage.engine import open_database  # noqa: E402
from monitor.storage.tables import Brand, Incident, Mention  # noqa: E402

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
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


def settings_for(url: str, brands: int) -> Settings:
    cls = type("BenchSettings", (Settings,), {"toml_path": None})
    return cls(brands=[{"id": f"b{i}", "name": f"Brand {i}"} for i in range(brands)],  # type: ignore[no-any-return]
               channels=[], sources=[], model={"sentiment": "lexicon"}, detection={"engine": "adaptive"},
               database={"url": url})


def mention(rng: random.Random, brand: str, n: int, posted: datetime, examined: bool) -> dict[str, Any]:
    negative = rng.random() < 0.2
    return {"brand_id": brand, "source_id": f"s-{brand}", "platform": "bench", "external_id": f"{brand}-{n}",
            "url": "", "author_id": f"u{rng.randint(0, 10 ** 6)}", "author_handle": "someone",
            "author_followers": rng.randint(0, 500), "text": " ".join(rng.choices(WORDS, k=8)),
            "posted_at": posted, "ingested_at": posted, "sentiment": "negative" if negative else "neutral",
            "p_negative": 0.9 if negative else 0.1, "scored_at": posted, "signals": {},
            "detected_at": posted if examined else None}


def history(engine: Engine, brands: int, per_brand: int, rng: random.Random) -> None:
    rows = [mention(rng, f"b{b}", n, NOW - timedelta(minutes=10 + rng.uniform(0, 24 * 60)), True)
            for b in range(brands) for n in range(per_brand)]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Mention.__table__), rows[start:start + 5000])  # type: ignore[attr-defined]


STORED = ("brand_id", "source_id", "platform", "external_id", "url", "author_id", "author_handle", "author_followers",
          "text", "posted_at", "ingested_at", "sentiment", "p_negative", "scored_at", "signals", "detected_at",
          "reposts", "likes", "replies", "quotes", "is_brand_reply")


def stored_history(url: str, brands: int, n: int, rng: random.Random) -> None:
    """``n`` examined mentions 29-60 days old (older than the detectors' warm-up): what a long-running install
    keeps, which a quiet pass must not read. Loaded fast (multi-row INSERTs on SQLite, COPY on PostgreSQL)."""
    sqlite, suffix = url.startswith("sqlite"), "" if url.startswith("sqlite") else "+00"

    def rows() -> Any:
        for i in range(n):
            posted = (NOW - timedelta(days=60) + timedelta(seconds=i * 31 * 86400 // n)).strftime(  # in time order
                "%Y-%m-%d %H:%M:%S.%f") + suffix
            negative = rng.random() < 0.2
            yield (f"b{i % brands}", f"s-b{i % brands}", "bench", f"old-{i}", "", f"u{rng.randint(0, 10 ** 6)}",
                   "someone", rng.randint(0, 500), " ".join(rng.choices(WORDS, k=8)), posted, posted,
                   "negative" if negative else "neutral", 0.9 if negative else 0.1, posted, "{}", posted,
                   0, 0, 0, 0, False)

    if sqlite:
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA cache_size = -2000000")  # 2 GB: random-order index inserts stay in memory
        with connection:
            insert_batched(connection, STORED, rows())
        connection.close()
        return
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor().copy(f"copy mentions ({','.join(STORED)}) from stdin") as copy:  # type: ignore[attr-defined]
            for row in rows():
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def counted(engine: Engine, work: Callable[[], object]) -> dict[str, float]:
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {"wall_s": round(time.perf_counter() - wall, 4), "cpu_s": round(time.process_time() - cpu, 4),
            "statements": statements[0]}


def open_many(engine: Engine, settings: Settings, brands: int, paged: int, watched: int, t: datetime,
              repeat: int = 5) -> dict[str, Any]:
    """``paged`` acknowledged pages and ``watched`` watched high-reach complaints open across the brands, none due
    for any check (as in the soak after a while): one pass checks them all, then ``repeat`` passes a minute apart are
    timed (per pass)."""
    with engine.connect() as connection:
        table: Any = Mention.__table__  # type: ignore[attr-defined]
        first: dict[str, int] = {str(b): int(i) for b, i in connection.execute(
            select(table.c.brand_id, func.min(table.c.id)).group_by(table.c.brand_id))}
    common = {"severity": 2, "title": "t", "reason": "r", "opened_at": t, "updated_at": t, "last_activity_at": t}
    rows = [{"brand_id": f"b{k % brands}", "key": f"paged:{k}", "trigger": "churn_threat", "status": "open",
             "acked_by": "ops", "details": {"unanswered": False, "told": ["opened:2"]},
             "example_mention_ids": [first[f"b{k % brands}"]], **common} for k in range(paged)]
    rows += [{"brand_id": f"b{k % brands}", "key": f"watched:{k}", "trigger": "high_reach", "status": "watch",
              "acked_by": None, "details": {}, "example_mention_ids": [first[f"b{k % brands}"]], **common}
             for k in range(watched)]
    with engine.begin() as connection:
        connection.execute(insert(Incident.__table__), rows)  # type: ignore[attr-defined]
    run_detection(engine, settings, now=t + timedelta(minutes=1))  # checks them all (a new incident is due at once)
    total = {"wall_s": 0.0, "cpu_s": 0.0, "statements": 0.0}
    for k in range(repeat):
        when = t + timedelta(minutes=2 + k)
        one = counted(engine, lambda: run_detection(engine, settings, now=when))  # noqa: B023 (called at once)
        total = {name: total[name] + one[name] for name in total}
    return {"paged": paged, "watched": watched, "passes": repeat,
            **{f"{name}_per_pass": round(value / repeat, 5) for name, value in total.items()}}


def bench(url: str, brands: int, active: int, stored: int = 0, paged: int = 0, watched: int = 0) -> dict[str, Any]:
    forget_detectors()
    settings, rng = settings_for(url, brands), random.Random(5)
    engine = open_database(url)
    with engine.begin() as connection:
        connection.execute(insert(Brand.__table__), [{"id": f"b{i}", "name": f"Brand {i}"}  # type: ignore[attr-defined]
                                                     for i in range(brands)])
    history(engine, brands, 20, rng)
    loaded: dict[str, Any] = {}
    if stored:
        loaded = {"stored_mentions": stored, "load": timed(lambda: stored_history(url, brands, stored, rng))}
        engine.dispose()
        engine = open_database(url)  # as a (re)start does: migrations checked, planner statistics refreshed
    t = NOW
    run_detection(engine, settings, now=t)  # warm-up: every detector built from history
    out: dict[str, Any] = {"brands": brands, **loaded}
    t += timedelta(minutes=5)
    out["quiet_pass"] = counted(engine, lambda: run_detection(engine, settings, now=t))
    fresh = [mention(rng, f"b{b}", 10_000 + n, t + timedelta(minutes=2), False)
             for b in range(active) for n in range(3)]
    with engine.begin() as connection:
        connection.execute(insert(Mention.__table__), fresh)  # type: ignore[attr-defined]
    t += timedelta(minutes=5)
    out["few_new_pass"] = {"active_brands": active, **counted(engine, lambda: run_detection(engine, settings, now=t))}
    with engine.begin() as connection:
        connection.execute(insert(Incident.__table__), [  # type: ignore[attr-defined]
            {"brand_id": f"b{b}", "key": f"bench:{b}", "trigger": "spike", "severity": 1, "title": "t", "reason": "r",
             "opened_at": t, "updated_at": t, "last_activity_at": t, "status": "open"} for b in range(active)])
    t += timedelta(minutes=5)
    out["open_incidents_pass"] = {"open_incidents": active,
                                  **counted(engine, lambda: run_detection(engine, settings, now=t))}
    if paged or watched:
        out["open_many_passes"] = open_many(engine, settings, brands, paged, watched, t + timedelta(minutes=5))
    engine.dispose()
    return out


def pipeline_passes(dbs: list[str], sizes: list[int], active: int, stored: int = 0, paged: int = 0,
                    watched: int = 0) -> dict[str, Any]:
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gs-detection-pass-") as tmp:
        for db in dbs:
            for n in sizes:
                if db == "sqlite":
                    report[f"{db}_{n}"] = bench(f"sqlite:///{Path(tmp) / f'{n}.db'}", n, active, stored, paged, watched)
                    continue
                schema = f"gs_bench_{uuid.uuid4().hex[:10]}"
                admin = create_engine(PG)
                with admin.begin() as connection:
                    connection.execute(text(f"create schema {schema}"))
                try:
                    report[f"{db}_{n}"] = bench(f"{PG}?options=-csearch_path%3D{schema}", n, active, stored, paged,
                                                 watched)
                finally:
                    with admin.begin() as connection:
                        connection.execute(text(f"drop schema {schema} cascade"))
                    admin.dispose()
    return report


def pure_detector(brands_n: int, batch_n: int) -> dict[str, Any]:
    rng, seq = random.Random(3), [0]
    big = BrandDetector(BrandConfig.for_sensitivity("default"))
    batch = chatter(T0, rng, batch_n, 0.15, seq)
    huge = timed(lambda: big.run(batch, T0))
    brands = [BrandDetector(BrandConfig.for_sensitivity("default")) for _ in range(brands_n)]
    batches = [chatter(T0 + timedelta(minutes=5), rng, 5, 0.15, seq) for _ in brands]

    def one_pass() -> None:
        for detector, mentions in zip(brands, batches, strict=True):
            detector.run(mentions, T0 + timedelta(minutes=5))

    return {"huge_batch": {"mentions": batch_n, **huge}, "brand_pass": {"brands": brands_n, **timed(one_pass)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brands", type=int, default=100)
    parser.add_argument("--batch", type=int, default=3500)
    parser.add_argument("--pass-brands", type=int, nargs="*", default=[100, 1000],
                        help="brand counts for the pipeline pass (none: skip it)")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--active", type=int, default=5, help="brands with new mentions / open incidents")
    parser.add_argument("--stored", type=int, default=0,
                        help="old examined mentions stored besides each brand's day (issue 17: 1000000)")
    parser.add_argument("--no-pure", action="store_true", help="skip the pure-detector figures")
    parser.add_argument("--paged", type=int, default=0, help="acknowledged pages open, none due (e.g. 200)")
    parser.add_argument("--watched", type=int, default=0, help="watched high-reach complaints open (e.g. 150)")
    args = parser.parse_args()
    report = {} if args.no_pure else pure_detector(args.brands, args.batch)
    report["pipeline_pass"] = pipeline_passes(args.db, args.pass_brands, args.active, args.stored, args.paged,
                                              args.watched)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
