"""What operators do to incidents and alerts, each recorded once (who, when, from where).

The web forms, the Slack buttons (``monitor.service.slack_actions``), the one-click email links
(``monitor.web.email_links``) and the CLI all come through here.  Every request carries a one-time
``request_id``: the same submission twice (a double click, a retried request, a redelivered Slack
envelope, an email link opened again) is one row.  Acknowledging, snoozing and resolving also enqueue
an alert through the outbox, so every channel's thread (Slack's headline included) hears it; so does
waking an incident early (a snooze that runs out is announced by detection, ``monitor.detection.incidents``).
Snoozing keeps an incident quiet until a time: no reminders or escalation pages (the pipeline
checks ``Incident.snoozed_until``), still listed and shown; it wakes by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from alerts.outbox import enqueue_alert
from monitor.clock import as_utc
from monitor.errors import GroundswellError
from monitor.settings import Settings
from monitor.storage import incident_due
from monitor.storage.engine import transaction
from monitor.storage.tables import Alert, AlertFeedback, Incident, IncidentAction, Mention, MissedMention

ActionKind = Literal["ack", "assign", "note", "resolve", "snooze", "wake"]
ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)
VERDICTS = ("useful", "noise")
NOTE_LIMIT = 4000
MAX_SNOOZE = timedelta(days=14)
OPERATOR_EVENTS = ("acknowledged", "snoozed", "woke", "resolved")  # news people made; feedback is about the page before
PLACES = {"web": "the workspace", "slack": "Slack", "email": "an email link", "cli": "the command line"}
_DURATION = re.compile(r"^\s*(\d{1,9})\s*(m|min|h|d)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Actor:
    name: str
    origin: str  # "web 203.0.113.7", "slack", "email", "cli"


def parse_duration(text: str) -> timedelta:
    """"4h", "90m", "2d" (a bare number is hours); at most 14 days, so nothing is forgotten for good."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise GroundswellError(f"{text[:20]!r} is not a duration (e.g. 30m, 4h, 2d)")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[(match.group(2) or "h").lower()[0]]
    span = timedelta(**{unit: int(match.group(1))})
    if span > MAX_SNOOZE:
        raise GroundswellError("snooze for at most 14 days")
    return span


def snoozed(incident: Incident, now: datetime) -> bool:
    return incident.snoozed_until is not None and as_utc(incident.snoozed_until) > now


def act(engine: Engine, settings: Settings, incident_id: int, kind: str, value: str, actor: Actor, *,
        request_id: str, now: datetime) -> bool:
    """Apply one action; False when it changed nothing (already done, or this request seen before)."""
    if kind not in ACTION_KINDS:
        raise GroundswellError(f"unknown action {kind[:20]!r} ({', '.join(ACTION_KINDS)})")
    value = value.strip()[:NOTE_LIMIT]
    if kind == "note" and not value:
        raise GroundswellError("a note needs some text")
    if kind == "snooze":
        value = f"until {now + parse_duration(value):%Y-%m-%d %H:%M} UTC"
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
    by = f"by {actor.name} from {PLACES.get(actor.origin.split(' ')[0], actor.origin[:40])}"
    if kind == "ack":
        if incident.acked_by or incident.status == "resolved":
            return False
        incident.acked_by, incident.acked_at = actor.name, now
        _announce(session, settings, incident, "acknowledged", f"Acknowledged {by}", now)
    elif kind == "resolve":
        if incident.status == "resolved":
            return False
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, actor.name
        _announce(session, settings, incident, "resolved", f"Resolved {by}", now)
    elif kind == "snooze":
        if incident.status == "resolved":
            return False
        incident.snoozed_until = datetime.strptime(value, "until %Y-%m-%d %H:%M UTC").replace(tzinfo=now.tzinfo)
        _announce(session, settings, incident, "snoozed", f"Snoozed {by} {value}: no reminders until then", now)
    elif kind == "wake":
        if not snoozed(incident, now):
            return False
        incident.snoozed_until = None
        _announce(session, settings, incident, "woke", f"Snooze ended {by}: reminders and escalations page again",
                  now)
    elif kind == "assign":
        if (incident.owner or "") == value:
            return False
        incident.owner = value or None
    if kind in ("ack", "resolve", "snooze", "wake"):  # detection's timed checks look at it again at the next pass
        incident_due.mark(incident, now)
    session.add(incident)
    return True


