"""The detector's dedupe keys stay compact over hours (issue #17's RSS slope) and still drop every repeat."""

from __future__ import annotations

import copy
import pickle
import sys
from datetime import UTC, datetime, timedelta

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation, detect_brand
from monitor.detection.seen_keys import KEEP_S, SeenKeys

START = datetime(2026, 12, 1, tzinfo=UTC)


def _feed(detector: BrandDetector, hours: float, first_id: int = 1) -> int:
    """The soak's rate: 20 posts every 10 s, ids in order; returns the next id."""
    n = first_id
    for step in range(1, int(hours * 360) + 1):
        now = START + timedelta(seconds=10 * step)
        batch = [Observation(now - timedelta(seconds=i / 2), f"x:u{n + i}", 0.1, False, "ok", ref=str(n + i))
                 for i in range(20)]
        detector.run(batch, now)
        n += 20
    return n


def _held_bytes(seen: object) -> int:
    """What the keys hold: the dict (and its key strings) plus, when compact, the arrays."""
    fresh = seen if isinstance(seen, dict) else seen.fresh  # type: ignore[attr-defined]
    size = sys.getsizeof(fresh) + sum(sys.getsizeof(k) for k in fresh)
    return size + (0 if isinstance(seen, dict) else int(seen.ids.nbytes + seen.times.nbytes))  # type: ignore


def test_three_hours_of_keys_stay_small_and_every_repeat_is_still_dropped() -> None:
    detector = BrandDetector(BrandConfig.for_sensitivity("default"))
    next_id = _feed(detector, 3.0)
    assert len(detector.seen) == next_id - 1 == 21_600
    # the dict held ~100 bytes a key (2.2 MB here; 36 MB at two days of this feed); now ~16 past 20 minutes
    assert _held_bytes(detector.seen) < 800_000
    now = START + timedelta(hours=3, seconds=10)
    again = [Observation(now, "x:u1", 0.9, True, "ok", ref="1"), Observation(now, "x:u9", 0.9, True, "ok", ref="21599")]
    before = (copy.deepcopy(detector.open), detector.series.to_dict())
    detector.run(again, now)
    assert all(key in detector.seen for key in ("1", "10000", "21599", "21600"))
    assert "21601" not in detector.seen and "0" not in detector.seen
    assert (detector.open, detector.series.to_dict()) == before  # both dropped as seen


def test_keys_are_forgotten_two_days_after_their_time() -> None:
    seen = SeenKeys()
    t0 = START.timestamp()
    for i in range(1, 5001):
        seen.add(str(i), t0 + i)
    seen.add("not-an-id", t0 + 5000)
    seen.prune(t0 + 4 * 3600)  # moves the old ids into the arrays
    assert len(seen.ids) == 5000 and list(seen.fresh) == ["not-an-id"]
    assert "2500" in seen and "not-an-id" in seen and "02500" not in seen
    seen.prune(t0 + KEEP_S + 2500.5)
    assert "2500" not in seen and "2501" in seen and len(seen) == 2501
    seen.prune(t0 + KEEP_S + 6000)
    assert len(seen) == 0


def test_state_round_trips_and_an_older_dict_state_still_loads() -> None:
    detector = BrandDetector(BrandConfig.for_sensitivity("default"))
    _feed(detector, 0.6)
    copy = pickle.loads(pickle.dumps(detector))
    assert len(copy.seen) == len(detector.seen) == 4320 and len(copy.seen.ids) > 0 and "17" in copy.seen
    state = detector.to_dict()
    assert SeenKeys.from_state(state["seen"]).ids.tolist() == detector.seen.ids.tolist()
    old = {**state, "seen": {"7": START.timestamp(), "x|1|2": START.timestamp() + 1}}
    findings, after = detect_brand([Observation(START, "x:u7", 0.9, True, "ok", ref="7")], old,
                                   BrandConfig.for_sensitivity("default"), START + timedelta(seconds=5))
    assert findings == [] and "7" in SeenKeys.from_state(after["seen"]).fresh
