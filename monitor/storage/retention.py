"""Retention: raw mentions go after ``retention_mentions_days``, resolved incidents (and their
alerts, deliveries, people's actions and feedback) after ``retention_incidents_days``; open incidents
are never deleted.  "Missed one" reports stay: they name a post, not an incident.

Deletes run in small batches, each its own transaction, so the service's other jobs are never
locked out for long and a crash mid-way simply leaves the rest for the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from monitor.settings import Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.tables import Alert, AlertFeedback, Incident, IncidentAction, Mention, OutboxItem

log = logging.getLogger("groundswell.retention")
BATCH = 2000


@dataclass
class Purged:
    mentions: int = 0
    incidents: int = 0


def purge(engine: Engine, settings: Settings, *, now: datetime, batch: int = BATCH) -> Purged:
    """Delete what is past its retention; returns how many rows went."""
    service = settings.service
    purged = Purged()
    mention_cutoff = now - timedelta(days=service.retention_mentions_days)
    while (count := with_retries(lambda: _mentions(engine, mention_cutoff, batch))) > 0:
        purged.mentions += count
    incident_cutoff = now - timedelta(days=service.retention_incidents_days)
    while (count := with_retries(lambda: _incidents(engine, incident_cutoff, batch))) > 0:
        purged.incidents += count
    if purged.mentions or purged.incidents:
        log.info("retention: deleted %d mentions and %d resolved incidents", purged.mentions, purged.incidents)
    return purged


def _mentions(engine: Engine, cutoff: datetime, batch: int) -> int:
    with transaction(engine) as session:
        ids = session.exec(select(Mention.id).where(Mention.posted_at < cutoff).limit(batch)).all()
        if ids:
            session.exec(delete(Mention).where(col(Mention.id).in_(ids)))
        return len(ids)


def _incidents(engine: Engine, cutoff: datetime, batch: int) -> int:
    with transaction(engine) as session:
        ids = session.exec(select(Incident.id).where(Incident.status == "resolved",
                                                     col(Incident.resolved_at) < cutoff).limit(batch)).all()
        if not ids:
            return 0
        alerts = select(Alert.id).where(col(Alert.incident_id).in_(ids))
        session.exec(delete(OutboxItem).where(col(OutboxItem.alert_id).in_(alerts)))
        session.exec(delete(AlertFeedback).where(col(AlertFeedback.alert_id).in_(alerts)))
        session.exec(delete(IncidentAction).where(col(IncidentAction.incident_id).in_(ids)))
        session.exec(delete(Alert).where(col(Alert.incident_id).in_(ids)))
        session.exec(delete(Incident).where(col(Incident.id).in_(ids)))
        return len(ids)
