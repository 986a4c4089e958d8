"""Incidents: one per real-world event, with facets; escalate in place, watch what need not page.

Findings (spike, story, individual triggers) that overlap an active incident in time and share people,
words or a key join it as facets (``monitor.detection.joining``); individual triggers on their own are
a watch list until they matter (``monitor.detection.watchlist``), and a churn threat that would have paged on
its own is told once to the incident it joins (``monitor.detection.joined``). Nothing here writes alerts: every
function returns ``IncidentChange`` records and the pipeline turns them into alerts and deliveries in
the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.detection import due, joined, joined_fold, joining, page_bar, quiet_joins, watchlist, wave_incident
from monitor.detection import findings as found
from monitor.detection import pass_queries as queries
from monitor.detection.brand_detector import Finding as DetectorFinding
from monitor.detection.changes import IncidentChange, announce, was_told
from monitor.detection.recent_incidents import RecentIncidents
from monitor.detection.simple_rules import Finding
from monitor.detection.update_text import FACET_WORDS, SEVERITY_WORDS, what_changed
from monitor.settings import BrandSettings, Settings
from monitor.storage import incident_due
from monitor.storage.tables import Incident, SourceState

log = logging.getLogger("groundswell.incidents")
__all__ = ["FACET_WORDS", "SEVERITY_WORDS", "apply_finding", "detect_brand", "source_health_changed", "what_changed"]



def detect_brand(session: Session, settings: Settings, brand: BrandSettings, now: datetime,
                 early: Sequence[DetectorFinding] = (), *, examined: bool = False) -> list[IncidentChange]:
    """Examine the brand's new mentions; return every incident change (the caller records the alerts).

    ``early``: what the brand's detector already found at ``now`` from the passing time alone (``quiet``), or from
    rows the caller fed it; ``examined``: the caller fed it every stored row (a backtest), so none is read here.
    """
    view = RecentIncidents.for_pass(session, brand.id)  # the join window, read once for all this pass's findings
    scored, rows = found.new_rows(session, brand, now) if not examined else (None, [])
    results = found.findings(session, settings, brand, scored, rows, now, early)
    found.mark_examined(session, rows, now)
    changes = [c for f in results for c in apply_finding(session, settings, brand, f, now, view)]
    checked: list[Incident] = []
    changes += _review_watch(session, settings, brand, now, checked)
    timed = queries.TimedChecks(session, brand.id, now - timedelta(minutes=settings.detection.quiet_minutes), now,
                                due.touched(session, brand.id))
    changes += _escalate_unanswered(session, settings, brand, now, timed) + _end_snoozes(session, brand, now, timed)
    changes += joined.flush_due(session, brand, now)
    changes += _escalate_unacknowledged(settings, brand, now, timed) + _resolve_quiet(
        session, settings, brand, now, timed)
    due.rearm(session, settings, brand.id, checked + timed.incidents)  # when each of them is next due
    return changes


def apply_finding(session: Session, settings: Settings, brand: BrandSettings, finding: Finding,
                  now: datetime, view: RecentIncidents | None = None) -> list[IncidentChange]:
    """Open or join an incident for one finding; ``view``: the pass's recent incidents (else read anew)."""
    if wave_incident.goes_on(finding):  # a paged wave still elevated: its incident stays active, nothing more
        return wave_incident.keep_active(session, brand.id, finding, now, settings.detection.join_minutes, view)
    ev = joining.evidence(session, brand, finding, now)
    incident, why = joining.find_incident(session, brand.id, finding, ev, now, settings.detection.join_minutes,
                                          settings.detection.join_similarity, view)
    if incident is None:
        changes, incident = _open(session, settings, brand, finding, ev, now)
    elif incident.status == "resolved":
        return []
    else:
        changes = _join(session, settings, brand, incident, finding, ev, why, now)
    if view is not None:
        view.note(incident)  # later findings of the pass see it as the query would
    return changes


