"""Replay files for the kill -9 runs (tests/test_crash_safety.py, benchmarks/faults_kill.py).

Each source's rows are two hours old and a second apart; every ``big_every``-th row is a big account
whose audience reacts (a page each), worded with too few words to form a story (which would join them
all), so each page is its own incident; the rest is chatter that pages nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path


def write_replay_feeds(folder: Path, *, sources: int, rows: int, big_every: int, limit: int,
                       prefix: str = "feed") -> str:
    """Write ``sources`` replay files of ``rows`` rows; returns their ``[[sources]]`` settings blocks."""
    start = datetime.now(UTC) - timedelta(hours=2)
    blocks = []
    for s in range(sources):
        path = folder / f"{prefix}{s}.jsonl"
        with path.open("w") as out:
            for i in range(rows):
                big = i % big_every == 0
                out.write(json.dumps({"id": f"{s}-{i}", "author_id": f"u{s}-{i}",
                                      "author_followers": 300_000 if big else 5, "reposts": 50 if big else 0,
                                      "text": f"Acme is terrible {i}" if big else f"Acme router {i}",
                                      "posted_at": (start + timedelta(seconds=i)).isoformat()}) + "\n")
        blocks.append(f'[[sources]]\nid = "feed{s}"\nkind = "replay"\nbrand = "acme"\ninterval_seconds = 1\n'
                      f'limit = {limit}\npath = "{path}"\nplatform = "p{s}"\n')
    return "".join(blocks)
