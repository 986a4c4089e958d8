"""When the detection pass next needs to look at an incident: ``Incident.next_check_at`` (issue #17).

Why: every pass loaded every paged incident (reminders, unanswered escalation, quiet resolution) and every watched
one (the watch review) of each brand with one open, though almost none was due. ``due_at`` is the earliest time any
of those checks (``incidents.detect_brand``) may act on an incident as it stands: its quiet period ending, its snooze
ending, the reminder to acknowledge it, the response target of a paged customer, a watched repeat complainer's
response target (from then on every pass, as before: whether the brand answered can change at any time), a fold of
big customers going out. A watched high-reach complaint pages once its audience reacts: storing a reaction makes it
due (``monitor.storage.incident_due``); a watched churn threat pages only on what it is joined with (a join changes
it). The pass reads the incidents due by now plus those it changed itself (``touched``), and after its checks sets
the next time of each of them (``rearm``). Settings change the times, so the first pass of a process and a pass after
the checks' settings changed make every open incident due (``resync``): each is checked once and re-timed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from monitor.clock import as_utc
from monitor.detection import joined_fold
from monitor.detection.joining import INDIVIDUAL
from monitor.detection.recent_incidents import sole_writing
from monitor.settings import Settings
from monitor.storage import incident_due
from monitor.storage.tables import Incident

PAGED = ("open", "growing", "escalated")
_TOUCHED = "due.touched"  # session.info: the incidents this session flushed (new or changed), by identity
_SYNCED: dict[tuple[str, str], str] = {}  # (database, brand) -> the checks' settings its incidents are timed for


def due_at(incident: Incident, settings: Settings) -> datetime | None:
    """The earliest time a timed check or the watch review may act on this incident as it stands; None: never."""
    if incident.status == "resolved":
        return None
    cfg = settings.detection
    opened, target = as_utc(incident.opened_at), timedelta(minutes=cfg.response_target_minutes)
    snooze = as_utc(incident.snoozed_until) if incident.snoozed_until is not None else None
    times = [as_utc(incident.last_activity_at) + timedelta(minutes=cfg.quiet_minutes)]
    if snooze is not None:
        times.append(snooze)
    if incident.status == "watch":  # (never a fold: big customers are folded into spreading incidents only)
        if incident.trigger == "repeat_complainer" and cfg.response_target_minutes:
            times.append(opened + target)
        return min(times)
    if joined_fold.pending(incident):
        times.append(joined_fold.due(incident) or opened)
    if incident.status in PAGED:
        details = incident.details or {}
        if incident.trigger in INDIVIDUAL and details.get("unanswered") is None:
            times.append(opened + target)  # escalated or settled once, at the response target
        told = details.get("told") or []
        if incident.acked_by is None and incident.severity >= 2 and f"unacknowledged:{incident.severity}" not in told:
            paged = details.get("paged_at")
            since = as_utc(datetime.fromisoformat(paged)) if paged else opened
            reminder = since + timedelta(minutes=settings.escalation.unacknowledged_minutes)
            times.append(max(reminder, snooze) if snooze is not None else reminder)
    return min(times)


@event.listens_for(OrmSession, "before_flush")
def _note_touched(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Remember the incidents each flush writes: the pass's checks read them besides the due ones."""
    changed = [o for o in (*session.new, *session.dirty) if isinstance(o, Incident)]
    if changed:
        touched: dict[int, Incident] = session.info.setdefault(_TOUCHED, {})
        touched.update((id(o), o) for o in changed)


def touched(session: Session, brand_id: str) -> list[Incident]:
    """The brand's incidents this session wrote so far (flushed)."""
    if session.autoflush:
        session.flush()
    return [i for i in session.info.get(_TOUCHED, {}).values() if i.brand_id == brand_id and i.id is not None]


def rearm(session: Session, settings: Settings, brand_id: str, checked: list[Incident]) -> None:
    """Set the next time of every incident the pass checked (``checked``: those it read as due) or changed."""
    by_id = {i.id: i for i in [*checked, *touched(session, brand_id)] if i.id is not None}
    sole = sole_writing(session)  # a replay's own database: nothing else writes, so no mark can be overwritten
    changes = []
    for number, incident in sorted(by_id.items()):
        due, seen = due_at(incident, settings), incident.next_check_at
        changes.append({"incident": number, "seen": seen, "due": due})
        set_committed_value(incident, "next_check_at", due)
    incident_due.guarded_set(session, changes, guarded=not sole)
    session.info.pop(_TOUCHED, None)


def fingerprints(settings: Settings) -> dict[str, str]:
    """What the checks' times and the watch review's verdicts depend on in the settings, by brand."""
    common = json.dumps([settings.detection.model_dump(mode="json"), settings.escalation.model_dump(mode="json")],
                        sort_keys=True)
    return {b.id: f"{common}|{','.join(sorted(b.key_accounts))}" for b in settings.brands}


def unsynced(settings: Settings) -> list[str]:
    """The brands whose open incidents were timed by other settings (or by none, in this process)."""
    url = settings.database_url()
    return [brand for brand, mark in fingerprints(settings).items() if _SYNCED.get((url, brand)) != mark]


def resync(session: Session, brand_ids: list[str], now: datetime) -> None:
    """Make every open incident of these brands due now (then ``synced`` once committed)."""
    incident_due.mark_all(session, brand_ids, now)


def synced(settings: Settings, brand_ids: list[str]) -> None:
    """Remember the settings these brands' open incidents will be timed by (``resync`` committed)."""
    url, marks = settings.database_url(), fingerprints(settings)
    for brand_id in brand_ids:
        _SYNCED[url, brand_id] = marks[brand_id]


def forget_sync() -> None:
    """Tests: the next pass re-times every open incident, as a new process would."""
    _SYNCED.clear()
