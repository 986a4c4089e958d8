"""The demo week delivered to a Slack stand-in and a real SMTP server through outages: exactly once each.

Slack answers 500, 429, 500 to its first requests and the SMTP server is down for the first two
simulated hours; after recovery every alert reaches both channels once, escalations thread under the
incident's headline, and the headline is edited.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from monitor.replay.demo import demo_settings, run_demo
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP


def test_demo_alerts_reach_slack_and_email_exactly_once_after_outages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_DEMO_SLACK_TOKEN", "xoxb-test-token")
    slack, smtp = FakeSlack().start(), FakeSMTP()
    for status in (500, 429, 500):
        slack.fail_next(status, retry_after="60" if status == 429 else None)
    channels = [
        {"id": "slack", "kind": "slack", "token": {"env": "GS_DEMO_SLACK_TOKEN"}, "channel": "C0ALERTS1",
         "base_url": slack.api_url},
        {"id": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none",
         "from_addr": "alerts@brightwave.example", "to": ["comms@brightwave.example"],
         "to_by_severity": {"3": ["manager@brightwave.example"]}},
    ]

    def on_step(step: int, steps: int) -> None:
        if step == 8 and smtp.controller is None:  # two simulated hours in, the mail server comes back
            smtp.start()

    try:
        result = run_demo(demo_settings(tmp_path, "lexicon", channels), on_step=on_step)
    finally:
        slack.stop()
        smtp.stop()
    assert result.pending == 0 and result.incidents
    headlines = [c for c in slack.calls_to("chat.postMessage") if "thread_ts" not in c.body]
    replies = [c for c in slack.calls_to("chat.postMessage") if "thread_ts" in c.body]
    failed_posts = sum(c.method == "chat.postMessage" for c in slack.calls[:3])  # the first 3 calls failed
    assert len(smtp.received) == len(headlines) + len(replies) - failed_posts
    keys = Counter(m.metadata["event_payload"]["idempotency_key"] for m in slack.messages.values() if m.metadata)
    assert len(keys) == len(slack.messages) and max(keys.values()) == 1  # no alert posted twice
    ids = Counter(m.message["Message-ID"] for m in smtp.received)
    assert max(ids.values()) == 1  # no alert mailed twice
    assert replies and all(r.body["thread_ts"] in slack.messages for r in replies)
    assert slack.calls_to("chat.update") and all(
        slack.messages[u.body["ts"]].updates for u in slack.calls_to("chat.update"))
    escalated = [m.message for m in smtp.received if "Escalated" in m.message["Subject"]]
    assert escalated and all(m["In-Reply-To"] for m in escalated)
    assert all("manager@brightwave.example" in m["To"] for m in escalated)
