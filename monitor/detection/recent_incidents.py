"""The incidents a finding may join, loaded once per detection pass and brand (issue #17).

Reloading every incident active in the join window for every finding (and decoding each one's people, words
and vector anew) was most of ``find_incident``'s cost. One pass runs in one session at one ``now``, so the
incidents it loads are the session's own objects: changes made during the pass are already on them. What
the pass opens, or pulls into the window by joining it (an old incident found by its key), is added with
``note``; ``current`` then gives what the query would return now, in its order (severity first, then id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam
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


class RecentIncidents:
    """One pass's view of a brand's recent incidents; build one per pass (``detect_brand``), never keep it."""

    def __init__(self) -> None:
        self._loaded: tuple[str, datetime] | None = None
        self._incidents: list[Incident] = []
        self.queries = 0  # how many times the window was read from the database (tests, benchmarks)

    def current(self, session: Session, brand_id: str, now: datetime, join_minutes: int) -> list[Incident]:
        """What ``query_recent`` would return now: loaded on first use, then kept up to date by ``note``."""
        since = now - timedelta(minutes=join_minutes)
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
