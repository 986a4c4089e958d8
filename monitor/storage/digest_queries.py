"""The digest's queries: counts aggregated in the database, never a window of rows loaded into Python.

At 1 M stored mentions the digest loaded every mention of its 8-day window as an ORM object and ran one
reply query per complaint (5.6-6.2 CPU-s for one brand-day).  Here each figure is one GROUP BY over the
``ix_mentions_brand_posted`` range, and first replies are one join; only the day's negative mentions (the
CSV and the lists need them) come back as rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.languages import language_name
from monitor.storage.responses import answers
from monitor.storage.tables import Mention


@dataclass
class HourCounts:
    """Mentions and negatives per local hour, for the day and summed over the week before it."""

    today: list[int] = field(default_factory=lambda: [0] * 24)
    today_negative: list[int] = field(default_factory=lambda: [0] * 24)
    week: list[int] = field(default_factory=lambda: [0] * 24)
    week_negative: int = 0


def _epoch(session: Session, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 for a stored time (SQLite keeps UTC text, PostgreSQL a timestamptz)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), Integer)


def _posts(brand_id: str, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """The brand's own mentions (not its replies) posted in [start, end): the index range every query uses."""
    return [col(Mention.brand_id) == brand_id, col(Mention.posted_at) >= start, col(Mention.posted_at) < end,
            col(Mention.is_brand_reply) == False]  # noqa: E712


def hour_counts(session: Session, brand_id: str, week_start: datetime, start: datetime,
                end: datetime) -> HourCounts:
    """One GROUP BY over whole hours since ``week_start`` (a local midnight, so hour % 24 is the local hour)."""
    origin = int(as_utc(week_start).timestamp())
    slot = ((_epoch(session, Mention.posted_at) - origin) // 3600).label("slot")
    negative = func.sum(case((col(Mention.sentiment) == "negative", 1), else_=0))
    rows = session.exec(select(slot, func.count(), negative).where(*_posts(brand_id, week_start, end))
                        .group_by(slot)).all()
    today_from = int((as_utc(start) - as_utc(week_start)).total_seconds() // 3600)
    out = HourCounts()
    for index, count, negatives in rows:
        hour = int(index) % 24
        if int(index) >= today_from:
            out.today[hour] += int(count)
            out.today_negative[hour] += int(negatives or 0)
        else:
            out.week[hour] += int(count)
            out.week_negative += int(negatives or 0)
    return out


def category_counts(session: Session, brand_id: str, week_start: datetime, start: datetime,
                    end: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Negative mentions per complaint category: (the day, the week before)."""
    category = col(Mention.signals)["category"]["value"].as_string()
    today = case((col(Mention.posted_at) >= start, 1), else_=0)
    rows = session.exec(select(category, today, func.count())
                        .where(*_posts(brand_id, week_start, end), col(Mention.sentiment) == "negative",
                               category.is_not(None))
                        .group_by(category, today)).all()
    now: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for name, is_today, count in rows:
        (now if is_today else before)[str(name)] += int(count)
    return dict(now), dict(before)


def repeat_complainers(session: Session, brand_id: str, start: datetime, end: datetime, *, at_least: int,
                       limit: int = 5) -> list[tuple[str, int]]:
    """Authors with ``at_least`` negative mentions in [start, end), most first."""
    count = func.count().label("n")
    rows = session.exec(select(Mention.author_handle, count)
                        .where(*_posts(brand_id, start, end), col(Mention.sentiment) == "negative")
                        .group_by(col(Mention.author_handle)).having(func.count() >= at_least)
                        .order_by(count.desc(), col(Mention.author_handle)).limit(limit)).all()
    return [(str(handle), int(n)) for handle, n in rows]


def day_negatives(session: Session, brand_id: str, start: datetime, end: datetime) -> list[Mention]:
    """The day's negative mentions as rows: the CSV, the top and the churn lists need their text."""
    return list(session.exec(select(Mention).where(*_posts(brand_id, start, end),
                                                   col(Mention.sentiment) == "negative")
                             .order_by(col(Mention.posted_at), col(Mention.id))).all())


def first_replies(session: Session, brand_id: str, start: datetime, end: datetime) -> dict[int, datetime]:
    """When the brand first answered each of the day's negative mentions it answered: one join, by the rule
    of ``storage.responses.answers`` (the detection pass's)."""
    reply = aliased(Mention)
    rows = session.exec(select(Mention.id, func.min(col(reply.posted_at)))
                        .join(reply, and_(answers(reply, Mention), col(reply.posted_at) >= start))
                        .where(*_posts(brand_id, start, end), col(Mention.sentiment) == "negative")
                        .group_by(col(Mention.id))).all()
    return {int(mention_id): as_utc(when) for mention_id, when in rows if mention_id is not None}


@dataclass
class LanguageReading:
    """Posts of the day no sentiment model covered: read by complaint keywords, or not scored, per language."""

    by_keywords: dict[str, int] = field(default_factory=dict)  # language -> posts read negative by keywords
    not_scored: dict[str, int] = field(default_factory=dict)  # language -> posts left unscored

    def __bool__(self) -> bool:
        return bool(self.by_keywords or self.not_scored)

    def line(self) -> str:
        """'4 read as negative by complaint keywords (3 Spanish, 1 German); 2 not scored, no model for their
        language (2 Polish)', or '' when there were none."""
        def counted(counts: dict[str, int]) -> str:
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            return ", ".join(f"{n} {language_name(code)}" for code, n in ranked[:5])
        parts = []
        if self.by_keywords:
            parts.append(f"{sum(self.by_keywords.values())} read as negative by complaint keywords "
                         f"({counted(self.by_keywords)})")
        if self.not_scored:
            parts.append(f"{sum(self.not_scored.values())} not scored, no model for their language "
                         f"({counted(self.not_scored)})")
        return "; ".join(parts)


def language_reading(session: Session, brand_id: str, start: datetime, end: datetime) -> LanguageReading:
    """One GROUP BY: the day's posts read by keywords (``sentiment_model`` "keywords@...") or unscored."""
    keywords = col(Mention.sentiment_model).like("keywords@%")
    lang, sentiment = col(Mention.lang), col(Mention.sentiment)
    rows = session.exec(select(lang, sentiment, keywords, func.count())
                        .where(*_posts(brand_id, start, end), or_(col(Mention.sentiment) == "unscored", keywords))
                        .group_by(lang, sentiment, keywords)).all()
    out = LanguageReading()
    for code, said, by_keywords, count in rows:
        into = out.by_keywords if by_keywords else out.not_scored if said == "unscored" else None
        if into is not None:
            into[code or "und"] = into.get(code or "und", 0) + int(count)
    return out
