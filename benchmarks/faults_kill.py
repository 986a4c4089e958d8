"""kill -9 of the real service, aimed in turn at polling, scoring, detection and delivery (issue 13).

Three replay sources with many rows (every 25th a big account's complaint: its own incident and alert),
a webhook receiver and the Slack stand-in.  Each kill waits until the stage it aims at has just made
progress in the database (new rows stored / scored / detected; for delivery, a Slack message posted
while its answer is held back), then sends SIGKILL.  A last run finishes the work; then nothing may be
lost or doubled: rows, cursors, incidents, Slack messages (exactly once), webhook keys (at least once).
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.faults_common import (
    settings_toml,
    slack_keys,
    start_service,
    wait_for,
)
from tests.fakes.processes import free_port, stop
from tests.fakes.replay_feeds import write_replay_feeds
from tests.fakes.slack_api import FakeSlack
from tests.fakes.webhook_receiver import WebhookReceiver

SOURCES = 3
BIG_EVERY = 25
STAGES = ("poll", "score", "detect", "deliver")
SLACK_TOKEN = "xoxb-kills"
COUNTS = {"mentions": "select count(*) from mentions",
          "scored": "select count(*) from mentions where sentiment is not null",
          "detected": "select count(*) from mentions where detected_at is not null",
          "alerts": "select count(*) from alerts",
          "unsent": "select count(*) from outbox where status != 'sent'"}


def counts(database: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
            return {name: int(db.execute(sql).fetchone()[0]) for name, sql in COUNTS.items()}
    except sqlite3.Error:
        return dict.fromkeys(COUNTS, 0)


def write_feeds(folder: Path, rows: int) -> str:
    return write_replay_feeds(folder, sources=SOURCES, rows=rows, big_every=BIG_EVERY, limit=20, prefix="kill-feed")


def progressed(stage: str, before: dict[str, int], database: Path, slack: FakeSlack, posted: int) -> Callable[[],
                                                                                                            bool]:
    key = {"poll": "mentions", "score": "scored", "detect": "detected"}.get(stage)
    if key is None:
        return lambda: len(slack.messages) > posted
    return lambda: counts(database)[key] > before[key]


def run_kills(kills: int, rows: int, folder: Path, seed: int = 7) -> dict[str, Any]:
    receiver, slack = WebhookReceiver(), FakeSlack(token=SLACK_TOKEN).start()
    body = (write_feeds(folder, rows) + f'[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "{receiver.url}"\n'
            f'[[channels]]\nid = "slack"\nkind = "slack"\ntoken = {{ env = "GS_FAULTS_SLACK" }}\n'
            f'channel = "C0ALERTS1"\nbase_url = "{slack.api_url}"\ntimeout_s = 5\n')
    config, log = folder / "kill.toml", folder / "kill.log"
    config.write_text(settings_toml(folder / "kill-data", free_port(), body))
    database = folder / "kill-data" / "groundswell.db"
    rng, at_kill = random.Random(seed), []
    try:
        for n in range(kills):
            stage = STAGES[n % len(STAGES)]
            slack.answer_delay = 1.5 if stage == "deliver" else 0.0
            before, posted = counts(database), len(slack.messages)
            service = start_service(config, log, {"GS_FAULTS_SLACK": SLACK_TOKEN})
            hit = wait_for(progressed(stage, before, database, slack, posted), 90, 0.05)
            time.sleep(rng.uniform(0.0, 0.1))
            service.send_signal(signal.SIGKILL)
            service.wait(10)
            at_kill.append({"aimed_at": stage, "stage_progressed": hit, **counts(database)})
        slack.answer_delay = 0.0
        final = start_service(config, log, {"GS_FAULTS_SLACK": SLACK_TOKEN})
        finished = wait_for(lambda: _done(counts(database), rows), 600, 0.5)
        time.sleep(3)
        code = stop(final)
        figures = audit(database, receiver, slack, rows)
    finally:
        receiver.close()
        slack.stop()
    text = log.read_text(errors="replace")
    landed = Counter(k["aimed_at"] for k in at_kill if k["stage_progressed"])
    return {"kills": kills, "rows": rows * SOURCES, "kills_landed_per_stage": dict(landed),
            "finished": finished, "final_exit_code": code, **figures,
            "tracebacks_in_log": text.count("Traceback (most recent"), "at_kill": at_kill, "log": str(log)}


def _done(c: dict[str, int], rows: int) -> bool:
    total = SOURCES * rows
    return c["scored"] == total and c["detected"] == total and c["alerts"] >= _big(rows) and c["unsent"] == 0


def _big(rows: int) -> int:
    return SOURCES * len(range(0, rows, BIG_EVERY))


def audit(database: Path, receiver: WebhookReceiver, slack: FakeSlack, rows: int) -> dict[str, Any]:
    with sqlite3.connect(database) as db:
        ids = Counter(row[0] for row in db.execute("select external_id from mentions"))
        cursors = [(json.loads(cursor or "{}").get("line"), total)
                   for cursor, total in db.execute("select cursor, items_total from sources")]
        per_post = Counter(row[0] for row in db.execute(
            "select example_mention_ids from incidents where trigger = 'high_reach'"))
        outbox = list(db.execute("select channel_id, idempotency_key, status from outbox"))
    expected = {f"{s}-{i}" for s in range(SOURCES) for i in range(rows)}
    hook = {key for channel, key, _ in outbox if channel == "hook"}
    on_slack, slack_rows = slack_keys(slack.messages), {key for channel, key, _ in outbox if channel == "slack"}
    return {
        "mentions_lost": len(expected - set(ids)), "mentions_doubled": sum(n - 1 for n in ids.values()),
        "cursors_off": sum(1 for line, total in cursors if line != rows + 1 or total != rows),
        "incidents_expected": _big(rows), "incidents_lost": _big(rows) - len(per_post),
        "incidents_doubled": sum(n - 1 for n in per_post.values()),
        "outbox_not_sent": sum(1 for _, _, status in outbox if status != "sent"),
        "webhook": {"alerts": len(hook), "lost": len(hook - set(receiver.keys)),
                    "repeats_same_key": receiver.repeats},
        "slack": {"alerts": len(slack_rows), "lost": len(slack_rows - set(on_slack)),
                  "doubled": sum(n - 1 for n in on_slack.values()),
                  "unknown_to_outbox": len(set(on_slack) - slack_rows)},
    }
