"""A wave that is still elevated keeps its incident active: the incident layer's side of ``wave_thread``.

Why (issue #12): the detector says every hour that a paged wave goes on (``wave_thread.WaveThread.tick``), so its
incident does not resolve as quiet while the surge lasts, and a story retelling it can still join it. That finding
is no news: it moves the incident's last activity and nothing else. It brings no examples, people or words (the
complaints of any one hour of a long wave are about anything, and would tie unrelated stories to it) and no alert.

The wave's incident is found by the wave's key: its own key, or one of the keys it took in (``details["join"]``),
as when the wave's page joined an incident already open (a customer on the watch list, say).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session

from monitor.detection.changes import IncidentChange
from monitor.detection.recent_incidents import RecentIncidents, query_recent
from monitor.detection.simple_rules import Finding
from monitor.storage.tables import Incident

STILL = "still"  # the count that marks the detector's "the wave goes on" finding (wave_thread.STILL)
MAX_KEYS = 50  # keys an incident keeps for joining
SPREAD_KEYS = ("spike:", "story:")
_INCIDENTS: Any = Incident.__table__  # type: ignore[attr-defined]


@cache
def _by_key() -> Any:
    return core_select(_INCIDENTS.c.id).where(_INCIDENTS.c.key == bindparam("key"))


def goes_on(finding: Finding) -> bool:
    """The detector's hourly word that a paged wave is still elevated (not a finding to open or join with)."""
    return finding.trigger == "spike" and bool(finding.details.get(STILL))


def keyed(session: Session, key: str, recent: list[Incident]) -> Incident | None:
    """The unresolved incident with this key, or among ``recent`` the first that took it in."""
    found = session.connection().execute(_by_key(), {"key": key}).scalar()
    incident = session.get(Incident, found) if found is not None else None
    if incident is None:
        incident = next((i for i in recent if key in (i.details or {}).get("join", {}).get("keys", [])), None)
    return incident if incident is not None and incident.status != "resolved" else None


def kept_keys(keys: list[str]) -> list[str]:
    """The keys an incident keeps: the last ``MAX_KEYS``, one person's trigger dropped before a spike's or a story's
    (a long wave takes in dozens of churn threats in a day; its own key must stay, or a later story retelling it
    cannot find it)."""
    keys = list(keys)
    while len(keys) > MAX_KEYS:
        keys.remove(next((k for k in keys if not k.startswith(SPREAD_KEYS)), keys[0]))
    return keys


def keep_active(session: Session, brand_id: str, finding: Finding, now: datetime, join_minutes: int,
                view: RecentIncidents | None) -> list[IncidentChange]:
    """The wave's incident, unless resolved, is active as of ``now``; nothing is told."""
    recent = (view.current(session, brand_id, now, join_minutes) if view is not None
              else query_recent(session, brand_id, now - timedelta(minutes=join_minutes)))
    incident = keyed(session, finding.key, recent)
    if incident is not None:
        incident.last_activity_at = now
        session.add(incident)
        if view is not None:
            view.note(incident)
    return []
