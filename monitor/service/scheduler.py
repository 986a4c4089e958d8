"""`groundswell run`: the long-running service.  APScheduler lives here and nowhere else.

One job per source at its interval (with jitter), scoring, detection and delivery on short
intervals, the digest on a cron trigger in each brand's timezone, and an hourly retention job;
``coalesce`` and ``max_instances=1`` so a slow run never piles up.  Every job calls a pipeline
function, wrapped here with metrics and error containment.

Signals: SIGTERM/SIGINT stop new work, let running jobs finish (bounded by
``service.shutdown_timeout_seconds``) and exit 0; SIGHUP reloads settings, validated first.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session

from monitor import heap
from monitor.clock import Clock, system_clock
from monitor.detection.warmup import forget_detectors
from monitor.errors import GroundswellError
from monitor.logs import configure_logging, plural
from monitor.pipeline import (
    deliver_due,
    poll_if_due,
    run_detection,
    run_digest,
    run_retention,
    score_pending,
    source_usage,
    unscored_by_source,
)
from monitor.runtime import Runtime, sync_brands
from monitor.service import lock as instance_lock
from monitor.service.activity import Activity
from monitor.service.health_app import health_routes
from monitor.service.job_guard import JobGuard
from monitor.service.observability import Metrics, ObservabilityServer, Readiness
from monitor.service.schedule import add_jobs
from monitor.service.slack_actions import SlackActionListener, start_listeners
from monitor.settings import Settings, load_settings
from monitor.web.server import WebThread

log = logging.getLogger("groundswell.service")
CATCH_UP_CHUNK = 256  # a backlog is scored newest first this many at a time, detection run after each (issue #17)


class Service(JobGuard):
    """The scheduler, its jobs and the HTTP endpoints over one Runtime (swapped on reload)."""

    def __init__(self, settings: Settings, *, clock: Clock = system_clock) -> None:
        self.runtime = Runtime(settings, clock=clock)
        self.clock = clock
        self.metrics = Metrics()
        self.stopping = threading.Event()
        self._init_guard()
        workers = min(16, 4 + sum(s.enabled for s in settings.sources))
        self.scheduler = BackgroundScheduler(
            timezone="UTC", executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
        self.http: ObservabilityServer | None = None
        self.web: WebThread | None = None
        self.slack_listeners: list[SlackActionListener] = []  # Slack buttons, over Socket Mode
        self.lock: instance_lock.InstanceLock | None = None
        self.paused = False  # the instance lock is lost: no job runs until it is ours again
        self.activity = Activity()  # counts since the last heartbeat
        self._detecting = threading.Lock()  # the detect job, or scoring between the chunks of a backlog

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, *, http: bool = True) -> None:
        """Connect, migrate and load the model first, then schedule; a broken setup fails fast."""
        _ = self.runtime.engine, self.runtime.model, self.runtime.notifiers
        readiness = Readiness(lambda: self.runtime.engine, lambda: self.settings,
                              lambda: self.scheduler.running and not self.stopping.is_set(), self.clock,
                              self.metrics, lambda: self.lock is None or self.lock.alive())
        if http and self.settings.web.enabled:  # the workspace's address also answers the ops probes
            self.web = WebThread(self.settings, self.runtime.engine,
                                 open_routes=health_routes(self.metrics, readiness))
        elif http:  # bound before any job runs: a bad address stops the start with one line
            self.http = ObservabilityServer(self.settings.service.metrics_address, self.metrics, readiness)
        # Slack's buttons: a refused app token stops the start here, before any job runs
        self.slack_listeners = start_listeners(self.settings, self.runtime.engine, self.runtime.notifiers, self.clock)
        self._schedule()
        self.scheduler.start()
        if self.http is not None:
            self.http.start()
        if self.web is not None:
            self.web.start()
        log.info("groundswell running: %s, %s", plural(sum(s.enabled for s in self.settings.sources), "source"),
                 plural(len(self.runtime.notifiers), "channel"))

    def shutdown(self) -> bool:
        """Take no new work, wait for running jobs (bounded); True if they all finished."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        finished = self._wait_idle(self.settings.service.shutdown_timeout_seconds)
        if self.http is not None:
            self.http.stop()
        if self.web is not None:
            self.web.stop()
        for listener in self.slack_listeners:
            listener.stop()
        if finished:
            for notifier in self.runtime.notifiers.values():
                _close(notifier)
            self.runtime.engine.dispose()
        else:
            log.warning("%d jobs still running after %.0fs; exiting anyway (their transactions roll back)",
                        self._busy, self.settings.service.shutdown_timeout_seconds)
        return finished

    def reload(self) -> bool:
        """Load settings again; a bad file keeps the running configuration and says why."""
        old = self.runtime
        try:
            new = load_settings(type(old.settings).toml_path)
            if new.database_url() != old.settings.database_url():
                raise GroundswellError("database.url changed; that needs a restart")
            runtime = Runtime(new, clock=self.clock)
            runtime.__dict__["engine"] = old.engine  # share the open engine (cached_property slot)
            if new.model == old.settings.model:
                runtime.__dict__["model"] = old.model
            _ = runtime.model, runtime.notifiers
            for source in new.sources:
                if source.enabled:
                    runtime.connector(source.id)
            sync_brands(old.engine, new)
        except Exception as exc:  # any failure keeps the old, working configuration
            log.error("reload refused, keeping the running configuration: %s", exc)
            return False
        self.runtime = runtime
        if self.web is not None:
            self.web.use_settings(new)  # routing of acknowledgements follows; the address needs a restart
        for listener in self.slack_listeners:
            listener.settings = new  # the same for Slack's buttons; a new app token needs a restart
        if new.detection != old.settings.detection or _tuning(new) != _tuning(old.settings):
            forget_detectors()  # rebuilt on next use with the new sensitivity, warmed from stored history
        if new.app != old.settings.app:
            configure_logging(new.app.log_level, new.app.log_format)
        self._schedule()
        log.info("configuration reloaded: %s, %s", plural(sum(s.enabled for s in new.sources), "source"),
                 plural(len(runtime.notifiers), "channel"))
        return True

    # -- scheduling -------------------------------------------------------------------------

    def _schedule(self) -> None:
        add_jobs(self.scheduler, self.settings, self, self.clock())

    # -- jobs -------------------------------------------------------------------------------

    def poll(self, source_id: str) -> None:
        runtime, now = self.runtime, self.clock()
        started = time.perf_counter()
        result = poll_if_due(runtime.engine, runtime.settings, runtime.connector(source_id), now=now)
        if result.backing_off:
            return
        seconds = time.perf_counter() - started
        self.metrics.record_poll(result, seconds, now)
        self.activity.count(polls=1, poll_failures=result.error is not None, fetched=result.fetched, new=result.new)
        if result.retry_at is not None:  # a rate limit's reset: poll right then, not at a later tick
            self._kick(f"poll:{source_id}", result.retry_at)
        if result.error is not None:
            log.warning("poll %s failed after %.1fs: %s", source_id, seconds, result.error)
        else:
            skipped = f", {plural(len(result.problems), 'line')} skipped" if result.problems else ""
            log.info("poll %s: %s fetched, %s new%s in %.1fs", source_id, f"{result.fetched:,}", f"{result.new:,}",
                     skipped, seconds)
        if result.new:
            self.backlog()
            self._kick("score")

    def score(self) -> None:
        """Score until nothing is pending, so a backlog drains at model speed, not at job speed.

        A backlog (a source catching up after a rate limit) goes newest first, ``CATCH_UP_CHUNK`` at a time,
        with a detection pass after each chunk: the newest posts alert before the older ones are scored.
        """
        runtime = self.runtime
        while not self.stopping.is_set():
            started = time.perf_counter()
            result = score_pending(runtime.engine, runtime.settings, runtime.model, now=self.clock(),
                                   limit=CATCH_UP_CHUNK)
            if result.scored:
                self.activity.count(scored=result.scored)
                self.metrics.score_seconds.observe(time.perf_counter() - started)
                self.metrics.scored.inc(result.scored)
            if not result.more_pending:
                if result.scored:
                    self._kick("detect")
                break
            self._guarded("detect", self.detect)()  # this chunk's alerts go out (delivery is kicked) first
        heap.trim()  # the poll and scoring just freed their buffers: back to the system (a few ms at most)
        self.backlog()

    def backlog(self) -> None:
        """Unscored mentions per source into /metrics: a burst (or a slow model) is visible, not silent."""
        with Session(self.runtime.engine) as session:
            counts = unscored_by_source(session)
        for source in self.settings.sources:
            self.metrics.unscored.labels(source.brand, source.id).set(counts.get((source.brand, source.id), 0))

    def detect(self) -> None:
        with self._detecting:  # never two passes at once: the brands' detectors live in this process
            result = run_detection(self.runtime.engine, self.runtime.settings, now=self.clock())
        for line in result.changes:
            log.info("incident: %s", line)
        self.activity.count(incidents=result.opened)
        self.metrics.incidents.inc(result.opened)
        if result:
            self._kick("deliver")

    def deliver(self) -> None:
        result = deliver_due(self.runtime.engine, self.runtime.notifiers, now=self.clock())
        self.metrics.record_delivery(result)
        self.activity.count(sent=result.sent, failed=result.failed)
        for outcome in result.outcomes:
            if outcome.status == "sent":  # failures are logged by the outbox, with the retry time
                log.info("delivery: %s", outcome.line)

    def heartbeat(self) -> None:
        """One line every HEARTBEAT_MINUTES: the service is alive, and what it did since the last one."""
        log.info(self.activity.heartbeat_line())
        heap.trim()  # what fragmentation left free goes back to the system (a flat RSS over weeks)

    def retention(self) -> None:
        run_retention(self.runtime.engine, self.runtime.settings, now=self.clock())

    def digest(self, brand_id: str) -> None:
        """Write yesterday's digest (brand's local day) to <data_dir>/digests/ and send it."""
        runtime = self.runtime
        result = run_digest(runtime.engine, runtime.settings, runtime.notifiers, brand_id, now=self.clock(),
                            usage=source_usage(runtime.connector))
        for channel in result.sent:
            log.info("digest sent to %s", channel)
        for failure in result.failed:
            log.info("digest to %s", failure)


def _tuning(settings: Settings) -> list[tuple[str, str | None, float | None]]:
    """Each brand's own detection tuning: a change rebuilds the detectors on reload."""
    return [(b.id, b.sensitivity, b.story_min_people) for b in settings.brands]


def _close(notifier: Any) -> None:
    close = getattr(notifier, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.debug("closing notifier failed", exc_info=True)
