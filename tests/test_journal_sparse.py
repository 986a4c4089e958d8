"""The detector journal's checkpoints: every ``EVERY`` passes in the service, rarer inside a replay."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

from monitor.detection import journal
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation

START = datetime(2026, 3, 2, tzinfo=UTC)
URL = "sqlite:///journal-test.db"


def _passes(detector: BrandDetector, brand: str, count: int) -> list[bytes | None]:
    """``count`` committed one-mention passes; the checkpoint held after each."""
    states = []
    for i in range(count):
        now = START + timedelta(minutes=5 * i)
        seen = Observation(posted_at=now, author_id=f"x:{i}", negative_weight=0.9, is_negative=True,
                           text=f"the app crashed again number {i}", followers=10, story_key=None, ref=str(i))
        journal.begin(URL, brand)
        journal.run(URL, brand, detector, [seen], now)
        journal.committed(URL, brand, detector)
        states.append(journal._BOOKS[URL, brand].state)
    return states


def test_a_replay_pickles_the_detector_once_where_the_service_pickles_it_every_48_passes() -> None:
    try:
        service = _passes(BrandDetector(BrandConfig.for_sensitivity("default")), "live", 100)
        with journal.sparse_checkpoints():
            replayed = BrandDetector(BrandConfig.for_sensitivity("default"))
            sparse = _passes(replayed, "replay", 100)
        assert len({id(s) for s in service}) == 3  # passes 1, 49, 97
        assert len({id(s) for s in sparse}) == 1 and sparse[0] is not None
        rebuilt = journal.rolled_back(URL, "replay")  # a failed pass: the checkpoint and 99 runs since
        assert rebuilt is not None and pickle.dumps(rebuilt) == pickle.dumps(replayed)
    finally:
        journal.forget()
