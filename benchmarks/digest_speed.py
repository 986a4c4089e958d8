"""Digest speed at 1 M stored mentions: one brand-day digest (data and chart), SQLite and optionally PostgreSQL.

Usage: ``nice python benchmarks/digest_speed.py [--mentions 1000000] [--brands 50] [--postgres URL] [--skip-sqlite]``
or ``... --reuse URL BRAND DAY`` (a database filled before, e.g. by ``web_pages.py --keep``).
Loads synthetic mentions fast (multi-row INSERTs on SQLite, COPY on PostgreSQL), refreshes planner statistics,
then times ``build_digest`` and ``chart_png`` for one brand-day; prints JSON with wall and CPU seconds.
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
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from alerts.digest import build_digest  # noqa: E402
from alerts.digest_render import chart_png  # noqa: E402
from monitor.storage.engine import open_database, refresh_statistics  # noqa: E402

ORIGIN = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 60
DAY = date(2026, 10, 20)
COLUMNS = ("brand_id", "source_id", "platform", "external_id", "author_handle", "author_followers", "text",
           "posted_at", "ingested_at", "sentiment", "is_brand_reply", "parent_id", "conversation_id", "signals",
           "reposts", "likes", "replies", "quotes", "url", "author_id")
CATEGORIES = ["outage", "billing", "support", "speed", "app", "price"]


def rows(n: int, brands: int, suffix: str = "", seed: int = 1) -> Iterator[tuple[Any, ...]]:
    """Mentions spread evenly over 60 days and ``brands`` brands, in time order as they arrive (random-order
    index inserts made a 1 M load take over half an hour on SQLite); a third negative, one in 20 a brand
    reply (to an earlier mention of the same brand)."""
    rng = random.Random(seed)
    for i in range(n):
        posted = ORIGIN + timedelta(seconds=i * DAYS * 86400 // n)
        reply = rng.random() < 0.05
        negative = not reply and rng.random() < 0.33
        signals = json.dumps({"category": {"value": rng.choice(CATEGORIES)}, "churn_threat": rng.random() < 0.02}
                             if negative else {})
        when = posted.strftime("%Y-%m-%d %H:%M:%S.%f") + suffix  # SQLAlchemy's SQLite text; "+00" for COPY
        yield (f"b{i % brands}", "s", "x", str(i), f"u{rng.randrange(5000)}", rng.randrange(10**5),
               "Acme is down again, third time this week", when, when, "negative" if negative else "neutral", reply,
               str(i - brands * rng.randrange(1, 40)) if reply else None, f"c{i // 3}", signals, 0, 0, 0, 0, "", "")


def load_sqlite(url: str, n: int, brands: int) -> None:
    import sqlite3

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    connection.execute("PRAGMA cache_size = -2000000")  # 2 GB: random-order index inserts stay in memory
    with connection:
        insert_batched(connection, COLUMNS, rows(n, brands))
    connection.close()


def insert_batched(connection: Any, columns: tuple[str, ...], source: Iterator[tuple[Any, ...]],
                   size: int = 400) -> None:
    """Multi-row INSERTs of ``size`` rows, as ``store_mentions`` writes: FTS5 flushes its index at the end of
    every statement, so one statement per row (executemany) made a 1 M load take over half an hour."""
    one = f"({','.join('?' * len(columns))})"
    batch: list[Any] = []
    count = 0
    for row in source:
        batch.extend(row)
        count += 1
        if count == size:
            connection.execute(f"insert into mentions ({','.join(columns)}) values {','.join([one] * count)}", batch)
            batch, count = [], 0
    if count:
        connection.execute(f"insert into mentions ({','.join(columns)}) values {','.join([one] * count)}", batch)


def load_postgres(url: str, n: int, brands: int) -> None:
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"copy mentions ({','.join(COLUMNS)}) from stdin") as copy:
            for row in rows(n, brands, "+00"):
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def timed(work: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)}


def bench(url: str, n: int, brands: int, reuse: tuple[str, date] | None = None) -> dict[str, Any]:
    """Load (unless ``reuse`` names a brand and day of a database filled before), then time the digest."""
    from tests.fakes.settings_files import make_settings

    engine = open_database(url)
    loader = load_sqlite if url.startswith("sqlite") else load_postgres
    _, load = timed(lambda: None if reuse else loader(url, n, brands))
    _, stats = timed(lambda: refresh_statistics(engine))
    brand, day = reuse or ("b7", DAY)
    settings = make_settings(brands=[{"id": brand, "name": "Acme"}])
    digest, data = timed(lambda: build_digest(engine, settings, settings.brands[0], day))
    _, again = timed(lambda: build_digest(engine, settings, settings.brands[0], day))
    png, chart = timed(lambda: chart_png(digest))  # the first: imports matplotlib's object API
    _, chart_warm = timed(lambda: chart_png(digest))  # a running service's next digests
    engine.dispose()
    return {"mentions": n, "brands": brands, "load": load, "statistics": stats, "digest_first": data,
            "digest_warm": again, "chart": chart, "chart_warm": chart_warm,
            "total_first_wall_s": round(data["wall_s"] + chart["wall_s"], 3),
            "day": {"total": digest.total, "negative": digest.negative, "week_total": digest.week_total,
                    "answered": digest.responses, "png_bytes": len(png)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="also run against PostgreSQL (a schema of its own, dropped afterwards)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only (run it beside a SQLite run)")
    parser.add_argument("--reuse", nargs=3, metavar=("URL", "BRAND", "DAY"),
                        help="time BRAND's DAY on a database filled before (e.g. web_pages.py's: acme 2026-11-19)")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if args.reuse:
        url, brand, day = args.reuse
        out["reused"] = bench(url if "://" in url else f"sqlite:///{url}", 0, 0, (brand, date.fromisoformat(day)))
    elif not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            out["sqlite"] = bench(f"sqlite:///{folder}/bench.db", args.mentions, args.brands)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"create schema {schema}"))
        try:
            out["postgres"] = bench(f"{args.postgres}?options=-csearch_path%3D{schema}", args.mentions, args.brands)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
            admin.dispose()
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
