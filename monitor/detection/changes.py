"""What detection tells the pipeline: typed incident changes, never alerts or outbox rows.

Detection decides *that* something changed (an incident opened, escalated, gained a facet, was joined by
a customer who would have paged on their own, was not acknowledged, resolved) and says *what* changed in
plain words; the pipeline turns each change into an ``Alert`` and its deliveries in the same transaction
(``monitor.pipeline.alerting``), applying the per-brand page budget. Keeping detection free of ``alerts``
lets it run in backtests and workers alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.storage.tables import Incident

EVENTS = ("opened", "escalated", "updated", "joined", "unacknowledged", "resolved", "woke")


@dataclass(frozen=True)
class IncidentChange:
    """One piece of news about one incident."""

    incident_id: int
    brand_id: str
    event: str  # one of EVENTS
    severity: int
    summary: str  # what changed since the last update, plain words
    line: str  # one line for logs and the CLI
    about: str = ""  # "platform:author_id" when the news is one person's (``joined``): told once per person

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown incident event {self.event!r}")


def announce(incident: Incident, event: str, summary: str, line: str) -> IncidentChange | None:
    """A change, unless this incident already announced this event at this severity (news is told once)."""
    details = dict(incident.details or {})
    told = list(details.get("told", []))
    mark = f"{event}:{incident.severity}"
    if mark in told:
        return None
    details["told"] = told + [mark]
    details["last_told"] = {"people": incident.author_count, "mentions": incident.mention_count,
                            "severity": incident.severity, "facets": sorted(incident.facets or {})}
    incident.details = details
    return IncidentChange(incident.id or 0, incident.brand_id, event, incident.severity, summary[:500], line[:1000])


def announce_person(incident: Incident, event: str, person: str, summary: str, line: str) -> IncidentChange | None:
    """News about one person in this incident (``joined``), told once per person whatever the severity."""
    details = dict(incident.details or {})
    told = list(details.get("told", []))
    mark = f"{event}:{person}"
    if mark in told:
        return None
    incident.details = {**details, "told": told + [mark]}
    return IncidentChange(incident.id or 0, incident.brand_id, event, incident.severity, summary[:500], line[:1000],
                          about=person)


def was_told(incident: Incident, event: str) -> bool:
    return any(str(mark).startswith(f"{event}:") for mark in (incident.details or {}).get("told", []))
