"""Polling a source: the backoff gate, one fetch, and the batch stored with its new cursor in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from connectors.base import AnyConnector
from monitor.clock import as_utc
from monitor.detection.incidents import source_health_changed
from monitor.errors import SourceError, SourceUnavailable
from monitor.pipeline import source_health as health
from monitor.pipeline.alerting import record_alerts
from monitor.pipeline.results import PollResult
from monitor.settings import Settings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.mentions import store_mentions
from monitor.storage.tables import SourceState

log = logging.getLogger("groundswell.pipeline")


def backing_off(engine: Engine, source_id: str, now: datetime) -> bool:
    """A failing source waits for its backoff (kept in the database) instead of its interval."""
    with Session(engine) as session:
        state = session.get(SourceState, source_id)
    return bool(state and state.consecutive_failures and state.next_poll_at and as_utc(state.next_poll_at) > now)


def poll_if_due(engine: Engine, settings: Settings, connector: AnyConnector, *, now: datetime) -> PollResult:
    """What every scheduled poll runs (service, worker, demo): skip a source in backoff, else poll it."""
    if backing_off(engine, connector.source_id, now):
        return PollResult(connector.source_id, backing_off=True)
    return poll_source(engine, settings, connector, now=now)


def poll_source(engine: Engine, settings: Settings, connector: AnyConnector, *, now: datetime,
                page: bool = True) -> PollResult:
    """Fetch once, then store the mentions and the new cursor in one transaction (no backoff gate).

    ``page=False`` (a manual `groundswell poll`): a failure is reported only; it neither counts toward
    the source's backoff nor opens a source-down incident that would alert every channel.
    """
    source = next(s for s in settings.sources if s.id == connector.source_id)
    state = _load_state(engine, source.id, source.brand, source.kind)
    result = PollResult(source.id)
    error: SourceError | None = None
    try:
        batch = connector.fetch(state.cursor, limit=source.limit)
    except SourceError as exc:
        error = exc
    if error is not None:
        failure = error
        result.error = health.describe(failure)
        result.rate_limited = isinstance(failure, SourceUnavailable) and failure.retry_after is not None
        if not page:
            return result
        with_retries(lambda: _save_failure(engine, settings, source.id, failure, now, source.interval_seconds))
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
