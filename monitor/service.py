"""`groundswell run`: APScheduler wiring only; every job calls a pipeline function.

One job per source at its interval (with jitter), and scoring, detection and delivery on short
intervals; ``coalesce`` and ``max_instances=1`` so a slow run never piles up.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.pipeline import deliver_due, poll_source, run_detection, score_pending
from monitor.runtime import Runtime
from monitor.settings import Settings

log = logging.getLogger("groundswell.service")


def _now() -> datetime:
    return datetime.now(UTC)


def build_scheduler(runtime: Runtime) -> BlockingScheduler:
    settings = runtime.settings
    scheduler = BlockingScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                                              "misfire_grace_time": 60})
    for source in settings.sources:
        if source.enabled:
            connector = runtime.connector(source.id)
            scheduler.add_job(_guarded(lambda c=connector: poll_source(runtime.engine, settings, c, now=_now())),
                              "interval", seconds=source.interval_seconds, jitter=max(1, source.interval_seconds // 10),
                              id=f"poll:{source.id}", next_run_time=_now())
    service = settings.service
    jobs: list[tuple[str, int, Any]] = [
        ("score", service.score_interval_seconds,
         lambda: score_pending(runtime.engine, settings, runtime.model, now=_now())),
        ("detect", service.detect_interval_seconds, lambda: run_detection(runtime.engine, settings, now=_now())),
        ("deliver", service.deliver_interval_seconds,
         lambda: deliver_due(runtime.engine, runtime.notifiers, now=_now())),
    ]
    for name, seconds, job in jobs:
        scheduler.add_job(_guarded(job), "interval", seconds=seconds, id=name, next_run_time=_now())
    return scheduler


def _guarded(job: Any) -> Any:
    """A failing job logs and waits for its next turn; it never takes the scheduler down."""
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("job failed; it will run again at its next interval")
    return run


def serve(settings: Settings) -> None:
    runtime = Runtime(settings)
    _ = runtime.engine, runtime.model  # migrate, connect and load the model before anything is scheduled
    scheduler = build_scheduler(runtime)

    def stop(signum: int, _frame: Any) -> None:
        log.info("received %s; finishing running jobs", signal.Signals(signum).name)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("groundswell running: %d sources, %d channels", len(settings.sources), len(settings.channels))
    scheduler.start()
