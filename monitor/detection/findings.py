"""Findings for one brand from its stored mentions: the adaptive detector or the simple rule.

Both engines give ``simple_rules.Finding`` records (trigger, key, severity, plain-words reason, example
mention ids); the incident layer joins them into incidents. Pure reads, no writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import String, bindparam, literal_column, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, func, select

from monitor.clock import as_utc
from monitor.detection import journal
from monitor.detection import simple_rules as rules
from monitor.detection import warmup as adaptive
from monitor.detection.brand_detector import Finding as DetectorFinding
from monitor.detection.simple_rules import complaint_episodes
from monitor.settings import BrandSettings, DetectionSettings, Settings
from monitor.storage.tables import Mention

_MENTIONS: Any = Mention.__table__  # type: ignore[attr-defined]


def new_rows(session: Session, brand: BrandSettings, now: datetime) -> tuple[Any, Sequence[Mention]]:
    """(the brand's scored-mentions query, its mentions detection has not looked at yet)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    rows = session.exec(_unexamined(sqlite), params={"brand": brand.id, "until": now + timedelta(hours=1)}).all()
    return _scored(brand.id), rows


@lru_cache(maxsize=1024)
def _scored(brand_id: str) -> Any:
    """The brand's scored mentions (built once per brand: a statement is immutable, ``where`` makes a new one)."""
    return select(Mention).where(Mention.brand_id == brand_id, col(Mention.sentiment).is_not(None),
                                 Mention.is_brand_reply == False)  # noqa: E712


@cache
def _unexamined(sqlite: bool) -> Any:
    """The brand's scored mentions detection has not examined, up to ``until`` (built once, bound per pass)."""
    # SQLite: "+brand_id" keeps the planner off the (brand, posted_at) index, whose walk over the brand's whole
    # history (for the few rows not examined yet) made every pass cost more as history grew; PostgreSQL
    # plans this itself.  Ties in posted_at come in stored order whatever the plan.
    brand = bindparam("brand", type_=String())
    same_brand: Any = literal_column("+mentions.brand_id") == brand if sqlite else Mention.brand_id == brand
    return (select(Mention).where(
        same_brand, col(Mention.sentiment).is_not(None), Mention.is_brand_reply == False,  # noqa: E712
        col(Mention.detected_at).is_(None), Mention.posted_at <= bindparam("until"))
        .order_by(col(Mention.posted_at), col(Mention.id)))


def mark_examined(session: Session, rows: Sequence[Mention], now: datetime) -> None:
    """Detection has looked at these rows: one UPDATE per 512 ids, not one per row (same transaction).

    Each list is padded to a power of two (the last id repeated): every distinct length is its own statement in
    SQLite's per-connection cache (~9 kB each at 100 ids), and a pass's new rows come in every count."""
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 512):
        piece = ids[start:start + 512]
        piece += piece[-1:] * ((1 << (len(piece) - 1).bit_length()) - len(piece))
        session.execute(update(_MENTIONS).where(_MENTIONS.c.id.in_(piece)).values(detected_at=now))
    for row in rows:
        set_committed_value(row, "detected_at", now)


def findings(session: Session, settings: Settings, brand: BrandSettings, scored: Any, rows: Sequence[Mention],
             now: datetime, early: Sequence[DetectorFinding] = ()) -> list[rules.Finding]:
    """Spreading findings first (spike, story), then individual triggers, so individuals can join them.

    ``early``: the adaptive detector's findings at ``now`` from a run that had no new mentions.
    """
    if settings.detection.engine == "adaptive":
        found = _adaptive_findings(session, settings, brand, rows, now, early)
    else:
        found = _simple_findings(session, settings, brand, scored, rows, now)
    return sorted(found, key=lambda f: f.trigger not in ("spike", "story"))


def _view(m: Mention) -> rules.MentionView:
    signals = m.signals or {}
    churn = (signals.get("churn_threat") or {}).get("reason")
    category = (signals.get("category") or {}).get("value")
    return rules.MentionView(m.id or 0, f"{m.platform}:{m.author_id}", m.author_handle, m.author_followers,
                             m.sentiment == "negative", churn, category, as_utc(m.posted_at), m.platform)


