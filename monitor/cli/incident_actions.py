"""Acknowledge or resolve an incident by hand, and tell the channels that heard about it (through the outbox).

Each is recorded as an incident action (from "cli") beside the workspace's, Slack's and email's.
The alert's message carries who and when (``acknowledged``/``resolved`` in the incident details, shown
as facts); Slack edits the incident's headline and replies in its thread, email replies to the first mail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.errors import GroundswellError
from monitor.storage.tables import Alert, Incident, IncidentAction, OutboxItem

if TYPE_CHECKING:  # `incidents show` reads with get_incident alone: no routing, no settings
    from sqlalchemy.engine import Engine

    from monitor.settings import Settings


class IncidentNotFound(GroundswellError):
    """No such incident: a runtime error (exit 1), not a configuration one."""


class AlreadyDone(GroundswellError):
    """A second ack/resolve would silently overwrite the first: refused unless forced."""


@dataclass
class Outcome:
    incident_id: int
    action: str
    who: str
    when: datetime
    told: list[str]
    zone: str = "UTC"  # the brand's timezone, for the line that says when


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentNotFound(f"no incident #{incident_id} (see `groundswell incidents list --all`)")
    return incident


def stamp(who: str, when: datetime, zone: str = "UTC") -> str:
    """Who and when, in the brand's time like the alert it answers ("since Sat 7 Nov 18:30 GMT")."""
    from zoneinfo import ZoneInfo

    return f"by {who} at {as_utc(when).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"


def _told_channels(session: Session, incident_id: int) -> set[str]:
    """Channels that were sent (or are still sending) something about this incident."""
    rows = session.exec(select(OutboxItem.channel_id).join(Alert, col(Alert.id) == OutboxItem.alert_id)
                        .where(Alert.incident_id == incident_id, OutboxItem.status != "dead")).all()
    return set(rows)


def _notify(session: Session, settings: Settings, incident: Incident, event: str, now: datetime) -> list[str]:
    from alerts.routing import route

    told = _told_channels(session, incident.id or 0)
    exists = session.exec(select(Alert).where(Alert.incident_id == incident.id, Alert.event == event,
                                              Alert.severity == incident.severity)).first()
    if not told or exists is not None:
        return []
    alert = Alert(incident_id=incident.id or 0, event=event, severity=incident.severity, created_at=now)
    session.add(alert)
    session.flush()
    channels = [c for c in route(settings, incident, alert, now) if c in told]
    session.add_all(OutboxItem(alert_id=alert.id or 0, channel_id=c, idempotency_key=f"gs-{alert.id}-{c}",
                               next_attempt_at=now) for c in channels)
    return channels


def mark(engine: Engine, settings: Settings, incident_id: int, who: str, *, resolve: bool, now: datetime,
         force: bool = False) -> Outcome:
    """Record who acknowledged/resolved, and queue an update to the channels that heard of the incident."""
    from monitor.storage import incident_due
    from monitor.storage.engine import transaction, with_retries

    def work() -> Outcome:
        with transaction(engine) as session:
            incident = get_incident(session, incident_id)
            zone = next((b.timezone for b in settings.brands if b.id == incident.brand_id), "UTC")
            if resolve and incident.status == "resolved" and not force:
                raise AlreadyDone(f"incident #{incident_id} was already resolved "
                                  f"{stamp(incident.resolved_by or '?', incident.resolved_at or now, zone)} "
                                  "(--force to record it again)")
            if not resolve and incident.status == "resolved" and not force:
                raise AlreadyDone(f"incident #{incident_id} is already resolved "
                                  f"{stamp(incident.resolved_by or '?', incident.resolved_at or now, zone)}: "
                                  "nothing to acknowledge (--force to record it all the same)")
            if not resolve and incident.acked_by and not force:
                raise AlreadyDone(f"incident #{incident_id} was already acknowledged "
                                  f"{stamp(incident.acked_by, incident.acked_at or now, zone)} "
                                  "(--force to take it over)")
            if resolve:
                incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, who
            else:
                incident.acked_by, incident.acked_at = who, now
            event = "resolved" if resolve else "acknowledged"
            incident.details = {**(incident.details or {}), event: stamp(who, now, zone)}
            incident.updated_at = now
            incident_due.mark(incident, now)  # detection's next pass looks at it again (or never: resolved)
            session.add(incident)
            session.add(IncidentAction(incident_id=incident_id, kind="resolve" if resolve else "ack", actor=who,
                                       origin="cli", at=now, request_id=f"cli-{secrets.token_urlsafe(16)}"))
            told = _notify(session, settings, incident, event, now)
            return Outcome(incident_id, event, who, now, told, zone)

    return with_retries(work)
