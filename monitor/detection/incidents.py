"""Incidents: open one per spike or trigger, escalate instead of re-paging, resolve when quiet.

Every change worth telling people becomes an ``Alert`` row (unique per incident, event and
severity, so the same news is never alerted twice) and its outbox rows, in one transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from alerts.outbox import enqueue_alert
from monitor.clock import as_utc
from monitor.detection import simple_rules as rules
from monitor.detection import warmup as adaptive
from monitor.settings import BrandSettings, Settings
from monitor.storage import responses
from monitor.storage.engine import transaction, with_retries
from monitor.storage.tables import Alert, Incident, Mention, SourceState

log = logging.getLogger("groundswell.incidents")


def detect_and_update(engine: Engine, settings: Settings, *, now: datetime) -> list[str]:
    """Run the rules for every brand; return a line per incident change."""
    changes: list[str] = []
    for brand in settings.brands:
        def work(brand: BrandSettings = brand) -> list[str]:
            # the in-memory detector moves on only if this transaction commits (else a retry finds nothing new)
            with adaptive.advance_with_commit(settings, brand.id), transaction(engine) as session:
                return _detect_brand(session, settings, brand, now)
        changes.extend(with_retries(work))
    return changes


def _view(m: Mention) -> rules.MentionView:
    signals = m.signals or {}
    churn = (signals.get("churn_threat") or {}).get("reason")
    category = (signals.get("category") or {}).get("value")
    return rules.MentionView(m.id or 0, f"{m.platform}:{m.author_id}", m.author_handle, m.author_followers,
                             m.sentiment == "negative", churn, category, as_utc(m.posted_at), m.platform)


def _detect_brand(session: Session, settings: Settings, brand: BrandSettings, now: datetime) -> list[str]:
    scored = select(Mention).where(Mention.brand_id == brand.id, col(Mention.sentiment).is_not(None),
                                   Mention.is_brand_reply == False)  # noqa: E712
    new_rows = session.exec(scored.where(col(Mention.detected_at).is_(None),
                                         Mention.posted_at <= now + timedelta(hours=1))
                            .order_by(col(Mention.posted_at))).all()
    if settings.detection.engine == "adaptive":
        findings = _adaptive_findings(session, settings, brand, new_rows, now)
    else:
        findings = _simple_findings(session, settings, brand, scored, new_rows, now)
    for row in new_rows:
        row.detected_at = now
        session.add(row)
    changes = [change for f in findings if (change := _apply(session, settings, brand, f, now))]
    changes += _escalate_unanswered(session, settings, brand, now)
    return changes + _escalate_unacknowledged(session, settings, brand, now) + _resolve_quiet(
        session, settings, brand, now)


def _adaptive_findings(session: Session, settings: Settings, brand: BrandSettings, new_rows: Sequence[Mention],
                       now: datetime) -> list[rules.Finding]:
    detector = adaptive.detector_for(session, settings, brand, now)
    found = detector.run([adaptive.observation(m) for m in new_rows], now)
    handles = {f"{m.platform}:{m.author_id}": m.author_handle for m in new_rows}
    findings = [adaptive.translate(brand.id, f, handles) for f in found]
    return [f for f in findings if _worth_an_incident(f, settings)]


def _worth_an_incident(finding: rules.Finding, settings: Settings) -> bool:
    """Two guards on the adaptive detector's findings, for the people who get paged.

    A small brand's quiet night makes one angry post look "unusual": a spike needs enough people.
    A story of mostly contented posts ("congrats on the launch!") is not a complaint spreading: a
    story needs a mean negativity weight of at least 0.6 (about a third negative: sarcasm that scores neutral still
    counts when enough of the story reads negative).
    """
    if finding.trigger == "spike":
        return finding.authors >= settings.detection.min_negative
    if finding.trigger == "story":
        weighted, authors = finding.details.get("weighted", 0.0), finding.details.get("authors", 0.0)
        return authors > 0 and weighted / authors >= 0.6
    return True


def _simple_findings(session: Session, settings: Settings, brand: BrandSettings, scored: Any,
                     new_rows: Sequence[Mention], now: datetime) -> list[rules.Finding]:
    cfg = settings.detection
    window_start = now - timedelta(minutes=cfg.window_minutes)
    window = [_view(m) for m in session.exec(scored.where(Mention.posted_at > window_start,
                                                          Mention.posted_at <= now))]
    findings = []
    if found := rules.spike(brand.id, window, _expected(session, brand.id, now, settings), cfg, now):
        findings.append(found)
    new = [_view(m) for m in new_rows if as_utc(m.posted_at) <= now]
    findings.extend(rules.individual(brand.id, new, _negatives_by_author(session, brand.id, new, now, cfg), cfg))
    return findings


def _expected(session: Session, brand_id: str, now: datetime, settings: Settings) -> float:
    """Negative mentions expected in one window, from the days before it (history may be short)."""
    cfg = settings.detection
    window = timedelta(minutes=cfg.window_minutes)
    start = now - timedelta(days=cfg.baseline_days)
    first = session.exec(select(func.min(Mention.posted_at)).where(Mention.brand_id == brand_id)).one()
    if first is None:
        return 0.0
    start = max(start, as_utc(first))
    span = (now - window) - start
    if span < window:
        return 0.0
    count = session.exec(select(func.count()).select_from(Mention).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative",
        Mention.posted_at >= start, Mention.posted_at <= now - window)).one()
    return float(count) * (window / span)


def _negatives_by_author(session: Session, brand_id: str, new: list[rules.MentionView], now: datetime,
                         cfg: object) -> dict[str, int]:
    from monitor.settings import DetectionSettings

    assert isinstance(cfg, DetectionSettings)
    ids = {m.author.split(":", 1)[1] for m in new if m.negative}
    if not ids:
        return {}
    rows = session.exec(select(Mention.platform, Mention.author_id).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative", col(Mention.author_id).in_(ids),
        Mention.posted_at > now - timedelta(days=cfg.repeat_days), Mention.posted_at <= now)).all()
    return dict(Counter(f"{platform}:{author}" for platform, author in rows))


def _open_incident(session: Session, brand_id: str, finding: rules.Finding) -> Incident | None:
    """The incident this finding belongs to: the same key, or (simple rule) the brand's open spike."""
    same = session.exec(select(Incident).where(Incident.key == finding.key)).first()
    if same is not None or finding.trigger != "spike" or not finding.key.startswith(f"spike:{brand_id}:2"):
        return same
    return session.exec(select(Incident).where(Incident.brand_id == brand_id, Incident.trigger == "spike",
                                               Incident.status != "resolved")).first()


