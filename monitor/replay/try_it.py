"""`groundswell try`: the whole product against local stand-ins, no accounts needed.

Starts fake X, Reddit, Slack and SMTP servers on fixed ports, writes a real settings file that points
the x/reddit sources and the slack/email channels at them (secrets in files beside it), then plays the
bundled Brightwave week through the real connectors, pipeline and notifiers on a simulated clock:
five ordinary days fast, then day six (the evening outage, also discussed on Reddit) at a pace you
can watch.  The stand-ins keep running afterwards, so `groundswell --config ... check`, `channels test`
and `incidents` work against them from another terminal.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.clock import ManualClock
from monitor.replay.demo_data import DEMO_FILE, START
from monitor.replay.fakes.reddit_api import FakeReddit
from monitor.replay.fakes.slack_api import FakeSlack
from monitor.replay.fakes.x_api import FakeX

PORT_BASE = 7100  # X 7101, Reddit 7102, Slack 7103, SMTP 7125
STEP = timedelta(minutes=15)
OUTAGE_DAY = START + timedelta(days=5)  # day six: the evening outage
SECRETS = {"x_token": "try-x-bearer", "reddit_id": "try-reddit-id", "reddit_secret": "try-reddit-secret",
           "slack_token": "xoxb-try-token"}


@dataclass
class StandIns:
    clock: ManualClock
    x: FakeX
    reddit: FakeReddit
    slack: FakeSlack
    smtp: Any  # monitor.replay.fakes.smtp.FakeSMTP (aiosmtpd imported only when used)
    ports: dict[str, int] = field(default_factory=dict)

    def stop(self) -> None:
        for server in (self.x, self.reddit, self.slack, self.smtp):
            server.stop()


def start_stand_ins(port_base: int = PORT_BASE) -> StandIns:
    """The four servers on fixed ports (a port in use fails here, with the port named)."""
    from monitor.replay.fakes.smtp import FakeSMTP

    clock = ManualClock(START)
    ports = {"x": port_base + 1, "reddit": port_base + 2, "slack": port_base + 3, "smtp": port_base + 25}
    x = FakeX(token=SECRETS["x_token"], clock=clock)
    reddit = FakeReddit(SECRETS["reddit_id"], SECRETS["reddit_secret"], clock=clock)
    slack = FakeSlack(token=SECRETS["slack_token"])
    smtp = FakeSMTP(port=ports["smtp"])
    started: list[Any] = []
    try:
        for name, server in (("x", x), ("reddit", reddit), ("slack", slack)):
            started.append(server.start(ports[name]))
        started.append(smtp.start())
    except OSError as exc:
        for server in started:
            server.stop()
        raise OSError(exc.errno, f"a stand-in could not listen on 127.0.0.1 ports {sorted(ports.values())} "
                                 f"({exc.strerror}); pass --port-base to use others") from None
    return StandIns(clock, x, reddit, slack, smtp, ports)


def settings_text(ports: dict[str, int], model: str) -> str:
    return f"""# Written by `groundswell try`: Brightwave Broadband watched on stand-ins of X, Reddit, Slack and
# an SMTP server on 127.0.0.1.  For your company, run `groundswell init` (or replace the brand, the
# base_url/oauth_url/host keys and the secret files below with real ones).
[app]
data_dir = "./data"
log_level = "warning"

[model]
sentiment = {json.dumps(model)}

[[brands]]
id = "brightwave"
name = "Brightwave Broadband"
names = ["Brightwave"]
handles = ["@brightwave"]
timezone = "Europe/London"

[[sources]]
id = "x-brightwave"
kind = "x"
brand = "brightwave"
bearer_token = {{ file = "secrets/x_token" }}
base_url = "http://127.0.0.1:{ports['x']}"
lookback_hours = 1

[[sources]]
id = "reddit-brightwave"
kind = "reddit"
brand = "brightwave"
client_id = {{ file = "secrets/reddit_id" }}
client_secret = {{ file = "secrets/reddit_secret" }}
user_agent = "linux:groundswell-try:0.1 (by u/groundswell)"
subreddits = ["broadband"]
search_all = false
lookback_hours = 1
oauth_url = "http://127.0.0.1:{ports['reddit']}"
reddit_url = "http://127.0.0.1:{ports['reddit']}"

[[channels]]
id = "slack"
kind = "slack"
token = {{ file = "secrets/slack_token" }}
channel = "C0ALERTS1"
base_url = "http://127.0.0.1:{ports['slack']}/api/"

[[channels]]
id = "email"
kind = "email"
host = "127.0.0.1"
port = {ports['smtp']}
security = "none"
from_addr = "groundswell@brightwave.example"
to = ["comms@brightwave.example"]
digest = true
"""


def write_settings(folder: Path, ports: dict[str, int], model: str) -> Path:
    """settings.toml plus the secret files it refers to (by reference, as real secrets are)."""
    (folder / "secrets").mkdir(parents=True, exist_ok=True)
    for name, value in SECRETS.items():
        (folder / "secrets" / name).write_text(value + "\n", encoding="utf-8")
    path = folder / "settings.toml"
    path.write_text(settings_text(ports, model), encoding="utf-8")
    return path.resolve()


def demo_rows() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row["at"] = datetime.fromisoformat(row["posted_at"].replace("Z", "+00:00"))
    return sorted(rows, key=lambda row: row["at"])


def on_reddit(row: dict[str, Any]) -> bool:
    """About one outage-evening post in three is discussed on Reddit instead of X."""
    return row["at"] >= OUTAGE_DAY and zlib.crc32(row["id"].encode()) % 3 == 0


def publish(stand_ins: StandIns, rows: Iterator[dict[str, Any]], now: datetime) -> int:
    count = 0
    for row in rows:
        age = now - row["at"]
        if on_reddit(row):
            stand_ins.reddit.add_post(row["text"], sub="broadband", author=row["author_handle"], age=age)
        else:
            stand_ins.x.add_tweet(row["text"], user=row["author_handle"],
                                  followers=int(row.get("author_followers") or 0), age=age)
        count += 1
    return count


@dataclass
class Played:
    mentions: int = 0
    deliveries: list[str] = field(default_factory=list)


def play(settings_path: Path, stand_ins: StandIns, *, days: int = 6,
         on_step: Callable[[datetime, Sequence[str], bool], None] | None = None) -> Played:
    """Poll, score, detect and deliver every 15 simulated minutes; ``on_step(now, deliveries, paced)``."""
    from monitor.detection.warmup import forget_detectors
    from monitor.pipeline import deliver_due, poll_source, run_detection, score_pending
    from monitor.runtime import Runtime
    from monitor.settings import load_settings

    forget_detectors()
    settings = load_settings(settings_path)
    clock = stand_ins.clock
    runtime = Runtime(settings, clock=clock)
    model, notifiers = runtime.model, runtime.notifiers
    rows, played, index = demo_rows(), Played(), 0
    end = START + timedelta(days=days)
    while clock() <= end:
        now = clock()
        due = [r for r in rows[index:] if r["at"] <= now]
        index += len(due)
        publish(stand_ins, iter(due), now)
        paced = now >= OUTAGE_DAY
        for source in settings.sources:
            if source.kind == "x" or paced:
                played.mentions += poll_source(runtime.engine, settings, runtime.connector(source.id), now=now).new
        score_pending(runtime.engine, settings, model, now=now)
        run_detection(runtime.engine, settings, now=now)
        sent = [outcome.line for outcome in deliver_due(runtime.engine, notifiers, now=now).outcomes]
        played.deliveries.extend(sent)
        if on_step:
            on_step(now, sent, paced)
        clock.advance(STEP)
    return played