def _open(session: Session, settings: Settings, brand: BrandSettings, finding: Finding, ev: joining.Evidence,
          now: datetime) -> tuple[list[IncidentChange], Incident]:
    watch = finding.trigger in joining.INDIVIDUAL
    incident = Incident(brand_id=brand.id, key=finding.key, trigger=finding.trigger, severity=finding.severity,
                        title=finding.title, reason=finding.reason, opened_at=now, updated_at=now,
                        last_activity_at=now, status="watch" if watch else "open")
    joining.absorb(incident, finding, ev, now)
    _refresh(incident, finding, now)
    _crossed_bar(settings, incident)  # past the bar from the start: pages whatever the budget
    session.add(incident)
    session.flush()
    if watch:
        log.info("watching #%s [%s] %s: %s", incident.id, brand.id, finding.trigger, finding.reason)
        reason = watchlist.page_reason(session, settings, brand, incident, now)
        return (_promote(incident, reason, now) if reason else []), incident
    return _told(announce(incident, "opened", finding.reason,
                          f"opened #{incident.id} [{brand.id}] sev {incident.severity} {finding.trigger}: "
                          f"{finding.reason}")), incident


def _join(session: Session, settings: Settings, brand: BrandSettings, incident: Incident, finding: Finding,
          ev: joining.Evidence, why: str, now: datetime) -> list[IncidentChange]:
    before = (incident.severity, incident.author_count)
    new_person = bool(ev.people - set((incident.details or {}).get("join", {}).get("people", [])))
    new_facet = joining.absorb(incident, finding, ev, now)
    _refresh(incident, finding, now)
    session.add(incident)
    if incident.status == "watch":
        if finding.trigger in joining.SPREAD:  # a watched complaint turned into a spreading one
            incident.trigger, incident.title, incident.status = finding.trigger, finding.title, "open"
            incident.severity, incident.reason = max(incident.severity, finding.severity), finding.reason
            incident.details = {**(incident.details or {}), "paged_at": now.isoformat()}  # unacked from now
            _crossed_bar(settings, incident)
            return _told(announce(incident, "opened", finding.reason,
                                  f"opened #{incident.id} [{brand.id}] sev {incident.severity} {finding.trigger}"
                                  f" (was watched): {finding.reason}"))
        reason = watchlist.page_reason(session, settings, brand, incident, now)
        return _promote(incident, reason, now) if reason else []
    if finding.trigger in joining.INDIVIDUAL:  # a facet of the event, not paged on its own; a big customer's
        told = joined.big_customer_joined(session, settings, brand, incident, finding, now)  # threat told once
        if not told and new_person and not ev.people & set(joined_fold.pending(incident)):  # the rest: next update
            quiet_joins.note(incident, finding.trigger)
        return told
    crossed = _crossed_bar(settings, incident)
    severity = max(finding.severity, min(4, incident.severity + 1) if crossed else 0)
    escalated = severity > incident.severity
    if escalated:
        incident.severity, incident.status = severity, "escalated"
    if not (escalated or new_facet or crossed):
        return []
    summary = what_changed(incident, before, finding.trigger if new_facet else "", why)
    if crossed:
        summary += f"; far beyond normal ({settings.detection.budget_exempt_people}+ people, twice the usual or more)"
    event = "escalated" if escalated else "updated"
    return _told(announce(incident, event, summary, f"{event} #{incident.id} [{brand.id}] sev {incident.severity}: "
                                                    f"{summary}"))


def _crossed_bar(settings: Settings, incident: Incident) -> bool:
    """True the first time an incident the page budget held (``details["held"]``, set by the pipeline) is past
    the page bar (``page_bar``): news worth a step of severity, so it pages. Remembered in its details."""
    details = incident.details or {}
    if details.get("past_bar") or not page_bar.incident_past_the_bar(incident, settings.detection.budget_exempt_people):
        return False
    incident.details = {**details, "past_bar": True}
    return bool(details.get("held"))


