"""The pipeline's page budget applied to the brand detector's own findings, for benchmarks that replay the detector.

``monitor.pipeline.alerting`` decides, per incident, whether a first page goes out: within the rolling week's
``pages_per_week``, at ``budget_exempt_severity`` or more, or past the bar of ``monitor.detection.page_bar``
(``budget_exempt_people`` people, twice the usual or more). A held incident pages once later news about it
(an escalation, or crossing the bar) passes. Here findings join an incident as the pipeline joins them when
they share a key, or an example post within ``join_minutes`` (the pipeline also joins by people and words, so
this counts a few more incidents, never fewer). ``bar = 0`` is the old rule: the budget holds every page
below the exempt severity. Used by ``synthetic_spreads.py --budget``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.detection.page_bar import past_the_bar

WEEK_S = 7 * 86400.0


@dataclass
class _Incident:
    keys: set[str]
    refs: set[str]
    last: float
    severity: int
    people: float = 0.0
    usual: float = 0.0
    paged: bool = False
    past_bar: bool = False


@dataclass
class Budget:
    """One brand's incidents and first pages; ``offer`` each spread finding in time order."""

    pages_per_week: float
    bar: int
    exempt_severity: int = 4
    join_s: float = 7200.0
    incidents: list[_Incident] = field(default_factory=list)
    first_pages: list[float] = field(default_factory=list)
    held: int = 0

    def offer(self, t: float, key: str, severity: int, counts: dict[str, float], refs: tuple[str, ...]) -> bool:
        """True when this finding makes its incident page now (its first page)."""
        incident = self._join(t, key, refs)
        if incident is None:
            incident = _Incident({key}, set(refs), t, severity)
            self.incidents.append(incident)
            news = True
        else:
            news = severity > incident.severity
            incident.keys.add(key)
            incident.refs |= set(refs)
            incident.last, incident.severity = t, max(incident.severity, severity)
        incident.people = max(incident.people, counts.get("authors", 0.0), counts.get("total_authors", 0.0))
        incident.usual = max(incident.usual, counts.get("expected", 0.0))
        crossed = not incident.past_bar and past_the_bar(incident.people, incident.usual, self.bar)
        incident.past_bar |= crossed
        if incident.paged or not (news or crossed):
            return False
        if self._may_page(t, incident):
            incident.paged = True
            self.first_pages.append(t)
            return True
        self.held += 1
        return False

    def _may_page(self, t: float, incident: _Incident) -> bool:
        if incident.past_bar or incident.severity >= self.exempt_severity:
            return True
        return sum(1 for p in self.first_pages if p >= t - WEEK_S) + 1 <= self.pages_per_week

    def _join(self, t: float, key: str, refs: tuple[str, ...]) -> _Incident | None:
        for incident in reversed(self.incidents):
            if key in incident.keys or (incident.last >= t - self.join_s and incident.refs & set(refs)):
                return incident
        return None
