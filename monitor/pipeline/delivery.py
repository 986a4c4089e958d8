"""Delivery: send what the outbox has due, one attempt per row; failures wait there for their retry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Engine

from alerts import outbox
from alerts.base import AnyNotifier
from monitor.pipeline.results import DeliveryResult


def deliver_due(engine: Engine, notifiers: Mapping[str, AnyNotifier], *, now: datetime,
                limit: int = 100) -> DeliveryResult:
    """Attempt every due outbox row once; the result counts sent, failed and rate-limited deliveries."""
    return DeliveryResult(tuple(outbox.deliver_due(engine, notifiers, now=now, limit=limit)))
