"""A churn threat is watched; it pages when the customer is influential, and escalates once when the
brand then leaves it unanswered past the response target."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from monitor.pipeline import poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 2, 18, tzinfo=UTC)
THREAT = {"id": "c1", "author_id": "sam", "text": "Acme is useless, I'm switching to FibreCo",
          "posted_at": (NOW - timedelta(minutes=5)).isoformat()}


def reply(to: str | None, minutes: int) -> dict:
    return {"id": f"r-{to}-{minutes}", "author_id": "acme", "text": "Sorry to hear that, DM us",
            "is_brand_reply": True, "parent_id": to, "posted_at": (NOW + timedelta(minutes=minutes)).isoformat()}


def run(tmp_path: Path, rows: list[dict]) -> tuple[list[str], Incident, list[str]]:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}])
    runtime = Runtime(settings)
    changes: list[str] = []
    for minutes in (0, 30, 61, 90):
        now = NOW + timedelta(minutes=minutes)
        poll_source(runtime.engine, settings, runtime.connector("f"), now=now)
        score_pending(runtime.engine, settings, runtime.model, now=now)
        changes += run_detection(runtime.engine, settings, now=now).changes
    with Session(runtime.engine) as session:
        incident = session.exec(select(Incident).where(Incident.trigger == "churn_threat")).one()
        events = list(session.exec(select(Alert.event).where(Alert.incident_id == incident.id).order_by(Alert.id)))
    return changes, incident, events


def test_unanswered_influential_churn_threat_escalates_once(tmp_path: Path) -> None:
    changes, incident, events = run(tmp_path, [{**THREAT, "author_followers": 25_000}, reply(None, 1)])
    assert incident.severity == 3 and incident.status == "escalated"
    assert "not answered by the brand within 60 min" in incident.reason
    assert [e for e in events if e != "unacknowledged"] == ["opened", "escalated"]  # escalated once
    assert sum("unanswered" in change for change in changes) == 1


def test_answered_influential_churn_threat_is_not_escalated(tmp_path: Path) -> None:
    _, incident, events = run(tmp_path, [{**THREAT, "author_followers": 25_000}, reply("c1", 20)])
    assert incident.severity == 2 and "escalated" not in events and events[0] == "opened"


def test_an_ordinary_customers_churn_threat_stays_on_the_watch_list(tmp_path: Path) -> None:
    for n, rows in enumerate(([THREAT, reply(None, 1)], [THREAT, reply("c1", 20)], [THREAT])):
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        _, incident, events = run(folder, rows)
        assert incident.status == "watch" and events == [], n


def test_influential_customers_churn_threat_pages_at_once(tmp_path: Path) -> None:
    changes, incident, events = run(tmp_path, [{**THREAT, "author_followers": 25_000}])
    assert events[0] == "opened" and incident.status != "watch"
    assert "influential" in changes[0]
