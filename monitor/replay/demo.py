"""`groundswell demo`: the bundled week through the whole pipeline on a simulated clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from monitor.clock import ManualClock
from monitor.detection.warmup import forget_detectors
from monitor.pipeline import deliver_due, poll_if_due, run_detection, score_pending
from monitor.replay.demo_data import DEMO_FILE, START
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Incident, OutboxItem

STEP = timedelta(minutes=15)


def demo_settings(data_dir: Path, model: str, extra_channels: list[dict[str, Any]] | None = None) -> Settings:
    settings_cls = type("DemoSettings", (Settings,), {"toml_path": None})
    return settings_cls(  # type: ignore[no-any-return]
        app={"data_dir": data_dir},
        model={"sentiment": model},
        database={"url": f"sqlite:///{(data_dir / 'demo.db').resolve()}"},
        brands=[{"id": "brightwave", "name": "Brightwave Broadband", "names": ["Brightwave"],
                 "handles": ["@brightwave"], "timezone": "Europe/London"}],
        sources=[{"id": "demo-replay", "kind": "replay", "brand": "brightwave", "path": str(DEMO_FILE),
                  "platform": "x", "interval_seconds": int(STEP.total_seconds())}],
        channels=[{"id": "console", "kind": "console"}, *(extra_channels or [])],
    )


@dataclass
class DemoResult:
    database: str
    mentions: int = 0
    changes: list[str] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    delivered: int = 0
    pending: int = 0


def run_demo(settings: Settings, *, days: int = 7, on_step: Callable[[int, int], None] | None = None,
             ) -> DemoResult:
    """Replay the week in 15-minute steps: poll, score, detect, deliver, as the service would."""
    forget_detectors()  # the demo starts from an empty database: no remembered baselines either
    database = Path(settings.database_url().removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    clock = ManualClock(START)
    runtime = Runtime(settings, clock=clock)
    result = DemoResult(database=str(database))
    steps = int(timedelta(days=days) / STEP)
    model, connector, notifiers = runtime.model, runtime.connector("demo-replay"), runtime.notifiers
    for step in range(steps + 1):
        now = clock()
        result.mentions += poll_if_due(runtime.engine, settings, connector, now=now).new
        score_pending(runtime.engine, settings, model, now=now)
        result.changes.extend(run_detection(runtime.engine, settings, now=now).changes)
        deliver_due(runtime.engine, notifiers, now=now)
        if on_step:
            on_step(step, steps)
        clock.advance(STEP)
    with Session(runtime.engine) as session:
        result.incidents = list(session.exec(select(Incident).order_by(col(Incident.opened_at))))
        outbox = session.exec(select(OutboxItem)).all()
        result.delivered = sum(item.status == "sent" for item in outbox)
        result.pending = sum(item.status == "pending" for item in outbox)
    return result
