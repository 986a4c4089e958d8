"""Catching up after a rate limit (issue #17): the next poll goes right at the reset the server named (the real
tweepy client against the local fake X), health says until when, and a backlog alerts newest first."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from monitor.clock import ManualClock
from monitor.pipeline import poll_if_due
from monitor.pipeline.source_health import RESET_JITTER_S
from monitor.runtime import Runtime
from monitor.service.scheduler import CATCH_UP_CHUNK, Service
from monitor.settings import Settings
from monitor.storage.engine import transaction
from monitor.storage.tables import Incident, Mention, SourceState
from tests.fakes.settings_files import make_settings
from tests.fakes.x_api import FakeX

NOW = datetime(2026, 11, 23, 10, 0, 58, tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[FakeX]:
    server = FakeX(token="catch-up-token").start()
    yield server
    server.stop()


def x_settings(api: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GS_TEST_X_TOKEN", api.token)
    return make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, sources=[
        {"id": "x-acme", "kind": "x", "brand": "acme", "bearer_token": {"env": "GS_TEST_X_TOKEN"},
         "base_url": api.url, "interval_seconds": 60}])


def test_a_rate_limited_poll_is_due_right_at_the_reset_whatever_the_backoff(
        api: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(NOW)
    api.clock = clock
    settings = x_settings(api, tmp_path, monkeypatch)
    runtime = Runtime(settings, clock=clock)
    with transaction(runtime.engine) as session:  # five failed polls already: the next backoff step is ~30 min
        session.add(SourceState(id="x-acme", brand_id="acme", kind="x", status="failing", consecutive_failures=5))
    api.rate_limit_reset = NOW + timedelta(seconds=3)
    api.fail("429")
    limited = poll_if_due(runtime.engine, settings, runtime.connector("x-acme"), now=NOW)
    reset = NOW + timedelta(seconds=3)
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "x-acme")
        assert state is not None and state.next_poll_at is not None and state.consecutive_failures == 6
        due = state.next_poll_at.replace(tzinfo=UTC)
    assert reset + timedelta(seconds=RESET_JITTER_S[0]) <= due <= reset + timedelta(seconds=RESET_JITTER_S[1])
    assert limited.rate_limited and limited.retry_at == due  # the service moves its poll job to then
    assert limited.error == state.last_error == "X rate limit reached (rate limited until 10:02 UTC)"  # 10:01:01
    api.clear()
    api.add_tweet("Acme posted while we were rate limited", age=timedelta(0))
    assert poll_if_due(runtime.engine, settings, runtime.connector("x-acme"),
                       now=reset - timedelta(seconds=1)).backing_off
    after = due + timedelta(milliseconds=1)
    assert poll_if_due(runtime.engine, settings, runtime.connector("x-acme"), now=after).new == 1


def test_the_service_polls_again_at_the_reset_not_at_its_next_interval(
        api: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real time, the real scheduler and tweepy: a 429 naming a reset 3 s ahead; the poll interval is 60 s."""
    settings = x_settings(api, tmp_path, monkeypatch)
    reset = datetime.fromtimestamp(math.ceil(time.time()) + 3, UTC)
    api.rate_limit_reset = reset
    api.fail("429")
    service = Service(settings)
    service.start(http=False)
    try:
        deadline, again = time.monotonic() + 20, None
        while time.monotonic() < deadline and again is None:
            if api.fault and datetime.now(UTC) >= reset:
                api.clear()
            if len(api.requests) > 1:
                again = datetime.now(UTC)
            time.sleep(0.05)
    finally:
        service.shutdown()
    assert again is not None, "no poll within 20 s of the 429"
    assert reset < again < reset + timedelta(seconds=RESET_JITTER_S[1] + 1.5)
    with Session(service.runtime.engine) as session:
        state = session.get(SourceState, "x-acme")
        assert state is not None and state.status == "ok"


def _backlog(count: int, start: datetime) -> list[dict[str, Any]]:
    """A quiet backlog, one post a second; the newest a churn threat from a big account."""
    rows = [{"id": f"b{i}", "author_id": f"u{i}", "text": f"Acme router setup went fine {i}",
             "posted_at": (start + timedelta(seconds=i)).isoformat()} for i in range(count - 1)]
    return rows + [{"id": "threat", "author_id": "big", "author_followers": 900_000,
                    "text": "Acme is terrible, cancelling my subscription today",
                    "posted_at": (start + timedelta(seconds=count)).isoformat()}]


def test_a_backlog_is_scored_newest_first_with_detection_after_each_chunk(tmp_path: Path) -> None:
    count = CATCH_UP_CHUNK * 2 + 50
    path = tmp_path / "backlog.jsonl"
    start = NOW - timedelta(seconds=count + 5)
    path.write_text("".join(json.dumps(r) + "\n" for r in _backlog(count, start)))
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, sources=[
        {"id": "f", "kind": "replay", "brand": "acme", "path": str(path), "limit": count}])
    service = Service(settings, clock=ManualClock(NOW))  # not started: only what score() itself runs
    service.poll("f")
    service.score()
    with Session(service.runtime.engine) as session:
        assert session.exec(select(Mention).where(col(Mention.sentiment).is_(None))).all() == []
        examined = session.exec(select(Mention.external_id).where(col(Mention.detected_at).is_not(None))).all()
        threat = session.exec(select(Incident).where(Incident.trigger == "churn_threat")).one()
    # the two newest chunks were examined between chunks (the last one waits for the detect job it kicks)
    assert len(examined) == 2 * CATCH_UP_CHUNK and "threat" in examined and "b0" not in examined
    assert threat.status != "resolved"