def _adaptive_findings(session: Session, settings: Settings, brand: BrandSettings, new_rows: Sequence[Mention],
                       now: datetime, early: Sequence[DetectorFinding]) -> list[rules.Finding]:
    detector = adaptive.detector_for(session, settings, brand, now)
    observations = [adaptive.observation(m) for m in new_rows]
    found = [*early, *journal.run(settings.database_url(), brand.id, detector, observations, now)]
    handles = {f"{m.platform}:{m.author_id}": m.author_handle for m in new_rows}
    findings = [adaptive.translate(brand.id, f, handles) for f in found]
    return [f for f in findings if _worth_an_incident(f, settings)]


def _worth_an_incident(finding: rules.Finding, settings: Settings) -> bool:
    """Two guards on the adaptive detector's findings, for the people who get paged.

    A small brand's quiet night makes one angry post look "unusual": a spike needs enough people.
    A story of mostly contented posts ("congrats on the launch!") is not a complaint spreading: a
    story needs a mean negativity weight of at least 0.6 (about a third negative: sarcasm that scores neutral still
    counts when enough of the story reads negative).
    """
    if finding.trigger == "spike":
        return finding.authors >= settings.detection.min_negative
    if finding.trigger == "story":
        weighted, authors = finding.details.get("weighted", 0.0), finding.details.get("authors", 0.0)
        return bool(authors > 0 and weighted / authors >= 0.6)
    return True


def _simple_findings(session: Session, settings: Settings, brand: BrandSettings, scored: Any,
                     new_rows: Sequence[Mention], now: datetime) -> list[rules.Finding]:
    cfg = settings.detection
    window_start = now - timedelta(minutes=cfg.window_minutes)
    window = [_view(m) for m in session.exec(scored.where(Mention.posted_at > window_start,
                                                          Mention.posted_at <= now))]
    findings = []
    if found := rules.spike(brand.id, window, _expected(session, brand.id, now, settings), cfg, now):
        findings.append(found)
    new = [_view(m) for m in new_rows if as_utc(m.posted_at) <= now]
    findings.extend(rules.individual(brand.id, new, _negatives_by_author(session, brand.id, new, now, cfg), cfg))
    return findings


def _expected(session: Session, brand_id: str, now: datetime, settings: Settings) -> float:
    """Negative mentions expected in one window, from the days before it (history may be short)."""
    cfg = settings.detection
    window = timedelta(minutes=cfg.window_minutes)
    start = now - timedelta(days=cfg.baseline_days)
    first = session.exec(select(func.min(Mention.posted_at)).where(Mention.brand_id == brand_id)).one()
    if first is None:
        return 0.0
    start = max(start, as_utc(first))
    span = (now - window) - start
    if span < window:
        return 0.0
    count = session.exec(select(func.count()).select_from(Mention).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative",
        Mention.posted_at >= start, Mention.posted_at <= now - window)).one()
    return float(count) * (window / span)


def _negatives_by_author(session: Session, brand_id: str, new: list[rules.MentionView], now: datetime,
                         cfg: DetectionSettings) -> dict[str, int]:
    """Separate complaint occasions per author in the repeat window (a tweetstorm is one)."""
    ids = {m.author.split(":", 1)[1] for m in new if m.negative}
    if not ids:
        return {}
    rows = session.exec(select(Mention.platform, Mention.author_id, Mention.posted_at).where(
        Mention.brand_id == brand_id, Mention.sentiment == "negative", col(Mention.author_id).in_(ids),
        Mention.posted_at > now - timedelta(days=cfg.repeat_days), Mention.posted_at <= now)).all()
    times: dict[str, list[float]] = defaultdict(list)
    for platform, author, posted_at in rows:
        times[f"{platform}:{author}"].append(as_utc(posted_at).timestamp())
    return {who: complaint_episodes(t) for who, t in times.items()}
