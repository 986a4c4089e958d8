"""How fast the web workspace's pages answer over a large database, printed as JSON.

    python benchmarks/web_pages.py --rows 1000000                 # SQLite file in a temporary folder
    python benchmarks/web_pages.py --rows 1000000 --database postgres

Fills a fresh database with ROWS synthetic mentions (two brands, four platforms, 30 days, categories,
about a quarter negative), one incident and one alert, then requests each page in-process (Starlette's
TestClient: no network) REPEAT times and prints the median wall and CPU milliseconds per page.
Target (issue #16): the main pages under 300 ms with 1 M stored mentions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CATEGORIES = ["outage", "billing", "support", "speed", None, None]
PAGES = ["/incidents", "/incidents/1", "/mentions", "/mentions?brand=acme&sentiment=negative&since=7d",
         "/mentions?category=billing", "/mentions?q=engineer", "/mentions?q=no+such+words", "/mentions?author=user42",
         "/trends", "/trends?brand=acme", "/trends/categories", "/sources", "/digests"]


def fill(url: str, rows: int) -> Any:
    from sqlalchemy import insert

    from monitor.storage.engine import open_database, refresh_statistics, transaction
    from monitor.storage.tables import Alert, Brand, Incident, Mention, SourceState
    from monitor.web.accounts import add_user

    engine = open_database(url)
    rng = random.Random(7)
    span = 30 * 24 * 3600
    with transaction(engine) as session:
        for brand in ("acme", "globex"):
            session.add(Brand(id=brand, name=brand.title()))
            session.add(SourceState(id=f"{brand}-x", brand_id=brand, kind="x", status="ok", last_success_at=NOW))
    batch: list[dict[str, Any]] = []
    for n in range(rows):
        when = NOW - timedelta(seconds=span * (1 - n / rows))
        negative = rng.random() < 0.25
        category = rng.choice(CATEGORIES) if negative else None
        batch.append({"brand_id": "acme" if n % 3 else "globex", "source_id": "acme-x", "external_id": str(n),
                      "platform": ("x", "reddit", "bluesky", "mastodon")[n % 4], "url": f"https://x.com/p/{n}",
                      "author_id": f"u{rng.randrange(200_000)}", "author_handle": f"@user{rng.randrange(200_000)}",
                      "text": f"acme {'engineer never came' if n % 997 == 0 else 'service'} {n}", "lang": "en",
                      "posted_at": when, "ingested_at": when, "sentiment": "negative" if negative else "neutral",
                      "p_negative": 0.9 if negative else 0.1,
                      "signals": {"category": {"value": category}} if category else None})
        if len(batch) == 20_000:
            with engine.begin() as connection:
                connection.execute(insert(Mention), batch)
            batch = []
    if batch:
        with engine.begin() as connection:
            connection.execute(insert(Mention), batch)
    with transaction(engine) as session:
        incident = Incident(brand_id="acme", key="spike:bench", trigger="spike", severity=3, title="Spike",
                            opened_at=NOW - timedelta(hours=3), updated_at=NOW, last_activity_at=NOW,
                            example_mention_ids=list(range(rows - 10, rows)))
        session.add(incident)
        session.flush()
        session.add(Alert(incident_id=incident.id or 0, event="opened", severity=3, created_at=NOW))
    add_user(engine, "bench", "benchmark password", "viewer", now=NOW)
    refresh_statistics(engine)
    return engine


def measure(engine: Any, repeat: int) -> dict[str, dict[str, float]]:
    import re

    from starlette.testclient import TestClient

    from monitor.settings import Settings
    from monitor.web.app import create_app

    client = TestClient(create_app(Settings(), engine, allow_actions=False, clock=lambda: NOW))
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"csrf": token.group(1), "name": "bench", "password": "benchmark password"})
    results: dict[str, dict[str, float]] = {}
    for page in PAGES:
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(page)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        results[page] = {"wall_ms_median": round(statistics.median(walls), 1), "wall_ms_max": round(max(walls), 1),
                         "cpu_ms_median": round(statistics.median(cpus), 1)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", help="a SQLite database this script filled before (skips the fill)")
    args = parser.parse_args()
    if args.reuse:
        from monitor.storage.engine import open_database

        print(json.dumps({"database": "sqlite", "reused": args.reuse, "pages": measure(
            open_database(f"sqlite:///{args.reuse}"), args.repeat)}, indent=1))
        return
    schema = ""
    if args.database == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='gs-web-bench-')) / 'bench.db'}"
    else:
        from sqlalchemy import create_engine, text

        schema = f"gs_bench_{uuid.uuid4().hex[:10]}"
        with create_engine(PG_URL).begin() as connection:
            connection.execute(text(f"create schema {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    started = time.perf_counter()
    try:
        engine = fill(url, args.rows)
        fill_s = time.perf_counter() - started
        pages = measure(engine, args.repeat)
    finally:
        if schema:
            from sqlalchemy import create_engine, text

            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
    slowest = max(pages.items(), key=lambda item: item[1]["wall_ms_median"])
    print(json.dumps({"database": args.database, "rows": args.rows, "fill_seconds": round(fill_s, 1),
                      "pages": pages, "slowest": slowest[0], "slowest_wall_ms_median": slowest[1]["wall_ms_median"],
                      "under_300_ms": all(p["wall_ms_median"] < 300 for p in pages.values())}, indent=1))


if __name__ == "__main__":
    main()