def _apply(session: Session, settings: Settings, brand: BrandSettings, finding: rules.Finding,
           now: datetime) -> str | None:
    incident = _open_incident(session, brand.id, finding)
    if incident is None:
        incident = Incident(brand_id=brand.id, key=finding.key, trigger=finding.trigger,
                            severity=finding.severity, title=finding.title, reason=finding.reason,
                            opened_at=now, updated_at=now, last_activity_at=now)
        _refresh(incident, finding, now)
        session.add(incident)
        session.flush()
        _alert(session, settings, incident, "opened", now)
        return f"opened #{incident.id} [{brand.id}] sev {incident.severity} {finding.trigger}: {finding.reason}"
    if incident.status == "resolved":
        return None
    escalated = finding.severity > incident.severity
    _refresh(incident, finding, now)
    session.add(incident)
    if escalated:
        incident.severity, incident.status = finding.severity, "escalated"
        _alert(session, settings, incident, "escalated", now)
        return f"escalated #{incident.id} [{brand.id}] to sev {incident.severity}: {finding.reason}"
    return None


def _refresh(incident: Incident, finding: rules.Finding, now: datetime) -> None:
    if finding.mentions >= incident.mention_count:  # keep the peak's numbers, not the fading tail's
        incident.reason = finding.reason
    incident.mention_count = max(incident.mention_count, finding.mentions)
    incident.author_count = max(incident.author_count, finding.authors)
    known = list(incident.example_mention_ids or [])
    incident.example_mention_ids = (known + [i for i in finding.mention_ids if i not in known])[:10]
    incident.details = {**(incident.details or {}), **finding.details}
    incident.updated_at = incident.last_activity_at = now
    if incident.status == "open" and incident.mention_count > finding.mentions:
        incident.status = "growing"


def _alert(session: Session, settings: Settings, incident: Incident, event: str, now: datetime) -> bool:
    """Record the alert and its deliveries, unless this exact news was already alerted."""
    exists = session.exec(select(Alert).where(Alert.incident_id == incident.id, Alert.event == event,
                                              Alert.severity == incident.severity)).first()
    if exists is not None:
        return False
    alert = Alert(incident_id=incident.id or 0, event=event, severity=incident.severity, created_at=now)
    session.add(alert)
    session.flush()
    enqueue_alert(session, settings, alert, incident, now=now)
    return True


