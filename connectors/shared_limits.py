"""Request budgets shared by every worker process: a Redis moving window (``limits``) when the deployment
is distributed, a token bucket in this process otherwise.

Reddit allows 100 queries a minute per client id and X 450 recent-search requests per 15 minutes per app:
per-process buckets let N Celery workers spend N times the quota.  The Celery worker calls ``configure``
with its Redis URL at start; keys are hashed, so no client id or token reaches Redis in clear.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime
from typing import Any, Protocol

_URL: str | None = None
_GUARD = threading.Lock()
_LIMITERS: dict[str, Any] = {}


class Bucket(Protocol):
    def try_take(self, now: datetime) -> bool: ...

    def seconds_until_token(self) -> float: ...


def configure(url: str | None) -> None:
    """Share budgets through Redis at ``url`` (``redis://...``) from now on; None: in this process only."""
    global _URL
    _URL = url if url and url.startswith(("redis://", "rediss://")) else None


def shared_url() -> str | None:
    return _URL


class RedisBucket:
    """``amount`` requests per ``window_minutes`` across every process using the same Redis and key.

    Time is Redis's and this host's clock, not an injected one: the quota is the platform's, in real time.
    """

    def __init__(self, url: str, key: str, amount: int, window_minutes: int) -> None:
        from limits import RateLimitItemPerMinute

        self.item = RateLimitItemPerMinute(max(1, amount), window_minutes)
        self.key = "groundswell:" + hashlib.sha256(key.encode()).hexdigest()[:24]
        self.limiter = _limiter(url)

    def try_take(self, now: datetime) -> bool:  # noqa: ARG002 - the platform's window runs in real time
        return bool(self.limiter.hit(self.item, self.key))

    def seconds_until_token(self) -> float:
        stats = self.limiter.get_window_stats(self.item, self.key)
        return 0.0 if stats.remaining > 0 else max(0.0, float(stats.reset_time) - time.time())


def _limiter(url: str) -> Any:
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    with _GUARD:
        if url not in _LIMITERS:
            _LIMITERS[url] = MovingWindowRateLimiter(storage_from_string(url))
        return _LIMITERS[url]
