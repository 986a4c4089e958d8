"""Where each injected incident post of the soak went, read from the service's database after the run (issue #17).

An email naming the post (``LATk``) is a page of its own. A post without one is not necessarily lost: its
person may have joined an incident already open (a story of many people saying "terrible, cancelling" is one
event, ``monitor.detection.joining``: a facet, noted, not paged on its own), the weekly budget may hold it
for the digest, or it may still be on the watch list. Only what none of these explain counts as lost.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

INDIVIDUAL = ("churn_threat", "high_reach", "repeat_complainer")
LOST = ("not_ingested", "no_incident", "not_paged", "undelivered")
PENDING_S = 180  # a post this close to the end may not have been polled yet


def _epoch(value: str | None) -> float | None:
    """SQLite stores naive UTC datetimes."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp() if value else None


def _incidents(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("select id, key, trigger, status, details from incidents").fetchall()
    out = []
    for id_, key, trigger, status, details in rows:
        data = json.loads(details) if details else {}
        out.append({"id": id_, "key": key, "trigger": trigger, "status": status, "held": bool(data.get("held")),
                    "people": set(data.get("join", {}).get("people", [])),
                    "waiting": set((data.get("joined_fold") or {}).get("people") or [])})
    return out


def _pages(db: sqlite3.Connection) -> dict[int, list[tuple[str, float | None]]]:
    """Per incident: (event, sent at) of every alert that paged, in order."""
    pages: dict[int, list[tuple[str, float | None]]] = {}
    for incident_id, event, sent in db.execute(
            "select a.incident_id, a.event, min(o.sent_at) from alerts a left join outbox o on o.alert_id = a.id "
            "where a.paged = 1 group by a.id order by a.created_at"):
        pages.setdefault(incident_id, []).append((event, _epoch(sent)))
    return pages


def _own_outcome(incident: dict[str, Any], pages: list[tuple[str, float | None]]) -> str:
    if incident["status"] == "watch":
        return "watched"
    if incident["held"] or not pages:
        return "held_by_budget" if incident["held"] else "not_paged"
    return "paged_not_seen" if any(sent for _, sent in pages) else "undelivered"


def classify(db_path: Path, posted: dict[int, float], arrived: dict[int, float], end: float,
             named: dict[int, float] | None = None) -> dict[int, dict[str, Any]]:
    """Per post number: ``outcome`` and, for a post that joined an open incident, that incident and how long
    until its thread paged next (``update_after_s``; None: no page after the post). ``named``: when an email
    first named the post's author (``@bigK``, issue #12: a folded update names people without their whole post),
    given as ``named_after_s``."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        incidents, pages = _incidents(db), _pages(db)
        out: dict[int, dict[str, Any]] = {}
        for k, at in posted.items():
            if k in arrived:
                out[k] = {"outcome": "paged"}
            else:
                row = db.execute("select platform, author_id from mentions where text like ?",
                                 (f"% LAT{k}",)).fetchone()
                out[k] = _where(k, at, row, incidents, pages, end)
            if named is not None:
                out[k]["named_after_s"] = round(named[k] - at, 1) if k in named else None
        return out
    finally:
        db.close()


def joined_updates(db_path: Path) -> dict[str, Any]:
    """Per incident: its "big customer joined" updates (paged, and held for the digest), and how many people
    they named (a folded update names several: ``details["joined"][first]["fold"]``)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        details = {i: json.loads(d) if d else {} for i, d in db.execute("select id, details from incidents")}
        out: dict[str, Any] = {}
        for incident_id, about, paged in db.execute(
                "select incident_id, about, paged from alerts where event = 'joined' order by id"):
            entry = ((details.get(incident_id) or {}).get("joined") or {}).get(about) or {}
            people = len(entry.get("fold") or [about])
            row = out.setdefault(str(incident_id), {"updates": 0, "held": 0, "people": 0,
                                                    "waiting": len(((details.get(incident_id) or {})
                                                                    .get("joined_fold") or {}).get("people") or [])})
            row["updates" if paged else "held"] += 1
            row["people"] += people
        return out
    finally:
        db.close()


def _where(k: int, at: float, row: tuple[str, str] | None, incidents: list[dict[str, Any]],
           pages: dict[int, list[tuple[str, float | None]]], end: float) -> dict[str, Any]:
    late = at >= end - PENDING_S
    if row is None:
        return {"outcome": "pending_at_end" if late else "not_ingested"}
    person = f"{row[0]}:{row[1]}"
    own = [i for i in incidents if i["trigger"] in INDIVIDUAL and i["key"].endswith(f":{person}")]
    joined = [i for i in incidents if person in i["people"] and i not in own]
    if own and pages.get(own[0]["id"]):  # its own page came first; joining a story later is news for that thread
        return {"outcome": _own_outcome(own[0], pages[own[0]["id"]]), "incident": own[0]["id"]}
    if joined:
        incident = joined[0]
        after = [sent - at for _, sent in pages.get(incident["id"], []) if sent is not None and sent >= at]
        return {"outcome": "joined", "incident": incident["id"], "trigger": incident["trigger"],
                "update_after_s": round(min(after), 1) if after else None,
                **({"waiting_in_fold": True} if person in incident["waiting"] else {})}
    if not own:
        return {"outcome": "pending_at_end" if late else "no_incident"}
    outcome = _own_outcome(own[0], pages.get(own[0]["id"], []))
    return {"outcome": "pending_at_end" if late and outcome in LOST else outcome, "incident": own[0]["id"]}


def summary(where: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Counts per outcome, and the posts that nothing explains (lost)."""
    counts: dict[str, int] = {}
    for item in where.values():
        counts[item["outcome"]] = counts.get(item["outcome"], 0) + 1
    joined = [w for w in where.values() if w["outcome"] == "joined"]
    naming = [k for k, w in where.items() if "named_after_s" in w and w["outcome"] != "pending_at_end"]
    waiting = sorted(k for k in naming if where[k].get("waiting_in_fold"))  # its update is not due yet: not lost
    extra = {"named_in_an_email": sum(where[k]["named_after_s"] is not None for k in naming),
             "not_named": sorted(k for k in naming if where[k]["named_after_s"] is None and k not in waiting),
             "waiting_in_fold_at_end": waiting} if naming else {}
    return {"outcomes": dict(sorted(counts.items())), **extra,
            "joined_incidents": sorted({w["incident"] for w in joined}),
            "joined_with_a_later_page": sum(w["update_after_s"] is not None for w in joined),
            "lost": sorted(k for k, w in where.items() if w["outcome"] in (*LOST, "paged_not_seen"))}
