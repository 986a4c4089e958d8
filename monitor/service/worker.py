"""Scale-out on Celery: the same pipeline functions as tasks, one queue per kind of work.

    celery -A monitor.service.worker worker -Q io,ml,core,notify     # as many as you need, on any machines
    celery -A monitor.service.worker beat                            # one leads (lock); others stand by

Queues: ``io`` polls sources, ``ml`` scores, ``core`` detects and runs the digest and retention,
``notify`` delivers.  Ownership on PostgreSQL: scoring claims rows with SKIP LOCKED; ``detect`` fans out one
``detect_brand`` task per brand, each under the brand's advisory lock (a brand already running is skipped);
only the beat holding the scheduler lock sends the schedule (``service.beat_leader``).
Every task is idempotent (cursors move after commit, mentions dedupe, the
outbox has idempotency keys), so a retried or duplicated task does no harm.  Polls go through the
same backoff gate as the service.  Workers read the same settings (GROUNDSWELL_CONFIG) and should
share a PostgreSQL database.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from celery import Celery
from celery.schedules import crontab

from connectors import shared_limits
from monitor import heap, pipeline
from monitor.pipeline.detecting import run_brand_detection
from monitor.runtime import Runtime
from monitor.settings import Settings, load_settings

RETENTION_SECONDS = 3600.0
DIGEST_CHECK = 15  # minutes between digest checks; each brand is due in exactly one of them a day


@cache
def runtime() -> Runtime:
    """One runtime per worker process: the model and connections load once; request budgets (Reddit, X)
    are shared by every worker through the broker's Redis (or ``distributed.rate_limit_url``)."""
    heap.pin_mmap_threshold()  # large buffers mapped and unmapped, not left in the arenas (monitor/heap.py)
    heap.limit_arenas()  # before the model's threads start: flat RSS, as in `groundswell run` (monitor/heap.py)
    settings = load_settings()
    distributed = settings.distributed
    shared_limits.configure(distributed.rate_limit_url or distributed.broker_url)
    return Runtime(settings)


def _now() -> datetime:
    return datetime.now(UTC)


def make_app() -> Celery:
    settings = load_settings()
    app = Celery("groundswell", broker=settings.distributed.broker_url,
                 backend=settings.distributed.result_backend)
    app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, task_default_queue="core",
                    task_routes={"groundswell.poll": {"queue": "io"}, "groundswell.score": {"queue": "ml"},
                                 "groundswell.detect": {"queue": "core"},
                                 "groundswell.detect_brand": {"queue": "core"},
                                 "groundswell.deliver": {"queue": "notify"},
                                 "groundswell.digest": {"queue": "core"}, "groundswell.digests_due": {"queue": "core"},
                                 "groundswell.retention": {"queue": "core"}},
                    beat_schedule=beat_schedule(settings),
                    beat_scheduler="monitor.service.beat_leader:LeaderScheduler")
    return app


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The service's schedule, for beat: polls, the three stages, hourly retention, each brand's digest."""
    schedule: dict[str, dict[str, Any]] = {
        f"poll {s.id}": {"task": "groundswell.poll", "schedule": float(s.interval_seconds), "args": (s.id,)}
        for s in settings.sources if s.enabled}
    service = settings.service
    for name, seconds in (("score", service.score_interval_seconds), ("detect", service.detect_interval_seconds),
                          ("deliver", service.deliver_interval_seconds), ("retention", RETENTION_SECONDS)):
        schedule[name] = {"task": f"groundswell.{name}", "schedule": float(seconds)}
    if service.digest_hour >= 0:  # beat has one timezone; each brand's own hour is checked in the task
        schedule["digests"] = {"task": "groundswell.digests_due", "schedule": crontab(minute=f"*/{DIGEST_CHECK}")}
    return schedule


app = make_app()


@app.task(name="groundswell.poll")  # type: ignore[untyped-decorator]
def poll(source_id: str) -> dict[str, Any]:
    """Poll one source unless it is waiting out a failure (``backing_off`` in the result)."""
    rt = runtime()
    result = pipeline.poll_if_due(rt.engine, rt.settings, rt.connector(source_id), now=_now())
    if result.retry_at is not None:  # a rate limit's reset: one more poll right then, not at a later beat
        poll.apply_async((source_id,), eta=result.retry_at)
    return {**asdict(result), "retry_at": result.retry_at.isoformat() if result.retry_at else None}


@app.task(name="groundswell.score")  # type: ignore[untyped-decorator]
def score() -> int:
    rt = runtime()
    return pipeline.score_pending(rt.engine, rt.settings, rt.model, now=_now()).scored


@app.task(name="groundswell.detect")  # type: ignore[untyped-decorator]
def detect() -> list[str]:
    """Fan out: one ``detect_brand`` task per brand, so brands spread over the workers; returns their ids."""
    brands = [b.id for b in runtime().settings.brands]
    for brand_id in brands:
        detect_brand.delay(brand_id)
    return brands


@app.task(name="groundswell.detect_brand")  # type: ignore[untyped-decorator]
def detect_brand(brand_id: str) -> dict[str, Any]:
    """One brand's detection pass under its advisory lock; ``skipped`` when another worker runs it now."""
    rt, started = runtime(), time.perf_counter()
    result = run_brand_detection(rt.engine, rt.settings, brand_id, now=_now())
    seconds = round(time.perf_counter() - started, 4)
    if result is None:
        return {"brand": brand_id, "skipped": True, "events": {}, "changes": [], "seconds": seconds}
    return {"brand": brand_id, "skipped": False, "events": dict(result.events), "changes": list(result.changes),
            "seconds": seconds}


@app.task(name="groundswell.deliver")  # type: ignore[untyped-decorator]
def deliver() -> dict[str, int]:
    rt = runtime()
    result = pipeline.deliver_due(rt.engine, rt.notifiers, now=_now())
    return {"sent": result.sent, "failed": result.failed, "rate_limited": result.rate_limited}


@app.task(name="groundswell.retention")  # type: ignore[untyped-decorator]
def retention() -> dict[str, int]:
    rt = runtime()
    return asdict(pipeline.run_retention(rt.engine, rt.settings, now=_now()))


@app.task(name="groundswell.digest")  # type: ignore[untyped-decorator]
def digest(brand_id: str) -> dict[str, Any]:
    rt = runtime()
    result = pipeline.run_digest(rt.engine, rt.settings, rt.notifiers, brand_id, now=_now(),
                                 usage=pipeline.source_usage(rt.connector))
    return {"brand": result.brand_id, "day": result.day.isoformat(), "html": str(result.html),
            "sent": list(result.sent), "failed": list(result.failed)}


@app.task(name="groundswell.digests_due")  # type: ignore[untyped-decorator]
def digests_due() -> list[str]:
    """Run the digest of every brand whose local digest hour starts now; returns their ids."""
    rt, now = runtime(), _now()
    due = [b.id for b in rt.settings.brands
           if pipeline.digest_due(b, now, rt.settings.service.digest_hour, timedelta(minutes=DIGEST_CHECK))]
    for brand_id in due:
        digest(brand_id)
    return due
