"""A wave that is still elevated keeps its incident active: the incident layer's side of ``wave_thread``.

Why (issue #12): the detector says every hour that a paged wave goes on (``wave_thread.WaveThread.tick``), so its
incident does not resolve as quiet while the surge lasts, and a story retelling it can still join it. That finding
is no news: it moves the incident's last activity and nothing else. It brings no examples, people or words (the
complaints of any one hour of a long wave are about anything, and would tie unrelated stories to it) and no alert.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from monitor.detection.changes import IncidentChange
from monitor.detection.joining import same_key
from monitor.detection.recent_incidents import RecentIncidents
from monitor.detection.simple_rules import Finding
from monitor.storage.tables import Incident

STILL = "still"  # the count that marks the detector's "the wave goes on" finding


def goes_on(finding: Finding) -> bool:
    """The detector's hourly word that a paged wave is still elevated (not a finding to open or join with)."""
    return finding.trigger == "spike" and bool(finding.details.get(STILL))


def keep_active(session: Session, finding: Finding, now: datetime,
                view: RecentIncidents | None) -> list[IncidentChange]:
    """The wave's incident, unless resolved, is active as of ``now``; nothing is told."""
    found = session.connection().execute(same_key(), {"key": finding.key}).scalar()
    incident = session.get(Incident, found) if found is not None else None
    if incident is not None and incident.status != "resolved":
        incident.last_activity_at = now
        session.add(incident)
        if view is not None:
            view.note(incident)
    return []
