"""Read-only queries for the views: aggregated in SQL, every list LIMITed (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.storage.search import text_search
from monitor.storage.tables import (
    Alert,
    AlertFeedback,
    Incident,
    IncidentAction,
    Mention,
    MissedMention,
    OutboxItem,
    SourceState,
)
from monitor.web.buckets import bucket
from monitor.web.filters import IncidentFilter, MentionFilter, parse_time

INCIDENT_LIMIT = 200
MENTION_PAGE = 100
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Activity:
    """One line of an incident's activity: who did what, when, and from where."""

    at: datetime
    actor: str
    origin: str
    did: str
    value: str
    quoted: bool


def category_of(column: Any = Mention.signals) -> Any:
    return column["category"]["value"].as_string()


def incidents(session: Session, flt: IncidentFilter) -> list[Incident]:
    """Open incidents first, then the most severe, then the most recently active."""
    query = select(Incident)
    if flt.status == "active":
        query = query.where(Incident.status != "resolved")
    elif flt.status == "resolved":
        query = query.where(Incident.status == "resolved")
    for column, value in ((Incident.brand_id, flt.brand), (Incident.trigger, flt.trigger),
                          (Incident.owner, flt.owner)):
        if value:
            query = query.where(column == value)
    if flt.severity:
        query = query.where(Incident.severity >= flt.severity)
    closed = case((col(Incident.status) == "resolved", 1), else_=0)
    query = query.order_by(closed, col(Incident.severity).desc(), col(Incident.last_activity_at).desc())
    return list(session.exec(query.limit(INCIDENT_LIMIT)).all())


def choices(session: Session) -> dict[str, list[str]]:
    """Values for the filter menus (small, distinct lists)."""
    def distinct_of(column: Any, table: Any) -> list[str]:
        rows = session.exec(select(column).select_from(table).distinct().order_by(column).limit(100)).all()
        return [str(value) for value in rows if value]

    return {"brands": distinct_of(SourceState.brand_id, SourceState) or distinct_of(Incident.brand_id, Incident),
            "triggers": distinct_of(Incident.trigger, Incident), "owners": distinct_of(Incident.owner, Incident),
            "platforms": recent_platforms(session)}


def recent_platforms(session: Session) -> list[str]:
    """Platforms among the newest mentions (a bounded look, not a scan of the whole table)."""
    recent = select(Mention.platform).order_by(col(Mention.id).desc()).limit(5000).subquery()
    rows = session.exec(select(recent.c.platform).distinct().order_by(recent.c.platform).limit(50)).all()
    return [str(value) for value in rows if value]


def collected_any(session: Session) -> bool:
    """Whether any mention is stored yet: an empty workspace says how to start collecting, not "no match"."""
    return session.exec(select(Mention.id).limit(1)).first() is not None


def mentions(session: Session, flt: MentionFilter, now: datetime, *, limit: int = MENTION_PAGE) -> list[Mention]:
    """The filtered stream, newest first; page on with ``before`` (the last id shown)."""
    query = select(Mention)
    for column, value in ((Mention.brand_id, flt.brand), (Mention.platform, flt.platform),
                          (Mention.sentiment, flt.sentiment), (Mention.lang, flt.lang)):
        if value:
            query = query.where(column == value)
    if flt.author:
        query = query.where(func.lower(Mention.author_handle).in_([flt.author.lower(), "@" + flt.author.lower()]))
    if flt.category:
        query = query.where(category_of() == flt.category)
    since, until = parse_time(flt.since, now), parse_time(flt.until, now)
    if since:
        query = query.where(Mention.posted_at >= since)
    if until:
        query = query.where(Mention.posted_at < until)
    newest: Any = col(Mention.id)
    if flt.q:
        query, newest = text_search(query, session.get_bind(), flt.q)
    if flt.before:
        query = query.where(col(Mention.id) < flt.before)
    return list(session.exec(query.order_by(newest.desc()).limit(limit)).all())


@dataclass(frozen=True)
class Point:
    label: str
    mentions: int
    people: int
    baseline: int  # the same hour a week earlier


