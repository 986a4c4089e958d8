"""Every runner gets the same typed stage results: the backoff gate, rate limits, delivery counts, digest slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from alerts.base import AlertMessage, Notifier, Receipt
from monitor.clock import ManualClock
from monitor.errors import DeliveryError, SourceAuthError
from monitor.pipeline import backing_off, deliver_due, digest_due, poll_if_due, run_detection, score_pending
from monitor.pipeline.source_health import retry_at
from monitor.runtime import Runtime
from monitor.service.observability import Metrics
from monitor.settings import BrandSettings
from monitor.storage.tables import SourceState
from tests.fakes.hn_api import FakeHN
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


def test_a_failing_source_is_not_polled_again_until_its_backoff_ends(tmp_path: Path) -> None:
    missing = tmp_path / "later.jsonl"
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                             sources=[{"id": "flaky", "kind": "replay", "brand": "acme", "path": str(missing)}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    connector = runtime.connector("flaky")
    first = poll_if_due(runtime.engine, settings, connector, now=NOW)
    assert first.error and not first.backing_off and not first.ok
    assert backing_off(runtime.engine, "flaky", NOW + timedelta(seconds=1))
    gated = poll_if_due(runtime.engine, settings, connector, now=NOW + timedelta(seconds=1))
    assert gated.backing_off and gated.error is None and not gated.ok
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "flaky")
        assert state is not None and state.consecutive_failures == 1  # the gate did not poll
        assert state.next_poll_at is not None
        later = state.next_poll_at.replace(tzinfo=UTC) + timedelta(seconds=1)
    missing.write_text('{"id": "1", "text": "Acme works", "posted_at": "2026-11-02T17:00:00Z", "author_id": "a"}\n')
    fresh = Runtime(settings, clock=ManualClock(later))
    assert poll_if_due(fresh.engine, settings, fresh.connector("flaky"), now=later).new == 1


def test_a_rate_limited_poll_says_so_in_a_field_and_in_the_metrics(tmp_path: Path) -> None:
    api = FakeHN().start()
    try:
        api.fail("429")
        settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                                 sources=[{"id": "hn", "kind": "hackernews", "brand": "acme", "base_url": api.url,
                                           "timeout_seconds": 2}])
        runtime = Runtime(settings)
        now = datetime.now(UTC)
        result = poll_if_due(runtime.engine, settings, runtime.connector("hn"), now=now)
    finally:
        api.stop()
    assert result.error and result.rate_limited
    metrics = Metrics()
    metrics.record_poll(result, 0.1, now)
    assert metrics.registry.get_sample_value("groundswell_poll_rate_limited_total", {"source": "hn"}) == 1
    assert metrics.registry.get_sample_value("groundswell_poll_errors_total", {"source": "hn"}) == 1


def test_a_source_that_keeps_failing_with_5xx_is_retried_within_about_a_minute(tmp_path: Path) -> None:
    """Issue #17 soak: a six-minute hang left the first posts after it waiting 365 s for the next backoff step.
    An unavailable source (timeouts, 5xx) backs off to at most a minute (+ jitter) however long it fails; a
    refused one still backs off further (retrying it sooner would not help)."""
    api = FakeHN().start()
    try:
        api.fail("503")
        settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                                 sources=[{"id": "hn", "kind": "hackernews", "brand": "acme", "base_url": api.url,
                                           "timeout_seconds": 2, "interval_seconds": 10}])
        runtime, now = Runtime(settings), NOW
        for _ in range(10):  # ten failures in a row: the plain exponential step would be 10 s x 2^9 = 85 min
            assert poll_if_due(runtime.engine, settings, runtime.connector("hn"), now=now).error
            now += timedelta(hours=2)
    finally:
        api.stop()
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "hn")
        assert state is not None and state.next_poll_at and state.last_attempt_at
        assert state.consecutive_failures == 10
        wait = state.next_poll_at.replace(tzinfo=UTC) - state.last_attempt_at.replace(tzinfo=UTC)
    assert timedelta(seconds=45) <= wait <= timedelta(seconds=75), wait
    refused = retry_at(SourceAuthError("hn", "401"), 10, 10, NOW) - NOW
    assert refused >= timedelta(minutes=45), refused


class SlowDown(Notifier):
    """A channel that answers 429 with Retry-After once, then accepts."""

    kind = "slowdown"

    def __init__(self) -> None:
        self.channel_id, self.calls = "ops", 0

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        self.calls += 1
        if self.calls == 1:
            raise DeliveryError("ops", "429 Too Many Requests", retry_after=30)
        return Receipt("ops", message_id=f"m{self.calls}")


def test_delivery_counts_sent_failed_and_rate_limited_per_channel(tmp_path: Path) -> None:
    rows = "".join(f'{{"id": "o{i}", "author_id": "c{i}", "text": "Acme internet down again, terrible and useless", '
                   f'"posted_at": "{(NOW - timedelta(minutes=30 - i)).isoformat()}"}}\n' for i in range(20))
    (tmp_path / "spike.jsonl").write_text(rows)
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, detection={"engine": "simple"},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme",
                                       "path": str(tmp_path / "spike.jsonl")}],
                             channels=[{"id": "ops", "kind": "console"}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_if_due(runtime.engine, settings, runtime.connector("f"), now=NOW)
    assert score_pending(runtime.engine, settings, runtime.model, now=NOW).scored == 20
    assert run_detection(runtime.engine, settings, now=NOW).opened == 1
    channel, metrics = SlowDown(), Metrics()
    refused = deliver_due(runtime.engine, {"ops": channel}, now=NOW)
    assert (refused.sent, refused.failed, refused.rate_limited) == (0, 1, 1)
    metrics.record_delivery(refused)
    later = NOW + timedelta(minutes=5)
    accepted = deliver_due(runtime.engine, {"ops": channel}, now=later)
    assert (accepted.sent, accepted.failed, accepted.rate_limited) == (1, 0, 0)
    metrics.record_delivery(accepted)
    sample = metrics.registry.get_sample_value
    assert sample("groundswell_alerts_rate_limited_total", {"channel": "ops"}) == 1
    assert sample("groundswell_alerts_failed_total", {"channel": "ops"}) == 1
    assert sample("groundswell_alerts_sent_total", {"channel": "ops"}) == 1


@pytest.mark.parametrize("timezone", ["UTC", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns"])
def test_a_fifteen_minute_beat_finds_each_brand_digest_exactly_once_a_day(timezone: str) -> None:
    brand = BrandSettings(id="acme", name="Acme", timezone=timezone)
    start = datetime(2026, 11, 2, tzinfo=UTC)
    beats = [start + timedelta(minutes=15 * i) for i in range(96)]
    due = [b for b in beats if digest_due(brand, b, 8, timedelta(minutes=15))]
    assert len(due) == 1
    assert not any(digest_due(brand, b, -1, timedelta(minutes=15)) for b in beats)
