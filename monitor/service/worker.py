"""Scale-out on Celery: the same pipeline functions as tasks, one queue per kind of work.

    celery -A monitor.service.worker worker -Q io,ml,core,notify     # as many as you need, on any machines
    celery -A monitor.service.worker beat                            # exactly one: the schedule

Queues: ``io`` polls sources, ``ml`` scores, ``core`` detects, ``notify`` delivers.  Every task
is idempotent (cursors move after commit, mentions dedupe, the outbox has idempotency keys), so
a retried or duplicated task does no harm.  Workers read the same settings (GROUNDSWELL_CONFIG)
and should share a PostgreSQL database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from celery import Celery

from monitor import pipeline
from monitor.runtime import Runtime
from monitor.settings import load_settings


@cache
def runtime() -> Runtime:
    """One runtime per worker process: the model and connections load once."""
    return Runtime(load_settings())


def _now() -> datetime:
    return datetime.now(UTC)


def make_app() -> Celery:
    settings = load_settings()
    app = Celery("groundswell", broker=settings.distributed.broker_url,
                 backend=settings.distributed.result_backend)
    app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, task_default_queue="core",
                    task_routes={"groundswell.poll": {"queue": "io"}, "groundswell.score": {"queue": "ml"},
                                 "groundswell.detect": {"queue": "core"}, "groundswell.deliver": {"queue": "notify"}},
                    beat_schedule=_schedule(settings))
    return app


def _schedule(settings: Any) -> dict[str, dict[str, Any]]:
    schedule = {f"poll {s.id}": {"task": "groundswell.poll", "schedule": float(s.interval_seconds), "args": (s.id,)}
                for s in settings.sources if s.enabled}
    service = settings.service
    for name, seconds in (("score", service.score_interval_seconds), ("detect", service.detect_interval_seconds),
                          ("deliver", service.deliver_interval_seconds)):
        schedule[name] = {"task": f"groundswell.{name}", "schedule": float(seconds)}
    return schedule


app = make_app()


@app.task(name="groundswell.poll")
def poll(source_id: str) -> dict[str, Any]:
    rt = runtime()
    result = pipeline.poll_source(rt.engine, rt.settings, rt.connector(source_id), now=_now())
    return {"source": source_id, "fetched": result.fetched, "new": result.new, "error": result.error}


@app.task(name="groundswell.score")
def score() -> int:
    rt = runtime()
    return pipeline.score_pending(rt.engine, rt.settings, rt.model, now=_now())


@app.task(name="groundswell.detect")
def detect() -> list[str]:
    rt = runtime()
    return pipeline.run_detection(rt.engine, rt.settings, now=_now())


@app.task(name="groundswell.deliver")
def deliver() -> list[str]:
    rt = runtime()
    return list(pipeline.deliver_due(rt.engine, rt.notifiers, now=_now()))
