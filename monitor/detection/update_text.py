"""What an incident's update says changed: people, a new facet and why it joined, severity, who joined quietly.

Kept apart from ``incidents`` (which builds the updates) so the wording lives in one small place.
"""

from __future__ import annotations

from monitor.detection import quiet_joins
from monitor.storage.tables import Incident

FACET_WORDS = {"spike": "negative mentions spiking", "story": "one complaint repeated by many people",
               "churn_threat": "a customer threatening to leave", "high_reach": "a complaint from a big account",
               "repeat_complainer": "a customer complaining again and again", "source_down": "a source not collecting"}
SEVERITY_WORDS = {1: "low", 2: "medium", 3: "high", 4: "critical"}


def what_changed(incident: Incident, before: tuple[int, int], facet: str, why: str) -> str:
    """"Now 27 people (was 10); also negative mentions spiking (the same people); severity now critical (was
    medium)"."""
    parts = []
    if incident.author_count != before[1]:
        parts.append(f"now {incident.author_count} people (was {before[1]})")
    if facet:
        parts.append(f"also {FACET_WORDS.get(facet, facet)}" + (f" ({why})" if why else ""))
    if incident.severity != before[0]:
        parts.append(f"severity now {SEVERITY_WORDS.get(incident.severity)} (was {SEVERITY_WORDS.get(before[0])})")
    if joins := quiet_joins.told(incident):
        parts.append(joins)
    text = "; ".join(parts) or "more of the same"
    return text[0].upper() + text[1:]
