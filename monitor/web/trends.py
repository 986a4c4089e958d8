"""Trends and sources: volume and negative share by day against the week before, growing categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.storage.tables import Brand, Mention, SourceState
from monitor.web.filters import TrendFilter
from monitor.web.queries import category_of


@dataclass(frozen=True)
class Day:
    label: str
    volume: int
    negative: int
    last_week_volume: int
    last_week_negative: int

    @property
    def share(self) -> float:
        return self.negative / self.volume if self.volume else 0.0

    @property
    def last_week_share(self) -> float:
        return self.last_week_negative / self.last_week_volume if self.last_week_volume else 0.0


def trend_end(session: Session, flt: TrendFilter, now: datetime) -> datetime:
    """The end of the period shown: the ``end`` day, else the newest mention (a replayed week shows), else now."""
    if flt.end:
        return datetime.fromisoformat(flt.end).replace(tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1)
    newest = session.exec(select(Mention.posted_at).order_by(col(Mention.id).desc()).limit(1)).first()
    return min(now, as_utc(newest)) if newest else now


def daily(session: Session, flt: TrendFilter, now: datetime) -> list[Day]:
    """Mentions and negative ones per day up to ``now``, each against the same weekday a week before.

    One range count per day on the covering index (brand_id, posted_at, sentiment): a GROUP BY over a
    per-row date expression read every row of the fortnight (3.5 s at 1 M mentions on SQLite).
    """
    start = (now - timedelta(days=flt.days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    brands = [flt.brand] if flt.brand else list(session.exec(select(Brand.id).limit(1000)).all())
    negative = func.sum(case((col(Mention.sentiment) == "negative", 1), else_=0))

    def counts(day: datetime) -> tuple[int, int]:
        total, neg = session.exec(select(func.count(), negative).where(
            col(Mention.brand_id).in_(brands), Mention.posted_at >= day,
            Mention.posted_at < min(day + timedelta(days=1), now))).one()
        return int(total), int(neg or 0)

    days = []
    for offset in range(flt.days):
        moment = start + timedelta(days=offset)
        days.append(Day(f"{moment:%Y-%m-%d}", *counts(moment), *counts(moment - timedelta(days=7))))
    return days


@dataclass(frozen=True)
class CategoryGrowth:
    name: str
    this_week: int
    last_week: int


def growing_categories(session: Session, flt: TrendFilter, now: datetime, limit: int = 8) -> list[CategoryGrowth]:
    """Negative mentions per category in the last 7 days against the 7 before, fastest growing first."""
    category = category_of()
    recent = func.sum(case((col(Mention.posted_at) >= now - timedelta(days=7), 1), else_=0))
    query = select(category, recent, func.count()).where(
        Mention.sentiment == "negative", Mention.posted_at >= now - timedelta(days=14), Mention.posted_at <= now,
        category.is_not(None))
    if flt.brand:
        query = query.where(Mention.brand_id == flt.brand)
    rows = session.exec(query.group_by(category).limit(200)).all()
    growth = [CategoryGrowth(str(name), int(this or 0), int(total) - int(this or 0)) for name, this, total in rows]
    return sorted(growth, key=lambda g: (g.this_week - g.last_week, g.this_week), reverse=True)[:limit]


def sources(session: Session) -> list[SourceState]:
    return list(session.exec(select(SourceState).order_by(SourceState.brand_id, SourceState.id).limit(500)).all())
