"""What ops watch: /healthz (the process answers), /readyz (it is doing its job) and /metrics.

Metrics live in a registry of their own (not prometheus_client's global one), so several
services in one test process never clash.  Readiness is computed from the database on every
request: a collector that silently stopped is "not ready", not "fine".
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.clock import Clock, as_utc
from monitor.errors import ConfigError
from monitor.pipeline.results import DeliveryResult, PollResult
from monitor.settings import Settings
from monitor.storage.tables import ChannelHealth, OutboxItem, SourceState

log = logging.getLogger("groundswell.observability")
STUCK_AFTER = timedelta(minutes=10)


class Metrics:
    """Every series the service exports; one instance per service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.ingested = Counter("groundswell_mentions_ingested", "New mentions stored", ["source"], registry=r)
        self.poll_seconds = Histogram("groundswell_poll_duration_seconds", "Time per poll (fetch and store)",
                                      ["source"], registry=r,
                                      buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
        self.poll_errors = Counter("groundswell_poll_errors", "Failed polls", ["source"], registry=r)
        self.rate_limited = Counter("groundswell_poll_rate_limited", "Polls refused by a rate limit",
                                    ["source"], registry=r)
        self.last_success = Gauge("groundswell_last_successful_poll_timestamp_seconds",
                                  "Unix time of the last successful poll", ["source"], registry=r)
        self.scored = Counter("groundswell_mentions_scored", "Mentions given a sentiment", registry=r)
        self.score_seconds = Histogram("groundswell_scoring_duration_seconds", "Time per scoring run", registry=r,
                                       buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
        self.incidents = Counter("groundswell_incidents_opened", "Incidents opened", registry=r)
        self.alerts_sent = Counter("groundswell_alerts_sent", "Alert deliveries that succeeded", ["channel"],
                                   registry=r)
        self.alerts_failed = Counter("groundswell_alerts_failed", "Alert deliveries that failed (retry or dead)",
                                     ["channel"], registry=r)
        self.unscored = Gauge("groundswell_unscored_mentions", "Mentions waiting for a sentiment (backpressure)",
                              ["brand", "source"], registry=r)
        self.alerts_rate_limited = Counter("groundswell_alerts_rate_limited",
                                           "Alert deliveries a channel refused with Retry-After", ["channel"],
                                           registry=r)
        self.outbox_depth = Gauge("groundswell_outbox_depth", "Deliveries waiting in the outbox", registry=r)
        self.job_errors = Counter("groundswell_job_errors", "Scheduled jobs that raised", ["job"], registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def record_poll(self, result: PollResult, seconds: float, now: datetime) -> None:
        self.poll_seconds.labels(result.source_id).observe(seconds)
        if result.error is not None:
            self.poll_errors.labels(result.source_id).inc()
            if result.rate_limited:
                self.rate_limited.labels(result.source_id).inc()
            return
        self.ingested.labels(result.source_id).inc(result.new)
        self.last_success.labels(result.source_id).set(now.timestamp())

    def record_delivery(self, result: DeliveryResult) -> None:
        for outcome in result.outcomes:
            if outcome.status == "sent":
                self.alerts_sent.labels(outcome.channel).inc()
            elif outcome.status in ("retry", "dead"):
                self.alerts_failed.labels(outcome.channel).inc()
            if outcome.rate_limited:
                self.alerts_rate_limited.labels(outcome.channel).inc()


@dataclass
class Readiness:
    """Readiness from the database, the scheduler and the clock; every check says why it failed."""

    engine: Callable[[], Engine]
    settings: Callable[[], Settings]
    scheduler_running: Callable[[], bool]
    clock: Clock
    metrics: Metrics | None = None
    lock_held: Callable[[], bool] = lambda: True

    def check(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {"scheduler": "running" if self.scheduler_running() else "stopped",
                                  "instance_lock": "held" if self.lock_held() else "lost"}
        try:
            with Session(self.engine()) as session:
                session.exec(text("select 1"))  # type: ignore[call-overload]
                checks["database"] = "ok"
                checks["sources"] = self._sources(session)
                checks["outbox"] = self._outbox(session)
        except Exception as exc:  # an unreachable database is exactly what this reports
            checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = (checks["scheduler"] == "running" and checks["instance_lock"] == "held" and checks["database"] == "ok"
                 and all(v == "ok" for v in checks["sources"].values()) and checks["outbox"]["status"] == "ok")
        return ready, checks

    def _sources(self, session: Session) -> dict[str, str]:
        now = self.clock()
        states = {s.id: s for s in session.exec(select(SourceState)).all()}
        result: dict[str, str] = {}
        for source in self.settings().sources:
            if not source.enabled:
                continue
            state = states.get(source.id)
            if state is None or state.last_success_at is None:
                result[source.id] = "never polled successfully"
                continue
            age = now - as_utc(state.last_success_at)
            limit = timedelta(seconds=3 * source.interval_seconds)
            result[source.id] = "ok" if age <= limit else (
                f"last success {int(age.total_seconds())}s ago (> 3x interval){_error(state)}")
        return result

    def _outbox(self, session: Session) -> dict[str, Any]:
        pending = session.exec(select(func.count()).select_from(OutboxItem)
                               .where(OutboxItem.status == "pending")).one()
        if self.metrics is not None:
            self.metrics.outbox_depth.set(pending)
        now = self.clock()
        failing = session.exec(select(ChannelHealth)).all()
        probed = [h.channel_id for h in failing if as_utc(h.next_probe_at) > now - STUCK_AFTER]
        overdue = session.exec(select(func.count()).select_from(OutboxItem).where(  # a down channel's rows wait
            OutboxItem.status == "pending", OutboxItem.next_attempt_at < now - STUCK_AFTER,  # for its probes
            col(OutboxItem.channel_id).not_in(probed))).one()
        status = "ok" if overdue == 0 else f"{overdue} deliveries overdue by more than 10 min"
        out: dict[str, Any] = {"status": status, "pending": pending}
        if failing:  # each with its last error, since when, and when it is tried again
            out["failing_channels"] = {h.channel_id: f"{h.last_error} (failing since {as_utc(h.down_since):%H:%M:%S}, "
                                       f"next try {as_utc(h.next_probe_at):%H:%M:%S} UTC)" for h in failing}
        return out


def _error(state: SourceState) -> str:
    return f"; last error: {state.last_error}" if state.last_error else ""


class BoundedHTTPServer(HTTPServer):
    """Requests run on a fixed pool of threads, never a thread per connection.

    ``ThreadingHTTPServer`` started a thread for every connection and waited forever for its request:
    300 idle connections were 300 threads (the unit allows 256 tasks).  Here at most ``workers``
    threads serve, each connection gets ``timeout`` seconds to send its request, and connections
    beyond ``backlog`` waiting ones are closed at once.
    """

    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, workers: int = 4,
                 backlog: int = 32) -> None:
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="observability-request")
        self.slots = threading.BoundedSemaphore(workers + backlog)
        super().__init__(address, handler)  # binds (and on failure calls server_close, which needs the pool)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # overloaded: drop it rather than grow
            return
        self.pool.submit(self._serve, request, client_address)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("http request from %s failed", client_address, exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class ObservabilityServer:
    """A small HTTP server on a bounded pool; it runs beside the scheduler in a daemon thread."""

    def __init__(self, address: str, metrics: Metrics, readiness: Readiness, *, request_timeout: float = 5.0,
                 workers: int = 4) -> None:
        host, _, port = address.rpartition(":")
        handler = _handler(metrics, readiness, request_timeout)
        try:
            self.httpd = BoundedHTTPServer((host.strip("[]") or "127.0.0.1", int(port)), handler, workers=workers)
        except (OSError, ValueError) as exc:  # unresolvable host, port in use, no permission
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError("service.metrics_address", f"cannot listen on {address}: {reason} (choose a free "
                              "port on an address of this machine)") from None
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="observability", daemon=True)

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> ObservabilityServer:
        self.thread.start()
        log.info("health and metrics on http://%s (/healthz /readyz /metrics)", self.address)
        return self

    def stop(self) -> None:
        if self.thread.is_alive():  # shutdown() waits for serve_forever and would hang if it never ran
            self.httpd.shutdown()
        self.httpd.server_close()


def _handler(metrics: Metrics, readiness: Readiness, timeout: float) -> type[BaseHTTPRequestHandler]:
    request_seconds = timeout

    class Handler(BaseHTTPRequestHandler):
        # a client that connects and says nothing (or too slowly) is cut off after this many seconds
        timeout = request_seconds

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(*health(readiness))
            elif path == "/readyz":
                self._send(*ready(readiness))
            elif path == "/metrics":
                self._send(200, metrics.render(), CONTENT_TYPE_LATEST)
            else:
                self._send(404, _json({"error": "not found", "paths": ["/healthz", "/readyz", "/metrics"]}))

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("http %s", format % args)

    return Handler


def health(readiness: Readiness) -> tuple[int, bytes]:
    """/healthz: the process answers (the same body from the standalone server and the web app)."""
    return 200, _json({"status": "alive", "time": _iso(readiness.clock())})


def ready(readiness: Readiness) -> tuple[int, bytes]:
    """/readyz: 200 when every check passes, 503 with the reasons otherwise."""
    is_ready, checks = readiness.check()
    return 200 if is_ready else 503, _json({"status": "ready" if is_ready else "not ready", **checks})


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True).encode()


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()
