"""Big customers who joined an incident but were not paged about: named in the daily digest (issue #12).

A ``joined`` update is held when the page budget is spent (or the thread never paged, or the incident is
snoozed): recorded with ``paged = False``. A big customer can also still wait in an incident's fold at digest
time (``monitor.detection.joined_fold``). Either way the analyst reading the digest learns who they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from monitor.detection import joined_fold
from monitor.storage.tables import Alert, Incident, Mention

HELD = "held by the page budget, not paged"
WAITING = "waiting for the incident's next update"


@dataclass(frozen=True)
class HeldJoin:
    """One big customer the digest names: which incident they joined, who they are, what they said, and why
    nobody was paged about them."""

    incident_id: int
    handle: str
    followers: int | None
    text: str
    why: str


def _people(alert: Alert, joined: dict[str, Any]) -> list[str]:
    entry = joined.get(alert.about) or {}
    fold = entry.get("fold") if isinstance(entry, dict) else None
    return [str(p) for p in fold] if isinstance(fold, list) and fold else [alert.about]


def held_joins(session: Session, incidents: Sequence[Incident], start: datetime, end: datetime) -> list[HeldJoin]:
    """Every big customer of these incidents whose ``joined`` update was held on the day [start, end), and
    every one still waiting in a fold."""
    by_id = {i.id: i for i in incidents if i.id is not None}
    held = session.exec(select(Alert).where(col(Alert.incident_id).in_(list(by_id) or [-1]), Alert.event == "joined",
                                            Alert.paged == False, Alert.about != "",  # noqa: E712
                                            Alert.created_at >= start, Alert.created_at < end)
                        .order_by(col(Alert.id))).all()
    wanted: list[tuple[int, str, str]] = []
    for alert in held:
        joined = (by_id[alert.incident_id].details or {}).get("joined") or {}
        wanted += [(alert.incident_id, p, HELD) for p in _people(alert, joined)]
    for incident in by_id.values():
        wanted += [(incident.id or 0, p, WAITING) for p in joined_fold.pending(incident)]
    return _named(session, by_id, wanted)


def _named(session: Session, by_id: dict[int, Incident], wanted: list[tuple[int, str, str]]) -> list[HeldJoin]:
    if not wanted:
        return []  # no mentions query on an ordinary day (the digest's mention queries all use the brand index)
    ids: dict[tuple[int, str], int] = {}
    for incident_id, person, _ in wanted:
        entry = ((by_id[incident_id].details or {}).get("joined") or {}).get(person)
        if isinstance(entry, dict) and isinstance(entry.get("mention_id"), int):
            ids[(incident_id, person)] = entry["mention_id"]
    rows = {m.id: m for m in session.exec(select(Mention).where(col(Mention.id).in_(list(ids.values()) or [-1])))}
    out = []
    for incident_id, person, why in wanted:
        mention = rows.get(ids.get((incident_id, person), -1))
        handle = mention.author_handle if mention else person.split(":", 1)[-1]
        out.append(HeldJoin(incident_id, handle, mention.author_followers if mention else None,
                            mention.text if mention else "", why))
    return out
