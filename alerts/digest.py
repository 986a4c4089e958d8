"""The daily digest for analysts: what happened to each brand yesterday, against the week before.

``build_digest`` gathers plain data from the database; ``render_digest`` turns it into HTML with an
inline chart, a CSV of the day's negative mentions, and a plain-text version.  Source coverage is
always stated, so a quiet day is never mistaken for a dead collector.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.digest_joined import HeldJoin, held_joins
from monitor.clock import as_utc
from monitor.logs import plural
from monitor.settings import BrandSettings, Settings
from monitor.storage import digest_queries as queries
from monitor.storage.feedback_stats import Precision, precision
from monitor.storage.responses import replies_collected
from monitor.storage.tables import Alert, Incident, Mention, SourceState

UsageLine = Callable[[str, dict[str, Any] | None], str]  # (source id, its saved cursor) -> budget line, or ""


@dataclass
class BrandDigest:
    brand: BrandSettings
    day: date
    hourly: list[tuple[int, int, int]]  # per local hour: (mentions, negative, previous-week mean)
    total: int
    negative: int
    week_daily_mean: float
    week_negative_share: float
    categories: list[tuple[str, int, int]]  # name, today, previous-week daily mean (rounded)
    top_negative: list[Mention]
    churn_threats: list[Mention]
    repeat_complainers: list[tuple[str, int]]
    incidents: list[Incident]
    coverage: list[tuple[str, str]]  # source id, plain statement
    negatives: list[Mention] = field(default_factory=list)
    responses: tuple[int, int, float | None] | None = None  # complaints, answered, median minutes
    week_total: int = 0  # mentions in the 7 days before: 0 means no comparison is possible yet
    repeat_days: int = 7  # the window repeat complainers are counted in
    precision: list[Precision] = field(default_factory=list)  # feedback on the last 30 days' alerts, per trigger
    held: set[int] = field(default_factory=set)  # incidents announced only here: the page budget held them
    languages: queries.LanguageReading = field(default_factory=queries.LanguageReading)  # no model for them
    joined_held: list[HeldJoin] = field(default_factory=list)  # big customers who joined, nobody paged about them

    @property
    def languages_line(self) -> str:
        """'4 read as negative by complaint keywords (4 Spanish); 2 not scored, ...', or '' (all English)."""
        return self.languages.line()

    @property
    def negative_share(self) -> float:
        return self.negative / self.total if self.total else 0.0

    @property
    def has_history(self) -> bool:
        return self.week_total > 0

    @property
    def paged(self) -> list[Incident]:
        """Incidents people were told about (an alert was recorded, paged or held back by the budget)."""
        return [i for i in self.incidents if not _watched(i)]

    @property
    def watch_list(self) -> list[Incident]:
        """Individual triggers that never needed a page: for the analyst, not the pager."""
        return [i for i in self.incidents if _watched(i)]


def _watched(incident: Incident) -> bool:
    """On the watch list now, or resolved without ever being announced (incidents from before the watch
    list have no ``join`` record and count as announced)."""
    details = incident.details or {}
    announced = any(str(mark).startswith("opened:") for mark in details.get("told", []))
    return incident.status == "watch" or ("join" in details and not announced)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return as_utc(start), as_utc(start + timedelta(days=1))


def build_digest(engine: Engine, settings: Settings, brand: BrandSettings, day: date,
                 usage: UsageLine | None = None) -> BrandDigest:
    """The brand's local ``day`` against the week before; ``usage`` gives each source's budget line.

    Counts are aggregated in the database (``storage.digest_queries``); only the day's negatives are rows.
    """
    start, end = day_bounds(day, brand.timezone)
    week_start = start - timedelta(days=7)
    repeat_start = end - timedelta(days=settings.detection.repeat_days)
    with Session(engine) as session:
        hours = queries.hour_counts(session, brand.id, week_start, start, end)
        categories = queries.category_counts(session, brand.id, week_start, start, end)
        repeaters = queries.repeat_complainers(session, brand.id, repeat_start, end,
                                               at_least=settings.detection.repeat_complaints)
        negatives = queries.day_negatives(session, brand.id, start, end)
        incidents = session.exec(select(Incident).where(Incident.brand_id == brand.id,
                                                        Incident.updated_at >= start,
                                                        Incident.opened_at < end)
                                 .order_by(col(Incident.severity).desc())).all()
        states = {s.id: s for s in session.exec(select(SourceState).where(SourceState.brand_id == brand.id))}
        answered = _responses(session, brand.id, negatives, start, end)
        judged = precision(session, brand_id=brand.id, since=end - timedelta(days=30))
        held = _held(session, [i.id or 0 for i in incidents])
        languages = queries.language_reading(session, brand.id, start, end)
        joined_held = held_joins(session, incidents, start, end)
    week_total = sum(hours.week)
    return BrandDigest(
        brand=brand, day=day, total=sum(hours.today), negative=sum(hours.today_negative),
        hourly=[(hours.today[h], hours.today_negative[h], round(hours.week[h] / 7)) for h in range(24)],
        week_daily_mean=week_total / 7, week_negative_share=hours.week_negative / week_total if week_total else 0.0,
        categories=_categories(*categories),
        top_negative=sorted(negatives, key=lambda m: -(m.author_followers or 0))[:5],
        churn_threats=[m for m in negatives if (m.signals or {}).get("churn_threat")],
        repeat_complainers=repeaters,
        incidents=list(incidents), coverage=_coverage(settings, brand, states, start, end, usage),
        negatives=negatives, responses=answered, week_total=week_total, repeat_days=settings.detection.repeat_days,
        precision=judged, held=held, languages=languages, joined_held=joined_held)


def _held(session: Session, ids: list[int]) -> set[int]:
    """Incidents with alerts, none of them paged: the weekly page budget kept them for the digest."""
    rows = session.exec(select(Alert.incident_id, Alert.paged).where(col(Alert.incident_id).in_(ids or [-1]))).all()
    return {i for i, _ in rows} - {i for i, paged in rows if paged}


def _responses(session: Session, brand_id: str, negatives: list[Mention], start: datetime,
               end: datetime) -> tuple[int, int, float | None] | None:
    """Complaints aimed at the brand, how many it answered, and the median minutes to answer."""
    if not replies_collected(session, brand_id, end):
        return None
    replies = queries.first_replies(session, brand_id, start, end)
    aimed = [m for m in negatives if (m.signals or {}).get("aimed_at_brand", True)]
    delays = sorted((reply - as_utc(m.posted_at)).total_seconds() / 60 for m in aimed
                    if m.id is not None and (reply := replies.get(m.id)) is not None)
    return len(aimed), len(delays), delays[len(delays) // 2] if delays else None


def _categories(today: dict[str, int], week: dict[str, int]) -> list[tuple[str, int, int]]:
    ranked = sorted(today.items(), key=lambda item: (-item[1], item[0]))[:6]
    return [(name, count, round(week.get(name, 0) / 7)) for name, count in ranked]


def _coverage(settings: Settings, brand: BrandSettings, states: dict[str, SourceState], start: datetime,
              end: datetime, usage: UsageLine | None) -> list[tuple[str, str]]:
    lines = []
    for source in (s for s in settings.sources if s.brand == brand.id):
        state = states.get(source.id)
        if not source.enabled:
            lines.append((source.id, "disabled"))
        elif state is None or state.last_success_at is None:
            lines.append((source.id, "NEVER polled successfully (no record in this database): mentions from it "
                                     "are missing"))
        elif as_utc(state.last_success_at) < start:
            lines.append((source.id, f"DOWN all day: last success {as_utc(state.last_success_at):%Y-%m-%d %H:%M} "
                                     f"UTC ({plain_error(state.last_error) or 'no error recorded'})"))
        elif state.consecutive_failures:
            lines.append((source.id, f"failing now ({plural(state.consecutive_failures, 'failure')}): "
                                     f"{plain_error(state.last_error)}"))
        else:
            lines.append((source.id, f"ok, {state.items_total} items collected so far"))
        budget = usage(source.id, state.cursor if state else None) if usage else ""
        if budget:
            lines[-1] = (source.id, f"{lines[-1][1]}; budget: {budget}")
    return lines


def plain_error(error: str | None, limit: int = 120) -> str:
    """A stored error for people: no exception class names, one line, short."""
    text = " ".join((error or "").split())
    text = re.sub(r"\b[A-Z][A-Za-z]*(Error|Exception|Unavailable|Timeout)\b:?\s*", "", text).strip(" :")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def negatives_csv(digest: BrandDigest) -> str:
    """The day's negative mentions for a spreadsheet: every text cell through ``csv_cell`` (no formulas)."""
    from alerts.escape import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["posted_at", "platform", "author", "followers", "p_negative", "category", "url", "text"])
    for m in sorted(digest.negatives, key=lambda m: m.posted_at):
        category = ((m.signals or {}).get("category") or {}).get("value", "")
        writer.writerow([as_utc(m.posted_at).isoformat(), csv_cell(m.platform), csv_cell(m.author_handle),
                         m.author_followers or "", f"{m.p_negative or 0:.3f}", csv_cell(category), csv_cell(m.url),
                         csv_cell(m.text)])
    return buffer.getvalue()
