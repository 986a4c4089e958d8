"""The durable outbox: one row per (alert, channel), retried until sent or dead-lettered.

An alert and its outbox rows are written in the detection transaction, so an alert is never lost.
Sending what is due is the pipeline's job (``monitor.pipeline.delivery``); this module only routes
an alert into rows and says how long a failed row waits.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlmodel import Session

from alerts.routing import route
from monitor.settings import Settings
from monitor.storage.tables import Alert, Incident, OutboxItem

log = logging.getLogger("groundswell.outbox")
MAX_ATTEMPTS = 60  # with backoff capped at an hour: about two and a half days of trying


def enqueue_alert(session: Session, settings: Settings, alert: Alert, incident: Incident, *,
                  now: datetime) -> list[OutboxItem]:
    items = [OutboxItem(alert_id=alert.id or 0, channel_id=channel, idempotency_key=f"gs-{alert.id}-{channel}",
                        next_attempt_at=now) for channel in route(settings, incident, alert, now)]
    session.add_all(items)
    return items


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    seconds = min(30 * 2 ** max(0, attempts - 1), 3600) * (0.75 + 0.5 * random.random())
    return timedelta(seconds=max(seconds, retry_after or 0))