def _escalate_unanswered(session: Session, settings: Settings, brand: BrandSettings, now: datetime) -> list[str]:
    """The seeds' lesson: a customer the brand never answered is worth one more step of severity."""
    target = settings.detection.response_target_minutes
    if not target or not responses.replies_collected(session, brand.id, now):
        return []
    waiting = session.exec(select(Incident).where(
        Incident.brand_id == brand.id, Incident.status != "resolved", col(Incident.trigger).in_(responses.INDIVIDUAL),
        Incident.opened_at <= now - timedelta(minutes=target))).all()
    changes = []
    for incident in waiting:
        if (incident.details or {}).get("unanswered") is not None:
            continue
        mentions = session.exec(select(Mention).where(col(Mention.id).in_(incident.example_mention_ids or []))).all()
        answered = [reply for m in mentions if (reply := responses.first_reply(session, m)) is not None]
        incident.details = {**(incident.details or {}), "unanswered": not answered}
        if not answered:
            incident.severity, incident.status = min(4, incident.severity + 1), "escalated"
            incident.reason += f"; not answered by the brand within {target} min"
            _alert(session, settings, incident, "escalated", now)
            changes.append(f"escalated #{incident.id} [{brand.id}]: unanswered for {target} min")
        session.add(incident)
    return changes


def _escalate_unacknowledged(session: Session, settings: Settings, brand: BrandSettings,
                             now: datetime) -> list[str]:
    """Nobody said "I'm on it" in time: tell the next tier (once per incident and severity)."""
    cutoff = now - timedelta(minutes=settings.escalation.unacknowledged_minutes)
    waiting = session.exec(select(Incident).where(
        Incident.brand_id == brand.id, Incident.status != "resolved", col(Incident.acked_by).is_(None),
        Incident.severity >= 2, Incident.opened_at <= cutoff)).all()
    changes = []
    for incident in waiting:
        if _alert(session, settings, incident, "unacknowledged", now):
            changes.append(f"unacknowledged #{incident.id} [{brand.id}] for "
                           f"{settings.escalation.unacknowledged_minutes} min: next tier told")
    return changes


def _resolve_quiet(session: Session, settings: Settings, brand: BrandSettings, now: datetime) -> list[str]:
    cutoff = now - timedelta(minutes=settings.detection.quiet_minutes)
    stale = session.exec(select(Incident).where(Incident.brand_id == brand.id, Incident.status != "resolved",
                                                Incident.last_activity_at < cutoff)).all()
    for incident in stale:
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, "auto (quiet)"
        session.add(incident)
        if incident.trigger in ("spike", "story", "source_down"):
            _alert(session, settings, incident, "resolved", now)
    return [f"resolved #{i.id} [{brand.id}] {i.trigger} (quiet for {settings.detection.quiet_minutes} min)"
            for i in stale]


def source_health_changed(session: Session, settings: Settings, state: SourceState, now: datetime) -> None:
    """A source that starts failing is an incident of its own, so ops hear it once, through the usual
    channels (route it with ``triggers = ["source_down"]``); its recovery resolves it."""
    current = session.exec(select(Incident).where(Incident.trigger == "source_down", Incident.status != "resolved",
                                                  col(Incident.key).startswith(f"source_down:{state.id}:"))).first()
    failing = state.status in ("failing", "auth_failed")
    if current is not None and failing:
        current.last_activity_at = current.updated_at = now
        current.reason = f"{state.consecutive_failures} failed polls in a row: {state.last_error}"
        session.add(current)
    elif failing:
        incident = Incident(brand_id=state.brand_id, key=f"source_down:{state.id}:{now:%Y%m%dT%H%M%S}",
                            trigger="source_down", severity=3 if state.status == "auth_failed" else 2,
                            title=f"Source {state.id} is not collecting", reason=f"{state.last_error}",
                            opened_at=now, updated_at=now, last_activity_at=now)
        session.add(incident)
        session.flush()
        _alert(session, settings, incident, "opened", now)
    elif current is not None:
        current.status, current.resolved_at, current.resolved_by = "resolved", now, "auto (source recovered)"
        session.add(current)
        _alert(session, settings, current, "resolved", now)
