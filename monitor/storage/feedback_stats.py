"""What people said about the alerts: precision per brand and trigger, and judged incidents for tuning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.storage.tables import Alert, AlertFeedback, Incident

VERDICTS = ("useful", "noise")  # what precision and tuning count (other feedback, e.g. a missed one, does not)


@dataclass(frozen=True)
class Precision:
    """Verdicts on one brand's alerts of one trigger: the share people found useful."""

    brand_id: str
    trigger: str
    useful: int
    noise: int

    @property
    def judged(self) -> int:
        return self.useful + self.noise

    @property
    def share(self) -> float:
        return self.useful / self.judged if self.judged else 0.0


def precision(session: Session, *, brand_id: str = "", since: datetime | None = None) -> list[Precision]:
    """Useful and noise verdicts per (brand, trigger), for alerts created since ``since``."""
    query = (select(Incident.brand_id, Incident.trigger, AlertFeedback.verdict, func.count())
             .select_from(AlertFeedback).join(Alert, col(Alert.id) == AlertFeedback.alert_id)
             .join(Incident, col(Incident.id) == Alert.incident_id))
    query = query.where(col(AlertFeedback.verdict).in_(VERDICTS))
    if brand_id:
        query = query.where(Incident.brand_id == brand_id)
    if since is not None:
        query = query.where(Alert.created_at >= since)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for brand, trigger, verdict, count in session.exec(
            query.group_by(Incident.brand_id, Incident.trigger, AlertFeedback.verdict)).all():
        counts.setdefault((str(brand), str(trigger)), {}).setdefault(str(verdict), 0)
        counts[(str(brand), str(trigger))][str(verdict)] += int(count)
    return [Precision(b, t, c.get("useful", 0), c.get("noise", 0)) for (b, t), c in sorted(counts.items())
            if c.get("useful", 0) + c.get("noise", 0)]


def judged_incidents(engine: Engine, brand_id: str, since: datetime,
                     until: datetime) -> list[tuple[str, datetime, bool]]:
    """(trigger, opened_at, useful?) per incident opened in [since, until) with any verdict; ties count useful."""
    with Session(engine) as session:  # one row per verdict (one per alert and person): few
        rows = session.exec(
            select(Incident.id, Incident.trigger, Incident.opened_at, AlertFeedback.verdict)
            .select_from(AlertFeedback).join(Alert, col(Alert.id) == AlertFeedback.alert_id)
            .join(Incident, col(Incident.id) == Alert.incident_id)
            .where(Incident.brand_id == brand_id, Incident.opened_at >= since, Incident.opened_at < until,
                   col(AlertFeedback.verdict).in_(VERDICTS))
            .limit(100_000)).all()
    votes: dict[int, tuple[str, datetime, dict[str, int]]] = {}
    for incident_id, trigger, opened_at, verdict in rows:
        tally = votes.setdefault(int(incident_id or 0), (str(trigger), opened_at, {}))[2]
        tally[str(verdict)] = tally.get(str(verdict), 0) + 1
    return [(trigger, opened_at, tally.get("useful", 0) >= tally.get("noise", 0))
            for trigger, opened_at, tally in sorted(votes.values(), key=lambda v: v[1])
            if tally.get("useful", 0) + tally.get("noise", 0)]  # other kinds of feedback do not judge
