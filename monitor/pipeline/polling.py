"""Polling a source: the backoff gate, one fetch, and the batch stored with its new cursor in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from connectors import sanitize
from connectors.base import AnyConnector, Mention
from monitor.clock import as_utc
from monitor.detection.incidents import source_health_changed
from monitor.errors import SourceError, SourceUnavailable
from monitor.pipeline import source_health as health
from monitor.pipeline.alerting import record_alerts
from monitor.pipeline.brand_routing import route
from monitor.pipeline.results import PollResult
from monitor.settings import Settings, SourceSettings
from monitor.storage.engine import transaction, with_retries
from monitor.storage.mentions import STORE_CHUNK, store_mentions
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
    """Fetch once, then store the mentions (a chunk per transaction) and, with the last, the cursor (no backoff gate).

    Any failure, in the connector or while storing, is counted in the source's health (the cursor stays
    where it was); rows that cannot be stored are skipped and reported, and the rest go in.
    ``page=False`` (a manual `groundswell poll`): a failure is reported only; it neither counts toward
    the source's backoff nor opens a source-down incident that would alert every channel.
    """
    source = next(s for s in settings.sources if s.id == connector.source_id)
    state = _load_state(engine, source.id, source.brand, source.kind)
    result = PollResult(source.id)
    try:
        batch = connector.fetch(state.cursor, limit=source.limit)
    except SourceError as exc:
        return _failed(engine, settings, source, result, exc, now, page=page)
    except Exception as exc:  # noqa: BLE001 - a connector bug or odd data must still show in health
        log.debug("source %s: fetch raised", source.id, exc_info=True)
        return _failed(engine, settings, source, result, _unexpected(source.id, "fetch", exc), now, page=page)
    mentions, refused = sanitize.mentions(batch.mentions)
    routed, unrouted = route(settings, source, mentions)
    problems = [*batch.problems, *refused, *unrouted]
    newest = max((m.posted_at for m in mentions), default=None)

    def commit(chunk: Sequence[tuple[str, Mention]], last: bool) -> list[int]:
        with transaction(engine) as session:
            new_ids = []
            for brand in dict.fromkeys(b for b, _ in chunk):
                new_ids += store_mentions(session, [m for b, m in chunk if b == brand], brand_id=brand,
                                          source_id=source.id, now=now)
            if not last:
                return new_ids
            row = session.get(SourceState, source.id)
            assert row is not None
            row.cursor = batch.cursor
            recovering = row.status in ("failing", "auth_failed")
            health.record_success(row, fetched=len(mentions), requests=batch.requests_made,
                                  newest=newest, now=now, interval_seconds=source.interval_seconds)
            session.add(row)
            if recovering:
                record_alerts(session, settings, source_health_changed(session, row, now), now)
            return new_ids

    # A burst is stored a chunk per transaction, so other sources and stages get the database in between;
    # the cursor moves with the last chunk (a crash before it re-fetches, and the duplicates are ignored).
    chunks = [routed[i:i + STORE_CHUNK] for i in range(0, len(routed), STORE_CHUNK)] or [[]]
    new_ids: list[int] = []
    try:
        for index, chunk in enumerate(chunks):
            new_ids += with_retries(partial(commit, chunk, index == len(chunks) - 1))
    except Exception as exc:  # noqa: BLE001 - never let a storing failure escape unrecorded
        log.debug("source %s: storing raised", source.id, exc_info=True)
        return _failed(engine, settings, source, result, _unexpected(source.id, "storing", exc), now, page=page)
    result.fetched, result.new, result.problems = len(mentions), len(new_ids), problems
    for problem in problems:
        log.warning("source %s: %s", source.id, problem)
    return result


def _unexpected(source_id: str, stage: str, exc: Exception) -> SourceUnavailable:
    detail = str(exc).splitlines()[0][:300] if str(exc) else ""
    return SourceUnavailable(source_id, f"{stage} failed: {type(exc).__name__}" + (f": {detail}" if detail else ""))


def _failed(engine: Engine, settings: Settings, source: SourceSettings, result: PollResult, error: SourceError,
            now: datetime, *, page: bool) -> PollResult:
    """Report the failure; a paging poll also counts it in the source's health (backoff, source-down incident)."""
    result.error = health.describe(error)
    result.rate_limited = isinstance(error, SourceUnavailable) and error.retry_after is not None
    if page:
        retry = with_retries(lambda: _save_failure(engine, settings, source.id, error, now, source.interval_seconds))
        if isinstance(error, SourceUnavailable) and error.reset_at is not None:
            result.retry_at = retry  # the runner schedules the next poll right then, not at its next tick
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
                  interval: int) -> datetime | None:
    """Count the failure; returns when the source is due again."""
    with transaction(engine) as session:
        state = session.get(SourceState, source_id)
        assert state is not None
        health.record_failure(state, error, now=now, interval_seconds=interval)
        session.add(state)
        record_alerts(session, settings, source_health_changed(session, state, now), now)
        return state.next_poll_at
