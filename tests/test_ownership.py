"""Single ownership on PostgreSQL: scoring claims rows, a brand is detected by one worker, one beat leads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from monitor.pipeline import score_pending
from monitor.pipeline.detecting import run_brand_detection
from monitor.runtime import Runtime
from monitor.storage.advisory import try_xact_lock
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


def _runtime(url: str) -> Runtime:
    settings = make_settings(database={"url": url}, brands=[{"id": "acme", "name": "Acme"},
                                                            {"id": "zed", "name": "Zed"}])
    return Runtime(settings)


def _seed(runtime: Runtime, n: int) -> None:
    with Session(runtime.engine) as session:
        session.add_all(Mention(brand_id="acme", source_id="s", platform="x", external_id=str(i),
                                text="Acme is down, useless", posted_at=NOW, ingested_at=NOW) for i in range(n))
        session.commit()


def test_a_second_scoring_worker_skips_rows_another_has_claimed(pg_url: str) -> None:
    runtime = _runtime(pg_url)
    _seed(runtime, 25)
    other = runtime.engine.connect()  # another worker, mid-batch: it holds the first 10 rows
    other.execute(text("select id from mentions where sentiment is null order by id limit 10 for update"))
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(
        score_pending(runtime.engine, runtime.settings, runtime.model, now=NOW)))
    try:
        worker.start()
        worker.join(timeout=30)
        alive = worker.is_alive()  # before the fix it waited on the claimed rows, then scored them a second time
    finally:
        other.rollback()
        other.close()
        worker.join(timeout=30)
    assert not alive and results and results[0].scored == 15
    with Session(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Mention)
                            .where(Mention.sentiment == None)).one() == 10  # noqa: E711
    assert score_pending(runtime.engine, runtime.settings, runtime.model, now=NOW).scored == 10  # released


def test_a_brand_held_by_another_worker_is_skipped_and_others_run(pg_url: str) -> None:
    runtime = _runtime(pg_url)
    with try_xact_lock(runtime.engine, "detect:acme") as held:
        assert held
        assert run_brand_detection(runtime.engine, runtime.settings, "acme", now=NOW) is None
        zed = run_brand_detection(runtime.engine, runtime.settings, "zed", now=NOW)
        assert zed is not None and zed.changes == ()
    after = run_brand_detection(runtime.engine, runtime.settings, "acme", now=NOW)  # released with the block
    assert after is not None


def test_only_one_beat_leads_and_a_standby_takes_over(pg_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from celery import Celery

    from monitor.service.beat_leader import LeaderScheduler

    config = tmp_path / "settings.toml"
    config.write_text(f'[database]\nurl = "{pg_url}"\n[[brands]]\nid = "acme"\nname = "Acme"\n')
    monkeypatch.setenv("GROUNDSWELL_CONFIG", str(config))
    app = Celery("beat-test")
    first = LeaderScheduler(app=app, schedule_filename=str(tmp_path / "one"), lazy=True)
    second = LeaderScheduler(app=app, schedule_filename=str(tmp_path / "two"), lazy=True)
    assert first.leads() and not second.leads()
    assert first.leads() and not second.leads()  # stable: the leader keeps its lock
    assert first._lock is not None
    first._lock.release()  # the leader goes away (a killed process drops its connection the same way)
    first._lock = None
    assert second.leads()
    assert not first.leads()
    assert second._lock is not None
    second._lock.release()
