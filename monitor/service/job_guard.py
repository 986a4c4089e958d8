"""How the service runs a job: contained failures, a count for shutdown, and a kick that is never dropped.

Kept apart from the jobs themselves (``scheduler.py``): this is the part that decides *whether and how
often* a job body runs; the jobs say *what* runs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import OperationalError

from monitor.errors import StorageError
from monitor.service.observability import Metrics

log = logging.getLogger("groundswell.service")


class JobGuard:
    """Mixed into the Service: wraps job bodies for APScheduler and kicks jobs to run now."""

    scheduler: BackgroundScheduler
    metrics: Metrics
    stopping: threading.Event
    paused: bool

    def _init_guard(self) -> None:
        self._busy = 0
        self._idle = threading.Condition()
        self._running: set[str] = set()  # jobs running now, by id
        self._again: set[str] = set()  # running jobs kicked meanwhile: they run once more when done

    def _wait_idle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for running jobs to finish; True if none is left."""
        deadline = time.monotonic() + seconds
        with self._idle:
            while self._busy and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)
            return self._busy == 0

    def _guarded(self, name: str, job: Callable[..., Any], *args: Any) -> Callable[[], None]:
        """Skip once stopping; count running jobs for shutdown; a failure never stops the scheduler."""
        def run() -> None:
            with self._idle:
                if self.stopping.is_set() or self.paused:
                    return
                self._busy += 1
                self._running.add(name)
            try:
                while self._run_once(name, job, *args):
                    pass  # kicked while it ran: run again now for what arrived meanwhile
            finally:
                with self._idle:
                    self._busy -= 1
                    self._running.discard(name)
                    self._idle.notify_all()
        return run

    def _run_once(self, name: str, job: Callable[..., Any], *args: Any) -> bool:
        """Run ``job`` once, containing its failure; True when it was kicked meanwhile and should run again."""
        try:
            job(*args)
        except (StorageError, OperationalError) as exc:  # the database is away: one line, not a traceback
            self.metrics.job_errors.labels(name.split(":")[0]).inc()
            log.error("job %s failed, database unavailable (%s); it will run again at its next interval", name,
                      str(exc).splitlines()[0])
        except Exception:
            self.metrics.job_errors.labels(name.split(":")[0]).inc()
            log.exception("job %s failed; it will run again at its next interval", name)
        with self._idle:
            again = name in self._again and not self.stopping.is_set() and not self.paused
            self._again.discard(name)
        return again

    def _kick(self, job_id: str, at: datetime | None = None) -> None:
        """Run a job now (or ``at``) instead of at its interval: new mentions reach an alert fast."""
        if self.scheduler.running and not self.stopping.is_set():
            with self._idle:
                if at is None and job_id in self._running:  # APScheduler would skip it ("maximum number of
                    self._again.add(job_id)               # running instances"): the running one goes round again
                    return
            with contextlib.suppress(JobLookupError):
                self.scheduler.modify_job(job_id, next_run_time=at or datetime.now(UTC))
