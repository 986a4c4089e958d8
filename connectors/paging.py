"""Small named helpers shared by the polling connectors: recent-id dedupe, query splitting, the
multi-query read loop with per-query positions, and budgets.

None of these sleep.  A budget that is spent makes the caller stop early and return what it has;
the pipeline decides when to poll again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from monitor.clock import as_utc
from monitor.errors import SourceUnavailable

T = TypeVar("T")
QueryState = dict[str, Any]  # one query's position (since/until ids or times), JSON-able, kept in the cursor


def query_key(query: str) -> str:
    """A short, stable name for a query inside the cursor (queries can be hundreds of characters)."""
    return hashlib.sha1(query.encode()).hexdigest()[:12]


def query_states(queries: Sequence[str], cursor: Mapping[str, Any]) -> dict[str, QueryState]:
    """Each current query's saved position from ``cursor["queries"]``; new queries start empty, removed ones go."""
    saved: Mapping[str, QueryState] = cursor.get("queries") or {}
    return {query_key(q): dict(saved.get(query_key(q)) or {}) for q in queries}


def rotated(items: Sequence[T], turn: int) -> list[T]:
    """Start at a different item each poll, so a budget that runs out never starves the same query."""
    if not items:
        return []
    start = turn % len(items)
    return [*items[start:], *items[:start]]


class BudgetSpent(Exception):
    """Raised by a query's drain when a shared budget is spent: the poll stops quietly with what it read."""


def read_each(items: Iterable[T], drain: Callable[[T], None], *, kept: Callable[[], int], problems: list[str],
              full: Callable[[], bool] = lambda: False) -> None:
    """Drain each query (or stream) in turn until the batch is ``full``.

    A ``SourceUnavailable`` after something was read ends the poll early but keeps the batch (the queries
    not reached keep their old positions); before anything was read it propagates, so the pipeline backs
    off.  Auth errors always propagate.  ``BudgetSpent`` ends the poll with its message as a problem.
    """
    for item in items:
        if full():
            return
        try:
            drain(item)
        except BudgetSpent as exc:
            problems.append(str(exc))
            return
        except SourceUnavailable as exc:
            if not kept():
                raise
            problems.append(f"stopped early, keeping {kept()} posts: {exc}")
            return


class RecentIds:
    """An insertion-ordered set of the last ``size`` ids: what a cursor remembers to skip repeats."""

    def __init__(self, ids: Iterable[str] = (), size: int = 500) -> None:
        self.size = size
        self._ids: dict[str, None] = {}
        for item in ids:
            self.add(str(item))

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, item: str) -> bool:
        """Remember ``item``; False when it was already known (so the caller drops it)."""
        if item in self._ids:
            return False
        self._ids[item] = None
        while len(self._ids) > self.size:
            del self._ids[next(iter(self._ids))]
        return True

    def to_list(self) -> list[str]:
        return list(self._ids)


def quote_term(term: str) -> str:
    """Quote multi-word phrases so search engines treat them as one term."""
    term = term.strip()
    if " " in term and not (term.startswith('"') and term.endswith('"')):
        return '"' + term.replace('"', "") + '"'
    return term


def split_query(terms: Sequence[str], suffix: str = "", *, max_len: int = 512,
                joiner: str = " OR ") -> list[str]:
    """Pack ``terms`` into as few ``(a OR b ...) suffix`` queries as fit in ``max_len`` characters.

    Raises ValueError when one term plus the shared suffix (exclusions, languages) cannot fit.
    """
    tail = f" {suffix}" if suffix else ""
    queries: list[str] = []
    group: list[str] = []

    def render(items: list[str]) -> str:
        body = items[0] if len(items) == 1 else "(" + joiner.join(items) + ")"
        return body + tail

    for term in dict.fromkeys(t for t in terms if t):
        if len(render([term])) > max_len:
            raise ValueError(f"the term {term!r} with exclusions/languages exceeds {max_len} characters")
        if group and len(render([*group, term])) > max_len:
            queries.append(render(group))
            group = []
        group.append(term)
    if group:
        queries.append(render(group))
    return queries


def month_key(moment: datetime) -> str:
    """The calendar month (UTC) a read counts against, e.g. ``2026-11``."""
    return as_utc(moment).strftime("%Y-%m")


@dataclass
class MonthlyReads:
    """Reads spent this month, kept in the cursor so it is stored atomically with the batch."""

    month: str
    used: int = 0

    @classmethod
    def from_cursor(cls, cursor: Mapping[str, Any] | None, now: datetime) -> MonthlyReads:
        month = month_key(now)
        if cursor and cursor.get("month") == month:
            return cls(month, int(cursor.get("reads_this_month", 0)))
        return cls(month, 0)

    def left(self, budget: int | None) -> int:
        return 1 << 62 if budget is None else max(0, budget - self.used)


@dataclass
class TokenBucket:
    """Requests per minute with burst ``capacity``; time comes from the caller (an injected clock)."""

    per_minute: float
    capacity: float
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self._lock = threading.Lock()

    def try_take(self, now: datetime) -> bool:
        """Take one token if there is one; never waits."""
        stamp = as_utc(now).timestamp()
        with self._lock:
            if self.updated is not None and stamp > self.updated:
                self.tokens = min(self.capacity, self.tokens + (stamp - self.updated) * self.per_minute / 60)
            self.updated = stamp if self.updated is None else max(self.updated, stamp)
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False

    def seconds_until_token(self) -> float:
        return max(0.0, (1 - self.tokens) * 60 / self.per_minute)


_BUCKETS: dict[str, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def shared_bucket(key: str, per_minute: float) -> TokenBucket:
    """One bucket per key (e.g. an OAuth client id) for the whole process, shared by every source."""
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(key)
        if bucket is None or bucket.per_minute != per_minute:
            bucket = _BUCKETS[key] = TokenBucket(per_minute=per_minute, capacity=per_minute)
        return bucket