def _refresh(incident: Incident, finding: Finding, now: datetime) -> None:
    if finding.mentions >= incident.mention_count:  # keep the peak's numbers, not the fading tail's
        incident.reason = finding.reason
    join = (incident.details or {}).get("join", {})
    people = len(set(join.get("people", [])) | set(join.get("spike_people", [])))  # a spike's crowd counts too
    spread = finding.trigger in joining.SPREAD
    incident.mention_count = max(incident.mention_count, finding.mentions)
    incident.author_count = max(incident.author_count, finding.authors, people if spread else 0)
    known = list(incident.example_mention_ids or [])
    incident.example_mention_ids = (known + [i for i in finding.mention_ids if i not in known])[:20]
    incident.details = {**(incident.details or {}), finding.trigger: finding.details}
    incident.updated_at = incident.last_activity_at = now
    if incident.status == "open" and incident.mention_count > finding.mentions:
        incident.status = "growing"


def _told(change: IncidentChange | None) -> list[IncidentChange]:
    return [change] if change is not None else []


def _promote(incident: Incident, reason: str, now: datetime) -> list[IncidentChange]:
    """A watched individual trigger now matters: it opens as a page."""
    unanswered = "not answered" in reason
    incident.status = "open"
    incident.severity = min(4, incident.severity + unanswered)
    incident.reason += f"; {reason}"
    incident.details = {**(incident.details or {}), "paged_at": now.isoformat(), "unanswered": unanswered or None}
    return _told(announce(incident, "opened", f"Worth your attention now: {reason}",
                          f"opened #{incident.id} [{incident.brand_id}] sev {incident.severity} "
                          f"{incident.trigger} (was watched): {reason}"))


def _review_watch(session: Session, settings: Settings, brand: BrandSettings, now: datetime,
                  checked: list[Incident]) -> list[IncidentChange]:
    """Every pass reviews every watched incident due now (``due``; added to ``checked``): only the columns the
    review reads are loaded (the rest load for the rare one that pages), and only the examples ``page_reason`` will
    look at (one query for all), their reactions counted together (a statement per 64 posts, not one per post). Repeat
    complainers, most of the watch list, are loaded only once they could be unanswered (``page_reason`` gives
    them "" before that, and loading them was most of a backtest's review)."""
    since = watchlist.repeat_complainers_due(session, settings, brand.id, now)
    watched = queries.fetch(session, queries.watched(), brand=brand.id, repeat_before=since, now=now)
    checked.extend(watched)
    examples = watchlist.examples_of(session, [i for i in watched if watchlist.reads_examples(session, settings, i,
                                                                                                now)])
    counts = watchlist.watched_reactions(session, watched, examples)  # one count for every high-reach post
    changes = []
    for incident in watched:
        if reason := watchlist.page_reason(session, settings, brand, incident, now, examples, counts):
            changes += _promote(incident, reason, now)
            session.add(incident)
    return changes


def _escalate_unanswered(session: Session, settings: Settings, brand: BrandSettings, now: datetime,
                         timed: queries.TimedChecks) -> list[IncidentChange]:
    """A paged customer the brand never answered is worth one more step of severity (once)."""
    paged = timed.paged_individuals()
    changes = []
    for incident in paged:
        if (incident.details or {}).get("unanswered") is not None:
            continue
        unanswered = watchlist.unanswered_note(session, settings, incident, now)
        if not unanswered and as_utc(incident.opened_at) > now - timedelta(
                minutes=settings.detection.response_target_minutes):
            continue
        incident.details = {**(incident.details or {}), "unanswered": unanswered}
        if unanswered:
            target = settings.detection.response_target_minutes
            incident.severity, incident.status = min(4, incident.severity + 1), "escalated"
            incident.reason += f"; not answered by the brand within {target} min"
            changes += _told(announce(incident, "escalated", f"Still not answered by the brand after {target} min",
                                      f"escalated #{incident.id} [{brand.id}]: unanswered for {target} min"))
        session.add(incident)
    return changes


