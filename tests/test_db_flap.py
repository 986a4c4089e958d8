"""A real service while its PostgreSQL connection flaps (issue 13 targets): nothing lost, nothing doubled.

``groundswell run`` talks to PostgreSQL through a TCP proxy; the test appends high-reach complaints
to a replay file while cutting the proxy again and again (and once for several seconds), then
counts: every post stored once, one incident each, every alert delivered to a local webhook and to the
local Slack stand-in.  What each channel promises is asserted: Slack exactly once (a retry looks the
message up by its idempotency key before posting), the webhook at least once with one idempotency key
per alert (a repeat is counted, and carries the same key, so the receiver can drop it).
Each complaint draws reactions (so its watch incident pages), is worded on its own (no story, and
the spike floor is out of reach, so none joins another) and the page budget is lifted: one page per post.
The figures are printed (run with -s) for the issue's report.
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.fakes.complaints import complaint
from tests.fakes.processes import readiness, start, stop, wait_for
from tests.fakes.slack_api import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.slow  # a real service for about 45 s

POSTS = 40
# Pages, not watch items, for every post: a big account pages once its audience reacts, and the
# weekly page budget would otherwise hold all but two back; no spike facet swallows the posts.
DETECTION = "[detection]\npages_per_week = 1000\nreach_page_reactions = 20\nmin_negative = 1000\n"


OUTBOX = "from outbox o join alerts a on a.id = o.alert_id join incidents i on i.id = a.incident_id"


def flap(proxy: TcpProxy, until: threading.Event, rng: random.Random, cuts: list[float]) -> None:
    """Cut for 0.05-1 s every 0.1-1 s; the 20th cut lasts 8 s (an outage, not a blip)."""
    while not until.is_set():
        time.sleep(rng.uniform(0.1, 1.0))
        length = 8.0 if len(cuts) == 19 else rng.uniform(0.05, 1.0)
        proxy.cut()
        time.sleep(length)
        proxy.restore()
        cuts.append(length)


def slack_keys(slack: FakeSlack) -> list[str]:
    """The idempotency key of every message the Slack stand-in holds (each alert's message carries its key)."""
    return [str((m.metadata or {}).get("event_payload", {}).get("idempotency_key", ""))
            for m in slack.messages.values()]


def test_flapping_database_loses_and_doubles_nothing(postgres_url: str, pg_schema: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    via = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    receiver = WebhookReceiver()
    slack = FakeSlack(token="xoxb-flap").start()
    monkeypatch.setenv("GS_FLAP_SLACK", "xoxb-flap")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("")
    body = (f'[[sources]]\nid = "feed"\nkind = "replay"\nbrand = "acme"\npath = "{feed}"\ninterval_seconds = 1\n'
            f'[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "{receiver.url}"\n'
            f'[[channels]]\nid = "slack"\nkind = "slack"\ntoken = {{ env = "GS_FLAP_SLACK" }}\nchannel = "C0ALERTS1"\n'
            f'base_url = "{slack.api_url}"\ntimeout_s = 5\n{DETECTION}')
    service, port = start(tmp_path, "flap", f"{via}?options=-csearch_path%3D{pg_schema}", body=body)
    done, cuts, rng, words = threading.Event(), [], random.Random(13), random.Random(7)
    flapper = threading.Thread(target=flap, args=(proxy, done, rng, cuts), daemon=True)
    engine = create_engine(f"{postgres_url}?options=-csearch_path%3D{pg_schema}")

    def count(sql: str) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar() or 0)

    try:
        assert wait_for(lambda: readiness(port).get("instance_lock") == "held"), (tmp_path / "flap.log").read_text()
        flapper.start()
        with feed.open("a") as out:
            for i in range(POSTS):
                out.write(json.dumps({"id": f"p{i}", "author_id": f"famous{i}", "author_followers": 500_000,
                                      "reposts": 60, "lang": "en", "text": complaint(words),
                                      "posted_at": datetime.now(UTC).isoformat()}) + "\n")
                out.flush()
                time.sleep(0.6)
        time.sleep(5)
        done.set()
        flapper.join()
        slack_outbox = f"{OUTBOX} where o.channel_id = 'slack' and i.trigger = 'high_reach'"
        assert wait_for(lambda: len(set(receiver.keys)) >= POSTS and count(f"select count(*) {slack_outbox} and "
                                                                           "o.status = 'sent'") >= POSTS, 120), (
            (tmp_path / "flap.log").read_text()[-3000:])
        time.sleep(3)  # anything doubled would arrive now
        mentions = count("select count(*) from mentions")
        incidents = count("select count(distinct example_mention_ids::text) from incidents "
                          "where trigger = 'high_reach'")
        all_incidents = count("select count(*) from incidents where trigger = 'high_reach'")
        with engine.connect() as connection:
            slack_alerts = {row[0] for row in connection.execute(text(f"select o.idempotency_key {slack_outbox}"))}
        on_slack = slack_keys(slack)
        figures = {"cuts": len(cuts), "longest_cut_s": round(max(cuts), 1), "posts": POSTS,
                   "mentions_lost": POSTS - mentions, "alerts_lost": POSTS - len(set(receiver.keys)),
                   "incidents_lost": POSTS - incidents, "incidents_doubled": all_incidents - incidents,
                   "webhook_repeats_same_key": receiver.repeats,
                   "slack_alerts_lost": len(slack_alerts - set(on_slack)),
                   "slack_deliveries_doubled": len(on_slack) - len(set(on_slack)),
                   "other_alerts": receiver.other}
        print("db-flap figures:", json.dumps(figures))
        assert figures["mentions_lost"] == 0 and figures["incidents_lost"] == 0 and figures["alerts_lost"] == 0
        assert figures["incidents_doubled"] == 0
        assert len(slack_alerts) >= POSTS and figures["slack_alerts_lost"] == 0  # Slack: exactly once
        assert figures["slack_deliveries_doubled"] == 0
        with engine.connect() as connection:  # the webhook: at least once, a repeat carries its alert's key
            hook_keys = {row[0] for row in connection.execute(text(
                "select idempotency_key from outbox where channel_id = 'hook'"))}
        assert set(receiver.keys) <= hook_keys
        assert service.poll() is None  # the lock was taken again every time: still the one instance
    finally:
        done.set()
        stop(service)
        receiver.close()
        slack.stop()
        proxy.close()
        engine.dispose()
