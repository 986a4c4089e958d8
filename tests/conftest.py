"""Shared fixtures: real SQLite and real PostgreSQL databases, and the slow-tier markers.

Helpers that tests import (settings, stand-ins, process runners) live in tests/fakes/."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP

ROOT = Path(__file__).resolve().parents[1]
# Subprocesses (the CLI, the service, a Celery worker) run from temporary folders: make them import this
# checkout's code, never whatever copy of groundswell happens to be installed in the environment.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

# The slow/e2e tier: whole-process, kill -9, real-worker and whole-week tests.  `pytest` runs the fast tier;
# `pytest -m slow` runs these; CI runs both.  A new slow test can also carry @pytest.mark.slow itself.
SLOW_MODULES = {"test_crash_safety", "test_worker", "test_alerts_demo_delivery", "test_demo", "test_partial_finetune"}
SLOW_TESTS = {
    "test_mentions_mode_writes_the_incident_timeline_of_the_demo_week",
    "test_local_hugging_face_folder",
    "test_run_process_lock_reload_json_logs_and_clean_exit",
    "test_run_serves_until_sigterm_and_exits_cleanly",
    "test_tune_replays_stored_history_once_per_candidate",
}


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """An in-process CLI run (click's runner) configures logging for the process: a deferred handler on the root
    logger that resets the level at the next record, libraries' levels.  Put it all back, so a later test's
    caplog sees what it logs whatever ran before it."""
    from monitor.logs import NOISY

    root, names = logging.getLogger(), (*NOISY, "slack_sdk")
    level, handlers, levels = root.level, root.handlers[:], [logging.getLogger(n).level for n in names]
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, saved in zip(names, levels, strict=True):
        logging.getLogger(name).setLevel(saved)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or item.name.split("[", 1)[0] in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


PG_URL = os.environ.get("GROUNDSWELL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """PostgreSQL is required in CI (CI=true): a missing server fails there instead of skipping."""
    problem = _postgres_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (set GROUNDSWELL_TEST_PG_URL): {problem}")
    return PG_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL schema of its own (for tests that build the URL themselves, e.g. via a proxy)."""
    name = f"gs_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {name}"))
    yield name
    with admin.begin() as connection:
        connection.execute(text(f"drop schema {name} cascade"))
    admin.dispose()


@pytest.fixture
def pg_url(postgres_url: str, pg_schema: str) -> str:
    """A PostgreSQL URL whose search_path is an empty schema of its own (dropped after the test)."""
    return f"{postgres_url}?options=-csearch_path%3D{pg_schema}"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A real local HTTP server shaped like Slack's Web API (a test may define its own variant)."""
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    """A real SMTP server (aiosmtpd) on a free local port."""
    server = FakeSMTP().start()
    yield server
    server.stop()
