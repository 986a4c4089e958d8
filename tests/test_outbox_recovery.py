"""A channel that recovers gets its queue out at once (issue #17): a real SMTP server (aiosmtpd) goes down,
alerts queue, it comes back, and the outbox is driven on a manual clock the way the service drives it
(a pass every 5 s), so no test sleeps through the backoff.  SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alerts.channel_health import PROBE_CAP_S, claim_probe
from alerts.outbox import MAX_WAIT, DeliveryOutcome, deliver_due, enqueue_alert
from monitor.runtime import build_notifiers
from monitor.settings import Settings
from monitor.storage.engine import open_database, transaction
from monitor.storage.tables import Alert, Brand, ChannelHealth, Incident, OutboxItem
from tests.fakes.settings_files import make_settings
from tests.fakes.smtp import FakeSMTP

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
PASS = timedelta(seconds=5)  # the service's delivery interval in this test


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    server = FakeSMTP().start()
    yield server
    if server.controller is not None:
        server.stop()


def mail_settings(server: FakeSMTP) -> Settings:
    return make_settings(channels=[{
        "id": "mail", "kind": "email", "host": "127.0.0.1", "port": server.port, "security": "none",
        "from_addr": "alerts@acme.example", "to": ["team@acme.example"],
        "to_by_severity": {"3": ["manager@acme.example"]}, "timeout_s": 5}])


def add_alert(engine: Engine, settings: Settings, number: int, at: datetime, severity: int = 3) -> int:
    """One incident with its first alert, queued to every channel (what detection writes)."""
    with transaction(engine) as session:
        if session.get(Brand, "acme") is None:
            session.add(Brand(id="acme", name="Acme Broadband"))
        incident = Incident(brand_id="acme", key=f"spike:{number}", trigger="spike", severity=severity,
                            title=f"Outage {number}", reason="negative mentions", opened_at=at, updated_at=at,
                            last_activity_at=at, mention_count=20, author_count=20)
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=severity, created_at=at)
        session.add(alert)
        session.flush()
        assert enqueue_alert(session, settings, alert, incident, now=at)
        return alert.id or 0


def drive(engine: Engine, settings: Settings, start: datetime, end: datetime) -> list[tuple[datetime,
                                                                                           DeliveryOutcome]]:
    """Delivery passes every ``PASS`` from ``start`` to ``end``: every outcome with its pass's time."""
    notifiers, out, now = build_notifiers(settings), [], start
    while now <= end:
        out += [(now, o) for o in deliver_due(engine, notifiers, now=now)]
        now += PASS
    return out


def test_queue_goes_out_within_one_probe_interval_of_recovery(database_url: str, smtp: FakeSMTP) -> None:
    settings, engine = mail_settings(smtp), open_database(database_url)
    smtp.stop()  # a ten-minute outage; an alert every minute of it
    outage_end, outcomes = NOW + timedelta(minutes=10), []
    for minute in range(10):
        at = NOW + timedelta(minutes=minute)
        add_alert(engine, settings, minute, at)
        outcomes += drive(engine, settings, at, at + timedelta(seconds=59))
    failed = [o for _, o in outcomes]
    assert failed and all(o.status == "retry" and o.channel_down for o in failed)
    # one probe per pass at most, and the channel rests between them (5 s doubling to the cap)
    assert len(failed) <= 10 * 60 / PASS.total_seconds() / 4, len(failed)
    assert max(len([1 for t, _ in outcomes if t == when]) for when, _ in outcomes) == 1
    smtp.start()
    after = drive(engine, settings, outage_end, outage_end + timedelta(minutes=3))
    sent_at = [t for t, o in after if o.status == "sent"]
    assert len(sent_at) == 10 and len(smtp.received) == 10  # each alert once
    assert max(sent_at) <= outage_end + timedelta(seconds=PROBE_CAP_S) + PASS  # one probe interval
    assert len({t for t in sent_at}) == 1  # the first success released the whole queue in one pass
    assert len({r.message["Message-ID"] for r in smtp.received}) == 10
    with Session(engine) as session:
        assert session.exec(select(ChannelHealth)).all() == []  # healthy again
        rows = session.exec(select(OutboxItem)).all()
        assert {r.status for r in rows} == {"sent"}
        assert sum(r.attempts for r in rows) == len(failed) + 10  # every attempt counted once


def test_one_bad_message_does_not_hold_up_the_channel(database_url: str, smtp: FakeSMTP) -> None:
    """A message only the team gets, whose mailbox answers 451 every time: the row is retried on its own
    while the other alerts (which also reach the manager) keep flowing."""
    settings, engine = mail_settings(smtp), open_database(database_url)
    smtp.reject_rcpt["team@acme.example"] = "451 4.2.2 mailbox full"
    add_alert(engine, settings, 0, NOW, severity=2)  # the team only: refused every time
    for number in range(1, 4):
        add_alert(engine, settings, number, NOW + timedelta(seconds=number), severity=3)
    outcomes = drive(engine, settings, NOW + timedelta(seconds=5), NOW + timedelta(minutes=5))
    sent = [t for t, o in outcomes if o.status == "sent"]
    assert len(sent) == 3 and max(sent) <= NOW + timedelta(seconds=5) + PASS * 3
    retried = [o for _, o in outcomes if o.status == "retry"]
    assert len(retried) >= 4 and all("451" in (o.error or "") for o in retried)
    late = add_alert(engine, settings, 9, NOW + timedelta(minutes=5), severity=3)
    again = drive(engine, settings, NOW + timedelta(minutes=5), NOW + timedelta(minutes=5, seconds=90))
    assert any(o.alert_id == late and o.status == "sent" for _, o in again)
    assert len(smtp.received) == 4


def test_only_one_worker_probes_a_failing_channel(database_url: str, smtp: FakeSMTP) -> None:
    settings, engine = mail_settings(smtp), open_database(database_url)
    smtp.stop()
    add_alert(engine, settings, 0, NOW)
    (first,) = deliver_due(engine, build_notifiers(settings), now=NOW)
    assert first.status == "retry" and first.channel_down
    probe_at = NOW + timedelta(seconds=PROBE_CAP_S)
    assert claim_probe(engine, "mail", probe_at, timedelta(seconds=15))  # another worker took the probe
    assert deliver_due(engine, build_notifiers(settings), now=probe_at) == []  # so this one leaves it
    smtp.start()
    (sent,) = deliver_due(engine, build_notifiers(settings), now=probe_at + timedelta(seconds=16))
    assert sent.status == "sent" and len(smtp.received) == 1


def test_a_row_still_failing_after_sixty_hours_is_dead_lettered(database_url: str, smtp: FakeSMTP) -> None:
    """Probes are a minute apart, so attempts no longer measure how long a row waited: its alert's age does."""
    settings, engine = mail_settings(smtp), open_database(database_url)
    smtp.stop()
    add_alert(engine, settings, 0, NOW - MAX_WAIT + timedelta(minutes=1))
    (early,) = deliver_due(engine, build_notifiers(settings), now=NOW)
    assert early.status == "retry"
    later = NOW + timedelta(minutes=2)
    (last,) = deliver_due(engine, build_notifiers(settings), now=later)
    assert last.status == "dead" and "refused the connection" in (last.error or "")
    with Session(engine) as session:
        assert session.exec(select(OutboxItem)).one().status == "dead"
