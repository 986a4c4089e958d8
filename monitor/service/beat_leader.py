"""A single beat: every beat process may run, only the one holding the scheduler lock sends tasks.

    celery -A monitor.service.worker beat      # start two for failover: the second waits as a standby

The lock is the service's own instance lock (``service.lock``: a PostgreSQL session advisory lock, a file
lock on SQLite), so a beat and a ``groundswell run`` service never both schedule one database either.  It goes
with the holder's connection: when the leader dies (even ``kill -9``) a standby takes over within
``STANDBY_SECONDS``.  Tasks are idempotent, so the new leader's first round doing what was just done is harmless.

The leader also holds Slack's Socket Mode connections (the buttons, ``service.slack_actions``): exactly one
process of a Celery deployment listens, as ``groundswell run`` does alone, and a standby that takes over the
lock takes the buttons with it.  A refused app token is logged and the beat goes on scheduling without buttons.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import PersistentScheduler

from monitor.errors import GroundswellError
from monitor.runtime import Runtime
from monitor.service.lock import AlreadyRunning, InstanceLock, acquire
from monitor.service.slack_actions import SlackActionListener, start_listeners
from monitor.settings import load_settings

log = logging.getLogger("groundswell.beat")
STANDBY_SECONDS = 5.0


class LeaderScheduler(PersistentScheduler):  # type: ignore[misc]
    """Celery's file-backed scheduler, ticking (and listening for Slack's buttons) only while it leads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock: InstanceLock | None = None
        self._standby_said = False
        self.slack_listeners: list[SlackActionListener] = []
        self._runtime: Runtime | None = None  # the listeners' database and channels, while leading
        super().__init__(*args, **kwargs)

    def leads(self) -> bool:
        """Hold the lock, or try to take it; never waits."""
        if self._lock is not None:
            if self._lock.alive():
                return True
            log.warning("beat lost the scheduler lock (database connection dropped); standing by")
            self._lock = None
            self._stop_listening()
        settings = load_settings()
        try:
            self._lock = acquire(settings.database_url())
        except AlreadyRunning as exc:
            if not self._standby_said:
                log.info("beat standing by: %s", exc)
                self._standby_said = True
            return False
        log.info("beat leads: this process sends the schedule")
        self._standby_said = False
        self._listen(Runtime(settings))
        return True

    def _listen(self, runtime: Runtime) -> None:
        """Slack's buttons, for every Slack channel with an app token (none: nothing to hold)."""
        self._runtime = runtime
        try:
            self.slack_listeners = start_listeners(runtime.settings, runtime.engine, runtime.notifiers,
                                                   runtime.clock)
        except GroundswellError as exc:  # a refused app token: keep scheduling, say why there are no buttons
            log.error("beat leads without Slack buttons: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the schedule matters more; the next leader tries again
            log.error("beat leads without Slack buttons (%s: %s)", type(exc).__name__, exc)

    def _stop_listening(self) -> None:
        listeners, self.slack_listeners = self.slack_listeners, []
        for listener in listeners:
            listener.stop()
        runtime, self._runtime = self._runtime, None
        if runtime is not None and "engine" in vars(runtime):  # opened: give its connections back
            runtime.engine.dispose()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.leads():
            return STANDBY_SECONDS
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        super().close()
        self._stop_listening()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
