"""A new brand whose sources watched it and saw nothing: a burst in its first minutes is not its usual rate.

The brand detector's cold test learns a brand's level from its first 15 minutes, so a burst that begins there
becomes the brand's usual rate and never pages (issue 12). When the brand's sources had covered it for hours
before its first mention (a live connector's first poll reads back 6-24 h and found none), its past is known to
be quiet, and this test judges those first minutes: enough negative people at once, almost all of what is said
about the brand negative. The share is what tells a burst from an ordinary first day: a quiet past followed by a
brand's everyday chatter (three ordinary mentions to every complaint) looks the same by volume alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WATCHED_MIN_S = 3600.0  # the watched, empty past before the first mention must be at least this long
WATCHED_EARLY_S = 30 * 60.0  # the test covers the brand's first this many seconds (from its first mention's bucket)
WATCHED_MIN_PEOPLE = 12.0  # fewest negative people in the last 5 minutes that can page
WATCHED_MORE_PEOPLE = 6.0  # ... and this many more for each further 5 minutes of the window (10 minutes: 18)
WATCHED_SHARE_BAR = 0.88  # ... and at least this share of the same minutes' mentions negative
WATCHED_RISE = 3.0  # ... and this many times the people per 5 minutes in its buckets before them (none: its quiet past)
WINDOWS: tuple[int, ...] = (1, 2)  # buckets (with 15 minutes an 80 %-complaint brand's busy first quarter hour paged)


@dataclass(frozen=True)
class EarlyBurst:
    """The window that paged: its buckets, negative people in it and its negative share."""

    buckets: int
    people: float
    share: float


def in_early_minutes(watched_from: float | None, first_bucket: float | None, bucket_start: float) -> bool:
    """True while a brand with a long watched, empty past is in its first minutes."""
    if watched_from is None or first_bucket is None or first_bucket - watched_from < WATCHED_MIN_S:
        return False
    return bucket_start - first_bucket < WATCHED_EARLY_S


def early_burst(recent: Sequence[Sequence[float]]) -> EarlyBurst | None:
    """The first window (last 1-3 of the brand's buckets ``recent``, all since its first: [neg, people, total, ...])
    with enough negative people, a high enough negative share and well above the brand's buckets before it (a
    brand whose everyday complaints began with its first bucket is at its usual rate, not bursting), else None."""
    for k in WINDOWS:
        if len(recent) < k:
            break
        rows, before = recent[-k:], recent[:-k]
        people, neg, total = (sum(r[i] for r in rows) for i in (1, 0, 2))
        usual = k * sum(r[1] for r in before) / len(before) if before else 0.0
        least = WATCHED_MIN_PEOPLE + WATCHED_MORE_PEOPLE * (k - 1)
        if people >= max(least, WATCHED_RISE * usual) and total and neg / total >= WATCHED_SHARE_BAR:
            return EarlyBurst(k, people, neg / total)
    return None
