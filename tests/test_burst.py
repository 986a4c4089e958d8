"""A burst on one source starves nobody (issue 13.8): bounded transactions, fair scoring, visible backlog."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, func, select

from monitor.clock import ManualClock
from monitor.pipeline import poll_source, score_pending
from monitor.runtime import Runtime
from monitor.storage.mentions import STORE_CHUNK
from monitor.storage.tables import Mention, SourceState
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


def rows(prefix: str, count: int, newest: datetime) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "author_id": f"{prefix}-author{i}", "text": f"Acme is slow today ({i})",
             "posted_at": (newest - timedelta(seconds=count - i)).isoformat()} for i in range(count)]


def burst_settings(database_url: str, tmp_path: Path, **counts: int) -> Any:
    sources = []
    for name, count in counts.items():
        path = tmp_path / f"{name}.jsonl"
        newest = NOW if name != "burst" else NOW - timedelta(hours=1)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows(name, count, newest)))
        sources.append({"id": name, "kind": "replay", "brand": "acme", "path": str(path), "limit": 10_000})
    return make_settings(database={"url": database_url}, sources=sources)


@contextmanager
def mention_commits_fail_from(number: int, engine: Engine) -> Iterator[list[int]]:
    """Every commit of a transaction that inserted mentions, from the ``number``-th on, fails (an outage)."""
    seen: list[int] = []

    def before_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO MENTIONS"):
            conn.info["wrote_mentions"] = True

    def on_commit(conn: Any) -> None:
        if conn.info.pop("wrote_mentions", False):
            seen.append(1)
            if len(seen) >= number:
                raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"))

    def on_rollback(conn: Any) -> None:
        conn.info.pop("wrote_mentions", None)

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def test_a_big_poll_commits_in_chunks_and_the_cursor_moves_with_the_last(database_url: str, tmp_path: Path) -> None:
    total = 2 * STORE_CHUNK + 500
    settings = burst_settings(database_url, tmp_path, burst=total)
    runtime = Runtime(settings, clock=ManualClock(NOW))
    with mention_commits_fail_from(3, runtime.engine):
        failed = poll_source(runtime.engine, settings, runtime.connector("burst"), now=NOW)  # the outage hits chunk 3
    assert failed.error is not None
    with Session(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Mention)).one() == 2 * STORE_CHUNK  # chunks 1-2 kept
        state = session.get(SourceState, "burst")
        assert state is not None and state.cursor is None  # the cursor did not move: chunk 3 is fetched again
    result = poll_source(runtime.engine, settings, runtime.connector("burst"), now=NOW)
    assert result.error is None and result.new == 500
    with Session(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Mention)).one() == total  # nothing lost or doubled
        state = session.get(SourceState, "burst")
        assert state is not None and state.cursor is not None


def test_scoring_shares_the_model_across_sources_newest_first(database_url: str, tmp_path: Path) -> None:
    settings = burst_settings(database_url, tmp_path, burst=3000, quiet=10)
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_source(runtime.engine, settings, runtime.connector("burst"), now=NOW)  # the backlog is stored first
    poll_source(runtime.engine, settings, runtime.connector("quiet"), now=NOW)
    assert score_pending(runtime.engine, settings, runtime.model, now=NOW, limit=100).scored == 100
    with Session(runtime.engine) as session:
        scored = col(Mention.sentiment).is_not(None)
        quiet = session.exec(select(func.count()).select_from(Mention).where(scored, Mention.source_id == "quiet"))
        assert quiet.one() == 10  # the quiet source is not stuck behind 3,000 older mentions
        burst = session.exec(select(Mention.external_id).where(scored, Mention.source_id == "burst")).all()
        assert sorted(burst) == sorted(f"burst{i}" for i in range(2910, 3000))  # the newest 90 of the burst


def test_the_backlog_shows_in_metrics_and_sources(tmp_path: Path) -> None:
    from monitor.cli.checks import print_sources
    from monitor.service.scheduler import Service

    settings = burst_settings(f"sqlite:///{tmp_path / 'gs.db'}", tmp_path, burst=2500, quiet=3)
    service = Service(settings, clock=ManualClock(NOW))
    service.poll("burst")
    service.poll("quiet")
    metrics = service.metrics.render().decode()
    assert 'groundswell_unscored_mentions{brand="acme",source="burst"} 2500.0' in metrics
    assert 'groundswell_unscored_mentions{brand="acme",source="quiet"} 3.0' in metrics
    out = io.StringIO()
    print_sources(settings, Console(file=out, width=250))
    lines = out.getvalue().splitlines()
    assert "unscored" in next(line for line in lines if "last success" in line)
    assert " 2500 " in next(line for line in lines if line.startswith("│ burst"))
    service.score()
    assert 'groundswell_unscored_mentions{brand="acme",source="burst"} 0.0' in service.metrics.render().decode()
