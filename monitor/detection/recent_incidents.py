"""The incidents a finding may join, loaded once per detection pass and brand (issue #17).

Reloading every incident active in the join window for every finding (and decoding each one's people, words
and vector anew) was most of ``find_incident``'s cost. One pass runs in one session at one ``now``, so the
incidents it loads are the session's own objects: changes made during the pass are already on them. What
the pass opens, or pulls into the window by joining it (an old incident found by its key), is added with
``note``; ``current`` then gives what the query would return now, in its order (severity first, then id).

A replay's database (``sole_writer``: nothing but this process's detection passes changes its incidents) keeps a
brand's window from one committed pass to the next: the next pass of the brand takes the same objects into its
session before anything else is read (``for_pass``), so every query of the pass returns them as they stand, and
the window is the kept one less what went quiet before the new ``since``. Reading ~22 incidents through the ORM
on every pass was a sixteenth of a replay. A pass that does not commit keeps nothing (the next one reads anew).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.storage.tables import Incident


def query_recent(session: Session, brand_id: str, since: datetime) -> list[Incident]:
    """The brand's incidents active since ``since`` (source outages apart), most severe first."""
    return list(session.exec(_recent(), params={"brand": brand_id, "since": since}).all())


@cache
def _recent() -> Any:
    """``query_recent``'s statement, built once (each pass binds its brand and time)."""
    return (select(Incident).where(
        Incident.brand_id == bindparam("brand"), Incident.trigger != "source_down",
        Incident.last_activity_at >= bindparam("since"))
        .order_by(col(Incident.severity).desc(), col(Incident.id)))


Window = tuple[datetime, list[Incident]]  # (since, the incidents active since then)
_KEPT: WeakKeyDictionary[Engine, dict[str, Window]] = WeakKeyDictionary()  # sole writers' windows, by brand
_PASSES = "recent_incidents.passes"  # session.info: the views of the pass, kept when it commits


def sole_writer(engine: Engine) -> None:
    """Declare that ``engine``'s incidents change only through this process's detection passes, one at a time
    (a replay's own database): a brand's join window is then kept from one committed pass to the next."""
    _KEPT.setdefault(engine, {})


class RecentIncidents:
    """One pass's view of a brand's recent incidents; build one per pass (``detect_brand``), never keep it."""

    def __init__(self) -> None:
        self._loaded: tuple[str, datetime] | None = None
        self._incidents: list[Incident] = []
        self.queries = 0  # how many times the window was read from the database (tests, benchmarks)

    @classmethod
    def for_pass(cls, session: Session, brand_id: str) -> RecentIncidents:
        """The pass's view; on a ``sole_writer``'s database, the brand's window of its last committed pass is taken
        into ``session`` (call it before the pass reads anything) and this view's is kept when the session commits."""
        view, engine = cls(), _engine(session)
        kept = _KEPT.get(engine) if engine is not None else None
        if kept is None:
            return view
        window = kept.pop(brand_id, None)  # kept again only by a commit
        if window is not None and not (session.identity_map and any(  # (a pass's session starts empty)
                session.identity_key(instance=i) in session.identity_map for i in window[1])):
            since, incidents = window
            for incident in incidents:
                session.add(incident)  # unchanged since its commit: persistent in this session, as if read
            view._loaded, view._incidents = (brand_id, since), incidents
        session.info.setdefault(_PASSES, []).append((kept, view))
        return view

    def current(self, session: Session, brand_id: str, now: datetime, join_minutes: int) -> list[Incident]:
        """What ``query_recent`` would return now: loaded on first use, then kept up to date by ``note``."""
        since = now - timedelta(minutes=join_minutes)
        if self._loaded is not None and self._loaded[0] == brand_id and since > self._loaded[1]:
            self._incidents = [i for i in self._incidents if as_utc(i.last_activity_at) >= as_utc(since)]
            self._loaded = (brand_id, since)  # a kept window, moved on: what went quiet before ``since`` is out
        if self._loaded != (brand_id, since):
            self._incidents, self._loaded = query_recent(session, brand_id, since), (brand_id, since)
            self.queries += 1
        return sorted(self._incidents, key=lambda i: (-i.severity, i.id or 0))  # a pass moves none out

    def note(self, incident: Incident) -> None:
        """An incident this pass opened or changed (after its flush: it needs an id to be ordered)."""
        if self._loaded is not None and self._within(incident) and not any(i is incident for i in self._incidents):
            self._incidents.append(incident)

    def _within(self, incident: Incident) -> bool:
        assert self._loaded is not None
        brand_id, since = self._loaded
        return (incident.brand_id == brand_id and incident.trigger != "source_down"
                and as_utc(incident.last_activity_at) >= as_utc(since))


def sole_writing(session: Session) -> bool:
    """Whether the session's database was declared a ``sole_writer``'s (nothing else changes its incidents)."""
    engine = _engine(session)
    return engine is not None and engine in _KEPT


def _engine(session: Session) -> Engine | None:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return engine if isinstance(engine, Engine) else None


@event.listens_for(OrmSession, "after_commit")
def _keep(session: OrmSession) -> None:
    """A committed pass's windows (those it read or took) are what its next pass starts from."""
    for kept, view in session.info.pop(_PASSES, ()):
        if view._loaded is not None:
            kept[view._loaded[0]] = (view._loaded[1], list(view._incidents))


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget(session: OrmSession, _previous: Any) -> None:
    """A pass rolled back keeps nothing (its objects are expired; the next pass reads the window anew)."""
    session.info.pop(_PASSES, None)
