"""Request guards: CSRF tokens bound to the session, and a login rate limit per client and per name."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

WINDOW_SECONDS = 15 * 60


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token (random, kept in the signed session cookie); every form carries it."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get("csrf")
    return (isinstance(expected, str) and isinstance(submitted, str) and len(expected) >= 32
            and hmac.compare_digest(expected.encode(), submitted.encode()))


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per key (client address, user name) in a sliding window."""

    def __init__(self, attempts: int, *, window: float = WINDOW_SECONDS,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window, self._now = attempts, window, now
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(key)) >= self.attempts for key in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._now())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        cutoff = self._now() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if len(self._failures) > 10_000:  # a flood of names must not grow memory without bound
            self._failures = {k: v for k, v in self._failures.items() if v}
        return failures
