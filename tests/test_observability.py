"""/healthz, /readyz and /metrics over a real HTTP server and a real database."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from alerts.outbox import deliver_due, enqueue_alert
from monitor.clock import ManualClock
from monitor.runtime import build_notifiers
from monitor.service.observability import Metrics, ObservabilityServer
from monitor.storage.engine import open_database, transaction
from monitor.storage.tables import Alert, Brand, Incident, OutboxItem, SourceState
from tests.fakes.readiness import T0, readiness
from tests.fakes.settings_files import make_settings
from tests.fakes.smtp import FakeSMTP


@pytest.fixture
def engine(database_url: str) -> Engine:
    return open_database(database_url)


def polled(engine: Engine, at: datetime) -> None:
    with transaction(engine) as session:
        session.merge(SourceState(id="feed", brand_id="acme", kind="replay", status="ok", last_success_at=at,
                                  last_error="X rate limit reached"))


def test_ready_only_after_every_enabled_source_polled_within_three_intervals(engine: Engine) -> None:
    clock = ManualClock(T0)
    ready, checks = readiness(engine, clock).check()
    assert not ready and checks["sources"] == {"feed": "never polled successfully"}  # "off" is disabled
    polled(engine, T0)
    clock.advance(timedelta(seconds=180))
    ready, checks = readiness(engine, clock).check()
    assert ready and checks["database"] == "ok" and checks["outbox"] == {"status": "ok", "pending": 0}
    clock.advance(timedelta(seconds=1))
    ready, checks = readiness(engine, clock).check()
    assert not ready
    assert checks["sources"]["feed"] == "last success 181s ago (> 3x interval); last error: X rate limit reached"


def test_a_stopped_scheduler_is_not_ready(engine: Engine) -> None:
    polled(engine, T0)
    ready, checks = readiness(engine, ManualClock(T0), running=False).check()
    assert not ready and checks["scheduler"] == "stopped"


def test_a_lost_instance_lock_is_not_ready(engine: Engine) -> None:
    polled(engine, T0)
    probe = readiness(engine, ManualClock(T0))
    probe.lock_held = lambda: False
    ready, checks = probe.check()
    assert not ready and checks["instance_lock"] == "lost" and checks["sources"] == {"feed": "ok"}


def test_an_outbox_item_overdue_by_ten_minutes_is_stuck(engine: Engine) -> None:
    with transaction(engine) as session:
        incident = Incident(brand_id="acme", key="k", trigger="high_reach", opened_at=T0, updated_at=T0,
                            last_activity_at=T0)
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=2, created_at=T0)
        session.add(alert)
        session.flush()
        session.add(OutboxItem(alert_id=alert.id or 0, channel_id="slack", idempotency_key="gs-1-slack",
                               next_attempt_at=T0))
    clock = ManualClock(T0 + timedelta(minutes=10))
    polled(engine, clock())
    probe = readiness(engine, clock)
    ready, checks = probe.check()
    assert ready and checks["outbox"] == {"status": "ok", "pending": 1}
    assert probe.metrics is not None and b"groundswell_outbox_depth 1.0" in probe.metrics.render()
    clock.advance(timedelta(seconds=61))
    ready, checks = probe.check()
    assert not ready and checks["outbox"]["status"] == "1 deliveries overdue by more than 10 min"


def test_an_unreachable_database_is_reported_not_raised() -> None:
    from sqlalchemy import create_engine

    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    ready, checks = readiness(dead, ManualClock(T0)).check()
    assert not ready and checks["database"] == "unreachable: OperationalError"


def test_http_endpoints(tmp_path: object) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/obs.db")
    clock = ManualClock(T0)
    probe = readiness(engine, clock)
    assert probe.metrics is not None
    probe.metrics.ingested.labels("feed").inc(5)
    probe.metrics.poll_seconds.labels("feed").observe(0.2)
    server = ObservabilityServer("127.0.0.1:0", probe.metrics, probe).start()
    base = f"http://{server.address}"
    try:
        health = httpx.get(f"{base}/healthz")
        assert health.status_code == 200 and health.json() == {"status": "alive", "time": T0.isoformat()}
        not_ready = httpx.get(f"{base}/readyz")
        assert not_ready.status_code == 503 and not_ready.json()["status"] == "not ready"
        polled(engine, T0)
        assert httpx.get(f"{base}/readyz").status_code == 200
        metrics = httpx.get(f"{base}/metrics")
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        assert 'groundswell_mentions_ingested_total{source="feed"} 5.0' in metrics.text
        assert 'groundswell_poll_duration_seconds_bucket{le="0.25",source="feed"} 1.0' in metrics.text
        missing = httpx.get(f"{base}/nope")
        assert missing.status_code == 404 and "/readyz" in json.loads(missing.text)["paths"]
    finally:
        server.stop()


def test_stopping_a_server_that_never_started_returns(engine: Engine) -> None:
    """A start that failed after the port was bound (e.g. the scheduler refused a job) stops the server
    before it served: stop() used to wait forever for serve_forever, so `run` hung instead of exiting."""
    probe = readiness(engine, ManualClock(T0))
    assert probe.metrics is not None
    server = ObservabilityServer("127.0.0.1:0", probe.metrics, probe)
    port = int(server.address.rsplit(":", 1)[1])
    stopper = threading.Thread(target=server.stop, daemon=True)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()
    with socket.socket() as sock:  # and the port is free again
        sock.bind(("127.0.0.1", port))


def test_each_service_has_its_own_registry() -> None:
    one, two = Metrics(), Metrics()  # the default global registry would refuse the second
    one.incidents.inc()
    assert b"groundswell_incidents_opened_total 1.0" in one.render()
    assert b"groundswell_incidents_opened_total 0.0" in two.render()


def test_a_channel_that_is_down_is_reported_and_its_waiting_rows_are_not_stuck(engine: Engine) -> None:
    """Rows of a failing channel wait for its probes (they are not tried one by one): not "overdue" while
    the channel is probed; overdue again once nobody probes it for ten minutes (delivery stuck)."""
    down = FakeSMTP()  # never started: connection refused
    settings = make_settings(channels=[{"id": "mail", "kind": "email", "host": "127.0.0.1", "port": down.port,
                                        "security": "none", "from_addr": "a@acme.example", "to": ["b@acme.example"],
                                        "timeout_s": 2}])
    with transaction(engine) as session:
        incident = Incident(brand_id="acme", key="k", trigger="high_reach", severity=2, opened_at=T0, updated_at=T0,
                            last_activity_at=T0)
        session.add_all([Brand(id="acme", name="Acme"), incident])
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=2, created_at=T0)
        session.add(alert)
        session.flush()
        assert enqueue_alert(session, settings, alert, incident, now=T0)
    clock, notifiers = ManualClock(T0), build_notifiers(settings)
    while clock() < T0 + timedelta(minutes=15):
        deliver_due(engine, notifiers, now=clock())
        clock.advance(timedelta(seconds=15))
    polled(engine, clock())
    ready, checks = readiness(engine, clock).check()
    assert ready and checks["outbox"]["status"] == "ok" and checks["outbox"]["pending"] == 1
    assert "refused the connection" in checks["outbox"]["failing_channels"]["mail"]
    clock.advance(timedelta(minutes=11))  # no delivery pass since: the job is stuck
    polled(engine, clock())
    ready, checks = readiness(engine, clock).check()
    assert not ready and checks["outbox"]["status"] == "1 deliveries overdue by more than 10 min"
