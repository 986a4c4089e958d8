"""Poisson evidence for counts of people: the z-score is calibrated, and thin data needs real evidence to page."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.detection.evidence import shrunk_dispersion, surprise_z
from monitor.detection.seasonal import SeriesConfig, SeriesDetector

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def poisson_tail(count: int, lam: float) -> float:
    """P(X >= count) for X ~ Poisson(lam), summed exactly."""
    below = sum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(count))
    return max(1.0 - below, 0.0)


def upper_normal_tail(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


@pytest.mark.parametrize("lam", [0.5, 3.0, 20.0, 200.0])
def test_the_surprise_z_matches_the_exact_poisson_tail_within_a_factor_of_two(lam: float) -> None:
    for tail in (1e-3, 1e-5):
        count = next(c for c in range(int(lam) + 1, int(lam * 10) + 60) if poisson_tail(c, lam) < tail)
        approx = upper_normal_tail(surprise_z(count, lam))
        assert 0.5 < approx / poisson_tail(count, lam) < 2.0, (lam, count)


def test_no_surprise_at_or_below_the_expected_count_and_dispersion_widens() -> None:
    assert surprise_z(3, 5.0) == 0.0 and surprise_z(5, 5.0) == 0.0
    assert surprise_z(20, 5.0, dispersion=4.0) == pytest.approx(surprise_z(20, 5.0) / 2)
    assert surprise_z(20, 5.0, dispersion=0.2) == surprise_z(20, 5.0)  # never narrower than Poisson


def test_a_dispersion_learnt_from_few_samples_stays_near_the_wide_prior() -> None:
    assert shrunk_dispersion(1.0, 0, 2.0, 12) == 2.0
    assert shrunk_dispersion(1.0, 12, 2.0, 12) == pytest.approx(1.5)
    assert shrunk_dispersion(0.3, 1000, 2.0, 12) == 1.0
    assert shrunk_dispersion(5.0, 1000, 2.0, 12) == pytest.approx(4.96, abs=0.01)


def thin_series(days: int, seed: int) -> list[float]:
    """A brand with about a dozen negative people a day: most 5-minute windows are empty, a few hold two."""
    rng = random.Random(seed)
    return [float(sum(rng.random() < 0.002 for _ in range(20))) for _ in range(days * 288)]


def alerts(counts: list[float], **overrides: float) -> list[int]:
    det = SeriesDetector(SeriesConfig.for_sensitivity("default", **overrides))
    return [i for i, c in enumerate(counts) if det.step(START + i * STEP, c).alert]


@pytest.mark.parametrize(("people", "pages"), [(5, False), (12, True)])
def test_on_thin_data_a_record_needs_poisson_evidence(people: int, pages: bool) -> None:
    counts = thin_series(21, seed=5) + [float(people)] + [0.0] * 12
    burst = 21 * 288
    assert burst in alerts(counts, evidence_z=0.0)  # the wobble of near-empty windows alone would page on 5
    assert alerts(counts) == ([burst] if pages else [])
