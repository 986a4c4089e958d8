"""Cold start and episode memory of the spike channel, through BrandDetector and SeriesDetector, on data made here.

A brand is often added the day something goes wrong (detection.md lesson 14): a burst of dozens of distinct
negative people must page within minutes of the first hour, while an ordinary first day must not page at all.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Finding, Observation
from monitor.detection.seasonal import SeriesConfig, SeriesDetector

BRAND_SERIES = BrandConfig.for_sensitivity("default").series  # what BrandDetector runs on negative people

STEP = timedelta(minutes=5)
GRACE = timedelta(seconds=61)  # the pipeline runs just after each 5-minute bucket closes
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: the brand was added at 9 am


class Traffic:
    """Ordinary mentions of a brand: a daily cycle, about 15 % negative, each author once."""

    def __init__(self, seed: int, per_bucket: float) -> None:
        self.rng, self.per_bucket, self.seq = random.Random(seed), per_bucket, 0

    def bucket(self, start: datetime, extra_negative: int = 0) -> list[Observation]:
        hour = start.hour + start.minute / 60
        rate = self.per_bucket * (0.3 + 0.7 * (1 + math.sin((hour - 9) / 24 * 2 * math.pi)))
        n = sum(self.rng.random() < rate / 40 for _ in range(40))  # binomial ~ Poisson(rate)
        out = [self._one(start, self.rng.random() < 0.15) for _ in range(n)]
        return out + [self._one(start, True) for _ in range(extra_negative)]

    def _one(self, start: datetime, negative: bool) -> Observation:
        self.seq += 1
        words = "outage no internet since this morning" if negative else "new router arrived today"
        return Observation(start + timedelta(seconds=self.rng.randint(0, 299)), f"user{self.seq}",
                           0.9 if negative else 0.1, negative, f"{words} {self.seq}", ref=f"m{self.seq}")


def spikes(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.kind == "spike"]


def run_buckets(det: BrandDetector, traffic: Traffic, first: datetime, buckets: int,
                burst: dict[int, int] | None = None) -> list[tuple[datetime, Finding]]:
    """Feed ``buckets`` buckets from ``first``; ``burst`` adds negative people to some of them (by index)."""
    out = []
    for i in range(buckets):
        start = first + i * STEP
        now = start + STEP + GRACE
        out += [(now, f) for f in spikes(det.run(traffic.bucket(start, (burst or {}).get(i, 0)), now))]
    return out


def test_day_one_burst_of_thirty_people_in_fifteen_minutes_pages_within_ten_minutes() -> None:
    traffic, det = Traffic(seed=4, per_bucket=6.0), BrandDetector(BrandConfig.for_sensitivity("default"))
    assert run_buckets(det, traffic, START, 12) == []  # the first hour
    burst_start = START + 12 * STEP
    found = run_buckets(det, traffic, burst_start, 6, burst={0: 12, 1: 12, 2: 12})  # 36 people in 15 minutes
    assert found, "a first-day burst must page"
    paged_at, first = found[0]
    assert paged_at - burst_start <= timedelta(minutes=10) + GRACE
    assert not first.escalation and first.counts["history_h"] < 2
    assert "first" in first.reason and "people in" in first.reason
    assert len({f.key for _, f in found}) == 1  # one incident; growth is an escalation of it


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_burst_fifteen_minutes_after_the_brand_was_added_pages_within_ten_minutes(seed: int) -> None:
    """The brand was added because something is going wrong: the cold test judges from its fourth bucket (it waited
    for the sixth, and learnt a burst before then as the brand's usual rate, so it never paged)."""
    traffic, det = Traffic(seed=seed, per_bucket=6.0), BrandDetector(BrandConfig.for_sensitivity("default"))
    assert run_buckets(det, traffic, START, 3) == []  # 15 minutes of one or two negative people
    burst_start = START + 3 * STEP
    found = run_buckets(det, traffic, burst_start, 6, burst={0: 12, 1: 12, 2: 12})
    assert found and found[0][0] - burst_start <= timedelta(minutes=10) + GRACE, found
    assert "in the first" in found[0][1].reason


@pytest.mark.parametrize(("seed", "per_bucket"), [(1, 3.0), (2, 8.0), (3, 60.0)])
def test_an_ordinary_first_days_do_not_page(seed: int, per_bucket: float) -> None:
    traffic, det = Traffic(seed=seed, per_bucket=per_bucket), BrandDetector(BrandConfig.for_sensitivity("default"))
    assert run_buckets(det, traffic, START, 4 * 288) == []  # cold start, then records with a wide margin


@pytest.mark.parametrize(("hours", "why"), [(30, "in the first 30 h of monitoring"),
                                            (80, "is the most since monitoring began 3 days ago")])
def test_in_the_first_days_a_burst_pages_by_the_cold_test_then_as_a_record(hours: int, why: str) -> None:
    traffic, det = Traffic(seed=6, per_bucket=6.0), BrandDetector(BrandConfig.for_sensitivity("default"))
    assert run_buckets(det, traffic, START, hours * 12) == []
    burst_start = START + hours * 12 * STEP
    found = run_buckets(det, traffic, burst_start, 4, burst={0: 12, 1: 12, 2: 12})
    assert found and found[0][0] - burst_start <= timedelta(minutes=10) + GRACE
    assert why in found[0][1].reason


def _counts(days: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [float(sum(rng.random() < (1 + math.sin(i / 288 * 2 * math.pi)) * 2 / 20 for _ in range(20)))
            for i in range(days * 288)]


def test_one_outage_does_not_deafen_the_detector_for_weeks() -> None:
    counts = _counts(20, seed=8)
    for i in range(8 * 288, 8 * 288 + 24):
        counts[i] += 400.0  # a huge outage on day 8
    for i in range(12 * 288, 12 * 288 + 12):
        counts[i] += 60.0  # a smaller one four days later: still far above anything but the outage
    det = SeriesDetector(SeriesConfig.for_sensitivity("default"))
    alerts = [i for i, c in enumerate(counts) if det.step(START + i * STEP, c).alert]
    assert any(8 * 288 <= i < 8 * 288 + 3 for i in alerts)
    assert any(12 * 288 <= i < 12 * 288 + 3 for i in alerts)
    uncapped = SeriesDetector(SeriesConfig.for_sensitivity("default", episode_memory=1e9))
    alerts = [i for i, c in enumerate(counts) if uncapped.step(START + i * STEP, c).alert]
    assert not any(12 * 288 <= i < 12 * 288 + 12 for i in alerts)  # what the cap prevents


def _poisson_day(rng: random.Random, rate: float, buckets: int, burst: dict[int, int]) -> list[float]:
    """Negative people per bucket: Poisson around ``rate`` times the daily shape Traffic uses, plus a burst."""
    out = []
    for i in range(buckets):
        hour = 9 + i / 12
        lam = rate * (0.3 + 0.7 * (1 + math.sin((hour - 9) / 24 * 2 * math.pi)))
        count, p, limit = 0, rng.random(), math.exp(-lam)
        while p >= limit:
            count, p = count + 1, p * rng.random()
        out.append(float(count + burst.get(i, 0)))
    return out


def _first_alert(counts: list[float], since: int = 0, cfg: SeriesConfig | None = None) -> tuple[int, float] | None:
    det = SeriesDetector(cfg or SeriesConfig.for_sensitivity("default"))
    for i, value in enumerate(counts):
        step = det.step(START + i * STEP, value)
        if step.alert and i >= since:
            return i, step.count / max(step.high, 1e-9)
    return None


def test_a_larger_brands_day_one_burst_at_under_three_times_its_rate_pages_within_ten_minutes() -> None:
    traffic, det = Traffic(seed=11, per_bucket=40.0), BrandDetector(BrandConfig.for_sensitivity("default"))
    assert run_buckets(det, traffic, START, 12) == []  # about 7 negative people every 5 minutes
    burst_start = START + 12 * STEP
    found = run_buckets(det, traffic, burst_start, 6, burst={0: 12, 1: 12, 2: 12})
    assert found, "a burst of 36 people in 15 minutes must page on a larger brand too"
    paged_at, first = found[0]
    assert paged_at - burst_start <= timedelta(minutes=10) + GRACE
    expected = first.counts["previous_high"]  # the people the rate before the burst predicts for that window
    assert expected >= 10 and first.counts["window_people"] / expected < 3.5  # about 3x usual, not 20x
    assert "first" in first.reason


def test_over_many_larger_brands_a_day_one_burst_pages_within_ten_minutes_mostly_and_fifteen_always() -> None:
    """About 5 negative people per 5 minutes, then 12 more per bucket (about 3x) after the first hour: the
    evidence after 10 minutes is near the noise of a first hour, so most (not all) page by then."""
    delays = []
    for seed in range(20):
        counts = _poisson_day(random.Random(seed), 4.5, 18, {12: 12, 13: 12, 14: 12})
        found = _first_alert(counts)
        assert found is not None and found[0] >= 12, "no page before the burst, and the burst pages"
        delays.append((found[0] - 12 + 1) * 5)
    assert max(delays) <= 15 and sum(d <= 10 for d in delays) >= 14, delays


@pytest.mark.parametrize("rate", [0.5, 3.0, 9.0])
def test_ordinary_first_three_days_of_many_brands_never_page(rate: float) -> None:
    for seed in range(10):
        counts = _poisson_day(random.Random(1000 + seed), rate, 3 * 288, {})
        assert _first_alert(counts) is None, f"seed {seed}"



@pytest.mark.parametrize("rate", [0.5, 3.0, 9.0])
def test_ordinary_first_three_days_of_many_brands_never_page_with_the_brand_preset(rate: float) -> None:
    """The brand preset's cold test judges from the fourth bucket: ordinary first days still do not page."""
    for seed in range(10):
        counts = _poisson_day(random.Random(1000 + seed), rate, 3 * 288, {})
        assert _first_alert(counts, cfg=BRAND_SERIES) is None, f"seed {seed}"
