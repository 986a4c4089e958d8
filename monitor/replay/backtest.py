"""`groundswell backtest`: replay a mentions file through scoring and detection on a simulated clock.

The same pipeline functions as the service; the output is the incident timeline (JSONL), one line
per alert event: when, which incident, trigger, severity, reason and counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from monitor.clock import ManualClock, as_utc
from monitor.detection.warmup import forget_detectors
from monitor.pipeline import poll_if_due, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Alert, Incident


def backtest_settings(data_dir: Path, mentions: Path, model: str, sensitivity: str, engine: str) -> Settings:
    settings_cls = type("BacktestSettings", (Settings,), {"toml_path": None})
    return settings_cls(  # type: ignore[no-any-return]
        model={"sentiment": model}, detection={"sensitivity": sensitivity, "engine": engine},
        database={"url": f"sqlite:///{(data_dir / 'backtest.db').resolve()}"},
        brands=[{"id": "brand", "name": mentions.stem}],
        sources=[{"id": "file", "kind": "replay", "brand": "brand", "path": str(mentions), "limit": 100_000}])


def run_backtest(settings: Settings, out: Path, *, step: timedelta = timedelta(minutes=5),
                 on_step: Callable[[int, int], None] | None = None) -> int:
    """Replay every row at its posted time; write the alert timeline; return how many events."""
    forget_detectors()
    Path(settings.database_url().removeprefix("sqlite:///")).unlink(missing_ok=True)
    source = settings.sources[0]
    end_of_time = ManualClock(datetime(9999, 1, 1, tzinfo=UTC))
    everything = ConnectorContext("file", BrandTerms(id="brand", name="brand"), end_of_time)
    reader = ReplayConnector(ReplayOptions.model_validate(source.options()), everything)
    rows = reader.fetch(None, limit=10**9)
    if not rows.mentions:
        raise ValueError(f"no usable rows in {source.options()['path']}: {rows.problems[:3]}")
    first = min(m.posted_at for m in rows.mentions)
    last = max(m.posted_at for m in rows.mentions) + timedelta(hours=4)  # let incidents resolve
    clock = ManualClock(first.replace(second=0, microsecond=0))
    runtime = Runtime(settings, clock=clock)
    steps = int((last - first) / step) + 1
    for number in range(steps):
        now = clock()
        poll_if_due(runtime.engine, settings, runtime.connector(source.id), now=now)
        score_pending(runtime.engine, settings, runtime.model, now=now, limit=100_000)
        run_detection(runtime.engine, settings, now=now)
        if on_step:
            on_step(number, steps)
        clock.advance(step)
    return _write_timeline(runtime, out)


def _write_timeline(runtime: Runtime, out: Path) -> int:
    with Session(runtime.engine) as session:
        events = session.exec(select(Alert, Incident).join(Incident, col(Incident.id) == Alert.incident_id)
                              .order_by(col(Alert.created_at), col(Alert.id))).all()
    with out.open("w", encoding="utf-8") as handle:
        for alert, incident in events:
            handle.write(json.dumps({
                "time": as_utc(alert.created_at).isoformat(), "event": alert.event, "incident": incident.id,
                "trigger": incident.trigger, "severity": alert.severity, "status": incident.status,
                "opened_at": as_utc(incident.opened_at).isoformat(),
                "resolved_at": as_utc(incident.resolved_at).isoformat() if incident.resolved_at else None,
                "reason": incident.reason, "mentions": incident.mention_count, "authors": incident.author_count,
            }) + "\n")
    return len(events)
