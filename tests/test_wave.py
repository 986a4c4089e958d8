"""The slow-wave volume test (monitor/detection/wave.py, issue #12) through the real ``BrandDetector.run``.

A brand with a daily shape whose complaints double for a day is neither a record (its daily peak already held as
many people in 3 h) nor a share jump against a usual share that follows it, so the record test alone never pages it;
the wave test compares the last hours with the same hours of the previous days and does. An ordinary week, with
its daily peaks, and a busy day of the usual mix (a happy launch) do not page.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation
from monitor.detection.wave import WaveConfig, WaveTest

OLD = replace(BrandConfig.for_sensitivity("default"), wave=WaveConfig(enabled=False))
NEW = BrandConfig.for_sensitivity("default")  # the wave test is on by default
T0 = datetime(2026, 1, 5, tzinfo=UTC)
STEP = timedelta(minutes=5)
WORDS = ["flight", "gate", "bag", "seat", "crew", "delay", "refund", "app", "lounge", "miles", "boarding"]


def rate(now: datetime) -> float:
    """Mentions per 5 minutes: 6 on average, a daily peak at 15:00 of 9.6 and a trough at 03:00 of 2.4."""
    hour = now.hour + now.minute / 60
    return 6.0 * (1 + 0.6 * math.sin((hour - 9) / 24 * 2 * math.pi))


def draw(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth), so the counts wobble like real ones."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def posts(now: datetime, rng: random.Random, n: int, share: float, seq: list[int]) -> list[Observation]:
    out = []
    for _ in range(n):
        seq[0] += 1
        neg = rng.random() < share
        out.append(Observation(now - timedelta(seconds=rng.randint(1, 299)), f"u{seq[0]}", 0.9 if neg else 0.1, neg,
                               " ".join(f"{w}{rng.randrange(10**6)}" for w in rng.choices(WORDS, k=9)),
                               ref=f"m{seq[0]}"))  # varied texts: no story repeats them, volume is what is tested
    return out


def week(cfg: BrandConfig, extra_from: int | None, extra_share: float = 1.0, days: int = 7,
         seed: int = 5) -> list[tuple[float, bool]]:
    """``days`` days of a brand half of whose mentions are complaints; from bucket ``extra_from`` for a day as many
    more mentions again (``extra_share`` of them negative). Returns (hours from the start, escalation) per spike."""
    rng, seq, now, found = random.Random(seed), [0], T0, []
    det = BrandDetector(cfg)
    for i in range(days * 288):
        now += STEP
        batch = posts(now, rng, draw(rng, rate(now)), 0.5, seq)
        if extra_from is not None and extra_from <= i < extra_from + 288:
            batch += posts(now, rng, draw(rng, rate(now) * 0.5), extra_share, seq)  # complaints doubled
        found += [((now - T0).total_seconds() / 3600, f.escalation) for f in det.run(batch, now) if f.kind == "spike"]
    return found


def test_a_day_of_doubled_complaints_pages_once_only_with_the_wave_test() -> None:
    start = 4 * 288  # day five, from midnight: by the afternoon peak the usual share has followed it
    new = [h for h, esc in week(NEW, start, days=6) if not esc]
    assert week(OLD, start, days=6) == []  # the record test: the daily peak already held as many
    assert len(new) == 1 and 4 * 24 < new[0] < 4 * 24 + 12  # one page, within its first 12 hours


def test_an_ordinary_week_with_its_daily_peaks_does_not_page() -> None:
    for seed in (5, 6):
        assert week(NEW, None, seed=seed) == []


def test_a_busy_day_of_the_usual_mix_does_not_page() -> None:
    """Twice the mentions at the usual share: the negative people double, but the share does not move."""
    assert week(NEW, 4 * 288 + 96, extra_share=0.5, days=6) == []


def test_the_wave_test_expects_the_same_hours_of_previous_days_and_keeps_its_state() -> None:
    test = WaveTest(WaveConfig(enabled=True, min_days=2))
    for h in range(24 * 3):  # three days: 10 people an hour by day, 2 at night
        people = 10.0 if 8 <= h % 24 < 20 else 2.0
        assert test.add(h * 3600.0, people, people, 2 * people) is None
    window, past = test.usual()
    assert len(past) == 2 and all(abs(p[0] - window[0]) < 1e-9 for p in past)  # the same hours, the same count
    again = WaveTest(test.cfg, test.to_dict())
    assert again.to_dict() == test.to_dict()
