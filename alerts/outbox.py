"""The durable outbox: one row per (alert, channel), retried until sent or dead-lettered.

An alert and its outbox rows are written in the detection transaction, so an alert is never lost.
Delivery sends, then marks the row sent; a crash in between re-sends with the same idempotency
key, which the email (Message-ID) and webhook (Idempotency-Key) channels let receivers dedupe.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts import story
from alerts.base import AlertMessage, AnyNotifier, ExamplePost
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
    outcomes: list[DeliveryOutcome] = []
    for item_id in due:
        if item_id is not None:
            outcomes.append(with_retries(partial(_deliver_one, engine, item_id, notifiers, now)))
    return outcomes


def _deliver_one(engine: Engine, item_id: int, notifiers: Mapping[str, AnyNotifier], now: datetime) -> DeliveryOutcome:
    with transaction(engine) as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.status != "pending":
            return DeliveryOutcome(item_id, 0, "", "skipped")
        notifier = notifiers.get(item.channel_id)
        if notifier is None:
            return _dead(item, f"channel {item.channel_id!r} is not configured or disabled", now)
        message = build_message(session, item)
        try:
            receipt = notifier.send(message, idempotency_key=item.idempotency_key)
        except DeliveryError as exc:
            return _failed(item, exc, now)
        finally:
            item.attempts += 1
            session.add(item)
        item.status, item.sent_at, item.last_error = "sent", now, None
        item.receipt = {"channel": receipt.channel, "message_id": receipt.message_id, **receipt.extra}
        return DeliveryOutcome(item_id, item.alert_id, item.channel_id, "sent")


def _failed(item: OutboxItem, exc: DeliveryError, now: datetime) -> DeliveryOutcome:
    limited = exc.retry_after is not None
    if not exc.transient or item.attempts + 1 >= MAX_ATTEMPTS:
        return _dead(item, str(exc), now, rate_limited=limited)
    item.last_error = str(exc)
    item.next_attempt_at = now + retry_delay(item.attempts + 1, exc.retry_after)
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
