"""People who joined an incident quietly, told in its next update ("4 more customers threatening to leave joined").

Why (issue #12: one event, one thread; every page counts against the brand's budget): a churn threat, a repeat
complainer or a high-reach complaint from someone inside an open spike, wave or story joins that incident as a facet
(``thread_home``, ``joining``) and pages nothing of its own, unless it is a big customer's threat (``joined``: told at
once). The others are still news for the people on the incident, so they are counted here
(``details["quiet_joins"]``: trigger -> how many since the last update) and the incident's next update or its
resolution says how many joined, then the count starts again.
"""

from __future__ import annotations

from monitor.storage.tables import Incident

KEY = "quiet_joins"
WORDS = {"churn_threat": ("customer threatening to leave", "customers threatening to leave"),
         "high_reach": ("big account complaining", "big accounts complaining"),
         "repeat_complainer": ("customer complaining again and again", "customers complaining again and again")}


def note(incident: Incident, trigger: str) -> None:
    """One more person joined the incident with this trigger, not told on their own."""
    counts = dict((incident.details or {}).get(KEY) or {})
    counts[trigger] = int(counts.get(trigger, 0)) + 1
    incident.details = {**(incident.details or {}), KEY: counts}


def told(incident: Incident) -> str:
    """"3 more customers threatening to leave joined" (one part per trigger; "" when none), and the count is reset:
    call it only for an update that is sent."""
    counts = (incident.details or {}).get(KEY) or {}
    if not counts:
        return ""
    incident.details = {k: v for k, v in (incident.details or {}).items() if k != KEY}
    parts = [f"{n} more {WORDS.get(t, (t, t))[n != 1]}" for t, n in sorted(counts.items()) if int(n) > 0]
    return (", ".join(parts) + " joined") if parts else ""
