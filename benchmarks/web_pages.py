"""How fast the web workspace's pages answer over a large database, printed as JSON.

    python benchmarks/web_pages.py --rows 1000000                 # SQLite file in a temporary folder
    python benchmarks/web_pages.py --rows 1000000 --database postgres
    python benchmarks/web_pages.py --rows 1000000 --before-search-indexes   # before/after migration 0006
    python benchmarks/web_pages.py --rows 1000000 --database postgres --keep  # keep the schema (URL printed)
    python benchmarks/web_pages.py --reuse URL-or-SQLite-file                 # measure again, no fill

Fills a fresh database with ROWS synthetic mentions (two brands, four platforms, 30 days, categories,
about a quarter negative), one incident and one alert, then requests each page in-process (Starlette's
TestClient: no network) REPEAT times and prints the median wall and CPU milliseconds per page.
Target (issue #16): the main pages under 300 ms with 1 M stored mentions. ``--before-search-indexes``
fills the database at the revision before the search indexes, measures the search pages, applies
migration 0006 (timed) and measures them again: before and after on the same rows.
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


BEFORE_SEARCH = "0005_workspace_digests"
SEARCH_PAGES = ["/mentions", "/mentions?q=engineer", "/mentions?q=no+such+words", "/mentions?q=service",
                "/mentions?author=user42"]


def fill(url: str, rows: int, revision: str = "head") -> Any:
    from sqlalchemy import insert

    from monitor.storage.engine import make_engine, refresh_statistics, transaction, upgrade
    from monitor.storage.tables import Alert, Brand, Incident, Mention, SourceState
    from monitor.web.accounts import add_user

    upgrade(url, revision)
    engine = make_engine(url)
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


def before_and_after(engine: Any, url: str, repeat: int) -> dict[str, Any]:
    """The search pages without the search indexes, then migration 0006 (timed), then with them."""
    from monitor.storage.engine import refresh_statistics, upgrade

    before = measure(engine, repeat, SEARCH_PAGES)
    started = time.perf_counter()
    upgrade(url)
    refresh_statistics(engine)
    return {"before": before, "migration_seconds": round(time.perf_counter() - started, 1),
            "after": measure(engine, repeat, SEARCH_PAGES)}


def measure(engine: Any, repeat: int, pages: list[str] = PAGES) -> dict[str, dict[str, float]]:
    import re

    from starlette.testclient import TestClient

    from monitor.settings import Settings
    from monitor.web.app import create_app

    client = TestClient(create_app(Settings(), engine, allow_actions=False, clock=lambda: NOW))
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"csrf": token.group(1), "name": "bench", "password": "benchmark password"})
    results: dict[str, dict[str, float]] = {}
    for page in pages:
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
    parser.add_argument("--reuse", help="a SQLite file or database URL this script filled before (skips the fill)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema (its URL is printed)")
    parser.add_argument("--before-search-indexes", action="store_true",
                        help="measure the search pages before and after migration 0006 on the same rows")
    args = parser.parse_args()
    if args.reuse:
        from monitor.storage.engine import open_database

        reused = args.reuse if "://" in args.reuse else f"sqlite:///{args.reuse}"
        print(json.dumps({"database": reused.split(":")[0], "reused": args.reuse, "pages": measure(
            open_database(reused), args.repeat)}, indent=1))
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
        engine = fill(url, args.rows, BEFORE_SEARCH if args.before_search_indexes else "head")
        fill_s = time.perf_counter() - started
        if args.before_search_indexes:
            print(json.dumps({"database": args.database, "rows": args.rows, "fill_seconds": round(fill_s, 1),
                              **before_and_after(engine, url, args.repeat)}, indent=1))
            return
        pages = measure(engine, args.repeat)
    finally:
        if schema and not args.keep:
            from sqlalchemy import create_engine, text

            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
    slowest = max(pages.items(), key=lambda item: item[1]["wall_ms_median"])
    print(json.dumps({"database": args.database, "url": url, "rows": args.rows, "fill_seconds": round(fill_s, 1),
                      "pages": pages, "slowest": slowest[0], "slowest_wall_ms_median": slowest[1]["wall_ms_median"],
                      "under_300_ms": all(p["wall_ms_median"] < 300 for p in pages.values())}, indent=1))


if __name__ == "__main__":
    main()
