"""Acknowledging and resolving by hand tells the channels that heard of the incident (issue 15, item 6)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.cli.incident_actions import AlreadyDone, mark
from monitor.clock import ManualClock
from monitor.service.scheduler import Service
from monitor.settings import load_settings
from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.service_files import T0, write_config
from tests.fakes.slack_api import FakeSlack


def slack_channel(fake: FakeSlack) -> str:
    return (f'[[channels]]\nid = "slack"\nkind = "slack"\ntoken = {{ env = "GS_TEST_SLACK" }}\n'
            f'channel = "C0ALERTS1"\nbase_url = "{fake.api_url}"\n')


def test_ack_and_resolve_update_the_slack_headline_and_thread(tmp_path: Path, slack: FakeSlack,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_TEST_SLACK", "xoxb-test-token")
    settings = load_settings(write_config(tmp_path, count=10, extra_sources=slack_channel(slack)))
    service = Service(settings, clock=ManualClock(T0))
    service.poll("file")
    service.score()
    service.detect()
    service.deliver()
    [headline] = slack.calls_to("chat.postMessage")
    engine = service.runtime.engine
    outcome = mark(engine, settings, 1, "alice", resolve=False, now=T0 + timedelta(minutes=5))
    assert outcome.told == ["slack"]
    with pytest.raises(AlreadyDone, match="already acknowledged by alice at 2026-11-02 12:05 UTC"):
        mark(engine, settings, 1, "bob", resolve=False, now=T0 + timedelta(minutes=6))
    service.clock = ManualClock(T0 + timedelta(minutes=6))
    service.deliver()
    [update] = slack.calls_to("chat.update")
    assert "ACKNOWLEDGED" in str(update.body["blocks"]) and "by alice at 2026-11-02 12:05 UTC" in str(update.body)
    reply = slack.calls_to("chat.postMessage")[-1]
    assert reply.body["thread_ts"] and "by alice" in str(reply.body)
    mark(engine, settings, 1, "carol", resolve=True, now=T0 + timedelta(minutes=9))
    service.clock = ManualClock(T0 + timedelta(minutes=10))
    service.deliver()
    last = slack.calls_to("chat.update")[-1]
    assert "RESOLVED" in str(last.body["blocks"]) and "by carol at 2026-11-02 12:09 UTC" in str(last.body)
    assert headline.body["channel"] == "C0ALERTS1"


def test_cli_ack_not_found_and_twice_are_one_line_runtime_errors(tmp_path: Path) -> None:
    path = write_config(tmp_path, count=10)
    settings = load_settings(path)
    service = Service(settings, clock=ManualClock(T0))
    service.poll("file")
    service.score()
    service.detect()
    missing = groundswell("incidents", "ack", "99", "--config", str(path), cwd=tmp_path)
    assert "no incident #99" in one_line_failure(missing, 1)
    first = groundswell("incidents", "ack", "1", "--by", "alice", "--config", str(path), cwd=tmp_path)
    assert first.returncode == 0 and "acknowledged by alice" in first.stdout, first.stderr
    assert "nobody is notified" in first.stdout  # no channel had heard of it
    second = groundswell("incidents", "ack", "1", "--by", "bob", "--config", str(path), cwd=tmp_path)
    assert "already acknowledged by alice" in one_line_failure(second, 1)
    taken = groundswell("incidents", "ack", "1", "--by", "bob", "--force", "--config", str(path), cwd=tmp_path)
    assert taken.returncode == 0 and "acknowledged by bob" in taken.stdout
