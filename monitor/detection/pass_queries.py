"""The detection pass's recurring queries, built once; each call binds the brand and the time.

Why: building a statement and computing its cache key cost more than running it on SQLite (~0.25 ms of
~0.55 ms), and a pass runs several of these per brand; a backtest runs a pass for most of its 5-minute
steps. The statements are the ones the pass built inline before (same conditions).

Each reads a brand's incidents by status, through the (brand_id, status) index (migration 0012): a brand's
resolved incidents pile up (a backtest week opens ~1,000), and walking all of them on every pass and for
every check grew with history. "Not resolved" is written as two ranges (``status < 'resolved' OR status >
'resolved'``, the same rows as ``!=`` for a NOT NULL column) so the index serves it too. The rows come back
ordered by id (``fetch``): in Python, because an ORDER BY id makes SQLite walk the brand's whole index in id
order instead (measured), and the order was the plan's before (id order on SQLite, none on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, cast, or_
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.detection.joining import INDIVIDUAL
from monitor.storage.tables import Incident

# what page_reason reads, and what ``due.due_at`` reads of a watched incident
REVIEWED = ("id", "brand_id", "trigger", "status", "opened_at", "example_mention_ids", "last_activity_at",
            "snoozed_until", "next_check_at")
PAGED = ("open", "growing", "escalated")


def fetch(session: Session, statement: Any, **params: Any) -> list[Incident]:
    """The statement's incidents in id order (the order the checks act, and so the order of their alerts)."""
    return sorted(session.exec(statement, params=params).all(), key=lambda i: i.id or 0)


def not_resolved() -> Any:
    """``status != 'resolved'`` as two index ranges (``status`` is NOT NULL, so the same rows)."""
    return or_(col(Incident.status) < "resolved", col(Incident.status) > "resolved")


@cache
def watched() -> Any:
    """The brand's watched incidents due by ``now`` (``due``), only the columns the review reads (the rest load for
    the rare one that pages); repeat complainers only if opened at ``repeat_before`` or earlier (none when None)."""
    review = load_only(*(getattr(Incident, c) for c in REVIEWED))
    return select(Incident).options(review).where(
        Incident.brand_id == bindparam("brand"), Incident.status == "watch",
        col(Incident.next_check_at) <= bindparam("now"),
        or_(col(Incident.trigger) != "repeat_complainer", col(Incident.opened_at) <= bindparam("repeat_before")))


@cache
def timed() -> Any:
    """What the timers after the watch review may act on, in one read: the brand's paged incidents, snoozed ones,
    and those quiet since ``since``, of those due by ``now`` (``due``; ``TimedChecks`` then picks each check's rows
    as its own query did)."""
    return select(Incident).where(Incident.brand_id == bindparam("brand"), not_resolved(),
                                  col(Incident.next_check_at) <= bindparam("now"), or_(
        col(Incident.status).in_(PAGED), col(Incident.snoozed_until).is_not(None),
        Incident.last_activity_at < bindparam("since")))


class TimedChecks:
    """The rows each timed check's own query gave (paged individuals, snoozes over, unacknowledged, gone quiet).

    Why: four queries per brand and pass, each mostly finding nothing, were a twentieth of a backtest's replay.
    ``timed`` reads once what any of them could return; each check then filters the session's objects as they
    stand when it runs (autoflush made the database say the same), in id order. Exact because the checks
    change only incidents already in the set (a paged one's severity and status, a snooze) and resolve none
    but the last; read it after the watch review, whose promotions make incidents paged. Only the incidents due by
    ``now`` are read (``due``: no check acts on the others yet), with those this pass changed (``extra``).
    """

    def __init__(self, session: Session, brand_id: str, since: datetime, now: datetime,
                 extra: Sequence[Incident] = ()) -> None:
        read = fetch(session, timed(), brand=brand_id, since=since, now=now)
        known = {id(i) for i in read}
        self.incidents = sorted([*read, *(i for i in extra if id(i) not in known and i.status != "resolved")],
                                key=lambda i: i.id or 0)

    def paged_individuals(self) -> list[Incident]:
        return [i for i in self.incidents if i.status in PAGED and i.trigger in INDIVIDUAL]

    def snoozes_over(self, now: datetime) -> list[Incident]:
        return [i for i in self.incidents if i.status != "resolved" and i.snoozed_until is not None
                and as_utc(i.snoozed_until) <= now]

    def unacknowledged(self) -> list[Incident]:
        return [i for i in self.incidents if i.status in PAGED and i.acked_by is None and i.severity >= 2]

    def gone_quiet(self, since: datetime) -> list[Incident]:
        return [i for i in self.incidents if i.status != "resolved" and as_utc(i.last_activity_at) < since]


def fetch_ids(session: Session, statement: Any, **params: Any) -> list[Incident]:
    """``fetch`` for a statement of incident ids (Core, on the session's connection), the incidents then from the
    session: for a check that most passes find nothing for, whose empty ORM query cost twice the plain one.
    The session is flushed first, as the ORM query's autoflush did."""
    if session.autoflush:
        session.flush()
    ids = sorted(session.connection().execute(statement, params).scalars().all())
    return [i for i in (session.get(Incident, n) for n in ids) if i is not None]


@cache
def folds() -> Any:
    """The ids of the brand's unresolved incidents with big customers waiting in a fold (``joined_fold``), by the
    index: a text match alone would walk the brand's whole history on every pass (``fetch_ids``)."""
    return select(col(Incident.id)).where(Incident.brand_id == bindparam("brand"), not_resolved(),
                                          cast(col(Incident.details), String).like('%"joined_fold"%'))
