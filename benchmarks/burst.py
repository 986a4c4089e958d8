"""A burst on one source while another keeps posting (issue 13.8), on SQLite; prints JSON.

    nice python benchmarks/burst.py                 # 200,000-row burst
    nice python benchmarks/burst.py --rows 20000

One thread polls the burst source once (all rows in one fetch); another polls a quiet source every
0.5 s, a new post each time, and times each poll.  Reported: the burst poll's wall time, the longest
write transaction (engine events), the quiet source's poll latency (max, median) and failures, and
how many of the quiet source's posts the first scoring pass (limit 2000) reached.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def row(prefix: str, i: int, at: datetime) -> str:
    return json.dumps({"id": f"{prefix}{i}", "author_id": f"{prefix}a{i % 5000}", "posted_at": at.isoformat(),
                       "text": f"Acme outage again, nothing works ({prefix} {i})"}) + "\n"


def longest_transactions(engine: Any) -> list[float]:
    """Seconds each write transaction held the database (begin to commit/rollback)."""
    from sqlalchemy import event

    spans: list[float] = []

    def begin(conn: Any) -> None:
        conn.info["began"] = time.perf_counter()

    def end(conn: Any) -> None:
        began = conn.info.pop("began", None)
        if began is not None and conn.info.pop("wrote", False):
            spans.append(time.perf_counter() - began)

    def wrote(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            conn.info["wrote"] = True

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    event.listen(engine, "before_cursor_execute", wrote)
    return spans


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    from monitor.clock import ManualClock
    from monitor.pipeline import poll_source, score_pending
    from monitor.runtime import Runtime
    from tests.fakes.settings_files import make_settings

    folder = Path(tempfile.mkdtemp(prefix="gs-burst-"))
    burst, quiet = folder / "burst.jsonl", folder / "quiet.jsonl"
    with burst.open("w") as out:
        for i in range(args.rows):
            out.write(row("b", i, NOW - timedelta(hours=2) + timedelta(seconds=i % 3600)))
    quiet.write_text("")
    settings = make_settings(database={"url": f"sqlite:///{folder / 'gs.db'}"}, sources=[
        {"id": "burst", "kind": "replay", "brand": "acme", "path": str(burst), "limit": args.rows},
        {"id": "quiet", "kind": "replay", "brand": "acme", "path": str(quiet)}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    spans = longest_transactions(runtime.engine)
    latencies: list[float] = []
    failures: list[str] = []
    done = threading.Event()

    def quiet_poster() -> None:
        i = 0
        while not done.is_set():
            with quiet.open("a") as out:
                out.write(row("q", i, NOW))
            i += 1
            started = time.perf_counter()
            try:
                result = poll_source(runtime.engine, settings, runtime.connector("quiet"), now=NOW)
                if result.error:
                    failures.append(result.error)
            except Exception as exc:  # a locked database after every retry is exactly what we count
                failures.append(f"{type(exc).__name__}: {exc}"[:200])
            latencies.append(time.perf_counter() - started)
            time.sleep(0.5)

    cpu, wall = time.process_time(), time.perf_counter()
    poster = threading.Thread(target=quiet_poster)
    poster.start()
    time.sleep(1.0)
    burst_started = time.perf_counter()
    poll_source(runtime.engine, settings, runtime.connector("burst"), now=NOW)
    burst_seconds = time.perf_counter() - burst_started
    time.sleep(1.0)
    done.set()
    poster.join()
    from sqlmodel import Session, col, func, select

    from monitor.storage.tables import Mention

    score_pending(runtime.engine, settings, runtime.model, now=NOW, limit=2000)
    with Session(runtime.engine) as session:
        quiet_total = session.exec(select(func.count()).select_from(Mention).where(Mention.source_id == "quiet")).one()
        quiet_scored = session.exec(select(func.count()).select_from(Mention).where(
            Mention.source_id == "quiet", col(Mention.sentiment).is_not(None))).one()
    print(json.dumps({
        "rows": args.rows, "burst_poll_s": round(burst_seconds, 2),
        "longest_write_transaction_s": round(max(spans), 3), "write_transactions": len(spans),
        "quiet_polls": len(latencies), "quiet_poll_latency_max_s": round(max(latencies), 3),
        "quiet_poll_latency_median_s": round(statistics.median(latencies), 3), "quiet_poll_failures": len(failures),
        "quiet_posts_scored_in_first_pass": f"{quiet_scored}/{quiet_total}",
        "cpu_s": round(time.process_time() - cpu, 1), "wall_s": round(time.perf_counter() - wall, 1),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
