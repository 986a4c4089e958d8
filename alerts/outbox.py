"""The durable outbox: one row per (alert, channel), retried until sent or dead-lettered.

An alert and its outbox rows are written in the detection transaction, so an alert is never lost.
Delivery first claims the row (``attempts`` counted and committed, the row leased for a while so no
other worker sends it too), then sends, then marks it sent.  A crash after the send leaves a claimed
row: its retry asks the channel whether the earlier attempt arrived (Slack looks its history up by the
idempotency key) and otherwise re-sends with the same key, which the email (Message-ID) and webhook
(Idempotency-Key) channels let receivers dedupe.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts import story
from alerts.base import AlertMessage, AnyNotifier, ExamplePost, Receipt
from alerts.routing import route
from monitor.clock import as_utc
from monitor.errors import DeliveryError
from monitor.settings import Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.tables import Alert, Brand, Incident, Mention, OutboxItem

log = logging.getLogger("groundswell.outbox")
MAX_ATTEMPTS = 60  # with backoff capped at an hour: about two and a half days of trying
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


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    seconds = min(30 * 2 ** max(0, attempts - 1), 3600) * (0.75 + 0.5 * random.random())
    return timedelta(seconds=max(seconds, retry_after or 0))


def deliver_due(engine: Engine, notifiers: Mapping[str, AnyNotifier], *, now: datetime,
                limit: int = 100) -> list[DeliveryOutcome]:
    """Attempt every due row once; one outcome per row (runners call ``monitor.pipeline.deliver_due``)."""
    with Session(engine) as session:
        due = session.exec(select(OutboxItem.id).where(OutboxItem.status == "pending",
                                                       col(OutboxItem.next_attempt_at) <= now)
                           .order_by(col(OutboxItem.id)).limit(limit)).all()
    return [_deliver_one(engine, item_id, notifiers, now) for item_id in due if item_id is not None]


@dataclass(frozen=True)
class _Claim:
    message: AlertMessage
    notifier: AnyNotifier
    key: str
    retry: bool  # an earlier attempt began: it may have been delivered before a crash


def _deliver_one(engine: Engine, item_id: int, notifiers: Mapping[str, AnyNotifier], now: datetime) -> DeliveryOutcome:
    """Claim (attempt counted and committed), look for an earlier delivery, send, record: no step repeated."""
    claim = with_retries(partial(_claim, engine, item_id, notifiers, now))
    if isinstance(claim, DeliveryOutcome):
        return claim
    try:
        receipt = claim.notifier.find_sent(claim.message, idempotency_key=claim.key) if claim.retry else None
        if receipt is None:
            receipt = claim.notifier.send(claim.message, idempotency_key=claim.key)
    except DeliveryError as exc:
        return with_retries(partial(_record_failure, engine, item_id, exc, now))
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
        return DeliveryOutcome(item_id, item.alert_id, item.channel_id, "sent")


def _record_failure(engine: Engine, item_id: int, exc: DeliveryError, now: datetime) -> DeliveryOutcome:
    with transaction(engine) as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        outcome = _failed(item, exc, now)
        session.add(item)
        return outcome


def _failed(item: OutboxItem, exc: DeliveryError, now: datetime) -> DeliveryOutcome:
    """``attempts`` already counts this one (the claim did)."""
    limited = exc.retry_after is not None
    if not exc.transient or item.attempts >= MAX_ATTEMPTS:
        return _dead(item, str(exc), now, rate_limited=limited)
    item.last_error = str(exc)
    item.next_attempt_at = now + retry_delay(item.attempts, exc.retry_after)
    log.warning("delivery to %s failed (%s); retry at %s", item.channel_id, exc, item.next_attempt_at)
    return DeliveryOutcome(item.id or 0, item.alert_id, item.channel_id, "retry", str(exc), limited)


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
    ids = list(incident.example_mention_ids or [])
    mentions = session.exec(select(Mention).where(col(Mention.id).in_(ids))).all() if ids else []
    by_id = {m.id: m for m in mentions}
    ordered = [by_id[i] for i in ids if i in by_id]
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
        headline=story.headline(incident, numbers, examples), change=story.change(alert, incident),
        facets=story.facets(incident), timezone=brand.timezone if brand else "UTC")
