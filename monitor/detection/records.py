"""Novelty ("the most in weeks") and cold-start ("far above what the first hours showed") tests for one count series.

Why records: NAB's labelled anomalies, and the surges people want to be paged for, are the ones nobody has seen
lately. Fitted seasonal models scored well on the series they were tuned on and badly on unseen ones (detection.md
lesson 10); a test of "higher than anything remembered, by more than the usual wobble" has two principled knobs
(the margin, in units of the window's own noise, and how long highs are remembered) and needs no calibration run.
For each window length k (5 min, 30 min, 3 h by default) we compare the mean of ``log1p`` over the last k buckets
with a *remembered high*: the running maximum of the previous, non-overlapping windows, fading toward the typical
level with a half-life of ``memory_days`` (ideas from the NAB leaders: adaptive context, rank against history,
one report per novelty; no code from them). The window's noise is the robust mean absolute change between
consecutive windows. Each estimator weighs a new bucket by ``max(decay, 1/n)``: early on, by the fraction of data
seen, so nothing waits for a fixed warm-up before it has a value.

The caller starts the record test after one daily cycle (before that, "the highest so far" has not seen the busy
hours). In the first days the cold-start test compares the last 5-15 minutes with the rate before them (a Poisson
likelihood-ratio z, :mod:`monitor.detection.evidence`, with a dispersion learnt from the data and wide at first, and
a minimum number of people), so a burst on the day a brand is added still pages, on a big brand too. For series of
people a record must also be a Poisson surprise against the remembered high (thin data). Pure, O(window) per step,
state in plain lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from monitor.detection.evidence import shrunk_dispersion, surprise_z

NOISE_HALF_LIFE_D = 3.0  # the window's usual wobble
MID_HALF_LIFE_D = 1.0  # the typical level that remembered highs fade toward
CLIP = 4.0  # a change this many times the usual wobble updates the wobble as if it were this big
MEAN_ABS_TO_SD = 0.886  # E|X - Y| = 1.128 sd for two independent normal windows
COLD_RATE_HALF_LIFE_H = 1.0
COLD_WINDOWS = (1, 2, 3)
COLD_MIN_BUCKETS = 6  # the cold test needs half an hour of data before it can call anything unusual
COLD_PRIOR_BUCKETS = 12.0  # the prior dispersion weighs as much as an hour of data
COLD_CLIP_SD = 2.5  # a bucket further above the rate than this (in its standard deviations) is learnt as this far
COLD_MIN_RATE = 0.05  # dispersion of a near-empty series: judged against at least this rate per bucket


@dataclass
class RecordState:
    """Per window length: remembered high and low, typical level, noise, updates seen; plus recent log values."""

    ring: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    mid: list[float] = field(default_factory=list)
    noise: list[float] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    rate: float = 0.0  # cold start: recent count per bucket
    rate_n: int = 0
    spread: float = 0.0  # cold start: recent mean squared change of a bucket from the rate before it
    rates: list[float] = field(default_factory=list)  # cold start: the rate before each of the last buckets


@dataclass
class Verdict:
    """The strongest window of one step: score >= 1 means the test fires."""

    score: float = 0.0
    window: int = 0  # buckets
    count: float = 0.0  # total in that window
    high: float = 0.0  # the remembered high (or the cold expectation), as a total over that window
    kind: str = ""  # "record", "low" or "cold"


def _decay(dt_d: float, half_life_d: float) -> float:
    return 1.0 - math.pow(0.5, max(dt_d, 0.0) / half_life_d)


def _window_count(ring: list[float], k: int) -> float:
    return sum(math.expm1(v) for v in ring[-k:])


def record_step(st: RecordState, y: float, dt_d: float, scales: tuple[int, ...], margin: float, memory_days: float,
                min_count: float, two_sided: bool = False, evidence_z: float = 0.0, slid: bool = False) -> Verdict:
    """Feed ``y = log1p(value)``; score every window against its remembered high (before learning from it).

    With ``evidence_z`` (series that count people) a record must also be a Poisson surprise against the remembered
    high: on thin data the wobble of mostly-empty windows is tiny, so "5 where 2 was the most" would otherwise page.
    """
    if not st.high:
        st.high, st.low, st.mid = [0.0] * len(scales), [0.0] * len(scales), [0.0] * len(scales)
        st.noise, st.n = [0.0] * len(scales), [0] * len(scales)
    st.ring = (st.ring + [y])[-2 * max(scales):]
    best = Verdict()
    fade = math.pow(0.5, max(dt_d, 0.0) / memory_days)
    for i, k in enumerate(scales):
        if len(st.ring) < 2 * k:
            continue
        cur, lag = sum(st.ring[-k:]) / k, sum(st.ring[-2 * k:-k]) / k
        if st.n[i] == 0:
            st.high[i] = st.low[i] = st.mid[i] = lag
            st.n[i] = 1
            continue
        st.high[i] = max(lag, st.mid[i] + (st.high[i] - st.mid[i]) * fade)  # the previous window is history now
        st.low[i] = min(lag, st.mid[i] + (st.low[i] - st.mid[i]) * fade)
        bar = margin * max(st.noise[i], 1e-6) if not slid or st.n[i] > k else math.inf
        best = _better(best, st, i, k, cur - (st.high[i] + bar), "record", min_count, evidence_z)
        if two_sided:
            best = _better(best, st, i, k, (st.low[i] - bar) - cur, "low", 0.0)
        _learn(st, i, cur, lag, dt_d)
    return best


def _better(best: Verdict, st: RecordState, i: int, k: int, excess: float, kind: str, min_count: float,
            evidence_z: float = 0.0) -> Verdict:
    score = math.exp(max(min(excess, 50.0), -50.0))
    if score <= best.score:
        return best
    count = _window_count(st.ring, k)
    if count < min_count:
        return best
    level = k * math.expm1(st.high[i] if kind == "record" else st.low[i])
    if score >= 1.0 and evidence_z > 0 and surprise_z(count, level) < evidence_z:
        return best
    return Verdict(score, k, count, level, kind)


def _learn(st: RecordState, i: int, cur: float, lag: float, dt_d: float) -> None:
    st.n[i] += 1
    weight = 1.0 / st.n[i]
    change = abs(cur - lag)
    if st.noise[i] > 0:
        change = min(change, CLIP * st.noise[i])
    st.noise[i] += max(_decay(dt_d, NOISE_HALF_LIFE_D), weight) * (MEAN_ABS_TO_SD * change - st.noise[i])
    st.mid[i] += max(_decay(dt_d, MID_HALF_LIFE_D), weight) * (lag - st.mid[i])


def cap_highs(st: RecordState, ceiling: list[float]) -> None:
    """During an episode the remembered highs may rise only to ``ceiling`` (one outage must not deafen a month)."""
    st.high = [min(h, c) for h, c in zip(st.high, ceiling, strict=False)] + st.high[len(ceiling):]


def cold_step(st: RecordState, value: float, dt_d: float, z_min: float, min_count: float,
              prior_dispersion: float, min_buckets: int = COLD_MIN_BUCKETS) -> Verdict:
    """Cold-start test (first days): the last 1-3 buckets against the recent rate; then learn the rate and its spread.

    The expected count is ``k * rate``; its variance is Poisson times the dispersion index seen so far (shrunk
    toward ``prior_dispersion`` for the first hour) times ``1 + k / n``, the uncertainty of a rate learnt from
    ``n`` buckets. So the first hour is judged with wide error bars, and a big brand's burst at twice its usual
    rate is judged by how unlikely it is, not by a fixed multiple. ``min_buckets``: buckets seen before it judges.
    """
    best = Verdict()
    weight = max(_decay(dt_d * 24.0, COLD_RATE_HALF_LIFE_H), 1.0 / (st.rate_n + 1))
    seen = min(float(st.rate_n), 1.0 / weight)
    dispersion = shrunk_dispersion(st.spread / max(st.rate, COLD_MIN_RATE), seen, prior_dispersion,
                                   COLD_PRIOR_BUCKETS)
    st.rates = (st.rates + [st.rate])[-max(COLD_WINDOWS):]
    if st.rate_n >= min_buckets:
        for k in COLD_WINDOWS:  # each window against the rate known before it began: a burst is not its own baseline
            count = _window_count(st.ring, k)
            expected = k * st.rates[-min(k, len(st.rates))]
            score = surprise_z(count, expected, dispersion * (1.0 + k / seen)) / z_min
            if count >= min_count and score > best.score:
                best = Verdict(score, k, count, expected, "cold")
    # the first buckets set the level as they are; later a burst moves the rate only a little and not the spread
    bound = st.rate + COLD_CLIP_SD * math.sqrt(dispersion * max(st.rate, 1.0))
    ordinary = st.rate_n < min_buckets or value <= bound
    value = value if st.rate_n < min_buckets else min(value, bound)
    st.rate_n += 1
    if st.rate_n > 1 and ordinary:  # the first bucket has no rate before it; the rate's own error is not spread
        change2 = (value - st.rate) ** 2 / (1.0 + 1.0 / max(seen, 1.0))
        st.spread += max(weight, 1.0 / (st.rate_n - 1)) * (change2 - st.spread)
    st.rate += weight * (value - st.rate)
    return best
