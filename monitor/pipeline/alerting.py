"""Incident changes become alerts and deliveries, in the detection transaction, within the page budget.

Detection returns ``IncidentChange`` records; here each becomes an ``Alert`` (unique per incident, event
and severity, so the same news is never told twice) and, when it pages, one outbox row per routed
channel. Every first page of an incident counts against the brand's budget
(``detection.pages_per_week`` over a rolling week, every trigger counted). The budget holds weak evidence
only: over budget, a page is recorded with ``paged = False`` and goes to the digest, unless it reaches
``detection.budget_exempt_severity`` or its incident is past the bar (``monitor.detection.page_bar``:
``detection.budget_exempt_people`` people, twice the usual or more). A held incident pages as soon as it
escalates past that bar, and its first page says it was held.  A big customer who joined an open incident
(``joined``, once per person) is a page of its own within the same rules: it updates a thread that already paged,
counts against the budget, and over budget goes to the digest unless the incident is past the bar or severe
enough.  A snoozed incident
(``Incident.snoozed_until``) pages nothing but its resolution until the snooze ends: its news is recorded
and shown, not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from alerts.outbox import enqueue_alert
from monitor.clock import as_utc
from monitor.detection.changes import IncidentChange
from monitor.detection.page_bar import incident_past_the_bar
from monitor.settings import Settings
from monitor.storage.tables import Alert, Incident

WEEK = timedelta(days=7)
QUIET_WHILE_SNOOZED = frozenset({"escalated", "updated", "joined", "unacknowledged"})
OWN_PAGE = "joined"  # news about one person that would have paged on its own: counted and budgeted like a first page
HELD_NOTE = "First held for the digest (weekly page budget spent). "


def pages_this_week(session: Session, brand_id: str, now: datetime) -> int:
    """Pages of this brand in the last seven days: the first page of each incident, and each big customer who
    joined an open incident and was paged about (``joined``)."""
    first_pages = select(Alert.incident_id, func.min(Alert.created_at).label("first")).join(
        Incident, col(Incident.id) == Alert.incident_id).where(
        Incident.brand_id == brand_id, Alert.paged == True).group_by(col(Alert.incident_id)).subquery()  # noqa: E712
    firsts = session.exec(select(func.count()).select_from(first_pages).where(first_pages.c.first >= now - WEEK)).one()
    people = session.exec(select(func.count()).select_from(Alert).join(
        Incident, col(Incident.id) == Alert.incident_id).where(
        Incident.brand_id == brand_id, Alert.paged == True, Alert.event == OWN_PAGE,  # noqa: E712
        Alert.created_at >= now - WEEK)).one()
    return int(firsts) + int(people)


def _has_paged(session: Session, incident_id: int) -> bool:
    return session.exec(select(Alert.id).where(Alert.incident_id == incident_id,
                                               Alert.paged == True)).first() is not None  # noqa: E712


def should_page(session: Session, settings: Settings, incident: Incident, change: IncidentChange,
                now: datetime) -> bool:
    if (change.event in QUIET_WHILE_SNOOZED and incident.snoozed_until is not None
            and as_utc(incident.snoozed_until) > now):
        return False  # someone asked for quiet until then
    if change.event == OWN_PAGE:
        return _joined_pages(session, settings, incident, change, now)
    if _has_paged(session, incident.id or 0):
        return True  # the thread is open: its updates go where its first page went
    cfg = settings.detection
    if incident_past_the_bar(incident, cfg.budget_exempt_people):
        return change.event in ("opened", "escalated", "updated")  # a real event is never held back
    if change.event not in ("opened", "escalated"):
        return False
    if change.severity >= cfg.budget_exempt_severity:
        return True
    return pages_this_week(session, incident.brand_id, now) + 1 <= cfg.pages_per_week


def _joined_pages(session: Session, settings: Settings, incident: Incident, change: IncidentChange,
                  now: datetime) -> bool:
    """A big customer who joined: only into a thread that paged, and within the budget like any page (a real
    event, past the bar, or a severe one is never held back)."""
    if not _has_paged(session, incident.id or 0):
        return False  # nothing was sent about the incident: the digest shows it with the rest
    cfg = settings.detection
    if incident_past_the_bar(incident, cfg.budget_exempt_people) or change.severity >= cfg.budget_exempt_severity:
        return True
    return pages_this_week(session, incident.brand_id, now) + 1 <= cfg.pages_per_week


def _was_held(session: Session, incident_id: int) -> bool:
    return session.exec(select(Alert.id).where(Alert.incident_id == incident_id,
                                               Alert.paged == False)).first() is not None  # noqa: E712


def _mark_held(session: Session, incident: Incident, paged: bool) -> None:
    """Tell detection the budget holds this incident (``details["held"]``): crossing the bar then pages it."""
    held = not paged and not _has_paged(session, incident.id or 0)
    if bool((incident.details or {}).get("held")) != held:
        incident.details = {**(incident.details or {}), "held": held}
        session.add(incident)


def record_alerts(session: Session, settings: Settings, changes: Sequence[IncidentChange],
                  now: datetime) -> list[Alert]:
    """One alert per new change; deliveries for the ones that page."""
    out = []
    for change in changes:
        exists = session.exec(select(Alert.id).where(Alert.incident_id == change.incident_id,
                                                     Alert.event == change.event, Alert.severity == change.severity,
                                                     Alert.about == change.about)).first()
        incident = session.get(Incident, change.incident_id)
        if exists is not None or incident is None:
            continue
        paged = should_page(session, settings, incident, change, now)
        summary = change.summary
        if paged and change.event != "opened" and not _has_paged(session, incident.id or 0) and _was_held(
                session, incident.id or 0):
            summary = (HELD_NOTE + summary)[:500]  # the first page after a held one says so
        _mark_held(session, incident, paged)
        alert = Alert(incident_id=change.incident_id, event=change.event, severity=change.severity,
                      created_at=now, summary=summary, paged=paged, about=change.about)
        session.add(alert)
        session.flush()
        if paged:
            enqueue_alert(session, settings, alert, incident, now=now)
        out.append(alert)
    return out
