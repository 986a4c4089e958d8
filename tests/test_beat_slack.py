"""Slack's buttons in a Celery deployment: only the leading beat holds the Socket Mode connection, and a
standby that takes over the lock takes the buttons with it (real WebSocket server, real PostgreSQL lock)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from monitor.service.beat_leader import LeaderScheduler
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_socket import FakeSocketMode


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeSlack, FakeSocketMode]]:
    api, socket = FakeSlack().start(), FakeSocketMode().start()
    api.socket_url = socket.url
    monkeypatch.setenv("GS_TEST_SLACK_BOT", api.token)
    monkeypatch.setenv("GS_TEST_SLACK_APP", api.app_token)
    yield api, socket
    socket.stop()
    api.stop()


def _beats(pg_url: str, tmp_path: Path, api: FakeSlack,
           monkeypatch: pytest.MonkeyPatch) -> tuple[LeaderScheduler, LeaderScheduler]:
    config = tmp_path / "settings.toml"
    config.write_text(f'[database]\nurl = "{pg_url}"\n[model]\nsentiment = "lexicon"\n'
                      '[[brands]]\nid = "acme"\nname = "Acme"\n'
                      '[[channels]]\nid = "slack-ops"\nkind = "slack"\ntoken = { env = "GS_TEST_SLACK_BOT" }\n'
                      'app_token = { env = "GS_TEST_SLACK_APP" }\nchannel = "C0ALERTS1"\n'
                      f'base_url = "{api.api_url}"\n')
    monkeypatch.setenv("GROUNDSWELL_CONFIG", str(config))
    app = Celery("beat-slack-test")
    return (LeaderScheduler(app=app, schedule_filename=str(tmp_path / "one"), lazy=True),
            LeaderScheduler(app=app, schedule_filename=str(tmp_path / "two"), lazy=True))


def _acked(socket: FakeSocketMode) -> bool:
    """An envelope pushed down the newest connection is answered: someone there is listening."""
    return socket.wait_ack(socket.send({}, kind="events_api"), timeout=5)


def test_only_the_leading_beat_listens_and_a_standby_takes_the_buttons_over(
        pg_url: str, tmp_path: Path, slack: tuple[FakeSlack, FakeSocketMode],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api, socket = slack
    first, second = _beats(pg_url, tmp_path, api, monkeypatch)
    try:
        assert first.leads() and not second.leads() and first.leads()
        assert socket.wait_connected() and _acked(socket)
        assert (len(first.slack_listeners), second.slack_listeners) == (1, [])
        assert len(api.calls_to("apps.connections.open")) == 1  # one connection for the whole deployment
        first.close()  # the leader stops (a killed one drops its lock with its connection the same way)
        assert first.slack_listeners == []
        assert second.leads() and len(second.slack_listeners) == 1
        deadline = time.monotonic() + 10
        while len(socket.connections) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(socket.connections) == 2 and _acked(socket)  # the new leader answers
        assert len(api.calls_to("apps.connections.open")) == 2
    finally:
        first.close()
        second.close()


def test_a_refused_app_token_leaves_the_beat_leading_without_buttons(
        pg_url: str, tmp_path: Path, slack: tuple[FakeSlack, FakeSocketMode], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    api, socket = slack
    monkeypatch.setenv("GS_TEST_SLACK_APP", "xapp-1-not-the-right-one")
    first, second = _beats(pg_url, tmp_path, api, monkeypatch)
    try:
        with caplog.at_level(logging.ERROR, logger="groundswell.beat"):
            assert first.leads() and not second.leads()  # the schedule goes on
        assert first.slack_listeners == [] and socket.connections == []
        assert any("without Slack buttons" in r.getMessage() and "invalid_auth" in r.getMessage()
                   for r in caplog.records), caplog.text
    finally:
        first.close()
        second.close()
