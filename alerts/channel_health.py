"""Channel health: a failing channel backs off as a whole, and its first success releases every row.

Without it each outbox row kept its own exponential backoff, so after a ten-minute SMTP outage the queued
alerts trickled out for eight more minutes (issue #17).  Now a transient failure marks the *channel* down
(a ``channel_health`` row) with a short, capped backoff (5 s doubling to at most ``PROBE_CAP``); while it
rests none of its rows is tried, then one row is tried (the probe, claimed here so that only one worker
probes), and its success deletes the health row so that every waiting row goes in the same pass.  The
rows themselves never wait longer than the channel: their ``next_attempt_at`` is the channel's next probe.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.storage.engine import transaction
from monitor.storage.tables import ChannelHealth

log = logging.getLogger("groundswell.outbox")
FIRST_PROBE_S = 5.0
PROBE_CAP_S = 60.0  # after recovery a queued alert waits at most this long (plus one delivery pass)


def probe_delay(failures: int, retry_after: float | None = None) -> timedelta:
    """5 s, 10 s, 20 s ... capped at a minute (jittered), or longer only when the channel asked (Retry-After)."""
    seconds = min(FIRST_PROBE_S * 2 ** max(0, failures - 1) * (0.75 + 0.5 * random.random()), PROBE_CAP_S)
    return timedelta(seconds=max(seconds, retry_after or 0))


def resting(now: datetime) -> Select[tuple[str]]:
    """The channels whose rows must not be tried now (for ``NOT IN`` in the due-rows query)."""
    return select(ChannelHealth.channel_id).where(col(ChannelHealth.next_probe_at) > now)  # type: ignore[return-value]


def down(session: Session) -> set[str]:
    """Channels known to be failing (their next row is a probe)."""
    return set(session.exec(select(ChannelHealth.channel_id)).all())


def claim_probe(engine: Engine, channel_id: str, now: datetime, lease: timedelta) -> bool:
    """Take the channel's probe for this pass; False when another worker took it (or it is resting)."""
    with transaction(engine) as session:
        claimed = session.execute(
            update(ChannelHealth).where(col(ChannelHealth.channel_id) == channel_id,
                                        col(ChannelHealth.next_probe_at) <= now)
            .values(next_probe_at=now + lease).execution_options(synchronize_session=False))
        return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def record_failure(session: Session, channel_id: str, error: str, now: datetime,
                   retry_after: float | None = None) -> datetime:
    """Count one more failure of the channel; returns when it is probed next (its rows wait until then)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(ChannelHealth).values(  # two workers may fail at once: no duplicate key
        channel_id=channel_id, failures=0, down_since=now, next_probe_at=now).on_conflict_do_nothing())
    health = session.get(ChannelHealth, channel_id, populate_existing=True, with_for_update=True)
    assert health is not None
    health.failures += 1
    health.last_error = error
    health.next_probe_at = now + probe_delay(health.failures, retry_after)
    session.add(health)
    if health.failures == 1:
        log.warning("channel %s is failing (%s); probing it again at %s UTC", channel_id, error,
                    f"{as_utc(health.next_probe_at):%Y-%m-%d %H:%M:%S}")
    return health.next_probe_at


def record_up(session: Session, channel_id: str, now: datetime) -> None:
    """The channel delivered: forget its failures, so every row waiting on it is tried in this pass."""
    health = session.get(ChannelHealth, channel_id)
    if health is None:
        return
    session.execute(delete(ChannelHealth).where(col(ChannelHealth.channel_id) == channel_id))
    log.warning("channel %s is back after %.0f s and %d failed attempts", channel_id,
                (now - as_utc(health.down_since)).total_seconds(), health.failures)
