"""A detection pass whose transaction fails loses nothing: the retry finds the same incidents.

The fault (issue 13.1): the in-memory detector remembered the mentions before the commit, so after a
rolled-back commit the retry saw "nothing new" and the incidents were gone for good.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from monitor.clock import ManualClock
from monitor.detection.warmup import forget_detectors
from monitor.pipeline import poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


def high_reach_rows(count: int) -> list[dict[str, Any]]:
    # big accounts whose audience reacts (reposts): these page, so the pass writes alerts and outbox rows
    return [{"id": f"h{i}", "author_id": f"famous{i}", "author_followers": 900_000,
             "text": "Acme internet down again, terrible and useless", "reposts": 60,
             "posted_at": (NOW - timedelta(minutes=20 - i)).isoformat()} for i in range(count)]


@contextmanager
def commit_fails_once(when: type) -> Iterator[list[int]]:
    """The database drops the first commit of a session that wrote a ``when`` row (a real SQLAlchemy error)."""
    failures: list[int] = []

    def before_commit(session: OrmSession) -> None:
        if not failures and session.info.get("wrote", set()) & {when}:
            failures.append(1)
            raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"))

    with noting_writes():
        event.listen(OrmSession, "before_commit", before_commit)
        try:
            yield failures
        finally:
            event.remove(OrmSession, "before_commit", before_commit)


@contextmanager
def noting_writes() -> Iterator[None]:
    """Each session notes the classes it inserted (flushed objects may be gone from its identity map)."""
    def after_flush(session: OrmSession, _context: object) -> None:
        session.info.setdefault("wrote", set()).update(type(o) for o in session.new)

    event.listen(OrmSession, "after_flush", after_flush)
    try:
        yield
    finally:
        event.remove(OrmSession, "after_flush", after_flush)


def _scored_runtime(database_url: str, tmp_path: Path, rows: list[dict[str, Any]],
                    warm: bool = False) -> tuple[Any, Runtime]:
    forget_detectors()
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    settings = make_settings(database={"url": database_url}, detection={"engine": "adaptive"},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}],
                             channels=[{"id": "console", "kind": "console"}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    if warm:  # the detector exists before the failing pass: its snapshot is what comes back
        assert run_detection(runtime.engine, settings, now=NOW - timedelta(minutes=30)).changes == ()
    poll_source(runtime.engine, settings, runtime.connector("f"), now=NOW)
    score_pending(runtime.engine, settings, runtime.model, now=NOW)
    return settings, runtime


@pytest.mark.parametrize("warm", [False, True], ids=["new-detector", "running-detector"])
def test_a_failed_detection_commit_loses_no_incident(database_url: str, tmp_path: Path, warm: bool) -> None:
    settings, runtime = _scored_runtime(database_url, tmp_path, high_reach_rows(2), warm)
    with commit_fails_once(Alert) as failures:
        changes = run_detection(runtime.engine, settings, now=NOW).changes
    assert failures == [1]  # the fault really happened, and with_retries ran the pass again
    opened = sorted(c for c in changes if c.startswith("opened"))
    assert len(opened) == 2 and all("its audience is reacting" in c for c in opened), changes
    with Session(runtime.engine) as session:
        assert len(session.exec(select(Incident)).all()) == 2
        assert len(session.exec(select(OutboxItem)).all()) == 2
        assert all(m.detected_at is not None for m in session.exec(select(Mention)))
    assert run_detection(runtime.engine, settings, now=NOW + timedelta(minutes=5)).changes == ()  # nothing doubles


def test_a_pass_that_fails_for_good_leaves_the_mentions_for_the_next_pass(database_url: str,
                                                                         tmp_path: Path) -> None:
    """Every retry fails (a long outage): the next scheduled pass still opens the incidents."""
    from monitor.errors import StorageError

    settings, runtime = _scored_runtime(database_url, tmp_path, high_reach_rows(2))
    calls: list[int] = []

    def always(session: OrmSession) -> None:
        if Alert in session.info.get("wrote", set()):
            calls.append(1)
            raise OperationalError("COMMIT", None, Exception("connection refused"))

    with noting_writes():
        event.listen(OrmSession, "before_commit", always)
        try:
            run_detection(runtime.engine, settings, now=NOW)
            raised = False
        except StorageError:
            raised = True
        finally:
            event.remove(OrmSession, "before_commit", always)
    assert raised and len(calls) == 6
    changes = run_detection(runtime.engine, settings, now=NOW + timedelta(minutes=1)).changes
    assert len([c for c in changes if c.startswith("opened")]) == 2


def test_impossible_quiet_hours_fail_check_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'[app]\ndata_dir = "{tmp_path / "data"}"\n[[brands]]\nid = "acme"\nname = "Acme"\n'
                    '[[channels]]\nid = "c"\nkind = "console"\nquiet_hours = "25:00-99:99"\n')
    done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "check"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "configuration error channels[0] (c).quiet_hours: '25:00' is not a time of day (use HH:MM-HH:MM, e.g. "
        "22:00-07:00)"]