def _announce(session: Session, settings: Settings, incident: Incident, event: str, summary: str,
              now: datetime) -> None:
    """An alert for the event, fanned out to the incident's channels (once: alerts are unique per event)."""
    exists = session.exec(select(Alert).where(Alert.incident_id == incident.id, Alert.event == event,
                                              Alert.severity == incident.severity)).first()
    if exists:
        return
    alert = Alert(incident_id=incident.id or 0, event=event, severity=incident.severity, created_at=now,
                  summary=summary)
    session.add(alert)
    session.flush()
    enqueue_alert(session, settings, alert, incident, now=now)


def paging_alert(session: Session, alert: Alert) -> Alert:
    """The alert a verdict is about: a message that only said "acknowledged" (or snoozed, resolved) stands
    for the page before it, so a button on an edited Slack headline judges the page, not the edit."""
    if alert.event not in OPERATOR_EVENTS:
        return alert
    earlier = session.exec(select(Alert).where(Alert.incident_id == alert.incident_id,
                                               col(Alert.event).not_in(OPERATOR_EVENTS),
                                               col(Alert.id) < (alert.id or 0)).order_by(col(Alert.id).desc())).first()
    return earlier or alert


def give_feedback(engine: Engine, alert_id: int, verdict: str, actor: Actor, *, now: datetime,
                  incident_id: int | None = None) -> bool:
    """One verdict per (alert, person): the same again changes nothing, a different one replaces it.

    With ``incident_id`` (Slack buttons, email links) the alert must belong to that incident, and an
    operator announcement's verdict goes to the page before it (``paging_alert``)."""
    if verdict not in VERDICTS:
        raise GroundswellError(f"feedback {verdict!r} is unknown (useful or noise)")
    try:
        with transaction(engine) as session:
            alert = session.get(Alert, alert_id)
            if alert is None or (incident_id is not None and alert.incident_id != incident_id):
                where = f" in incident #{incident_id}" if incident_id else ""
                raise GroundswellError(f"no alert #{alert_id}{where}")
            if incident_id is not None:
                alert_id = paging_alert(session, alert).id or alert_id
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


def report_missed(engine: Engine, brand_id: str, link: str, actor: Actor, *, now: datetime,
                  alert_id: int | None = None, note: str = "") -> MissedMention | None:
    """Record "the detector should have paged on this post" once per (brand, post, person); None: known.

    ``link`` is a post's address or a stored mention's number; a number must name a mention of the brand."""
    link = link.strip()[:500]
    if not link:
        raise GroundswellError("give the post's address (https://...) or a stored mention's number")
    with transaction(engine) as session:
        mention = _mention_for(session, brand_id, link)
        if mention is None and not link.startswith(("https://", "http://")):
            raise GroundswellError(f"no stored mention {link[:40]!r} of {brand_id}: give the post's address "
                                   "(https://...) or a mention's number from the Mentions page")
        if session.exec(select(MissedMention).where(MissedMention.brand_id == brand_id, MissedMention.link == link,
                                                    MissedMention.actor == actor.name)).first():
            return None
        row = MissedMention(brand_id=brand_id, link=link, mention_id=mention.id if mention else None,
                            alert_id=alert_id, note=note.strip()[:NOTE_LIMIT], actor=actor.name, origin=actor.origin,
                            at=now)
        session.add(row)
        session.flush()
        session.expunge(row)
        return row


def _mention_for(session: Session, brand_id: str, link: str) -> Mention | None:
    brand = Mention.brand_id == brand_id
    if link.isdigit() and len(link) < 19:
        return session.exec(select(Mention).where(brand, Mention.id == int(link))).first()
    return session.exec(select(Mention).where(brand, (col(Mention.url) == link) | (col(Mention.external_id) == link))
                        ).first()
