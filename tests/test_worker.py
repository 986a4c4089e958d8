"""Scale-out: a real Celery worker over the real Redis broker runs the same pipeline functions."""

from __future__ import annotations

import importlib
import json
import math
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
import redis
from sqlmodel import Session, func, select

from monitor.storage.engine import open_database
from monitor.storage.tables import Mention, SourceState
from tests.fakes.settings_files import service_settings_toml
from tests.fakes.x_api import FakeX

REDIS = os.environ.get("GROUNDSWELL_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def fresh_worker_module() -> ModuleType:
    """Import the worker module anew so its Celery app reads this test's GROUNDSWELL_CONFIG (broker database).

    Popping sys.modules alone is not enough: the package keeps the old module as its attribute, and
    `from monitor.service import worker` would hand back an app configured by an earlier test.
    """
    import monitor.service

    sys.modules.pop("monitor.service.worker", None)
    if hasattr(monitor.service, "worker"):
        delattr(monitor.service, "worker")
    return importlib.import_module("monitor.service.worker")


@pytest.fixture
def worker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "m.jsonl"
    rows = [{"id": str(i), "text": "Acme is down, useless", "posted_at": "2026-11-01T10:00:00Z",
             "author_id": f"a{i}"} for i in range(25)]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    queue_db = 2 + uuid.uuid4().int % 12
    # An empty broker database: unacknowledged tasks an earlier, interrupted run left there would be redelivered
    # to this test's worker first (a stale poll that reads the file before ours, so ours fetched 0).
    redis.Redis.from_url(f"{REDIS}/{queue_db}").flushdb()
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path, body=f"""
[distributed]
broker_url = "{REDIS}/{queue_db}"
result_backend = "{REDIS}/{queue_db}"
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
path = "{data}"
"""))
    monkeypatch.setenv("GROUNDSWELL_CONFIG", str(path))
    return path


def test_celery_worker_polls_and_scores_through_redis(worker_config: Path, tmp_path: Path) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is required at {REDIS}: {exc}")
    env = {**os.environ, "GROUNDSWELL_CONFIG": str(worker_config)}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "monitor.service.worker", "worker",
                               "--pool", "solo", "-Q", "io,ml,core,notify", "--loglevel", "warning"],
                              env=env, cwd=tmp_path)
    try:
        tasks = fresh_worker_module()

        polled = tasks.poll.delay("file").get(timeout=60)
        assert polled == {"source_id": "file", "fetched": 25, "new": 25, "problems": [], "error": None,
                          "rate_limited": False, "retry_at": None, "backing_off": False}
        assert tasks.poll.delay("file").get(timeout=60)["new"] == 0  # idempotent: nothing twice
        assert tasks.score.delay().get(timeout=60) == 25
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    engine = open_database(f"sqlite:///{tmp_path / 'groundswell.db'}")
    with Session(engine) as session:
        negatives = select(func.count()).select_from(Mention).where(Mention.sentiment == "negative")
        assert session.exec(negatives).one() == 25


def test_worker_tasks_run_the_pipeline_with_the_service_backoff_gate_and_schedule(
        worker_config: Path, tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").rename(tmp_path / "gone.jsonl")  # the source fails: it must back off
    tasks = fresh_worker_module()

    tasks.runtime.cache_clear()
    first = tasks.poll("file")  # run in this process, as a worker would
    assert first["error"] and not first["backing_off"]
    second = tasks.poll("file")
    assert second["backing_off"] and second["error"] is None  # the gate skipped it: no second failure
    with Session(tasks.runtime().engine) as session:
        state = session.get(SourceState, "file")
        assert state is not None and state.consecutive_failures == 1
    assert tasks.deliver() == {"sent": 0, "failed": 0, "rate_limited": 0}
    detected = tasks.detect_brand("acme")
    assert detected["seconds"] >= 0 and {k: v for k, v in detected.items() if k != "seconds"} == {
        "brand": "acme", "skipped": False, "events": {}, "changes": []}
    assert tasks.retention() == {"mentions": 0, "incidents": 0}
    digest = tasks.digest("acme")  # the service's digest job: the file under data_dir, then the digest channels
    assert digest["brand"] == "acme" and Path(digest["html"]).is_file() and digest["failed"] == []
    schedule = tasks.beat_schedule(tasks.runtime().settings)
    assert {"poll file", "score", "detect", "deliver", "retention", "digests"} <= set(schedule)
    tasks.runtime.cache_clear()


def test_a_rate_limited_poll_runs_again_at_the_reset_the_server_named(worker_config: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Beat polls this X source every 5 minutes; after a 429 naming a reset 3 s ahead the worker polls right then."""
    api = FakeX(token="worker-token").start()
    monkeypatch.setenv("GS_TEST_X_TOKEN", api.token)
    config = worker_config.read_text().replace('[[sources]]', f'''[[sources]]
id = "x-acme"
kind = "x"
brand = "acme"
bearer_token = {{ env = "GS_TEST_X_TOKEN" }}
base_url = "{api.url}"
interval_seconds = 300
[[sources]]''', 1)
    worker_config.write_text(config)
    reset = datetime.fromtimestamp(math.ceil(time.time()) + 3, UTC)
    api.rate_limit_reset = reset
    api.fail("429")
    env = {**os.environ, "GROUNDSWELL_CONFIG": str(worker_config), "GS_TEST_X_TOKEN": api.token}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "monitor.service.worker", "worker",
                               "--pool", "solo", "-Q", "io", "--loglevel", "warning"], env=env, cwd=tmp_path)
    try:
        tasks = fresh_worker_module()
        limited = tasks.poll.delay("x-acme").get(timeout=60)
        assert limited["rate_limited"] and limited["retry_at"] and "rate limited until" in limited["error"]
        deadline, again = time.monotonic() + 30, None
        while time.monotonic() < deadline and again is None:
            if api.fault and datetime.now(UTC) >= reset:
                api.clear()
            again = datetime.now(UTC) if len(api.requests) > 1 else None
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        api.stop()
    assert again is not None and reset < again < datetime.fromisoformat(limited["retry_at"]) + timedelta(seconds=2)
