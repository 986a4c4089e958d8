"""How long alerts queued during a channel outage wait once the channel is back (issue #17).

    python benchmarks/outbox_recovery.py --outage-minutes 10 --alerts 10

A real SMTP server (aiosmtpd) goes down; an alert is queued at even steps through the outage; the
outbox is driven on a manual clock the way the service drives it (a delivery pass every ``--pass-s``
seconds, so the run takes seconds, not the outage's length); the server comes back.  Prints JSON: the
delivery attempts made during the outage (and the most in one pass), and after recovery the seconds
until the first and until the last queued alert was sent.  SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.outbox import deliver_due, enqueue_alert  # noqa: E402
from monitor.runtime import build_notifiers  # noqa: E402
from monitor.storage.engine import open_database, transaction  # noqa: E402
from monitor.storage.tables import Alert, Brand, Incident  # noqa: E402
from tests.fakes.settings_files import make_settings  # noqa: E402
from tests.fakes.smtp import FakeSMTP  # noqa: E402

START = datetime(2026, 11, 20, 9, tzinfo=UTC)


def queue_alert(engine: Any, settings: Any, number: int, at: datetime) -> None:
    with transaction(engine) as session:
        if session.get(Brand, "acme") is None:
            session.add(Brand(id="acme", name="Acme"))
        incident = Incident(brand_id="acme", key=f"k{number}", trigger="high_reach", severity=3, title=f"#{number}",
                            reason="r", opened_at=at, updated_at=at, last_activity_at=at)
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=3, created_at=at)
        session.add(alert)
        session.flush()
        enqueue_alert(session, settings, alert, incident, now=at)


def run(outage_s: float, alerts: int, pass_s: float) -> dict[str, Any]:
    smtp = FakeSMTP().start()
    engine = open_database(f"sqlite:///{tempfile.mkdtemp(prefix='gs-recovery-')}/db.sqlite")
    settings = make_settings(channels=[{"id": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port,
                                        "security": "none", "from_addr": "a@acme.example",
                                        "to": ["b@acme.example"], "timeout_s": 5}])
    notifiers, now, end = build_notifiers(settings), START, START + timedelta(seconds=outage_s)
    smtp.stop()
    queued, per_pass, began = 0, [], time.process_time()
    while now < end:
        while queued < alerts and now >= START + timedelta(seconds=queued * outage_s / alerts):
            queue_alert(engine, settings, queued, now)
            queued += 1
        per_pass.append(len(deliver_due(engine, notifiers, now=now)))
        now += timedelta(seconds=pass_s)
    smtp.start()
    sent_at = []
    while len(sent_at) < alerts and now < end + timedelta(hours=2):
        sent_at += [now for o in deliver_due(engine, notifiers, now=now) if o.status == "sent"]
        now += timedelta(seconds=pass_s)
    smtp.stop()
    return {"outage_s": outage_s, "alerts": alerts, "pass_s": pass_s,
            "attempts_during_outage": sum(per_pass), "most_attempts_in_one_pass": max(per_pass, default=0),
            "delivered": len(sent_at), "received": len(smtp.received),
            "first_out_after_recovery_s": (min(sent_at) - end).total_seconds() if sent_at else None,
            "all_out_after_recovery_s": (max(sent_at) - end).total_seconds() if sent_at else None,
            "cpu_s": round(time.process_time() - began, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-minutes", type=float, default=10.0)
    parser.add_argument("--alerts", type=int, default=10)
    parser.add_argument("--pass-s", type=float, default=15.0, help="the service's deliver_interval_seconds")
    args = parser.parse_args()
    print(json.dumps(run(args.outage_minutes * 60, args.alerts, args.pass_s), indent=2))


if __name__ == "__main__":
    main()