def _end_snoozes(session: Session, brand: BrandSettings, now: datetime,
                 timed: queries.TimedChecks) -> list[IncidentChange]:
    """A snooze that ran out wakes the incident, and the channels that heard "snoozed" hear it (else Slack's
    headline says SNOOZED until the next news); any reminder it held back follows in this pass."""
    changes = []
    for incident in timed.snoozes_over(now):
        incident.snoozed_until = None
        session.add(incident)
        changes += _told(announce(incident, "woke", "The snooze is over: reminders and escalations page again",
                                  f"woke #{incident.id} [{brand.id}]: snooze over"))
    return changes


def _escalate_unacknowledged(settings: Settings, brand: BrandSettings, now: datetime,
                             timed: queries.TimedChecks) -> list[IncidentChange]:
    """Nobody said "I'm on it" in time: tell the next tier (once per incident and severity)."""
    minutes = settings.escalation.unacknowledged_minutes
    changes = []
    for incident in timed.unacknowledged():
        if incident.snoozed_until is not None and as_utc(incident.snoozed_until) > now:
            continue  # snoozed: the reminder comes when the snooze ends, if still nobody is on it
        paged_at = (incident.details or {}).get("paged_at")
        since = datetime.fromisoformat(paged_at) if paged_at else as_utc(incident.opened_at)
        if since <= now - timedelta(minutes=minutes):
            changes += _told(announce(incident, "unacknowledged", f"Nobody has acknowledged it for {minutes} min",
                                      f"unacknowledged #{incident.id} [{brand.id}] for {minutes} min: "
                                      "next tier told"))
    return changes


def _resolve_quiet(session: Session, settings: Settings, brand: BrandSettings, now: datetime,
                   timed: queries.TimedChecks) -> list[IncidentChange]:
    minutes = settings.detection.quiet_minutes
    changes = []
    for incident in timed.gone_quiet(now - timedelta(minutes=minutes)):
        watched = incident.status == "watch"
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", now, "auto (quiet)"
        session.add(incident)
        line = f"resolved #{incident.id} [{brand.id}] {incident.trigger} (quiet for {minutes} min)"
        if watched or not was_told(incident, "opened"):
            log.info("%s (watch list only)", line)
            continue
        joins = quiet_joins.told(incident)
        changes += _told(announce(incident, "resolved", f"Quiet for {minutes} min" + (f"; {joins}" if joins else ""),
                                  line))
    return changes


def source_health_changed(session: Session, state: SourceState, now: datetime) -> list[IncidentChange]:
    """A source that starts failing is an incident of its own, so ops hear it once, through the usual
    channels (route it with ``triggers = ["source_down"]``); its recovery resolves it."""
    current = session.exec(select(Incident).where(Incident.trigger == "source_down", Incident.status != "resolved",
                                                  col(Incident.key).startswith(f"source_down:{state.id}:"))).first()
    failing = state.status in ("failing", "auth_failed")
    if current is not None and failing:
        current.last_activity_at = current.updated_at = now
        current.reason = f"{state.consecutive_failures} failed polls in a row: {state.last_error}"
        session.add(current)
        return []
    if failing:
        incident = Incident(brand_id=state.brand_id, key=f"source_down:{state.id}:{now:%Y%m%dT%H%M%S}",
                            trigger="source_down", severity=3 if state.status == "auth_failed" else 2,
                            title=f"Source {state.id} is not collecting", reason=f"{state.last_error}",
                            opened_at=now, updated_at=now, last_activity_at=now,
                            facets={"source_down": {"since": now.isoformat(), "reason": f"{state.last_error}"}})
        session.add(incident)
        session.flush()
        return _told(announce(incident, "opened", f"{state.id} stopped collecting: {state.last_error}",
                              f"opened #{incident.id} [{state.brand_id}] source_down: {state.id}"))
    if current is not None:
        current.status, current.resolved_at, current.resolved_by = "resolved", now, "auto (source recovered)"
        incident_due.mark(current, now)  # resolved: never due again
        session.add(current)
        return _told(announce(current, "resolved", f"{state.id} is collecting again",
                              f"resolved #{current.id} [{state.brand_id}] source_down: {state.id} recovered"))
    return []
