"""A churn threat is watched; it pages when the brand leaves it unanswered past the target or when the
customer is influential, and an answered one never pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from monitor.pipeline import poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident
from tests.conftest import make_settings

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
        changes += run_detection(runtime.engine, settings, now=now)
    with Session(runtime.engine) as session:
        incident = session.exec(select(Incident).where(Incident.trigger == "churn_threat")).one()
        events = list(session.exec(select(Alert.event).where(Alert.incident_id == incident.id).order_by(Alert.id)))
    return changes, incident, events


def test_unanswered_churn_threat_pages_once_after_the_response_target(tmp_path: Path) -> None:
    changes, incident, events = run(tmp_path, [THREAT, reply(None, 1)])  # replies are being collected
    assert incident.severity == 3 and incident.status == "open"
    assert "not answered by the brand within 60 min" in incident.reason
    assert events == ["opened"]  # watched at first, one page once it mattered
    assert sum("not answered" in change for change in changes) == 1


def test_answered_churn_threat_stays_on_the_watch_list(tmp_path: Path) -> None:
    _, incident, events = run(tmp_path, [THREAT, reply("c1", 20)])
    assert incident.severity == 2 and incident.status == "watch" and events == []


def test_no_page_when_the_brands_replies_are_not_collected(tmp_path: Path) -> None:
    _, incident, events = run(tmp_path, [THREAT])
    assert incident.status == "watch" and events == []


def test_influential_customers_churn_threat_pages_at_once(tmp_path: Path) -> None:
    changes, incident, events = run(tmp_path, [{**THREAT, "author_followers": 25_000}])
    assert events[0] == "opened" and incident.status != "watch"
    assert "influential" in changes[0]
