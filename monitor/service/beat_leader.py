"""A single beat: every beat process may run, only the one holding the scheduler lock sends tasks.

    celery -A monitor.service.worker beat      # start two for failover: the second waits as a standby

The lock is the service's own instance lock (``service.lock``: a PostgreSQL session advisory lock, a file
lock on SQLite), so a beat and a ``groundswell run`` service never both schedule one database either.  It goes
with the holder's connection: when the leader dies (even ``kill -9``) a standby takes over within
``STANDBY_SECONDS``.  Tasks are idempotent, so the new leader's first round doing what was just done is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import PersistentScheduler

from monitor.service.lock import AlreadyRunning, InstanceLock, acquire
from monitor.settings import load_settings

log = logging.getLogger("groundswell.beat")
STANDBY_SECONDS = 5.0


class LeaderScheduler(PersistentScheduler):  # type: ignore[misc]
    """Celery's file-backed scheduler, ticking only while it leads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock: InstanceLock | None = None
        self._standby_said = False
        super().__init__(*args, **kwargs)

    def leads(self) -> bool:
        """Hold the lock, or try to take it; never waits."""
        if self._lock is not None:
            if self._lock.alive():
                return True
            log.warning("beat lost the scheduler lock (database connection dropped); standing by")
            self._lock = None
        try:
            self._lock = acquire(load_settings().database_url())
        except AlreadyRunning as exc:
            if not self._standby_said:
                log.info("beat standing by: %s", exc)
                self._standby_said = True
            return False
        log.info("beat leads: this process sends the schedule")
        self._standby_said = False
        return True

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.leads():
            return STANDBY_SECONDS
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        super().close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
