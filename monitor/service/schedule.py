"""The service's job table: what runs when.  One place to read every APScheduler job `groundswell run` adds.

One job per enabled source at its interval (with jitter, first run at once); scoring, detection and
delivery on short intervals; retention hourly; a heartbeat line; the digest on a cron trigger in each
brand's timezone.  The scheduler's ``coalesce`` and ``max_instances=1`` defaults keep a slow job from piling up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from monitor.service.activity import HEARTBEAT_MINUTES
from monitor.settings import Settings


class Jobs(Protocol):
    """What the job table needs of the service: its jobs, and a wrapper that contains their failures."""

    def poll(self, source_id: str) -> None: ...
    def score(self) -> None: ...
    def detect(self) -> None: ...
    def deliver(self) -> None: ...
    def retention(self) -> None: ...
    def heartbeat(self) -> None: ...
    def digest(self, brand_id: str) -> None: ...
    def _guarded(self, name: str, job: Callable[..., Any], *args: Any) -> Callable[[], None]: ...


def add_jobs(scheduler: BackgroundScheduler, settings: Settings, jobs: Jobs, now: datetime) -> None:
    """Replace every job with the table for ``settings`` (a reload calls this again)."""
    scheduler.remove_all_jobs()
    guarded = jobs._guarded
    for source in settings.sources:
        if source.enabled:
            scheduler.add_job(guarded(f"poll:{source.id}", jobs.poll, source.id), "interval",
                              seconds=source.interval_seconds, jitter=max(1, source.interval_seconds // 10),
                              id=f"poll:{source.id}", next_run_time=now)
    service = settings.service
    for name, seconds, job in (("score", service.score_interval_seconds, jobs.score),
                               ("detect", service.detect_interval_seconds, jobs.detect),
                               ("deliver", service.deliver_interval_seconds, jobs.deliver)):
        scheduler.add_job(guarded(name, job), "interval", seconds=seconds, id=name, next_run_time=now)
    scheduler.add_job(guarded("retention", jobs.retention), "interval", hours=1, id="retention",
                      next_run_time=now + timedelta(minutes=1))
    scheduler.add_job(guarded("heartbeat", jobs.heartbeat), "interval", minutes=HEARTBEAT_MINUTES,
                      id="heartbeat", next_run_time=now + timedelta(minutes=HEARTBEAT_MINUTES))
    if service.digest_hour >= 0:
        for brand in settings.brands:
            scheduler.add_job(guarded(f"digest:{brand.id}", jobs.digest, brand.id),
                              CronTrigger(hour=service.digest_hour, minute=0, timezone=brand.timezone),
                              id=f"digest:{brand.id}", misfire_grace_time=3600)
