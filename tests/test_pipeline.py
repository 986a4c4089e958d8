"""The pipeline end to end on real databases: poll, score, detect, deliver."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from alerts.base import AlertMessage, Notifier, Receipt
from alerts.console import ConsoleNotifier, ConsoleOptions
from monitor.clock import ManualClock
from monitor.errors import DeliveryError
from monitor.pipeline import deliver_due, poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem, SourceState
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)


def write_mentions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def outage_rows(count: int, start: datetime) -> list[dict]:
    return [{"id": f"o{i}", "author_id": f"cust{i}", "text": "Acme internet down again, terrible and useless",
             "posted_at": (start + timedelta(minutes=i)).isoformat()} for i in range(count)]


def settings_for(database_url: str, sources: list[dict], channels: list[dict] | None = None,
                 engine: str = "simple"):  # noqa: ANN201
    return make_settings(database={"url": database_url}, sources=sources, channels=channels or [],
                         detection={"engine": engine})


def test_failing_source_keeps_its_cursor_and_others_go_on(database_url: str, tmp_path: Path) -> None:
    good = write_mentions(tmp_path / "good.jsonl", outage_rows(3, NOW - timedelta(hours=1)))
    missing = tmp_path / "later.jsonl"
    settings = settings_for(database_url, [
        {"id": "good", "kind": "replay", "brand": "acme", "path": str(good)},
        {"id": "flaky", "kind": "replay", "brand": "acme", "path": str(missing), "interval_seconds": 60}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    failed = poll_source(runtime.engine, settings, runtime.connector("flaky"), now=NOW)
    poll_source(runtime.engine, settings, runtime.connector("flaky"), now=NOW + timedelta(minutes=2))
    worked = poll_source(runtime.engine, settings, runtime.connector("good"), now=NOW)
    assert failed.error and "cannot read" in failed.error and worked.new == 3
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "flaky")
        assert state is not None and state.cursor is None and state.status == "failing"
        assert state.consecutive_failures == 2 and state.next_poll_at is not None
        assert state.next_poll_at.replace(tzinfo=UTC) >= NOW + timedelta(minutes=2, seconds=90)
    write_mentions(missing, outage_rows(2, NOW - timedelta(minutes=5)))
    runtime = Runtime(settings, clock=ManualClock(NOW))  # a fresh process re-reads the file
    assert poll_source(runtime.engine, settings, runtime.connector("flaky"), now=NOW).new == 0  # same ids: dedupe
    with Session(runtime.engine) as session:
        state = session.get(SourceState, "flaky")
        assert state is not None and state.status == "ok" and state.consecutive_failures == 0
        assert state.cursor is not None and state.cursor["line"] == 3
        down = session.exec(select(Incident).where(Incident.trigger == "source_down")).one()
        assert down.status == "resolved" and "cannot read" in down.reason
        events = session.exec(select(Alert.event).where(Alert.incident_id == down.id)).all()
        assert sorted(events) == ["opened", "resolved"]  # ops hear the failure once and the recovery once


def test_scoring_adds_sentiment_model_and_signals(database_url: str, tmp_path: Path) -> None:
    rows = [{"id": "1", "text": "Acme is down and useless, switching to FibreCo", "posted_at": NOW.isoformat()},
            {"id": "2", "text": "Thanks Acme, the engineer was brilliant", "posted_at": NOW.isoformat()}]
    settings = settings_for(database_url, [{"id": "f", "kind": "replay", "brand": "acme",
                                            "path": str(write_mentions(tmp_path / "m.jsonl", rows))}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_source(runtime.engine, settings, runtime.connector("f"), now=NOW)
    assert score_pending(runtime.engine, settings, runtime.model, now=NOW).scored == 2
    assert score_pending(runtime.engine, settings, runtime.model, now=NOW).scored == 0
    with Session(runtime.engine) as session:
        first, second = session.exec(select(Mention).order_by(Mention.external_id)).all()
    assert (first.sentiment, second.sentiment) == ("negative", "positive")
    assert first.sentiment_model == "lexicon@1" and first.signals is not None
    assert first.signals["churn_threat"] is not None


class FlakyChannel(Notifier):
    """A channel that is down for the first `failures` attempts (a real one would be Slack, SMTP...)."""

    kind = "flaky"

    def __init__(self, failures: int, transient: bool = True) -> None:
        super().__init__("flaky", ConsoleOptions())
        self.failures, self.transient, self.sent = failures, transient, []

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("flaky", "connection refused", transient=self.transient)
        self.sent.append(idempotency_key)
        return Receipt(channel="flaky", message_id=idempotency_key)


def _spike_runtime(database_url: str, tmp_path: Path):  # noqa: ANN202
    path = write_mentions(tmp_path / "spike.jsonl", outage_rows(20, NOW - timedelta(minutes=30)))
    settings = settings_for(database_url, [{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}],
                            [{"id": "flaky", "kind": "console"}])
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_source(runtime.engine, settings, runtime.connector("f"), now=NOW)
    score_pending(runtime.engine, settings, runtime.model, now=NOW)
    return settings, runtime


def test_spike_opens_one_incident_and_its_alert_survives_a_channel_outage(database_url: str,
                                                                         tmp_path: Path) -> None:
    settings, runtime = _spike_runtime(database_url, tmp_path)
    detected = run_detection(runtime.engine, settings, now=NOW)
    assert detected.opened == 1 and dict(detected.events) == {"opened": 1}
    assert any(c.startswith("opened") and "spike" in c for c in detected.changes)
    again = run_detection(runtime.engine, settings, now=NOW + timedelta(minutes=1))
    assert not again.opened and not any("spike" in c for c in again.changes)
    channel = FlakyChannel(failures=2)
    first = deliver_due(runtime.engine, {"flaky": channel}, now=NOW)
    assert [o.status for o in first.outcomes] == ["retry"] and (first.sent, first.failed) == (0, 1)
    assert len(deliver_due(runtime.engine, {"flaky": channel}, now=NOW)) == 0  # not due yet: backoff
    later = NOW + timedelta(hours=2)
    deliver_due(runtime.engine, {"flaky": channel}, now=later)
    restarted = Runtime(settings, clock=ManualClock(later))  # a restart: new engine over the same database
    deliver_due(restarted.engine, {"flaky": channel}, now=later + timedelta(hours=2))
    deliver_due(restarted.engine, {"flaky": channel}, now=later + timedelta(hours=4))
    assert len(channel.sent) == 1  # delivered exactly once after recovery
    with Session(restarted.engine) as session:
        item = session.exec(select(OutboxItem)).one()
        assert item.status == "sent" and item.attempts == 3
        incident = session.exec(select(Incident).where(Incident.trigger == "spike")).one()
        assert "20 negative mentions from 20 people" in incident.reason


def test_permanent_failure_is_dead_lettered(database_url: str, tmp_path: Path) -> None:
    settings, runtime = _spike_runtime(database_url, tmp_path)
    run_detection(runtime.engine, settings, now=NOW)
    result = deliver_due(runtime.engine, {"flaky": FlakyChannel(failures=1, transient=False)}, now=NOW)
    assert [o.status for o in result.outcomes] == ["dead"] and result.failed == 1 and result.sent == 0
    with Session(runtime.engine) as session:
        assert session.exec(select(OutboxItem)).one().status == "dead"


def test_console_channel_prints_the_alert(database_url: str, tmp_path: Path) -> None:
    settings, runtime = _spike_runtime(database_url, tmp_path)
    run_detection(runtime.engine, settings, now=NOW)
    stream = io.StringIO()
    console = ConsoleNotifier("flaky", ConsoleOptions(), stream=stream)
    deliver_due(runtime.engine, {"flaky": console}, now=NOW)
    printed = stream.getvalue()
    assert "NEW INCIDENT" in printed and "Acme Broadband" in printed and "20 people complaining" in printed
    assert printed.count("Acme internet down again") == 2  # headline + one example: 20 duplicates folded


def test_adaptive_engine_opens_one_story_for_many_people_repeating_one_complaint(database_url: str,
                                                                                tmp_path: Path) -> None:
    from monitor.detection.warmup import forget_detectors

    forget_detectors()
    path = write_mentions(tmp_path / "story.jsonl", outage_rows(20, NOW - timedelta(minutes=30)))
    settings = settings_for(database_url, [{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}],
                            [{"id": "console", "kind": "console"}], engine="adaptive")
    runtime = Runtime(settings, clock=ManualClock(NOW))
    poll_source(runtime.engine, settings, runtime.connector("f"), now=NOW)
    score_pending(runtime.engine, settings, runtime.model, now=NOW)
    changes = run_detection(runtime.engine, settings, now=NOW).changes
    assert [c.split(":")[0] for c in changes] == ["opened #1 [acme] sev 3 story"]
    assert "20 people repeated one story in 6 h" in changes[0]
    assert not run_detection(runtime.engine, settings, now=NOW + timedelta(minutes=5))  # no re-page
    with Session(runtime.engine) as session:
        incident = session.exec(select(Incident)).one()
        assert len(incident.example_mention_ids or []) == 5
        assert session.exec(select(OutboxItem)).one().channel_id == "console"
