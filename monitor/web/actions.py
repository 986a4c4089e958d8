"""What operators do to incidents and alerts, each recorded once (who, when, from where).

A form carries a one-time ``request_id``: the same submission twice (a double click, a retried
request) is one row.  Acknowledging and resolving also enqueue an alert through the outbox, so
every channel's thread (Slack's included) hears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from alerts.outbox import enqueue_alert
from monitor.errors import GroundswellError
from monitor.settings import Settings
from monitor.storage.engine import transaction
from monitor.storage.tables import Alert, AlertFeedback, Incident, IncidentAction

ActionKind = Literal["ack", "assign", "note", "resolve"]
ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)
VERDICTS = ("useful", "noise")
NOTE_LIMIT = 4000


@dataclass(frozen=True)
class Actor:
    name: str
    origin: str  # "web 203.0.113.7"


def act(engine: Engine, settings: Settings, incident_id: int, kind: str, value: str, actor: Actor, *,
        request_id: str, now: datetime) -> bool:
    """Apply one action; False when it changed nothing (already done, or this request seen before)."""
    if kind not in ACTION_KINDS:
        raise GroundswellError(f"unknown action {kind[:20]!r} (ack, assign, note or resolve)")
    value = value.strip()[:NOTE_LIMIT]
    if kind == "note" and not value:
        raise GroundswellError("a note needs some text")
    try:
        with transaction(engine) as session:
            if session.exec(select(IncidentAction).where(IncidentAction.request_id == request_id)).first():
                return False
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise GroundswellError(f"no incident #{incident_id}")
            if not _apply(session, settings, incident, kind, value, actor, now):
                return False
            session.add(IncidentAction(incident_id=incident_id, kind=kind, value=value, actor=actor.name,
                                       origin=actor.origin, at=now, request_id=request_id))
            return True
    except IntegrityError:  # the same request_id committed concurrently
        return False


def _apply(session: Session, settings: Settings, incident: Incident, kind: str, value: str, actor: Actor,
           now: datetime) -> bool:
    if kind == "ack":
        if incident.acked_by or incident.status == "resolved":
            return False
        incident.acked_by, incident.acked_at = actor.name, now
        _announce(session, settings, incident, "acknowledged", now)
    elif kind == "resolve":
        if incident.status == "resolved":
            return False
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, actor.name
        _announce(session, settings, incident, "resolved", now)
    elif kind == "assign":
        if (incident.owner or "") == value:
            return False
        incident.owner = value or None
    session.add(incident)
    return True


def _announce(session: Session, settings: Settings, incident: Incident, event: str, now: datetime) -> None:
    """An alert for the event, fanned out to the incident's channels (once: alerts are unique per event)."""
    exists = session.exec(select(Alert).where(Alert.incident_id == incident.id, Alert.event == event,
                                              Alert.severity == incident.severity)).first()
    if exists:
        return
    alert = Alert(incident_id=incident.id or 0, event=event, severity=incident.severity, created_at=now)
    session.add(alert)
    session.flush()
    enqueue_alert(session, settings, alert, incident, now=now)


def give_feedback(engine: Engine, alert_id: int, verdict: str, actor: Actor, *, now: datetime) -> bool:
    """One verdict per (alert, person): the same again changes nothing, a different one replaces it."""
    if verdict not in VERDICTS:
        raise GroundswellError(f"feedback {verdict!r} is unknown (useful or noise)")
    try:
        with transaction(engine) as session:
            if session.get(Alert, alert_id) is None:
                raise GroundswellError(f"no alert #{alert_id}")
            row = session.exec(select(AlertFeedback).where(AlertFeedback.alert_id == alert_id,
                                                           AlertFeedback.actor == actor.name)).first()
            if row is not None and row.verdict == verdict:
                return False
            row = row or AlertFeedback(alert_id=alert_id, verdict=verdict, actor=actor.name, origin=actor.origin,
                                       at=now)
            row.verdict, row.origin, row.at = verdict, actor.origin, now
            session.add(row)
            return True
    except IntegrityError:  # the same person's verdict landed concurrently
        return False
