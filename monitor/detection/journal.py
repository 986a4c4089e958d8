"""Detector state that advances only with the commit, without pickling the detector on every pass.

``BrandDetector.run`` changes the detector as it reads (seen posts, open buckets, stories), before the
pass's incidents are committed; a pass whose transaction fails must leave the detector as it was, or
the retry finds nothing new and the incidents are lost (``warmup.advance_with_commit``). Pickling a busy
brand's detector before every pass cost ~15 ms (1.3 MB of story index), most of a backtest's replay
time. So each brand keeps a checkpoint (the pickled detector) and a journal of the runs committed since;
a failed pass rebuilds the detector from the checkpoint by running the journal again (the detector is
deterministic: the same state and input give the same state). A new checkpoint is taken every
``EVERY`` committed passes or ``MAX_OBSERVATIONS`` journaled mentions, so the pickle's cost is shared.
A backtest's replay commits after every 5-minute step; inside ``sparse_checkpoints()`` it is every
``SPARSE_EVERY`` runs (the mentions' bound unchanged: about the same rollback work, ~60 fewer pickles a week).
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from monitor.detection.brand_detector import BrandDetector, Finding, Observation

EVERY, MAX_OBSERVATIONS = 48, 20_000
SPARSE_EVERY = 2016  # a replayed week of 5-minute steps


@dataclass
class Book:
    """One brand's checkpoint, the runs committed since, and the runs of the pass in progress."""

    state: bytes | None = None
    journal: list[tuple[tuple[Observation, ...], datetime]] = field(default_factory=list)
    pending: list[tuple[tuple[Observation, ...], datetime]] = field(default_factory=list)
    observed: int = 0  # mentions in ``journal``


_SPARSE: ContextVar[bool] = ContextVar("sparse_checkpoints", default=False)


@contextlib.contextmanager
def sparse_checkpoints() -> Iterator[None]:
    """Checkpoint every ``SPARSE_EVERY`` passes, not ``EVERY`` (a replay: many tiny passes, nobody reads it)."""
    token = _SPARSE.set(True)
    try:
        yield
    finally:
        _SPARSE.reset(token)


_BOOKS: dict[tuple[str, str], Book] = {}


def run(url: str, brand_id: str, detector: BrandDetector, observations: Sequence[Observation],
        now: datetime) -> list[Finding]:
    """``detector.run``, noted in the pass's journal (every run inside a detection pass goes through here)."""
    _BOOKS.setdefault((url, brand_id), Book()).pending.append((tuple(observations), now))
    return detector.run(observations, now)


def begin(url: str, brand_id: str) -> None:
    _BOOKS.setdefault((url, brand_id), Book()).pending = []


def committed(url: str, brand_id: str, detector: BrandDetector) -> None:
    """The pass committed: its runs join the journal; a new checkpoint when the journal is long."""
    book = _BOOKS.setdefault((url, brand_id), Book())
    book.journal += book.pending
    book.observed += sum(len(o) for o, _ in book.pending)
    book.pending = []
    every = SPARSE_EVERY if _SPARSE.get() else EVERY
    if book.state is None or len(book.journal) >= every or book.observed > MAX_OBSERVATIONS:
        book.state, book.journal, book.observed = None, [], 0
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            book.state = pickle.dumps(detector, protocol=pickle.HIGHEST_PROTOCOL)


def rolled_back(url: str, brand_id: str) -> BrandDetector | None:
    """The detector as of the last commit (None: no checkpoint; warm it up again from what was committed)."""
    book = _BOOKS.pop((url, brand_id), None)
    if book is None or book.state is None:
        return None
    detector: BrandDetector = pickle.loads(book.state)  # noqa: S301 (our own bytes, from this process)
    for observations, now in book.journal:
        detector.run(observations, now)
    _BOOKS[url, brand_id] = Book(state=book.state, journal=book.journal, observed=book.observed)
    return detector


def forget(url: str | None = None, brand_id: str = "") -> None:
    """Drop one brand's book (its detector is being dropped), or every book."""
    if url is None:
        _BOOKS.clear()
    else:
        _BOOKS.pop((url, brand_id), None)