def spread_curve(session: Session, incident: Incident, now: datetime) -> list[Point]:
    """Negative mentions and distinct people per hour around the incident, against the week before."""
    opened = as_utc(incident.opened_at)
    start = opened - timedelta(hours=12)
    end = min(now, as_utc(incident.resolved_at or incident.last_activity_at) + timedelta(hours=6))
    end = max(end, opened + timedelta(hours=1))
    hour = bucket(session.get_bind().dialect.name, Mention.posted_at, "hour")

    def per_hour(lo: datetime, hi: datetime) -> dict[str, tuple[int, int]]:
        rows = session.exec(select(hour, func.count(), func.count(distinct(col(Mention.author_id)))).where(
            Mention.brand_id == incident.brand_id, Mention.sentiment == "negative", Mention.posted_at >= lo,
            Mention.posted_at < hi).group_by(hour).order_by(hour).limit(24 * 40)).all()
        return {str(label): (int(count), int(people)) for label, count, people in rows}

    current = per_hour(start, end)
    week = timedelta(days=7)
    earlier = per_hour(start - week, end - week)
    points: list[Point] = []
    moment = start.replace(minute=0, second=0, microsecond=0)
    while moment < end and len(points) < 24 * 40:
        label = f"{moment:%Y-%m-%d %H}:00"
        before = f"{moment - week:%Y-%m-%d %H}:00"
        count, people = current.get(label, (0, 0))
        points.append(Point(label, count, people, earlier.get(before, (0, 0))[0]))
        moment += timedelta(hours=1)
    return points


@dataclass(frozen=True)
class Delivery:
    alert: Alert
    channel: str
    status: str
    sent_at: datetime | None


def incident_detail(session: Session, incident: Incident, actor: str) -> dict[str, Any]:
    """Its posts (first first), every alert and delivery, actions, and feedback."""
    ids = list(incident.example_mention_ids or [])[:50]
    posts = list(session.exec(select(Mention).where(col(Mention.id).in_(ids)).order_by(
        col(Mention.posted_at))).all()) if ids else []
    alerts = list(session.exec(select(Alert).where(Alert.incident_id == incident.id).order_by(
        col(Alert.created_at)).limit(100)).all())
    alert_ids = [a.id for a in alerts]
    by_alert = {a.id: a for a in alerts}
    outbox = session.exec(select(OutboxItem).where(col(OutboxItem.alert_id).in_(alert_ids)).order_by(
        col(OutboxItem.id)).limit(500)).all() if alert_ids else []
    deliveries = [Delivery(by_alert[o.alert_id], o.channel_id, o.status, o.sent_at) for o in outbox]
    actions = list(session.exec(select(IncidentAction).where(IncidentAction.incident_id == incident.id).order_by(
        col(IncidentAction.at)).limit(500)).all())
    feedback = session.exec(select(AlertFeedback).where(col(AlertFeedback.alert_id).in_(alert_ids)).limit(
        1000)).all() if alert_ids else []
    tally: dict[int, dict[str, int]] = {}
    mine: dict[int, str] = {}
    for row in feedback:
        tally.setdefault(row.alert_id, {"useful": 0, "noise": 0})[row.verdict] += 1
        if row.actor == actor:
            mine[row.alert_id] = row.verdict
    missed = list(session.exec(select(MissedMention).where(col(MissedMention.alert_id).in_(alert_ids)).limit(
        200)).all()) if alert_ids else []
    return {"posts": posts, "first_post": posts[0] if posts else None, "alerts": alerts,
            "deliveries": deliveries, "actions": actions, "tally": tally, "mine": mine,
            "activity": activity(actions, feedback, missed)}


ACTION_WORDS = {"ack": "acknowledged", "resolve": "resolved", "assign": "assigned to", "note": "noted:",
                "snooze": "snoozed", "wake": "ended the snooze"}


def activity(actions: Iterable[IncidentAction], feedback: Iterable[AlertFeedback],
             missed: Iterable[MissedMention]) -> list[Activity]:
    """Everything people did here, oldest first: who, when, from where (web, slack, email, cli)."""
    rows = [Activity(a.at, a.actor, a.origin, ACTION_WORDS.get(a.kind, a.kind), a.value, a.kind == "note")
            for a in actions]
    rows += [Activity(f.at, f.actor, f.origin, f"called alert #{f.alert_id}", f.verdict, False) for f in feedback]
    rows += [Activity(m.at, m.actor, m.origin, "reported a missed post:", m.link + (f" ({m.note})" if m.note else ""),
                      True) for m in missed]
    return sorted(rows, key=lambda row: as_utc(row.at))
