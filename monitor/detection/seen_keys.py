"""The dedupe keys a brand's detector has seen in the last two days, compact (issue #17's RSS slope).

A detector drops a mention it has seen before (a duplicate or a late copy), for ``keep_s`` (two days).  As a
dict of key strings and times that cost ~104 bytes a mention (the key ``str(id)`` ~52, its slot ~28, its
time 24): 36 MB at the soak's two posts a second once two days had filled, growing ~0.75 MB an hour until then.
Here the newest 10-20 minutes stay in that dict (``fresh``), and older keys that are database ids (the pipeline's
``ref``: ``str(Mention.id)``) move to two numpy arrays, the ids sorted with their times beside them: 16 bytes a
key, 5.6 MB at two days of the soak's feed.  Keys that are not plain ids (a backtest's, a test's) stay in
``fresh`` and are pruned by age as before.  A key is forgotten ``keep_s`` after its time (times never go back:
each key's time is at least the one before it, as the dict kept them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

KEEP_S = 2 * 86400.0  # how long a key is remembered
FRESH_S = 600.0  # ids older than twice this move from the dict into the arrays, ten minutes or more at a time
_MAX_ID = 10**18  # ids up to this fit an int64


def _as_id(key: str) -> int | None:
    """The key as an int64 when it is one written plainly (``str(int(key)) == key``), else None."""
    if key.isascii() and key.isdigit() and len(key) <= 18 and (key[0] != "0" or key == "0"):
        return int(key)
    return None


class SeenKeys:
    """``key in seen``, ``seen.add(key, ts)``, ``seen.prune(now)``; ``len(seen)`` counts every key held."""

    __slots__ = ("fresh", "ids", "times", "last", "next_freeze")

    def __init__(self, fresh: dict[str, float] | None = None, ids: Any = (), times: Any = ()) -> None:
        self.fresh: dict[str, float] = dict(fresh or {})
        self.ids = np.asarray(ids, dtype=np.int64)
        self.times = np.asarray(times, dtype=np.float64)
        self.last = max([*self.fresh.values(), *self.times.tolist()], default=-math.inf)
        self.next_freeze = -math.inf

    @classmethod
    def from_state(cls, state: Any) -> SeenKeys:
        """From ``to_dict`` (or an older state's plain ``{key: time}``)."""
        if isinstance(state, SeenKeys):
            return state
        state = state or {}
        if "fresh" not in state and "ids" not in state:
            return cls(state)
        return cls(state.get("fresh"), state.get("ids", ()), state.get("times", ()))

    def to_dict(self) -> dict[str, Any]:
        return {"fresh": dict(self.fresh), "ids": self.ids.tolist(), "times": self.times.tolist()}

    def __len__(self) -> int:
        return len(self.fresh) + len(self.ids)

    def __contains__(self, key: str) -> bool:
        if key in self.fresh:
            return True
        if not len(self.ids) or (value := _as_id(key)) is None:
            return False
        i = int(np.searchsorted(self.ids, value))
        return i < len(self.ids) and int(self.ids[i]) == value

    def add(self, key: str, ts: float) -> None:
        """Remember ``key`` from ``ts`` (or the last key's time, when later: times keep their order)."""
        self.last = ts if ts > self.last else self.last
        self.fresh[key] = self.last

    def prune(self, t_now: float) -> None:
        """Forget keys older than ``keep_s`` (the dict's oldest first, O(removed)); move old ids to the arrays."""
        keep = t_now - KEEP_S
        fresh = self.fresh
        while fresh:
            oldest = next(iter(fresh))
            if fresh[oldest] >= keep:
                break
            del fresh[oldest]
        if len(self.times) and self.times.min() < keep:
            kept = self.times >= keep
            self.ids, self.times = self.ids[kept], self.times[kept]
        if not fresh and not len(self.ids):
            self.last = -math.inf  # nothing held: the next key starts from its own time, as the dict did
        if fresh and t_now >= self.next_freeze and fresh[next(iter(fresh))] < t_now - 2 * FRESH_S:
            self.next_freeze = t_now + FRESH_S
            self._freeze(t_now - FRESH_S)

    def _freeze(self, before: float) -> None:
        """Move the ids seen before ``before`` from the dict into the sorted arrays (one merge)."""
        moved: list[tuple[int, float]] = []
        keys: list[str] = []
        for key, ts in self.fresh.items():
            if ts >= before:
                break
            if (value := _as_id(key)) is not None:
                moved.append((value, ts))
                keys.append(key)
        if not moved:
            return
        for key in keys:
            del self.fresh[key]
        self.fresh = dict(self.fresh)  # a dict keeps its table when keys go: a new one is sized for what stays
        ids = np.concatenate([self.ids, np.fromiter((v for v, _ in moved), np.int64, len(moved))])
        times = np.concatenate([self.times, np.fromiter((t for _, t in moved), np.float64, len(moved))])
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):  # ids mostly come in order: sorted already
            order = np.argsort(ids, kind="stable")
            ids, times = ids[order], times[order]
        self.ids, self.times = ids, times
