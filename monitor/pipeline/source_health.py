"""Per-source health: backoff after failures, and telling ops only when the state changes.

A dead collector must never look like a calm week: a source that returns nothing for longer
than its quiet period is marked ``quiet`` (suspicious), and `groundswell sources` says so.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from monitor.clock import as_utc
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from monitor.logs import plural
from monitor.storage.tables import SourceState

log = logging.getLogger("groundswell.health")
MAX_BACKOFF = timedelta(hours=1)
# A source that times out or answers 5xx comes back by itself: retried at least this often, or every two intervals
# when those are longer, so what was posted meanwhile is read soon after it recovers.  Issue #17's two-hour soak: a
# six-minute hang left the first posts after it waiting 365 s for the 320 s backoff step.
UNAVAILABLE_MAX_BACKOFF = timedelta(minutes=1)
RESET_JITTER_S = (1.0, 3.0)  # after a rate limit's reset: past the server's whole second, and sources spread


def backoff_delay(failures: int, interval_seconds: int, retry_after: float | None = None,
                  rng: random.Random | None = None, cap: timedelta = MAX_BACKOFF) -> timedelta:
    """Exponential backoff with jitter, never sooner than the server asked, never above ``cap`` or twice the
    interval, whichever is longer."""
    ceiling = max(cap.total_seconds(), 2.0 * interval_seconds)
    base = min(interval_seconds * 2 ** max(0, failures - 1), ceiling)
    jittered = base * (0.75 + 0.5 * (rng or random).random())
    return timedelta(seconds=max(jittered, retry_after or 0.0))


def retry_at(error: SourceError, failures: int, interval_seconds: int, now: datetime,
             rng: random.Random | None = None) -> datetime:
    """When to poll again: right after the reset a rate limit named (a later backoff step would leave
    everything posted meanwhile waiting, issue #17); an unavailable source (timeout, 5xx) after the exponential
    backoff capped at a minute or two intervals; anything else (refused credentials, a bad query) capped at an hour."""
    if not isinstance(error, SourceUnavailable):
        return now + backoff_delay(failures, interval_seconds, None, rng)
    if error.reset_at is not None:
        return max(as_utc(error.reset_at), now) + timedelta(seconds=(rng or random).uniform(*RESET_JITTER_S))
    return now + backoff_delay(failures, interval_seconds, error.retry_after, rng, UNAVAILABLE_MAX_BACKOFF)


def record_success(state: SourceState, *, fetched: int, requests: int, newest: datetime | None,
                   now: datetime, interval_seconds: int) -> None:
    if state.status in ("failing", "auth_failed"):
        log.warning("source %s recovered after %s", state.id, plural(state.consecutive_failures, "failure"))
    state.status = "ok"
    state.consecutive_failures = 0
    state.last_error = None
    state.last_attempt_at = state.last_success_at = now
    state.items_last_poll = fetched
    state.items_total += fetched
    state.requests_total += requests
    if newest is not None:
        state.last_item_at = max(as_utc(state.last_item_at), newest) if state.last_item_at else newest
    state.next_poll_at = now + timedelta(seconds=interval_seconds)


def record_failure(state: SourceState, error: SourceError, *, now: datetime, interval_seconds: int) -> None:
    """Count the failure and schedule the retry; the cursor is untouched, so nothing is skipped."""
    state.consecutive_failures += 1
    state.last_attempt_at = now
    state.last_error = describe(error)
    state.next_poll_at = retry_at(error, state.consecutive_failures, interval_seconds, now)
    new_status = "auth_failed" if isinstance(error, SourceAuthError) else "failing"
    if state.status != new_status:
        log.error("source %s is %s: %s", state.id, new_status.replace("_", " "), state.last_error)
    state.status = new_status


def describe(error: SourceError) -> str:
    if isinstance(error, SourceAuthError):
        return f"credentials rejected ({error}); check the source's token or keys"
    if isinstance(error, SourceUnavailable) and error.reset_at:
        return f"{error} (rate limited until {until_minute(error.reset_at)})"
    if isinstance(error, SourceUnavailable) and error.retry_after:
        return f"{error} (retry in {error.retry_after:.0f}s)"
    return str(error)


def until_minute(moment: datetime) -> str:
    """"HH:MM UTC", rounded up: a reset at 14:05:20 reads "until 14:06", never a time already gone."""
    moment = as_utc(moment)
    whole = moment.replace(second=0, microsecond=0)
    return f"{whole + timedelta(minutes=1) if moment > whole else whole:%H:%M} UTC"


def is_quiet(state: SourceState, *, now: datetime, quiet_minutes: int) -> bool:
    """No items for longer than the quiet period, although polls succeed: suspicious."""
    reference = state.last_item_at or state.last_success_at
    return (state.status == "ok" and reference is not None
            and now - as_utc(reference) > timedelta(minutes=quiet_minutes))
