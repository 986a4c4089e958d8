"""Database flaps and an outage while mentions flow (issue 13): a real service on PostgreSQL behind a cuttable proxy.

High-reach complaints are appended to a replay file all along; the proxy is cut ``flaps`` times over
``flap_seconds`` (0.05-1 s each), then once for ``outage_s``.  Afterwards every post must be stored once,
have one incident and its alert delivered: Slack exactly once (the retry looks the message up by its
key), the webhook at least once with one idempotency key per alert (repeats are counted, not errors).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from benchmarks.faults_common import (
    settings_toml,
    slack_keys,
    start_service,
    wait_for,
)
from tests.fakes.complaints import complaint
from tests.fakes.processes import free_port, readiness
from tests.fakes.slack_api import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.webhook_receiver import WebhookReceiver

PG_URL = os.environ.get("GROUNDSWELL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SLACK_TOKEN = "xoxb-faults"


def flap(proxy: TcpProxy, flaps: int, seconds: float, outage: float, rng: random.Random,
         cuts: list[float]) -> None:
    """``flaps`` short cuts spread over ``seconds``, then one long outage."""
    gap = seconds / max(flaps, 1)
    for _ in range(flaps):
        length = rng.uniform(0.05, min(1.0, gap * 0.8))
        time.sleep(max(0.05, rng.uniform(0.2, 1.8) * gap - length))
        proxy.cut()
        time.sleep(length)
        proxy.restore()
        cuts.append(length)
    time.sleep(2)
    proxy.cut()
    time.sleep(outage)
    proxy.restore()
    cuts.append(outage)


def post(feed: Path, stop: threading.Event, every: float, posted: list[str]) -> None:
    words = random.Random(7)
    with feed.open("a") as out:
        while not stop.is_set():
            i = len(posted)
            out.write(json.dumps({"id": f"p{i}", "author_id": f"famous{i}", "author_followers": 500_000,
                                  "reposts": 60, "lang": "en", "text": complaint(words),
                                  "posted_at": datetime.now(UTC).isoformat()}) + "\n")
            out.flush()
            posted.append(f"p{i}")
            stop.wait(every)


def run_flaps(flaps: int, flap_seconds: float, outage_s: float, post_every: float, folder: Path,
              keep: bool = False) -> dict[str, Any]:
    schema = f"gs_faults_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    target = make_url(PG_URL)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    via = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    receiver, slack = WebhookReceiver(), FakeSlack(token=SLACK_TOKEN).start()
    try:
        return {**_flap_run(folder, f"{via}?options=-csearch_path%3D{schema}", schema, proxy, receiver, slack,
                            (flaps, flap_seconds, outage_s, post_every)), "schema_kept": schema if keep else None}
    finally:
        receiver.close()
        slack.stop()
        proxy.close()
        if not keep:
            with admin.begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()


def _flap_run(folder: Path, url: str, schema: str, proxy: TcpProxy, receiver: WebhookReceiver, slack: FakeSlack,
              plan: tuple[int, float, float, float]) -> dict[str, Any]:
    flaps, flap_seconds, outage_s, post_every = plan
    feed, port, log = folder / "flap-feed.jsonl", free_port(), folder / "flap.log"
    feed.write_text("")
    body = (f'[[sources]]\nid = "feed"\nkind = "replay"\nbrand = "acme"\npath = "{feed}"\ninterval_seconds = 1\n'
            f'[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "{receiver.url}"\n'
            f'[[channels]]\nid = "slack"\nkind = "slack"\ntoken = {{ env = "GS_FAULTS_SLACK" }}\n'
            f'channel = "C0ALERTS1"\nbase_url = "{slack.api_url}"\ntimeout_s = 5\n')
    config = folder / "flap.toml"
    config.write_text(settings_toml(folder / "flap-data", port, body, url))
    service = start_service(config, log, {"GS_FAULTS_SLACK": SLACK_TOKEN})
    cuts: list[float] = []
    posted: list[str] = []
    stop = threading.Event()
    try:
        if not wait_for(lambda: readiness(port).get("instance_lock") == "held", 120):
            return {"error": "the service never became ready", "log_tail": log.read_text()[-2000:]}
        began = time.monotonic()
        poster = threading.Thread(target=post, args=(feed, stop, post_every, posted), daemon=True)
        poster.start()
        flap(proxy, flaps, flap_seconds, outage_s, random.Random(13), cuts)
        time.sleep(5)
        stop.set()
        poster.join()
        direct = f"{PG_URL}?options=-csearch_path%3D{schema}"
        settled = wait_for(lambda: _settled(direct, receiver, slack, len(posted)), 240, 1.0)
        time.sleep(5)  # anything doubled would arrive now
        figures = _count(direct, receiver, slack, posted)
        alive = service.poll() is None
    finally:
        stop.set()
        code = stop(service)
    text_log = log.read_text(errors="replace")
    return {"flaps": len(cuts) - 1, "flap_seconds": flap_seconds, "outage_s": outage_s,
            "longest_flap_s": round(max(cuts[:-1], default=0.0), 2), "run_s": round(time.monotonic() - began),
            "posts": len(posted), **figures, "settled": settled, "service_alive_after": alive,
            "service_exit_code_on_stop": code, "tracebacks_in_log": text_log.count("Traceback (most recent"),
            "lock_retaken_lines": text_log.count("instance lock"), "log": str(log)}


def _query(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


OUTBOX_HIGH_REACH = ("select o.channel_id, o.idempotency_key, o.status from outbox o join alerts a on a.id = o.alert_id"
                     " join incidents i on i.id = a.incident_id where i.trigger = 'high_reach'")


def _settled(url: str, receiver: WebhookReceiver, slack: FakeSlack, posts: int) -> bool:
    try:
        rows = _query(url, OUTBOX_HIGH_REACH)
    except Exception:  # noqa: BLE001 - the database may still be coming back
        return False
    incidents = {key for channel, key, _ in rows if channel == "hook"}
    return (len(incidents) >= posts and all(status == "sent" for _, _, status in rows)
            and set(receiver.keys) >= incidents and set(slack_keys(slack.messages)) >= {
                key for channel, key, _ in rows if channel == "slack"})


def _count(url: str, receiver: WebhookReceiver, slack: FakeSlack, posted: list[str]) -> dict[str, Any]:
    stored = Counter(row[0] for row in _query(url, "select external_id from mentions"))
    incidents = _query(url, "select example_mention_ids::text from incidents where trigger = 'high_reach'")
    per_post = Counter(row[0] for row in incidents)
    outbox = _query(url, OUTBOX_HIGH_REACH)
    hook = {key for channel, key, _ in outbox if channel == "hook"}
    slack_outbox = {key for channel, key, _ in outbox if channel == "slack"}
    on_slack = slack_keys(slack.messages)
    return {
        "mentions_lost": sum(1 for p in posted if p not in stored),
        "mentions_doubled": sum(n - 1 for n in stored.values()),
        "incidents_lost": len(posted) - len(per_post), "incidents_doubled": sum(n - 1 for n in per_post.values()),
        "outbox_not_sent": sum(1 for _, _, status in outbox if status != "sent"),
        "webhook": {"alerts": len(hook), "lost": len(hook - set(receiver.keys)),
                    "repeats_same_key": receiver.repeats,
                    "other_alerts": receiver.other},
        "slack": {"alerts": len(slack_outbox), "lost": len(slack_outbox - set(on_slack)),
                  "doubled": sum(n - 1 for n in on_slack.values()), "messages": len(slack.messages)},
    }
