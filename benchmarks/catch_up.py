"""Catch-up after a rate limit (issue #17): how soon the newest post of a backlog reaches detection, with the
backlog scored at once (as before) or in chunks, newest first, with a detection pass after each (the service now).

    nice python benchmarks/catch_up.py --backlog 1440 --rounds 3

A replay source delivers ``--backlog`` quiet posts, two a second (the soak's feed: 1,440 is its 12-minute 429
window), the newest a churn threat from a big account.  "at_once" is one ``score_pending`` call over the whole
backlog (``SCORE_LIMIT`` = 2,000) and then a detection pass; "chunked" is ``Service.score()`` (``CATCH_UP_CHUNK``
at a time) and then the detection pass its last chunk kicks.  The two alternate, each on a fresh database.
Prints JSON: CPU seconds of this process (all threads) until the threat's incident is written, and in all.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from monitor.clock import ManualClock  # noqa: E402
from monitor.detection.warmup import forget_detectors  # noqa: E402
from monitor.pipeline import run_detection, score_pending  # noqa: E402
from monitor.pipeline.scoring import SCORE_LIMIT  # noqa: E402
from monitor.service.scheduler import CATCH_UP_CHUNK, Service  # noqa: E402
from tests.fakes.settings_files import make_settings  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def backlog_file(folder: Path, count: int) -> Path:
    rows: list[dict[str, Any]] = [
        {"id": f"b{i}", "author_id": f"u{i}", "text": f"Acme new router arrived today, setting it up {i}",
         "posted_at": (NOW - timedelta(seconds=(count - i) / 2)).isoformat()} for i in range(count - 1)]
    rows.append({"id": "threat", "author_id": "big", "author_followers": 900_000, "posted_at": NOW.isoformat(),
                 "text": "Acme zuvo kela terrible, cancelling my subscription"})
    path = folder / "backlog.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def one_round(way: str, count: int, model: str) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="gs-catch-up-"))
    settings = make_settings(database={"url": f"sqlite:///{folder / 'db.sqlite'}"}, model={"sentiment": model},
                             sources=[{"id": "x", "kind": "replay", "brand": "acme",
                                       "path": str(backlog_file(folder, count)), "limit": count}])
    forget_detectors()
    service = Service(settings, clock=ManualClock(NOW))
    _ = service.runtime.model  # loaded before the clock starts
    service.poll("x")
    seen: dict[str, float] = {}

    def written(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "incidents" in statement.lower() and statement.lstrip().upper().startswith("INSERT"):
            seen.setdefault("cpu", time.process_time())

    event.listen(service.runtime.engine, "after_cursor_execute", written)
    start = time.process_time()
    steps: dict[str, Callable[[], None]] = {
        "at_once": lambda: (score_pending(service.runtime.engine, settings, service.runtime.model, now=NOW,
                                          limit=SCORE_LIMIT), None)[1],
        "chunked": service.score}
    steps[way]()
    run_detection(service.runtime.engine, settings, now=NOW)  # at once: its pass; chunked: the kicked last one
    total = time.process_time() - start
    return {"cpu_s_to_incident": round(seen.get("cpu", float("nan")) - start, 2), "cpu_s_total": round(total, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=1440)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="bundled")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"at_once": [], "chunked": []}
    for index in range(args.rounds * 2):
        way = ("at_once", "chunked")[index % 2] if index // 2 % 2 == 0 else ("chunked", "at_once")[index % 2]
        runs[way].append(one_round(way, args.backlog, args.model))
    print(json.dumps({"backlog": args.backlog, "model": args.model, "chunk": CATCH_UP_CHUNK,
                      "score_limit": SCORE_LIMIT, "rounds": args.rounds,
                      **{way: {key: statistics.median(r[key] for r in rounds) for key in rounds[0]} | {"runs": rounds}
                         for way, rounds in runs.items()}}, indent=2))


if __name__ == "__main__":
    main()
