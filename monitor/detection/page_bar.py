"""The bar above which an incident pages whatever the weekly page budget: the budget holds weak evidence only.

Why: a budget of ``detection.pages_per_week`` keeps false pages rare, but a budget already spent on two
marginal pages must never swallow a real spreading complaint. Real events are unmistakable in one number:
many people complaining at once, far more than usual. A spike or story incident with at least
``detection.budget_exempt_people`` complaining people, and at least twice the number usual for the time
(a spike's expected count; a story has no usual level), is *past the bar*. Crossing it later is news of its
own (one step of severity, ``incidents``), so an incident first held for the digest pages once it gets there.
Pure functions on counts, so benchmarks that replay the detector alone apply the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.storage.tables import Incident

SPREAD_FACETS = ("spike", "story")


def past_the_bar(people: float, usual: float, bar: int) -> bool:
    """Enough people, and at least twice the usual number: no marginal spike of a big brand gets through."""
    return bar > 0 and people >= bar and people >= 2.0 * usual


def usual_people(details: Mapping[str, Any]) -> float:
    """The most people expected in a spike window of this incident (0 when it has no spike facet)."""
    spike = details.get("spike")
    expected = spike.get("expected", 0.0) if isinstance(spike, Mapping) else 0.0
    return float(expected) if isinstance(expected, int | float) else 0.0


def incident_past_the_bar(incident: Incident, bar: int) -> bool:
    """A spreading incident (spike or story facet) with enough people beyond the usual level."""
    facets = set(incident.facets or {}) | {incident.trigger}
    if incident.status == "watch" or not facets & set(SPREAD_FACETS):
        return False
    return past_the_bar(incident.author_count, usual_people(incident.details or {}), bar)
