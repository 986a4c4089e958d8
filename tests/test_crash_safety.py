"""kill -9 the service again and again while it polls, scores and delivers, then audit the database.

Three replay sources with many rows, a real local HTTP receiver as the webhook channel.  After
the last restart finishes the work: every row is stored exactly once, cursors match what was
stored, everything is scored, every alert reached the receiver, and a repeat delivery (a kill
between "sent" and "commit") only ever repeats an idempotency key the receiver can dedupe.

Slack cannot dedupe on a key, so the second test kills the service in the middle of each Slack
delivery (the message is posted, its answer not yet back) against the local Slack stand-in: the retry
finds the posted message in the channel history and nothing is posted twice or lost.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fakes.replay_feeds import write_replay_feeds
from tests.fakes.settings_files import service_settings_toml
from tests.fakes.slack_api import FakeSlack
from tests.fakes.webhook_receiver import WebhookReceiver

REPO = Path(__file__).resolve().parent.parent  # the service under test is this checkout, not an installed copy
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

SOURCES = 3
ROWS = 400  # per source
LIMIT = 40  # per poll: ten polls per source
KILLS = 6


def write_setup(tmp_path: Path, url: str) -> Path:
    blocks = [write_replay_feeds(tmp_path, sources=SOURCES, rows=ROWS, big_every=20, limit=LIMIT)]
    config = tmp_path / "settings.toml"
    config.write_text(service_settings_toml(tmp_path / "data", 'metrics_address = "127.0.0.1:0"', f"""
[[channels]]
id = "hook"
kind = "webhook"
url = "{url}"
{''.join(blocks)}
[detection]
pages_per_week = 1000
"""))
    return config


def counts(database: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(database, timeout=5) as db:
            one = lambda sql: int(db.execute(sql).fetchone()[0])  # noqa: E731
            return {"mentions": one("select count(*) from mentions"),
                    "scored": one("select count(*) from mentions where sentiment is not null"),
                    "alerts": one("select count(*) from alerts"),
                    "pending": one("select count(*) from outbox where status != 'sent'"),
                    "sent": one("select count(*) from outbox where status = 'sent'")}
    except sqlite3.Error:
        return {"mentions": 0, "scored": 0, "alerts": 0, "pending": 0, "sent": 0}


def done(c: dict[str, int]) -> bool:
    big = SOURCES * len(range(0, ROWS, 20))
    return c["scored"] == SOURCES * ROWS and c["alerts"] >= big and c["pending"] == 0 and c["sent"] >= big


def test_kill_9_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    receiver = WebhookReceiver(match=b"", delay=0.02)  # latency widens the send-then-commit window kills aim at
    config = write_setup(tmp_path, receiver.url)
    database = tmp_path / "data" / "groundswell.db"
    command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
    rng = random.Random(7)
    at_kill: list[dict[str, int]] = []
    try:
        for _ in range(KILLS):
            before = counts(database)
            process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=ENV)
            deadline = time.monotonic() + 30
            while counts(database) == before and time.monotonic() < deadline:  # it is working again
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            at_kill.append(counts(database))
        final = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True, env=ENV)
        deadline = time.monotonic() + 60
        while not done(counts(database)) and time.monotonic() < deadline:
            time.sleep(0.2)
        final.send_signal(signal.SIGTERM)
        _, err = final.communicate(timeout=30)
    finally:
        receiver.close()
    assert final.returncode == 0, err
    assert done(counts(database)), (counts(database), err)
    assert sum(0 < c["mentions"] < SOURCES * ROWS for c in at_kill) >= 2, at_kill  # killed mid-polling
    print("state at each kill:", at_kill)
    audit(database, receiver)


def audit(database: Path, receiver: WebhookReceiver) -> None:
    with sqlite3.connect(database) as db:
        ids = [row[0] for row in db.execute("select external_id from mentions")]
        assert len(ids) == len(set(ids)) == SOURCES * ROWS  # nothing lost, nothing twice
        assert set(ids) == {f"{s}-{i}" for s in range(SOURCES) for i in range(ROWS)}
        for source, cursor, total in db.execute("select id, cursor, items_total from sources"):
            # the cursor moved in the same transaction as the rows: exactly ROWS counted, never re-counted
            assert json.loads(cursor)["line"] == ROWS + 1 and total == ROWS, source
        reach = db.execute("select count(*) from incidents where trigger = 'high_reach'").fetchone()[0]
        assert reach == SOURCES * len(range(0, ROWS, 20))
        outbox = [row[0] for row in db.execute("select idempotency_key from outbox where status = 'sent'")]
    assert set(receiver.keys) == set(outbox)  # every alert arrived, and nothing the outbox doesn't know
    print(f"deliveries: {sum(receiver.keys.values())} for {len(outbox)} outbox rows "
          f"({receiver.repeats} repeated keys)")
    assert receiver.repeats <= KILLS  # at most one repeat per kill, always with the same key (dedupable)


SLACK_ROWS = 60
SLACK_KILLS = 8


def slack_setup(tmp_path: Path, slack: FakeSlack) -> Path:
    start = datetime.now(UTC) - timedelta(hours=2)
    path = tmp_path / "feed.jsonl"
    with path.open("w") as out:
        for i in range(SLACK_ROWS):  # every other row: a big account's complaint people react to, its own alert
            big = i % 2 == 1
            out.write(json.dumps({"id": f"s-{i}", "author_id": f"u{i}", "author_followers": 300_000 if big else 5,
                                  "reposts": 50 if big else 0,
                                  # too few words to form a story (which would join them all): one alert each
                                  "text": f"Acme is terrible {i}" if big else f"Acme router {i}",
                                  "posted_at": (start + timedelta(seconds=i)).isoformat()}) + "\n")
    config = tmp_path / "settings.toml"
    config.write_text(service_settings_toml(tmp_path / "data", 'metrics_address = "127.0.0.1:0"', f"""
