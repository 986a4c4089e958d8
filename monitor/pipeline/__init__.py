"""The functions every runner calls: the service, the CLI, the demo, a backtest, a worker.

    poll_source -> score_pending -> run_detection -> deliver_due

Each is a plain function over an engine and settings: no scheduler, no globals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alerts.base import Notifier
from connectors.base import BrandTerms, Connector
from models.base import SentimentModel
from models.signals import extract_signals
from monitor.detection.incidents import detect_brand, source_health_changed
from monitor.errors import SourceError
from monitor.pipeline import source_health as health
from monitor.pipeline.alerting import record_alerts
from monitor.settings import BrandSettings, Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.mentions import store_mentions
from monitor.storage.tables import Mention, SourceState

log = logging.getLogger("groundswell.pipeline")


@dataclass
class PollResult:
    source_id: str
    fetched: int = 0
    new: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def poll_source(engine: Engine, settings: Settings, connector: Connector, *, now: datetime) -> PollResult:
    """Fetch once, then store the mentions and the new cursor in one transaction."""
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

    def commit() -> list[int]:
        with transaction(engine) as session:
            new_ids = store_mentions(session, batch.mentions, brand_id=source.brand, source_id=source.id, now=now)
            row = session.get(SourceState, source.id)
            assert row is not None
            row.cursor = batch.cursor
            recovering = row.status in ("failing", "auth_failed")
            health.record_success(row, fetched=len(batch.mentions), requests=batch.requests_made,
                                  newest=newest, now=now, interval_seconds=source.interval_seconds)
            session.add(row)
            if recovering:
                record_alerts(session, settings, source_health_changed(session, row, now), now)
            return new_ids

    new_ids = with_retries(commit)
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
        record_alerts(session, settings, source_health_changed(session, state, now), now)


def brand_terms(settings: Settings) -> dict[str, BrandTerms]:
    return {b.id: BrandTerms(id=b.id, name=b.name, names=tuple(b.names), handles=tuple(b.handles),
                             terms=tuple(b.terms), exclude=tuple(b.exclude), languages=tuple(b.languages))
            for b in settings.brands}


def score_pending(engine: Engine, settings: Settings, model: SentimentModel, *, now: datetime,
                  limit: int = 2000) -> int:
    """Score mentions that have no sentiment yet, with their complaint signals; returns how many."""
    brands = brand_terms(settings)
    with Session(engine) as session:
        pending = session.exec(select(Mention).where(Mention.sentiment == None)  # noqa: E711
                               .order_by(Mention.id).limit(limit)).all()  # type: ignore[arg-type]
        batch_size = settings.model.batch_size
        for start in range(0, len(pending), batch_size):
            chunk = pending[start:start + batch_size]
            scores = model.score([m.text for m in chunk])
            for mention, score in zip(chunk, scores, strict=True):
                _apply_score(mention, score, model, brands.get(mention.brand_id), now)
                session.add(mention)
        with_retries(session.commit)
        return len(pending)


def _apply_score(mention: Mention, score: object, model: SentimentModel, brand: BrandTerms | None,
                 now: datetime) -> None:
    from models.base import Score

    assert isinstance(score, Score)
    mention.sentiment = score.label
    mention.p_negative, mention.p_neutral, mention.p_positive = score.p_negative, score.p_neutral, score.p_positive
    mention.sentiment_model = f"{model.name}@{model.version}"
    mention.scored_at = now
    mention.signals = extract_signals(mention.text, brand).to_json()


def run_detection(engine: Engine, settings: Settings, *, now: datetime) -> list[str]:
    """Open, join, escalate and resolve incidents; each change becomes an alert (and, when it pages,
    outbox rows) in the same transaction as the detection that found it. Returns a line per change."""
    lines: list[str] = []
    for brand in settings.brands:
        def work(brand: BrandSettings = brand) -> list[str]:
            with transaction(engine) as session:
                changes = detect_brand(session, settings, brand, now)
                record_alerts(session, settings, changes, now)
                return [change.line for change in changes]
        lines.extend(with_retries(work))
    return lines


def deliver_due(engine: Engine, notifiers: Mapping[str, Notifier], *, now: datetime,
                limit: int = 100) -> Sequence[str]:
    """Send what the outbox has due; failures wait there for their retry."""
    from alerts.outbox import deliver_due as deliver

    return deliver(engine, notifiers, now=now, limit=limit)
