"""`groundswell db partition` on a populated table: how long the conversion takes and how long the one
exclusive lock (the rename-and-create step) is held, on a fresh PostgreSQL schema.

Usage: ``nice python benchmarks/partition_convert.py [--rows 200000] [--days 30] [--batch 10000]``.
Rows are synthetic mentions spread over ``--days`` days (about 740 bytes each, like real ones); retention is
taken as ``--days``.  Prints JSON: rows/s of the move, the lock time, the total.  The database server does the
work: on this shared 2-core machine compare runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, text  # noqa: E402

from monitor.storage import partition_convert, partitions  # noqa: E402
from monitor.storage.engine import open_database  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FILL = """
insert into mentions (brand_id, source_id, platform, external_id, url, author_id, author_handle, text,
                      posted_at, ingested_at, reposts, likes, replies, quotes, is_brand_reply, sentiment)
select 'b' || (g % 100), 's', 'x', 'm' || g, 'https://x.com/i/' || g, 'u' || (g % 5000), 'user' || (g % 5000),
       repeat('Acme router keeps dropping again, third time this week. ', 10),
       now() - (g % (:days * 24)) * interval '1 hour', now(), 0, g % 7, 0, 0, false, 'negative'
from generate_series(1, :rows) g
"""


def run(rows: int, days: int, batch: int) -> dict[str, Any]:
    schema = f"gs_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    try:
        engine = open_database(f"{PG}?options=-csearch_path%3D{schema}")
        with engine.begin() as connection:
            connection.execute(text(FILL), {"rows": rows, "days": days})
            connection.execute(text("analyze mentions"))
        locked: dict[str, float] = {}

        def statement(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
            if sql.startswith("lock table mentions"):
                locked["from"] = time.perf_counter()
            elif sql.startswith("create table mentions_default"):
                locked["to"] = time.perf_counter()

        event.listen(engine, "before_cursor_execute", statement)
        started = time.perf_counter()
        moves: list[float] = []
        done = partition_convert.convert(engine, now=datetime.now(UTC), keep_days=days, batch=batch,
                                         progress=lambda _n: moves.append(time.perf_counter()))
        total = time.perf_counter() - started
        move_s = moves[-1] - locked["to"] if moves else 0.0
        return {"rows": rows, "days": days, "batch": batch, "moved": done.moved,
                "day_partitions": len(partitions.partitions(engine)),
                "exclusive_lock_s": round(locked["to"] - locked["from"], 3),
                "move_s": round(move_s, 2), "rows_per_s": round(done.moved / move_s) if move_s else None,
                "total_s": round(total, 2)}
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.days, args.batch), indent=2))


if __name__ == "__main__":
    main()
