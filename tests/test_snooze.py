"""Snooze: a snoozed incident sends no reminders or escalation pages until the snooze ends, then wakes by
itself; it stays listed.  Plus the CLI's `incidents snooze|wake|missed` (real processes, one-line errors)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.detection.changes import IncidentChange
from monitor.detection.incidents import detect_brand
from monitor.pipeline.alerting import record_alerts
from monitor.settings import Settings, load_settings
from monitor.storage.engine import open_database, transaction
from monitor.storage.retention import purge
from monitor.storage.tables import (
    Alert,
    AlertFeedback,
    Brand,
    Incident,
    IncidentAction,
    Mention,
    MissedMention,
    OutboxItem,
)
from monitor.web.actions import Actor, act, give_feedback, parse_duration, report_missed
from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.settings_files import make_settings, service_settings_toml

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def _settings() -> Settings:
    return make_settings(escalation={"unacknowledged_minutes": 30}, channels=[
        {"id": "team", "kind": "console"}, {"id": "managers", "kind": "console", "tier": 2}])


def _open_incident(url: str) -> int:
    engine = open_database(url)
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme Broadband"))
        incident = Incident(brand_id="acme", key="spike:x", trigger="spike", status="open", severity=2,
                            title="Outage", reason="r", opened_at=NOW, updated_at=NOW, last_activity_at=NOW,
                            details={"told": ["opened:2"], "paged_at": NOW.isoformat()})
        session.add(incident)
        session.flush()
        session.add(Alert(incident_id=incident.id or 0, event="opened", severity=2, created_at=NOW))
        return incident.id or 0


def _unacknowledged(url: str, settings: Settings, now: datetime) -> list[IncidentChange]:
    with transaction(open_database(url)) as session:
        changes = [c for c in detect_brand(session, settings, settings.brand("acme"), now)
                   if c.event == "unacknowledged"]
        record_alerts(session, settings, changes, now)
        return changes


def test_a_snoozed_incident_pages_nothing_until_it_wakes(database_url: str) -> None:
    settings, incident_id = _settings(), _open_incident(database_url)
    engine = open_database(database_url)
    assert act(engine, settings, incident_id, "snooze", "4h", Actor("otto", "web 127.0.0.1"), request_id="r" * 20,
               now=NOW)
    assert _unacknowledged(database_url, settings, NOW + timedelta(hours=1)) == []  # no reminder while snoozed
    with transaction(engine) as session:
        news = IncidentChange(incident_id, "acme", "escalated", 3, "Severity now high (was medium)", "escalated")
        [escalated] = record_alerts(session, settings, [news], NOW + timedelta(hours=1))
        assert escalated.paged is False  # recorded and shown, not sent
        assert session.exec(select(OutboxItem).where(OutboxItem.alert_id == escalated.id)).all() == []
    woke = _unacknowledged(database_url, settings, NOW + timedelta(hours=4, minutes=1))
    assert [c.event for c in woke] == ["unacknowledged"]  # the snooze ended by itself: the reminder comes
    with Session(engine) as session:
        reminder = session.exec(select(Alert).where(Alert.event == "unacknowledged")).one()
        assert reminder.paged and {o.channel_id for o in session.exec(select(OutboxItem).where(
            OutboxItem.alert_id == reminder.id)).all()} == {"managers"}
        snoozed = session.exec(select(Alert).where(Alert.event == "snoozed")).one()
        assert snoozed.summary == ("Snoozed by otto from the workspace until 2026-11-20 22:00 UTC: "
                                   "no reminders until then")
        [row] = session.exec(select(IncidentAction)).all()
        assert (row.kind, row.value, row.actor, row.origin) == ("snooze", "until 2026-11-20 22:00 UTC", "otto",
                                                                "web 127.0.0.1")


@pytest.mark.parametrize(("text", "minutes"), [("4h", 240), ("90m", 90), ("2d", 2880), ("3", 180), (" 30 min", 30)])
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0h", "4 hours please", "-1h", "15d", "h"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(Exception, match=r"not a duration|at most 14 days"):
        parse_duration(text)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return groundswell(*args, "--config", str(cwd / "settings.toml"), cwd=cwd)


def test_cli_snooze_wake_and_missed(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(service_settings_toml(tmp_path / "data"))
    url = load_settings(tmp_path / "settings.toml").database_url()
    incident_id = _open_incident(url)
    with transaction(open_database(url)) as session:
        session.add(Mention(brand_id="acme", source_id="s", platform="x", external_id="77", text="down again",
                            url="https://x.example/p/77", posted_at=NOW, ingested_at=NOW))
    done = _cli("incidents", "snooze", str(incident_id), "--for", "4h", "--by", "alice", cwd=tmp_path)
    assert done.returncode == 0 and f"incident #{incident_id} snoozed for 4h" in done.stdout, done.stderr
    assert "no incident #99" in one_line_failure(_cli("incidents", "snooze", "99", cwd=tmp_path), 1)
    bad = _cli("incidents", "snooze", "1", "--for", "soon", cwd=tmp_path)  # a usage error, found before the database
    assert bad.returncode == 2 and "'soon' is not a duration" in bad.stderr and "Traceback" not in bad.stderr
    assert "is awake again" in _cli("incidents", "wake", str(incident_id), cwd=tmp_path).stdout
    assert _cli("incidents", "ack", str(incident_id), "--by", "bob", cwd=tmp_path).returncode == 0
    found = _cli("incidents", "missed", "acme", "https://x.example/p/77", "--note", "outage", cwd=tmp_path)
    assert "stored mention #" in found.stdout, found.stderr
    assert "already recorded" in _cli("incidents", "missed", "acme", "https://x.example/p/77", cwd=tmp_path).stdout
    assert "no stored mention" in one_line_failure(_cli("incidents", "missed", "acme", "123456", cwd=tmp_path), 1)
    unknown = _cli("incidents", "missed", "nope", "https://x/1", cwd=tmp_path)
    assert "no brand with id 'nope'" in one_line_failure(unknown, 2)
    with Session(open_database(url)) as session:
        kinds = [(a.kind, a.actor, a.origin) for a in session.exec(select(IncidentAction)).all()]
        [missed] = session.exec(select(MissedMention)).all()
    assert kinds[0] == ("snooze", "alice", "cli") and kinds[1][0] == "wake" and kinds[2] == ("ack", "bob", "cli")
    assert (missed.link, missed.note, missed.origin, missed.mention_id is not None) == (
        "https://x.example/p/77", "outage", "cli", True)


def test_retention_removes_an_old_incident_with_its_actions_and_feedback(database_url: str) -> None:
    """Foreign keys from actions and feedback must not block the retention job (PostgreSQL enforces them)."""
    settings, incident_id = _settings(), _open_incident(database_url)
    engine = open_database(database_url)
    actor = Actor("jane", "slack")
    act(engine, settings, incident_id, "snooze", "1h", actor, request_id="s" * 20, now=NOW)
    with Session(engine) as session:
        alert_id = session.exec(select(Alert.id).where(Alert.event == "opened")).one()
    assert give_feedback(engine, alert_id or 0, "noise", actor, now=NOW)
    report_missed(engine, "acme", "https://x.example/p/1", actor, now=NOW, alert_id=alert_id)
    act(engine, settings, incident_id, "resolve", "", actor, request_id="t" * 20, now=NOW)
    purged = purge(engine, settings, now=NOW + timedelta(days=settings.service.retention_incidents_days + 1))
    assert purged.incidents == 1
    with Session(engine) as session:
        assert session.exec(select(IncidentAction)).all() == [] and session.exec(select(AlertFeedback)).all() == []
        assert len(session.exec(select(MissedMention)).all()) == 1  # it names a post, not the incident
