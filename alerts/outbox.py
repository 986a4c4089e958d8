"""The durable outbox: one row per (alert, channel), retried until sent or dead-lettered.

An alert and its outbox rows are written in the detection transaction, so an alert is never lost.
Delivery first claims the row (``attempts`` counted and committed, the row leased for a while so no
other worker sends it too), then sends, then marks it sent.  A crash after the send leaves a claimed
row: its retry asks the channel whether the earlier attempt arrived (Slack looks its history up by the
idempotency key) and otherwise re-sends with the same key, which the email (Message-ID) and webhook
(Idempotency-Key) channels let receivers dedupe.

A transient failure backs off the channel, not the row (``channel_health``): while the channel rests none of
its rows is tried, then one is (the probe), and the first success sends all the rows that waited.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts import channel_health, story
from alerts.base import AlertMessage, AnyNotifier, ExamplePost, Receipt
from alerts.routing import route
from monitor.clock import as_utc
from monitor.errors import DeliveryError
from monitor.settings import Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.tables import Alert, Brand, Incident, Mention, OutboxItem

log = logging.getLogger("groundswell.outbox")
MAX_WAIT = timedelta(hours=60)  # a row still failing this long after its alert was made is dead-lettered
DeliveryStatus = Literal["sent", "retry", "dead", "skipped"]


@dataclass(frozen=True)
class DeliveryOutcome:
    """One attempt at one outbox row, for runners to count; ``line`` is for logs only."""

    item_id: int
    alert_id: int
    channel: str
    status: DeliveryStatus
    error: str | None = None
    rate_limited: bool = False  # the channel asked us to wait (Retry-After)
    channel_down: bool = False  # the failure was the channel's: its other rows wait for its next probe

    @property
    def line(self) -> str:
        if self.status == "skipped":
            return f"#{self.item_id} already handled"
        text = f"{self.status} alert {self.alert_id} to {self.channel}"
        return f"{text}: {self.error}" if self.error else text


def enqueue_alert(session: Session, settings: Settings, alert: Alert, incident: Incident, *,
                  now: datetime) -> list[OutboxItem]:
    items = [OutboxItem(alert_id=alert.id or 0, channel_id=channel, idempotency_key=f"gs-{alert.id}-{channel}",
                        next_attempt_at=now) for channel in route(settings, incident, alert, now)]
    session.add_all(items)
    return items


def deliver_due(engine: Engine, notifiers: Mapping[str, AnyNotifier], *, now: datetime,
                limit: int = 100) -> list[DeliveryOutcome]:
    """Attempt every due row once, but only a probe on a failing channel and nothing on a resting one.

    One outcome per row attempted (runners call ``monitor.pipeline.deliver_due``)."""
    with Session(engine) as session:
        due = session.exec(select(OutboxItem.id, OutboxItem.channel_id, OutboxItem.next_attempt_at).where(
            OutboxItem.status == "pending", col(OutboxItem.next_attempt_at) <= now,
            col(OutboxItem.channel_id).not_in(channel_health.resting(now)))
            .order_by(col(OutboxItem.id)).limit(limit)).all()
        failing = channel_health.down(session)
    run = _Pass(engine, notifiers, now, failing)
    return [o for item_id, channel in _probes_first(due, failing) if (o := run.deliver(item_id, channel)) is not None]


def _probes_first(due: Sequence[tuple[int | None, str, datetime]], failing: set[str]) -> list[tuple[int, str]]:
    """Rows in id order (an incident's first alert before its updates), except that a failing channel is
    probed with the row that has waited longest since its last try: one bad row cannot block the channel."""
    ordered = [(item_id, channel) for item_id, channel, _ in due if item_id is not None]
    probes: dict[str, tuple[int, str]] = {}
    for item_id, channel, _ in sorted(due, key=lambda row: (as_utc(row[2]), row[0] or 0)):
        if channel in failing and item_id is not None:
            probes.setdefault(channel, (item_id, channel))
    first = list(probes.values())
    return first + [row for row in ordered if row not in first]


@dataclass
class _Pass:
    """One delivery pass: which failing channels it probes, and which it stops trying after a failure."""

    engine: Engine
    notifiers: Mapping[str, AnyNotifier]
    now: datetime
    failing: set[str]
    probing: set[str] = field(default_factory=set)
    stopped: set[str] = field(default_factory=set)
    working: set[str] = field(default_factory=set)  # delivered something in this pass

    def deliver(self, item_id: int, channel: str) -> DeliveryOutcome | None:
        if channel in self.stopped:
            return None
        notifier = self.notifiers.get(channel)
        if channel in self.failing and channel not in self.probing and notifier is not None:
            if not with_retries(partial(channel_health.claim_probe, self.engine, channel, self.now, lease(notifier))):
                self.stopped.add(channel)  # another worker probes it
                return None
            self.probing.add(channel)
        outcome = _deliver_one(self.engine, item_id, self.notifiers, self.now, working=channel in self.working)
        if outcome.channel_down:
            self.stopped.add(channel)  # the channel rests now: its other rows wait for the next probe
        elif outcome.status == "sent":
            self.working.add(channel)  # the probe (if any) succeeded: the rest of its rows go now
        return outcome


@dataclass(frozen=True)
class _Claim:
    message: AlertMessage
    notifier: AnyNotifier
    key: str
    retry: bool  # an earlier attempt began: it may have been delivered before a crash


def _deliver_one(engine: Engine, item_id: int, notifiers: Mapping[str, AnyNotifier], now: datetime, *,
                 working: bool = False) -> DeliveryOutcome:
    """Claim (attempt counted and committed), look for an earlier delivery, send, record: no step repeated.

    A row that fails again just after its channel ``working`` (delivered in this pass) is blamed alone."""
    claim = with_retries(partial(_claim, engine, item_id, notifiers, now))
    if isinstance(claim, DeliveryOutcome):
        return claim
    try:
        receipt = claim.notifier.find_sent(claim.message, idempotency_key=claim.key) if claim.retry else None
        if receipt is None:
            receipt = claim.notifier.send(claim.message, idempotency_key=claim.key)
    except DeliveryError as exc:
        return with_retries(partial(_record_failure, engine, item_id, exc, now, working and claim.retry))
    return with_retries(partial(_record_sent, engine, item_id, receipt, now))


def lease(notifier: AnyNotifier) -> timedelta:
    """How long a claimed row is left alone: longer than an attempt can take (two calls and a margin).

    A plugin channel that sets no ``options`` (or no ``timeout_s``) gets a minute."""
    timeout = getattr(getattr(notifier, "options", None), "timeout_s", None)
    return timedelta(seconds=2 * float(timeout) + 5 if isinstance(timeout, int | float) else 60)


def _claim(engine: Engine, item_id: int, notifiers: Mapping[str, AnyNotifier],
           now: datetime) -> _Claim | DeliveryOutcome:
    """Count the attempt before sending, and only if nobody else claimed the row meanwhile."""
    with transaction(engine) as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.status != "pending" or as_utc(item.next_attempt_at) > now:
            return DeliveryOutcome(item_id, 0, "", "skipped")
        notifier = notifiers.get(item.channel_id)
        if notifier is None:
            return _dead(item, f"channel {item.channel_id!r} is not configured or disabled", now)
        message = build_message(session, item)
        claimed = session.execute(
            update(OutboxItem).where(col(OutboxItem.id) == item_id, col(OutboxItem.status) == "pending",
                                     col(OutboxItem.attempts) == item.attempts)
            .values(attempts=item.attempts + 1, next_attempt_at=now + lease(notifier))
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return DeliveryOutcome(item_id, 0, "", "skipped")
        return _Claim(message, notifier, item.idempotency_key, retry=item.attempts > 0)


def _record_sent(engine: Engine, item_id: int, receipt: Receipt, now: datetime) -> DeliveryOutcome:
    with transaction(engine) as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        item.status, item.sent_at, item.last_error = "sent", now, None
        item.receipt = {"channel": receipt.channel, "message_id": receipt.message_id, **receipt.extra}
        session.add(item)
        channel_health.record_up(session, item.channel_id, now)
        return DeliveryOutcome(item_id, item.alert_id, item.channel_id, "sent")


def _record_failure(engine: Engine, item_id: int, exc: DeliveryError, now: datetime,
                    row_only: bool) -> DeliveryOutcome:
    with transaction(engine) as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        outcome = _failed(session, item, exc, now, row_only)
        session.add(item)
        return outcome


def _failed(session: Session, item: OutboxItem, exc: DeliveryError, now: datetime,
            row_only: bool) -> DeliveryOutcome:
    """A transient failure is the channel's: the row waits for the channel's next probe, not a backoff of its own.

    Unless ``row_only``: a row failing again while its channel works waits alone (capped like a probe), so
    one bad row cannot stop the channel.  ``attempts`` already counts this one (the claim did)."""
    limited = exc.retry_after is not None
    alert = session.get(Alert, item.alert_id)
    waited = now - as_utc(alert.created_at) if alert is not None else timedelta(0)
    if not exc.transient or waited >= MAX_WAIT:
        if not exc.transient:
            channel_health.record_up(session, item.channel_id, now)  # it answered: the channel works
        return _dead(item, str(exc), now, rate_limited=limited)
    item.last_error = str(exc)
    if row_only:
        item.next_attempt_at = now + channel_health.probe_delay(item.attempts, exc.retry_after)
    else:
        item.next_attempt_at = channel_health.record_failure(session, item.channel_id, str(exc), now, exc.retry_after)
    log.warning("delivery to %s failed (%s); retry at %s UTC", item.channel_id, exc,
                f"{as_utc(item.next_attempt_at):%Y-%m-%d %H:%M:%S}")
    return DeliveryOutcome(item.id or 0, item.alert_id, item.channel_id, "retry", str(exc), limited,
                           channel_down=not row_only)


def _dead(item: OutboxItem, reason: str, now: datetime, *, rate_limited: bool = False) -> DeliveryOutcome:
    item.status, item.last_error, item.next_attempt_at = "dead", reason, now
    log.error("alert %s to %s dead-lettered: %s", item.alert_id, item.channel_id, reason)
    return DeliveryOutcome(item.id or 0, item.alert_id, item.channel_id, "dead", reason, rate_limited)


def build_message(session: Session, item: OutboxItem) -> AlertMessage:
    alert = session.get(Alert, item.alert_id)
    assert alert is not None
    incident = session.get(Incident, alert.incident_id)
    assert incident is not None
    brand = session.get(Brand, incident.brand_id)
    ids = story.example_ids(alert, incident)
    mentions = session.exec(select(Mention).where(col(Mention.id).in_(ids))).all() if ids else []
    by_id = {m.id: m for m in mentions}
    ordered = [by_id[i] for i in ids if i in by_id]
    timezone = brand.timezone if brand else "UTC"
    leads = story.joined_posts(alert, incident)
    joined = by_id.get(leads[0]) if len(leads) == 1 else None  # one person: their post time in the change
    shown = sum(i in by_id for i in leads)  # their posts lead the examples, not the story's headline
    examples = tuple(ExamplePost(m.text, m.url, m.author_handle, m.author_followers, m.platform,
                                 as_utc(m.posted_at), m.sentiment) for m in ordered)
    earlier = session.exec(select(OutboxItem).join(Alert, col(Alert.id) == OutboxItem.alert_id).where(
        Alert.incident_id == incident.id, OutboxItem.status == "sent")).all()
    thread = {o.channel_id: str((o.receipt or {}).get("message_id", "")) for o in earlier}
    numbers = story.numbers(incident)
    return AlertMessage(
        alert_id=alert.id or 0, incident_id=incident.id or 0, event=alert.event, brand_id=incident.brand_id,
        brand_name=brand.name if brand else incident.brand_id, severity=alert.severity, title=incident.title,
        reason=incident.reason, trigger=incident.trigger, opened_at=as_utc(incident.opened_at),
        examples=examples, counts=numbers, thread=thread,
        headline=story.headline(incident, numbers, examples[shown:]), change=story.change(
            alert, incident, as_utc(joined.posted_at) if joined else None, timezone),
        facets=story.facets(incident), timezone=timezone)
