"""Making incidents due for the detection pass at once, from outside it (``Incident.next_check_at``).

Why: the pass reads only incidents whose ``next_check_at`` has come (``monitor.detection.due``) and sets the next
time itself after checking one. Anything else that changes what those checks would decide (an operator's snooze,
wake, acknowledgement or resolution, a source going down, a reaction to a watched post being stored) makes the
incident due now, so the next pass checks it as it would have before the column existed.

"Due now" is a mark before any real time: 2000-01-01 minus how far the writer's clock is past it, so each mark
differs from the one before. The pass sets an incident's next time only where ``next_check_at`` is still what it
read (``guarded_set``): a mark committed while a pass ran (PostgreSQL, read committed) is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col

from monitor.clock import as_utc
from monitor.storage.tables import Incident

MIRROR = datetime(2000, 1, 1, tzinfo=UTC)
NAMING = ("parent_id", "quoted_id", "reposted_id")  # a stored row naming a post may be a reaction to it
_INCIDENTS: Any = Incident.__table__  # type: ignore[attr-defined]


def due_now(now: datetime) -> datetime:
    """A mark earlier than any pass's time, later writers' marks earlier still (so each differs)."""
    return MIRROR - (as_utc(now) - MIRROR)


def mark(incident: Incident, now: datetime) -> None:
    """The incident is due at the next pass (None once resolved: no check acts on a resolved incident)."""
    incident.next_check_at = None if incident.status == "resolved" else due_now(now)


def reactions_stored(session: Session, brand_id: str, rows: Iterable[Mapping[str, Any]], now: datetime) -> None:
    """Stored rows that answer, quote or repost a post may be reactions to a watched high-reach complaint: its
    review (``watchlist.page_reason``) counts them, so the brand's watched high-reach incidents are due now."""
    if any(row.get(name) for row in rows for name in NAMING):
        session.execute(_reacted(), {"brand": brand_id, "mark": due_now(now)})


@cache
def _reacted() -> Any:
    return update(_INCIDENTS).where(_INCIDENTS.c.brand_id == bindparam("brand"), _INCIDENTS.c.status == "watch",
                                    _INCIDENTS.c.trigger == "high_reach").values(next_check_at=bindparam("mark"))


def mark_all(session: Session, brand_ids: list[str], now: datetime) -> None:
    """Every unresolved incident of these brands due now (the checks' settings changed, or a process started)."""
    session.execute(update(_INCIDENTS).where(col(Incident.brand_id).in_(brand_ids), _INCIDENTS.c.status != "resolved")
                    .values(next_check_at=due_now(now)))


def guarded_set(session: Session, changes: list[dict[str, Any]], guarded: bool = True) -> None:
    """``{"incident", "seen", "due"}``: set each incident's next time unless its ``next_check_at`` is no longer ``seen``
    (``guarded=False``: nothing else writes this database, set it whatever it is)."""
    if changes:
        session.connection().execute(_set(guarded), changes)


@cache
def _set(guarded: bool) -> Any:
    where = [_INCIDENTS.c.id == bindparam("incident")]
    if guarded:
        where.append(_INCIDENTS.c.next_check_at.is_not_distinct_from(bindparam("seen")))
    return update(_INCIDENTS).where(*where).values(next_check_at=bindparam("due"))
