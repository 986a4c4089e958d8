"""Which brands a detection pass must examine: work proportional to what changed (issue 17).

A pass over many brands used to cost a few queries and a transaction per brand even when nothing
happened. Now one statement finds the brands with mentions detection has not seen or with incidents
due for a check (``due``: an open incident's reminder, escalation, resolution or review whose time has come);
every other brand's warm detector is only moved on in memory (closing its 5-minute buckets,
which is what the full pass would do for it), and the full pass runs only if that finds something.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import union
from sqlmodel import Session, col, select

from monitor.detection import journal
from monitor.detection.brand_detector import Finding as DetectorFinding
from monitor.detection.warmup import warm_detector
from monitor.settings import BrandSettings, Settings
from monitor.storage.tables import Incident, Mention


def busy_brands(session: Session, now: datetime) -> set[str]:
    """Brands with scored mentions detection has not examined yet, or with incidents due by ``now``.

    The same conditions as ``findings.new_rows`` and the incident checks, across all brands in one
    statement (the unexamined rows are found through the ``detected_at`` index, the due incidents through
    ``ix_incidents_next_check_at``).
    """
    new_rows = select(Mention.brand_id).where(
        col(Mention.detected_at).is_(None), col(Mention.sentiment).is_not(None),
        Mention.is_brand_reply == False, Mention.posted_at <= now + timedelta(hours=1))  # noqa: E712
    return {str(b) for b in session.exec(union(new_rows, due_incidents(now))).scalars()}  # type: ignore[call-overload]


def due_incidents(now: datetime) -> Any:
    """The brands of the incidents due by ``now`` (``due``), by the ``next_check_at`` index."""
    return select(Incident.brand_id).where(col(Incident.next_check_at) <= now, Incident.status != "resolved")


def quiet_findings(settings: Settings, brand: BrandSettings, now: datetime) -> list[DetectorFinding] | None:
    """For a brand with nothing new and nothing open: its warm detector's findings from the passing time alone.

    ``[]`` means the pass has nothing to do for this brand; findings (a spike whose bucket just closed)
    go to the full pass. ``None``: no warm detector here (the full pass warms it from history).
    Call it inside ``advance_with_commit``, so a failed full pass puts the detector back.
    """
    if settings.detection.engine != "adaptive":
        return None
    detector = warm_detector(settings, brand.id)
    return None if detector is None else journal.run(settings.database_url(), brand.id, detector, [], now)
