"""A new brand's first hours as the service sees them: the first poll's backfill is the brand's past.

Live connectors read back on their first poll (X 6 h, the others 24 h), and the detector's first pass buckets
those posts as the brand's history, so a burst in the first minutes of monitoring is judged against hours of it.
Spikes in that history itself are old news: only the last hour of the backfill may page (issue 12: "34 negative
mentions from 26 people; expected 0" on a brand whose data simply starts at a quiet moment).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.detection.brand_detector import BrandConfig, BrandDetector, Finding, Observation

STEP = timedelta(minutes=5)
GRACE = timedelta(seconds=61)  # the pass runs just after each 5-minute bucket closes
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # monitoring begins; the first poll reads the hours before


class Brand:
    """A brand's mentions: ``negative`` people per bucket on average (a daily cycle), ``share`` of mentions negative."""

    def __init__(self, seed: int, negative: float, share: float) -> None:
        self.rng, self.negative, self.calm, self.seq = random.Random(seed), negative, (1 - share) / share, 0

    def bucket(self, start: datetime, extra: int = 0, quiet: bool = False) -> list[Observation]:
        """One bucket's mentions; ``quiet``: a night's few contented mentions and no complaint."""
        hour = (start - START).total_seconds() / 3600
        lam = self.negative * (1.0 + 0.5 * math.sin(hour / 24 * 2 * math.pi))
        out = [self._one(start, True) for _ in range(0 if quiet else self._poisson(lam) + extra)]
        return out + [self._one(start, False) for _ in range(2 if quiet else self._poisson(self.calm * lam))]

    def _poisson(self, lam: float) -> int:
        count, p, limit = 0, self.rng.random(), math.exp(-lam)
        while p >= limit:
            count, p = count + 1, p * self.rng.random()
        return count

    def _one(self, start: datetime, negative: bool) -> Observation:
        self.seq += 1
        text = f"{'my flight is delayed again' if negative else 'thanks for the upgrade'} {self.seq}"
        return Observation(start + timedelta(seconds=self.rng.randint(0, 299)), f"user{self.seq}",
                           0.9 if negative else 0.1, negative, text, ref=f"m{self.seq}")


def monitor(brand: Brand, backfill: list[Observation], buckets: int,
            burst: dict[int, int] | None = None) -> list[tuple[datetime, Finding]]:
    """The first pass gets the backfill and the first bucket, then one pass per bucket; spike openings only."""
    det, out = BrandDetector(BrandConfig.for_sensitivity("default")), []
    for i in range(buckets):
        start = START + i * STEP
        now = start + STEP + GRACE
        mentions = (backfill if i == 0 else []) + brand.bucket(start, (burst or {}).get(i, 0))
        out += [(now, f) for f in det.run(mentions, now) if f.kind == "spike" and not f.escalation]
    return out


def backfill(brand: Brand, hours: float, quiet_first: int = 0, burst_last: int = 0) -> list[Observation]:
    """``hours`` of posts before monitoring began: the first ``quiet_first`` buckets hold no complaint, the last two
    ``burst_last`` extra negative people each."""
    first, steps = START - timedelta(hours=hours), round(hours * 12)
    return [o for i in range(steps) for o in brand.bucket(first + i * STEP, burst_last if i >= steps - 2 else 0,
                                                         quiet=i < quiet_first)]


@pytest.mark.parametrize(("seed", "negative"), [(1, 0.5), (2, 3.0), (3, 8.0)])
def test_a_burst_in_the_first_five_minutes_of_monitoring_pages_within_ten_minutes(seed: int, negative: float) -> None:
    """Without history such a burst becomes the brand's usual rate and never pages; the backfill is that history."""
    brand = Brand(seed, negative, share=0.25)
    found = monitor(brand, backfill(brand, 6), 8, burst={0: 12, 1: 12, 2: 12})  # 36 people from minute 0
    assert found, "a burst in the brand's first minutes must page"
    assert found[0][0] - START <= timedelta(minutes=10) + GRACE
    assert "people in" in found[0][1].reason


@pytest.mark.parametrize(("seed", "negative"), [(4, 0.5), (5, 1.5), (6, 3.0)])
def test_a_burst_that_began_before_the_brand_was_added_pages_in_the_first_pass(seed: int, negative: float) -> None:
    """The brand was added because something is going wrong: the last hour of the backfill may page."""
    brand = Brand(seed, negative, share=0.25)
    found = monitor(brand, backfill(brand, 6, burst_last=20), 3)
    assert found and found[0][0] == START + STEP + GRACE


@pytest.mark.parametrize("share", [0.5, 0.67, 0.8])
@pytest.mark.parametrize(("seed", "negative"), [(7, 2.0), (8, 6.0), (9, 10.0)])
def test_a_complaint_heavy_brand_whose_backfill_starts_at_a_quiet_moment_does_not_page(
        seed: int, negative: float, share: float) -> None:
    """Mostly complaints, every hour; its backfill begins with a silent quarter hour (the old code paged the
    rise after it: "12 people in 15 min in the first 15 min of monitoring, where about 0 were expected")."""
    brand = Brand(seed, negative, share)
    assert monitor(brand, backfill(brand, 6, quiet_first=3), 36) == []  # the first 3 hours of monitoring


@pytest.mark.parametrize("share", [0.5, 0.67, 0.8])
def test_complaint_heavy_brands_first_three_hours_do_not_page(share: float) -> None:
    for seed in range(12):
        brand = Brand(100 + seed, 0.5 + seed * 0.8, share)
        assert monitor(brand, backfill(brand, 6), 36) == [], f"seed {seed}"
        assert monitor(brand, [], 36) == [], f"seed {seed} without backfill"
