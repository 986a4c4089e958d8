"""Soak: the real service for N minutes against a fake X API and a fake SMTP server, with faults.

    python benchmarks/soak.py --minutes 10

A feeder posts two mentions a second at the fake X, and every 30 s a complaint from an account
with 900k followers (an incident, hence an email).  Faults: X answers 429 from 20% to 30% of the
run, hangs past the client timeout from 50% to 55%, and the SMTP server is down from 70% to 80%.
Prints JSON: memory over time, jobs missed, alert latency (post created at the source -> email
received), deliveries, poll errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.settings import Settings  # noqa: E402
from tests.fakes.smtp import FakeSMTP  # noqa: E402
from tests.fakes.x_api import FakeX  # noqa: E402

MARK = re.compile(r"LAT(\d+)\b")


class Missed(logging.Handler):
    """Counts APScheduler's 'missed' and 'maximum number of running instances' warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.missed = 0
        self.skipped = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.missed += "was missed by" in text
        self.skipped += "maximum number of running instances" in text


def _text(message: Any) -> str:
    return " ".join(str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def settings_for(x: FakeX, smtp: FakeSMTP, folder: Path, poll: int, model: str) -> Settings:
    os.environ["SOAK_X_TOKEN"] = x.token
    cls = type("SoakSettings", (Settings,), {"toml_path": None})
    return cls(app={"data_dir": str(folder)}, model={"sentiment": model},  # type: ignore[no-any-return]
               service={"metrics_address": "127.0.0.1:0"},
               brands=[{"id": "acme", "name": "Acme", "names": ["Acme"]}],
               sources=[{"id": "x-acme", "kind": "x", "brand": "acme", "interval_seconds": poll,
                         "bearer_token": {"env": "SOAK_X_TOKEN"}, "base_url": x.url, "timeout_seconds": 5}],
               channels=[{"id": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port,
                          "security": "none", "from_addr": "groundswell@example.com", "to": ["ops@example.com"]}])


def feed(x: FakeX, stop: threading.Event, posted: dict[int, float]) -> None:
    n = 0
    while not stop.wait(0.5):
        n += 1
        x.add_tweet(f"Acme new router arrived today, setting it up {n}", user=f"user{n}", age=timedelta(0))
        if n % 60 == 0:
            k = n // 60
            posted[k] = time.time()
            x.add_tweet(f"Acme outage, terrible service, cancelling LAT{k}", user=f"big{k}", followers=900_000,
                        age=timedelta(0))


def run(minutes: float, poll: int, model: str) -> dict[str, Any]:
    from monitor.logs import configure_logging
    from monitor.service.scheduler import Service

    configure_logging("warning", "console")
    missed = Missed()
    logging.getLogger("apscheduler").addHandler(missed)
    x, smtp = FakeX(token="soak-token").start(), FakeSMTP().start()
    service = Service(settings_for(x, smtp, Path(tempfile.mkdtemp(prefix="gs-soak-")), poll, model))
    service.start()
    stop, posted, arrived = threading.Event(), {}, {}  # type: ignore[var-annotated]
    threading.Thread(target=feed, args=(x, stop, posted), daemon=True).start()
    duration, began = minutes * 60, time.time()
    memory: list[tuple[int, float]] = []
    seen, emails = 0, 0
    while (elapsed := time.time() - began) < duration:
        share = elapsed / duration
        x.fault = "429" if 0.2 <= share < 0.3 else "slow" if 0.5 <= share < 0.55 else None
        if (0.7 <= share < 0.8) == (smtp.controller is not None):
            smtp.stop() if smtp.controller is not None else smtp.start()
        for received in smtp.received[seen:]:
            emails += 1
            for k in MARK.findall(_text(received.message)):
                arrived.setdefault(int(k), time.time())
        seen = len(smtp.received)
        if not memory or elapsed - memory[-1][0] >= 30:
            memory.append((int(elapsed), rss_mb()))
        time.sleep(1)
    stop.set()
    service.shutdown()
    x.stop()
    if smtp.controller is not None:
        smtp.stop()
    return report(service, posted, arrived, memory, missed, emails, minutes, poll)


def report(service: Any, posted: dict[int, float], arrived: dict[int, float], memory: list[tuple[int, float]],
           missed: Missed, emails: int, minutes: float, poll: int) -> dict[str, Any]:
    def value(name: str, **labels: str) -> float:
        return service.metrics.registry.get_sample_value(name, labels) or 0.0

    latencies = sorted(round(arrived[k] - posted[k], 1) for k in posted if k in arrived)
    start = min(posted.values(), default=0.0) - 30
    by_post = [(round(posted[k] - start), round(arrived[k] - posted[k], 1) if k in arrived else None)
               for k in sorted(posted)]
    return {
        "minutes": minutes, "poll_interval_s": poll, "memory_mb": memory, "peak_rss_mb": max(m for _, m in memory),
        "jobs_missed": missed.missed, "runs_skipped_still_running": missed.skipped,
        "incident_posts": len(posted), "alerted": len(latencies), "emails": emails,
        "latency_s": {"p50": latencies[len(latencies) // 2] if latencies else None,
                      "max": latencies[-1] if latencies else None},
        "latency_by_post": [{"posted_at_s": t, "latency_s": lat} for t, lat in by_post],
        "latency_target_s": poll + 30,
        "mentions_ingested": value("groundswell_mentions_ingested_total", source="x-acme"),
        "poll_errors": value("groundswell_poll_errors_total", source="x-acme"),
        "rate_limited": value("groundswell_poll_rate_limited_total", source="x-acme"),
        "alerts_sent": value("groundswell_alerts_sent_total", channel="mail"),
        "alerts_failed": value("groundswell_alerts_failed_total", channel="mail"),
        "faults": "X 429 at 20-30%, X hang at 50-55%, SMTP down at 70-80% of the run",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--poll", type=int, default=10, help="the X source's poll interval (s)")
    parser.add_argument("--model", default="lexicon")
    args = parser.parse_args()
    print(json.dumps(run(args.minutes, args.poll, args.model), indent=2))


if __name__ == "__main__":
    main()
