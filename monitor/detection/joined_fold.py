"""Big customers joining one incident, folded: the first is told at once, the next ones wait and go as one update.

A story that many big customers join would otherwise page once per person (24 emails in 12 minutes in the
soak, issue #12). So after a ``joined`` update, the big customers who join the same incident within
``detection.joined_fold_minutes`` (default 10; 0: no folding) wait in ``details["joined_fold"]``
(``{"due": ..., "people": [...]}``) and, once that window is over, go out as one update naming them all
(``monitor.detection.joined.flush_due``). Each person is still told once: they are marked told when they are
folded (``changes.announce_person``), and the fold is emptied in the same transaction that records its alert,
so a pass that dies before its commit leaves the fold pending for the next one: nothing lost, nothing doubled.

State in ``Incident.details``: ``joined_last`` (when the last ``joined`` update was recorded), ``joined_fold``
(the people waiting) and, on the first person of a sent fold, ``joined[person]["fold"]``: everyone that update
named, in order (``alerts.story.joined_posts`` leads the message with their posts).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.clock import as_utc
from monitor.storage.tables import Incident

PENDING = "joined_fold"
LAST = "joined_last"


def _when(value: Any) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(str(value))) if value else None
    except ValueError:
        return None


def pending(incident: Incident) -> list[str]:
    """The people waiting to be told in this incident's next ``joined`` update."""
    fold = (incident.details or {}).get(PENDING) or {}
    people = fold.get("people") if isinstance(fold, dict) else None
    return [str(p) for p in people] if isinstance(people, list) else []


def due(incident: Incident) -> datetime | None:
    fold = (incident.details or {}).get(PENDING) or {}
    return _when(fold.get("due")) if isinstance(fold, dict) else None


def hold(incident: Incident, person: str, minutes: int, now: datetime) -> bool:
    """Fold ``person`` into the incident's next update (True) when one is waiting, or when the last ``joined``
    update was less than ``minutes`` ago; False: tell them now."""
    details = dict(incident.details or {})
    waiting = pending(incident)
    last = _when(details.get(LAST))
    if waiting:
        when = due(incident) or now
    elif minutes > 0 and last is not None and now < last + timedelta(minutes=minutes):
        when = last + timedelta(minutes=minutes)
    else:
        return False
    incident.details = {**details, PENDING: {"due": when.isoformat(), "people": [*waiting, person]}}
    return True


def mark_told(incident: Incident, now: datetime) -> None:
    """A ``joined`` update is recorded now: the next window of folding starts here."""
    incident.details = {**(incident.details or {}), LAST: now.isoformat()}


def is_due(incident: Incident, now: datetime) -> bool:
    """The fold goes out when its window is over, or at once when the incident was resolved meanwhile."""
    when = due(incident)
    return bool(pending(incident)) and (incident.status == "resolved" or when is None or when <= now)


def take(incident: Incident, now: datetime) -> list[str]:
    """Empty the fold: its people, first one leading (``joined[first]["fold"]`` names them all, in order)."""
    people = pending(incident)
    details = {k: v for k, v in (incident.details or {}).items() if k != PENDING}
    joined = dict(details.get("joined") or {})
    if people:
        lead = dict(joined.get(people[0]) or {})
        joined[people[0]] = {**lead, "fold": people}
    incident.details = {**details, "joined": joined, LAST: now.isoformat()}
    return people
