"""The story of an incident in one line, and the numbers that matter, from its stored record.

Plain words only: how many people, saying what, how far above normal. Internal statistics (scores,
thresholds, weights) stay in ``groundswell incidents show N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from alerts.base import ExamplePost
from alerts.escape import clean
from alerts.render import format_time
from monitor.storage.tables import Alert, Incident

SPREAD = ("spike", "story")
JOINED = "joined"  # a big customer joined the incident (``monitor.detection.joined``)


def facets(incident: Incident) -> tuple[str, ...]:
    """The primary trigger first, then every other facet in the order they joined."""
    others = [f for f in (incident.facets or {}) if f != incident.trigger]
    return (incident.trigger, *others)


def numbers(incident: Incident) -> dict[str, Any]:
    """People, mentions, reach and growth against normal; nothing for a source that stopped collecting."""
    if incident.trigger == "source_down":
        return {}
    details = incident.details or {}
    out: dict[str, Any] = {"people": incident.author_count}
    if not set(facets(incident)) & set(SPREAD):
        out["mentions"] = incident.mention_count
    reach = int((details.get("join") or {}).get("reach", 0) or 0)
    if reach:
        out["reach"] = reach
    spike = details.get("spike") or {}
    expected, people = spike.get("expected"), spike.get("authors")
    if isinstance(expected, int | float) and isinstance(people, int | float) and people:
        out["growth"] = round(float(people) / max(float(expected), 1.0), 1)
    return out


def _quote(examples: Sequence[ExamplePost]) -> str:
    if not examples:
        return ""
    text = clean(examples[0].text, 90, single_line=True)
    return f': "{text}"'


def headline(incident: Incident, counts: dict[str, Any], examples: Sequence[ExamplePost]) -> str:
    """"86 people complaining, 12x normal: "Is Brightwave down? ..."" and the like."""
    if incident.trigger == "source_down":
        return clean(f"{incident.title}: {incident.reason}", 200, single_line=True)
    kinds = set(facets(incident))
    people = counts.get("people", 0)
    if kinds & set(SPREAD):
        growth = counts.get("growth")
        what = "repeating one complaint" if "story" in kinds and "spike" not in kinds else "complaining"
        pace = f", {growth:.0f}x normal" if isinstance(growth, float) and growth >= 2 else ""
        return f"{people} people {what}{pace}{_quote(examples)}"
    return f"{incident.title}{_quote(examples)}"


def joined_posts(alert: Alert, incident: Incident) -> list[int]:
    """The posts of the big customers a ``joined`` alert is about: its person's (``details["joined"][person]``),
    or everyone its fold named (``["fold"]`` on the first of them, ``monitor.detection.joined_fold``)."""
    if alert.event != JOINED or not alert.about:
        return []
    joined = (incident.details or {}).get("joined") or {}
    entry = joined.get(alert.about) or {}
    fold = entry.get("fold") if isinstance(entry, dict) else None
    out = []
    for person in fold if isinstance(fold, list) and fold else [alert.about]:
        mention_id = (joined.get(person) or {}).get("mention_id") if isinstance(joined.get(person), dict) else None
        if isinstance(mention_id, int):
            out.append(mention_id)
    return out


def example_ids(alert: Alert, incident: Incident) -> list[int]:
    """The incident's example posts; a ``joined`` alert leads with the posts of the customers who joined."""
    first = joined_posts(alert, incident)
    return [*first, *(i for i in incident.example_mention_ids or [] if i not in first)]


def change(alert: Alert, incident: Incident, posted: datetime | None = None, timezone: str = "UTC") -> str:
    """What changed since the last update; a first message of a spreading incident needs none. A big customer
    who joined is said with the time they ``posted``, in the brand's timezone (a fold's examples show each)."""
    if alert.event == "opened" and incident.trigger in (*SPREAD, "source_down"):
        return ""
    stamp = (incident.details or {}).get(alert.event) if alert.event in ("acknowledged", "resolved") else None
    if not alert.summary and isinstance(stamp, str):  # `incidents ack/resolve`: "by dana at 2026-11-07 19:02 GMT"
        return f"{alert.event.capitalize()} {stamp}"
    if alert.summary and posted is not None:
        return f"{alert.summary} (posted {format_time(posted, timezone)})"
    return alert.summary or ""
