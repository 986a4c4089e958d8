"""Slack's buttons end to end: a real Socket Mode WebSocket server and the local Slack Web API stand-in.

The headline carries the buttons; a press arrives as an ``interactive`` envelope, is checked against the
message we sent, recorded once (who: the Slack user, from "slack"), acknowledged, and the ack reaches the
Slack headline (chat.update) through the outbox.  SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alerts.outbox import deliver_due, enqueue_alert
from monitor.clock import ManualClock
from monitor.errors import ConfigError, DeliveryError
from monitor.pipeline import run_detection
from monitor.runtime import build_notifiers
from monitor.service.scheduler import Service
from monitor.service.slack_actions import SlackActionListener, start_listeners
from monitor.settings import Settings, load_settings
from monitor.storage.engine import open_database, transaction
from monitor.storage.tables import Alert, AlertFeedback, Brand, Incident, IncidentAction
from monitor.web.actions import Actor, act, give_feedback
from tests.fakes.settings_files import make_settings, service_settings_toml
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_socket import FakeSocketMode, block_actions

NOW = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
CHANNEL = "C0ALERTS1"


@dataclass
class Rig:
    engine: Engine
    settings: Settings
    slack: FakeSlack
    socket: FakeSocketMode
    listener: SlackActionListener
    incident_id: int
    alert_id: int
    headline_ts: str
    clock: ManualClock

    def press(self, action_id: str, *, ts: str = "", action_ts: str = "1700000000.000001", user: str = "jane",
              alert_id: int | None = None) -> str:
        payload = block_actions(action_id, f"{self.incident_id}:{alert_id or self.alert_id}", user=user,
                                user_id=f"U0{user.upper()}", channel=CHANNEL, message_ts=ts or self.headline_ts,
                                action_ts=action_ts, response_url=f"{self.slack.base}/hooks/response")
        envelope = self.socket.send(payload)
        assert self.socket.wait_ack(envelope), "the envelope was never acknowledged"
        return envelope

    def answers(self, count: int) -> list[str]:
        """The private answers (response_url) once ``count`` arrived: they go out just after the ack."""
        deadline = time.monotonic() + 10
        while len(self.slack.calls_to("webhook")) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [str(c.body.get("text", "")) for c in self.slack.calls_to("webhook")]

    def deliver(self) -> None:
        outcomes = deliver_due(self.engine, build_notifiers(self.settings), now=self.clock())
        assert all(o.status == "sent" for o in outcomes), [o.line for o in outcomes]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def _incident(engine: Engine, settings: Settings) -> tuple[int, int]:
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme Broadband"))
        incident = Incident(brand_id="acme", key="spike:x", trigger="spike", severity=3, title="Outage spike",
                            reason="40 negative mentions from 33 people in 30 min", opened_at=NOW, updated_at=NOW,
                            last_activity_at=NOW, mention_count=40, author_count=33)
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=3, created_at=NOW)
        session.add(alert)
        session.flush()
        assert enqueue_alert(session, settings, alert, incident, now=NOW)
        return incident.id or 0, alert.id or 0


@pytest.fixture
def rig(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    slack, socket = FakeSlack().start(), FakeSocketMode().start()
    slack.socket_url = socket.url
    monkeypatch.setenv("GS_TEST_SLACK_BOT", slack.token)
    monkeypatch.setenv("GS_TEST_SLACK_APP", slack.app_token)
    settings = make_settings(web={"public_url": "https://gs.example.com"}, channels=[
        {"id": "slack-ops", "kind": "slack", "token": {"env": "GS_TEST_SLACK_BOT"}, "channel": CHANNEL,
         "base_url": slack.api_url, "app_token": {"env": "GS_TEST_SLACK_APP"}}])
    engine = open_database(database_url)
    incident_id, alert_id = _incident(engine, settings)
    clock = ManualClock(NOW)
    deliver_due(engine, build_notifiers(settings), now=NOW)
    (headline,) = slack.messages.values()
    listeners = start_listeners(settings, engine, build_notifiers(settings), clock)
    assert len(listeners) == 1 and socket.wait_connected()
    yield Rig(engine, settings, slack, socket, listeners[0], incident_id, alert_id, headline.ts, clock)
    started = time.monotonic()
    listeners[0].stop()
    assert time.monotonic() - started < 1.5  # a SIGTERM is not held up by the Socket Mode connection
    socket.stop()
    slack.stop()


def _buttons(blocks: list[dict]) -> dict[str, dict]:
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_the_headline_carries_the_buttons_and_the_link(rig: Rig) -> None:
    buttons = _buttons(rig.slack.messages[rig.headline_ts].blocks)
    assert set(buttons) == {"gs_ack", "gs_snooze", "gs_useful", "gs_noise", "gs_open"}
    assert buttons["gs_ack"]["value"] == f"{rig.incident_id}:{rig.alert_id}"
    assert buttons["gs_open"]["url"] == f"https://gs.example.com/incidents/{rig.incident_id}"


def test_check_verifies_the_app_token_without_posting(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_notifiers(rig.settings)["slack-ops"].check().endswith("app token valid (Socket Mode for the buttons)")
    monkeypatch.setenv("GS_TEST_SLACK_APP", "xapp-1-wrong")
    with pytest.raises(DeliveryError, match="apps_connections_open: invalid_auth"):
        build_notifiers(rig.settings)["slack-ops"].check()  # options are read anew
    assert len(rig.slack.messages) == 1  # only the headline the fixture sent


def test_acknowledge_from_slack_is_recorded_once_and_edits_the_headline(rig: Rig) -> None:
    rig.press("gs_ack")
    rig.press("gs_ack")  # Slack redelivers the same press (same action_ts) in a new envelope
    with Session(rig.engine) as session:
        rows = session.exec(select(IncidentAction).where(IncidentAction.incident_id == rig.incident_id)).all()
        incident = session.get(Incident, rig.incident_id)
        assert incident is not None and incident.acked_by == "jane"
    assert [(r.kind, r.actor, r.origin) for r in rows] == [("ack", "jane", "slack")]
    rig.clock.advance(timedelta(seconds=5))
    rig.deliver()  # the "acknowledged" alert goes out through the outbox like every other
    headline = rig.slack.messages[rig.headline_ts]
    assert headline.updates == 1 and "ACKNOWLEDGED" in headline.blocks[0]["text"]["text"]
    assert "gs_ack" not in _buttons(headline.blocks) and "gs_noise" in _buttons(headline.blocks)
    reply = [m for m in rig.slack.messages.values() if m.thread_ts == rig.headline_ts]
    assert len(reply) == 1 and "Acknowledged by jane from Slack" in str(reply[0].blocks)
    answers = sorted(rig.answers(2))  # each goes out after its own ack: either may arrive first
    assert answers[0].startswith("Acknowledged") and answers[1].startswith("Already acknowledged")


def test_feedback_and_snooze_from_slack(rig: Rig) -> None:
    rig.press("gs_noise", action_ts="1700000000.000002")
    rig.press("gs_useful", action_ts="1700000000.000003", user="omar")
    rig.press("gs_snooze", action_ts="1700000000.000004")
    with Session(rig.engine) as session:
        verdicts = {(f.actor, f.verdict, f.origin, f.alert_id) for f in session.exec(select(AlertFeedback)).all()}
        incident = session.get(Incident, rig.incident_id)
        assert incident is not None and incident.snoozed_until is not None
    assert verdicts == {("jane", "noise", "slack", rig.alert_id), ("omar", "useful", "slack", rig.alert_id)}
    # the same person's same verdict from the workspace (or an email link) lands on the same row: nothing new
    assert not give_feedback(rig.engine, rig.alert_id, "noise", Actor("jane", "web 10.0.0.5"), now=rig.clock())
    with Session(rig.engine) as session:
        assert len(session.exec(select(AlertFeedback)).all()) == 2
    rig.deliver()
    assert "SNOOZED" in rig.slack.messages[rig.headline_ts].blocks[0]["text"]["text"]


def test_a_press_on_a_message_we_did_not_send_records_nothing(rig: Rig) -> None:
    rig.press("gs_ack", ts="1699999999.000001")  # a copy of our blocks posted by someone else
    rig.press("gs_noise", alert_id=rig.alert_id + 999)  # an alert of another (or no) incident
    rig.press("gs_open", action_ts="1700000000.000005")  # the link button: acknowledged, nothing to record
    with Session(rig.engine) as session:
        assert session.exec(select(IncidentAction)).all() == []
        assert session.exec(select(AlertFeedback)).all() == []
    answers = " | ".join(rig.answers(2))
    assert "not on a Groundswell alert" in answers and f"no alert #{rig.alert_id + 999}" in answers


def test_groundswell_run_listens_when_a_slack_channel_has_an_app_token(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    slack, socket = FakeSlack().start(), FakeSocketMode().start()
    slack.socket_url = socket.url
    monkeypatch.setenv("GS_TEST_SLACK_BOT", slack.token)
    monkeypatch.setenv("GS_TEST_SLACK_APP", slack.app_token)
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body=f"""
[[channels]]
id = "slack-ops"
kind = "slack"
token = {{ env = "GS_TEST_SLACK_BOT" }}
app_token = {{ env = "GS_TEST_SLACK_APP" }}
channel = "{CHANNEL}"
base_url = "{slack.api_url}"
"""))
    service = Service(load_settings(path))
    service.start(http=False)
    try:
        assert socket.wait_connected() and len(service.slack_listeners) == 1
        assert [c.headers["authorization"] for c in slack.calls_to("apps.connections.open")] == [
            f"Bearer {slack.app_token}"]
    finally:
        service.shutdown()
    monkeypatch.setenv("GS_TEST_SLACK_APP", "xapp-1-not-the-right-one")
    refused = Service(load_settings(path))
    with pytest.raises(ConfigError, match=r"channels \(slack-ops\)\.app_token: Slack refused the Socket Mode "
                                          r"connection \(invalid_auth\)"):
        refused.start(http=False)
    assert not refused.scheduler.running  # refused before any job was scheduled
    socket.stop()
    slack.stop()


def test_no_token_ticket_or_response_url_reaches_a_debug_log(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rig.listener.stop()
    listener = start_listeners(rig.settings, rig.engine, build_notifiers(rig.settings), rig.clock)[0]
    try:
        assert wait_for(lambda: len(rig.socket.connections) == 2)
        rig.press("gs_noise", action_ts="1700000000.000009")
        rig.answers(1)
    finally:
        listener.stop()
    ours = [r for r in caplog.records if not r.name.startswith("websockets")]  # not the fake server's own log
    logged = "\n".join(record.getMessage() for record in ours)
    assert "Sending a request" in logged or "apps.connections.open" in logged  # slack_sdk did log at debug...
    for secret in (rig.slack.app_token, "fake-ticket", "/hooks/response"):
        assert secret not in logged, secret  # ...without the app token, the socket ticket or the answer URL


def _header(rig: Rig) -> str:
    return str(rig.slack.messages[rig.headline_ts].blocks[0]["text"]["text"])


def test_the_headline_stops_saying_snoozed_when_the_snooze_runs_out(rig: Rig) -> None:
    assert act(rig.engine, rig.settings, rig.incident_id, "snooze", "20m", Actor("otto", "web 10.0.0.5"),
               request_id="snooze-20m-otto-0001", now=rig.clock())
    rig.deliver()
    assert "SNOOZED" in _header(rig)
    rig.clock.advance(timedelta(minutes=19))
    run_detection(rig.engine, rig.settings, now=rig.clock())
    assert deliver_due(rig.engine, build_notifiers(rig.settings), now=rig.clock()) == []  # still snoozed
    rig.clock.advance(timedelta(minutes=2))
    assert run_detection(rig.engine, rig.settings, now=rig.clock()).events["woke"] == 1
    rig.deliver()
    assert "SNOOZED" not in _header(rig) and "SNOOZE OVER" in _header(rig)
    replies = [m for m in rig.slack.messages.values() if m.thread_ts == rig.headline_ts]
    assert "The snooze is over" in str(replies[-1].blocks)
    assert run_detection(rig.engine, rig.settings, now=rig.clock() + timedelta(minutes=1)).events["woke"] == 0
    with Session(rig.engine) as session:
        incident = session.get(Incident, rig.incident_id)
        assert incident is not None and incident.snoozed_until is None


def test_waking_an_incident_early_updates_the_headline(rig: Rig) -> None:
    rig.press("gs_snooze", action_ts="1700000000.000005")
    rig.deliver()
    assert "SNOOZED" in _header(rig)
    assert act(rig.engine, rig.settings, rig.incident_id, "wake", "", Actor("dana", "cli"),
               request_id="wake-dana-cli-000001", now=rig.clock())
    rig.deliver()
    assert "SNOOZE OVER" in _header(rig)
    replies = [m for m in rig.slack.messages.values() if m.thread_ts == rig.headline_ts]
    assert "Snooze ended by dana from the command line" in str(replies[-1].blocks)
