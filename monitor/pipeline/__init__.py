"""The functions every runner calls: the service, the CLI, the demo, a backtest, a worker.

    poll_source -> score_pending -> run_detection -> deliver_due

Each is a plain function over an engine and settings: no scheduler, no globals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.base import Notifier
from connectors.base import BrandTerms, Connector
from connectors.base import Mention as Fetched
from models.base import SentimentModel
from models.signals import extract_signals
from monitor.detection.incidents import source_health_changed
from monitor.errors import SourceError
from monitor.pipeline import source_health as health
from monitor.settings import Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.mentions import store_mentions
from monitor.storage.tables import Mention, SourceState

log = logging.getLogger("groundswell.pipeline")
K = TypeVar("K")
STORE_CHUNK = 1000  # mentions per transaction: a 200,000-row poll must not hold SQLite's one writer for minutes


@dataclass
class PollResult:
    source_id: str
    fetched: int = 0
    new: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def poll_source(engine: Engine, settings: Settings, connector: Connector, *, now: datetime,
                chunk_size: int = STORE_CHUNK) -> PollResult:
    """Fetch once, then store the mentions (a chunk per transaction) and, with the last chunk, the cursor."""
    source = next(s for s in settings.sources if s.id == connector.source_id)
    state = _load_state(engine, source.id, source.brand, source.kind)
    result = PollResult(source.id)
    error: SourceError | None = None
    try:
        batch = connector.fetch(state.cursor, limit=source.limit)
    except SourceError as exc:
        error = exc
    if error is not None:
        result.error = health.describe(error)
        with_retries(lambda: _save_failure(engine, settings, source.id, error, now, source.interval_seconds))
        return result
    newest = max((m.posted_at for m in batch.mentions), default=None)

    def commit(chunk: Sequence[Fetched], last: bool) -> list[int]:
        with transaction(engine) as session:
            new_ids = store_mentions(session, chunk, brand_id=source.brand, source_id=source.id, now=now)
            if not last:
                return new_ids
            row = session.get(SourceState, source.id)
            assert row is not None
            row.cursor = batch.cursor
            recovering = row.status in ("failing", "auth_failed")
            health.record_success(row, fetched=len(batch.mentions), requests=batch.requests_made,
                                  newest=newest, now=now, interval_seconds=source.interval_seconds)
            session.add(row)
            if recovering:
                source_health_changed(session, settings, row, now)
            return new_ids

    # A burst is stored a chunk per transaction, so other sources and stages get the database in between;
    # the cursor moves with the last chunk (a crash before it re-fetches, and the duplicates are ignored).
    chunks = [batch.mentions[i:i + chunk_size] for i in range(0, len(batch.mentions), chunk_size)] or [[]]
    new_ids: list[int] = []
    for index, chunk in enumerate(chunks):
        new_ids += with_retries(partial(commit, chunk, index == len(chunks) - 1))
    result.fetched, result.new, result.problems = len(batch.mentions), len(new_ids), batch.problems
    for problem in batch.problems:
        log.warning("source %s: %s", source.id, problem)
    return result


def _load_state(engine: Engine, source_id: str, brand_id: str, kind: str) -> SourceState:
    def load() -> SourceState:
        with transaction(engine) as session:
            state = session.get(SourceState, source_id)
            if state is None:
                state = SourceState(id=source_id, brand_id=brand_id, kind=kind)
                session.add(state)
            return state
    return with_retries(load)


def _save_failure(engine: Engine, settings: Settings, source_id: str, error: SourceError, now: datetime,
                  interval: int) -> None:
    with transaction(engine) as session:
        state = session.get(SourceState, source_id)
        assert state is not None
        health.record_failure(state, error, now=now, interval_seconds=interval)
        session.add(state)
        source_health_changed(session, settings, state, now)


def brand_terms(settings: Settings) -> dict[str, BrandTerms]:
    return {b.id: BrandTerms(id=b.id, name=b.name, names=tuple(b.names), handles=tuple(b.handles),
                             terms=tuple(b.terms), exclude=tuple(b.exclude), languages=tuple(b.languages))
            for b in settings.brands}


def score_pending(engine: Engine, settings: Settings, model: SentimentModel, *, now: datetime,
                  limit: int = 2000) -> int:
    """Score mentions that have no sentiment yet, with their complaint signals; returns how many.

    Fair and bounded: every source gets its share of ``limit`` (newest first, so detection hears the
    present before a backlog), the model runs outside any transaction, and results are written in
    short transactions of about ``STORE_CHUNK`` rows.
    """
    brands = brand_terms(settings)
    with Session(engine, expire_on_commit=False) as session:
        pending = _pending_fairly(session, limit)
    values: list[dict[str, Any]] = []
    batch_size = settings.model.batch_size
    for start in range(0, len(pending), batch_size):
        chunk = pending[start:start + batch_size]
        scores = model.score([m.text for m in chunk])
        values += [_scored(m, score, model, brands.get(m.brand_id), now)
                   for m, score in zip(chunk, scores, strict=True)]
        if len(values) >= STORE_CHUNK or start + batch_size >= len(pending):
            with_retries(partial(_save_scores, engine, values))
            values = []
    return len(pending)


def _pending_fairly(session: Session, limit: int) -> list[Mention]:
    """Unscored mentions, newest first, ``limit`` shared across sources: a burst on one never starves the rest."""
    counts = unscored_by_source(session)
    rows: list[Mention] = []
    for (_, source_id), share in fair_shares(counts, limit).items():
        if share:
            rows += session.exec(select(Mention).where(Mention.source_id == source_id, col(Mention.sentiment).is_(None))
                                 .order_by(col(Mention.posted_at).desc()).limit(share)).all()
    return rows


def unscored_by_source(session: Session) -> dict[tuple[str, str], int]:
    """(brand, source) -> mentions waiting for a sentiment: the backlog /metrics and `sources` show."""
    rows = session.exec(select(Mention.brand_id, Mention.source_id, func.count()).where(
        col(Mention.sentiment).is_(None)).group_by(Mention.brand_id, Mention.source_id)).all()
    return {(brand, source): int(count) for brand, source, count in rows}


def fair_shares(counts: dict[K, int], limit: int) -> dict[K, int]:
    """Split ``limit`` evenly; what a small backlog leaves over goes to the bigger ones (water-filling)."""
    shares: dict[K, int] = {}
    left = limit
    ordered = sorted(counts.items(), key=lambda item: item[1])
    for index, (key, count) in enumerate(ordered):
        shares[key] = min(count, left // (len(ordered) - index))
        left -= shares[key]
    return shares


def _save_scores(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with transaction(engine) as session:
        session.execute(update(Mention), rows)


def _scored(mention: Mention, score: object, model: SentimentModel, brand: BrandTerms | None,
            now: datetime) -> dict[str, Any]:
    from models.base import Score

    assert isinstance(score, Score)
    return {"id": mention.id, "sentiment": score.label, "p_negative": score.p_negative, "p_neutral": score.p_neutral,
            "p_positive": score.p_positive, "sentiment_model": f"{model.name}@{model.version}", "scored_at": now,
            "signals": extract_signals(mention.text, brand).to_json()}


def run_detection(engine: Engine, settings: Settings, *, now: datetime) -> list[str]:
    """Open, escalate and resolve incidents; each change becomes an alert in the outbox."""
    from monitor.detection.incidents import detect_and_update

    return detect_and_update(engine, settings, now=now)


def deliver_due(engine: Engine, notifiers: Mapping[str, Notifier], *, now: datetime,
                limit: int = 100) -> Sequence[str]:
    """Send what the outbox has due; failures wait there for their retry."""
    from alerts.outbox import deliver_due as deliver

    return deliver(engine, notifiers, now=now, limit=limit)
