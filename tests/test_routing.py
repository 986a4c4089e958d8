"""Routing and escalation with an injected clock: tiers, quiet hours, unacknowledged incidents."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from alerts.routing import in_quiet_hours
from monitor.pipeline import poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident, OutboxItem
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)
CHANNELS = [{"id": "team", "kind": "console", "quiet_hours": "17:00-23:00"},
            {"id": "manager", "kind": "console", "tier": 2}]


def runtime_with(tmp_path: Path, rows: list[dict]) -> Runtime:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}],
                             channels=CHANNELS, detection={"engine": "simple"})
    runtime = Runtime(settings)
    poll_source(runtime.engine, settings, runtime.connector("f"), now=NOW)
    score_pending(runtime.engine, settings, runtime.model, now=NOW)
    return runtime


def deliveries(runtime: Runtime) -> list[tuple[str, str]]:
    with Session(runtime.engine) as session:
        rows = session.exec(select(Alert.event, OutboxItem.channel_id).join(
            OutboxItem, OutboxItem.alert_id == Alert.id).order_by(OutboxItem.id)).all()
    return [(event, channel) for event, channel in rows]


def test_quiet_hours_window_wraps_midnight() -> None:
    assert in_quiet_hours("22:00-07:00", datetime(2026, 11, 2, 23, 30, tzinfo=UTC), "UTC")
    assert in_quiet_hours("22:00-07:00", datetime(2026, 11, 2, 6, 59, tzinfo=UTC), "UTC")
    assert not in_quiet_hours("22:00-07:00", datetime(2026, 11, 2, 12, tzinfo=UTC), "UTC")
    assert in_quiet_hours("09:00-10:00", datetime(2026, 7, 2, 8, 30, tzinfo=UTC), "Europe/London")  # BST


def test_severe_spike_reaches_both_tiers_even_in_quiet_hours(tmp_path: Path) -> None:
    rows = [{"id": f"o{i}", "author_id": f"c{i}", "text": "Acme internet down, terrible and useless",
             "posted_at": (NOW - timedelta(minutes=30 - i)).isoformat()} for i in range(20)]
    runtime = runtime_with(tmp_path, rows)
    run_detection(runtime.engine, runtime.settings, now=NOW)
    assert deliveries(runtime) == [("opened", "team"), ("opened", "manager")]


def test_low_severity_waits_in_quiet_hours_and_unacknowledged_goes_to_the_next_tier(tmp_path: Path) -> None:
    rows = [{"id": "c1", "author_id": "sam", "text": "Acme is useless, I'm switching to FibreCo",
             "author_followers": 20_000, "posted_at": (NOW - timedelta(minutes=5)).isoformat()}]  # influential
    runtime = runtime_with(tmp_path, rows)
    run_detection(runtime.engine, runtime.settings, now=NOW)
    assert deliveries(runtime) == []  # severity 2 at 18:00: quiet hours for the team, below the manager's tier
    run_detection(runtime.engine, runtime.settings, now=NOW + timedelta(minutes=29))
    assert deliveries(runtime) == []
    run_detection(runtime.engine, runtime.settings, now=NOW + timedelta(minutes=31))
    run_detection(runtime.engine, runtime.settings, now=NOW + timedelta(minutes=45))
    assert deliveries(runtime) == [("unacknowledged", "manager")]  # once, not every run


def test_acknowledged_incident_is_not_escalated(tmp_path: Path) -> None:
    rows = [{"id": "c1", "author_id": "sam", "text": "Acme is useless, I'm switching to FibreCo",
             "author_followers": 20_000, "posted_at": (NOW - timedelta(minutes=5)).isoformat()}]  # influential
    runtime = runtime_with(tmp_path, rows)
    run_detection(runtime.engine, runtime.settings, now=NOW)
    with Session(runtime.engine) as session:
        incident = session.exec(select(Incident)).one()
        incident.acked_by = "dana"
        session.add(incident)
        session.commit()
    run_detection(runtime.engine, runtime.settings, now=NOW + timedelta(minutes=40))
    assert deliveries(runtime) == []