[[channels]]
id = "slack"
kind = "slack"
token = {{ env = "GS_CRASH_SLACK_TOKEN" }}
channel = "C0ALERTS1"
base_url = "{slack.api_url}"
timeout_s = 5
[[sources]]
id = "feed"
kind = "replay"
brand = "acme"
interval_seconds = 1
limit = 20
path = "{path}"
[detection]
pages_per_week = 1000
"""))
    return config


def slack_outbox(database: Path) -> list[tuple[str, str, int, str]]:
    try:
        with sqlite3.connect(database, timeout=5) as db:
            return list(db.execute("select idempotency_key, status, attempts, coalesce(receipt, '{}') from outbox"))
    except sqlite3.Error:
        return []


def test_kill_9_during_slack_delivery_posts_each_alert_exactly_once(tmp_path: Path) -> None:
    slack = FakeSlack(token="xoxb-crash").start()
    slack.answer_delay = 2.0  # posted, answer pending: the kills land in this window
    config = slack_setup(tmp_path, slack)
    database = tmp_path / "data" / "groundswell.db"
    command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
    env = {**ENV, "GS_CRASH_SLACK_TOKEN": "xoxb-crash"}
    try:
        for _ in range(SLACK_KILLS):
            posted = len(slack.messages)
            process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=env)
            assert slack.wait_for_posts(posted + 1, timeout=60), "the service never delivered"
            process.send_signal(signal.SIGKILL)  # mid-delivery: Slack has the message, the outbox does not know
            process.wait(timeout=10)
        slack.answer_delay = 0.0
        final = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 env=env)
        deadline = time.monotonic() + 90
        expected = SLACK_ROWS // 2
        while time.monotonic() < deadline:
            rows = slack_outbox(database)
            if len(rows) >= expected and all(status == "sent" for _, status, _, _ in rows):
                break
            time.sleep(0.3)
        final.send_signal(signal.SIGTERM)
        _, err = final.communicate(timeout=30)
    finally:
        slack.stop()
    assert final.returncode == 0, err
    rows = slack_outbox(database)
    assert len(rows) >= expected and all(status == "sent" for _, status, _, _ in rows), rows
    posted = Counter(m.metadata["event_payload"]["idempotency_key"] for m in slack.messages.values() if m.metadata)
    print(f"slack: {len(slack.messages)} messages for {len(rows)} outbox rows after {SLACK_KILLS} kills")
    assert len(slack.messages) == sum(posted.values()) == len(rows)  # nothing doubled
    assert set(posted) == {key for key, _, _, _ in rows} and max(posted.values()) == 1  # nothing lost
    recovered = [json.loads(receipt) for _, _, attempts, receipt in rows if attempts > 1]
    assert len(recovered) == SLACK_KILLS  # each killed delivery counted its attempt before sending...
    assert all(r.get("found_after_retry") == "true" for r in recovered)  # ...and its retry found the message
