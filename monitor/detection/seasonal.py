"""Online, robust, seasonal baseline and spike/CUSUM scoring for one count series.

Why this shape: mention counts are heavy-tailed and strongly seasonal, so we model ``log1p(count)``
with a Holt-Winters-like level plus hour-of-day and hour-of-week offsets (the hour-of-week profile is
shrunk toward hour-of-day and flat while history is short), learn only from *clipped* residuals (a
spread must not teach the baseline that it is normal), score with a fast spike test over a few
window lengths plus a CUSUM for slow builds, and turn scores into alerts with a threshold calibrated
to an alert budget (false alerts per week) from the recent distribution of daily maximum scores.
Episode logic gives one alert per episode; a bigger score inside an episode is an escalation.
Everything is O(1) per step and the state is a plain dict (``to_dict``/``from_dict``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

SENSITIVITY_BUDGET = {"low": 0.25, "default": 0.5, "high": 1.5}  # false alerts per week
SENSITIVITY_FLOOR = {"low": 6.0, "default": 4.5, "high": 3.5}  # minimum score to alert


@dataclass(frozen=True)
class SeriesConfig:
    """Knobs of the series detector; ``for_sensitivity`` gives the presets."""

    alerts_per_week: float = 0.5
    floor: float = 4.5
    ceiling_factor: float = 4.0  # a score this many times the floor always alerts
    level_half_life_h: float = 6.0
    scale_half_life_h: float = 24.0
    hod_half_life_visits: float = 60.0
    how_half_life_visits: float = 36.0
    how_shrink_visits: float = 24.0
    hod_shrink_visits: float = 36.0
    clip: float = 2.5
    cusum_slack: float = 1.5
    cusum_cap: float = 60.0
    cusum_floor_factor: float = 3.0
    windows: tuple[int, ...] = (1, 3, 6)
    warmup_h: float = 24.0
    calib_days: int = 28
    min_calib_days: int = 5
    cooldown_h: float = 12.0
    quiet_h: float = 1.0
    max_episode_h: float = 24.0
    escalate_factor: float = 1.5
    min_scale: float = 0.08

    @staticmethod
    def for_sensitivity(name: str = "default", **overrides: Any) -> SeriesConfig:
        if name not in SENSITIVITY_BUDGET:
            raise ValueError(f"unknown sensitivity {name!r}; use low, default or high")
        budget, floor = SENSITIVITY_BUDGET[name], SENSITIVITY_FLOOR[name]
        return SeriesConfig(alerts_per_week=budget, floor=floor, **overrides)


@dataclass
class Step:
    """What one update produced: the score, whether it pages, and numbers for the reason string."""

    score: float
    alert: bool
    escalated: bool
    expected: float
    value: float
    threshold: float
    in_episode: bool


@dataclass
class _State:
    level: float | None = None
    scale: float = 0.3
    hod: list[float] = field(default_factory=lambda: [0.0] * 24)
    how: list[float] = field(default_factory=lambda: [0.0] * 168)
    hod_n: list[int] = field(default_factory=lambda: [0] * 24)
    how_n: list[int] = field(default_factory=lambda: [0] * 168)
    recent: list[float] = field(default_factory=list)  # clipped-free raw residuals, newest last
    cusum: float = 0.0
    last_ts: float | None = None
    first_ts: float | None = None
    day: int | None = None
    day_max: list[float] = field(default_factory=lambda: [0.0, 0.0])
    daily_max: list[list[float]] = field(default_factory=lambda: [[], []])
    episode_start: float | None = None
    episode_peak: float = 0.0
    last_alert: float | None = None
    quiet_since: float | None = None


def _decay(dt_h: float, half_life_h: float) -> float:
    return 1.0 - 0.5 ** (max(dt_h, 1e-6) / half_life_h)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class SeriesDetector:
    """Online detector for one regularly (or irregularly) bucketed count series."""

    def __init__(self, cfg: SeriesConfig | None = None, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg or SeriesConfig()
        self.s = _State(**state) if state else _State()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self.s)

    @classmethod
    def from_dict(cls, state: dict[str, Any], cfg: SeriesConfig | None = None) -> SeriesDetector:
        return cls(cfg, state)

    def expected(self, when: datetime) -> float:
        """Expected count (back on the count scale) for a bucket at ``when``."""
        if self.s.level is None:
            return 0.0
        return max(math.expm1(self.s.level + self._offset(when)), 0.0)

    def _offset(self, when: datetime) -> float:
        c, s = self.cfg, self.s
        d, w = when.hour, when.weekday() * 24 + when.hour
        w_how = s.how_n[w] / (s.how_n[w] + c.how_shrink_visits)
        w_hod = s.hod_n[d] / (s.hod_n[d] + c.hod_shrink_visits)
        return w_how * s.how[w] + (1.0 - w_how) * w_hod * s.hod[d]

    def threshold(self, component: int = 0) -> float:
        """Threshold of one test (0 spike, 1 build): the budget quantile of its recent daily maxima.

        Each test gets half the alert budget; the result stays within [floor, floor * ceiling_factor].
        """
        c, s = self.cfg, self.s
        floor = c.floor * (c.cusum_floor_factor if component else 1.0)
        history = s.daily_max[component]
        if len(history) < c.min_calib_days:
            return floor * 1.25
        q = max(0.0, 1.0 - c.alerts_per_week / 14.0)
        return min(max(_quantile(history, q), floor), floor * c.ceiling_factor)

    def update(self, timestamp: datetime, value: float) -> tuple[float, bool]:
        """Feed one bucket; returns ``(anomaly_score, alert)``. Out-of-order buckets are ignored."""
        step = self.step(timestamp, value)
        return step.score, step.alert

    def step(self, timestamp: datetime, value: float) -> Step:
        """Feed one bucket and return the full step (score relative to threshold, alert, expected)."""
        s = self.s
        t = timestamp.timestamp()
        value = max(float(value), 0.0) if math.isfinite(value) else 0.0
        if s.last_ts is not None and t <= s.last_ts:
            return Step(0.0, False, False, self.expected(timestamp), value, 1.0, False)
        y = math.log1p(value)
        if s.level is None or s.last_ts is None:
            s.level, s.first_ts, s.last_ts = y, t, t
            return Step(0.0, False, False, value, value, 1.0, False)
        dt_h = min((t - s.last_ts) / 3600.0, 24.0)
        pred = s.level + self._offset(timestamp)
        resid = y - pred
        spike, build = self._score(resid)
        self._learn(timestamp, y, resid, dt_h)
        s.last_ts = t
        self._track_day(t, spike, build)
        score = max(spike / self.threshold(0), build / self.threshold(1))
        return self._decide(t, score, timestamp, value)

    def _score(self, resid: float) -> tuple[float, float]:
        s, c = self.s, self.cfg
        sd = max(s.scale * 1.25, c.min_scale)
        s.recent = (s.recent + [resid])[-max(c.windows):]
        best = 0.0
        for k in c.windows:
            tail = s.recent[-k:]
            best = max(best, sum(tail) / (sd * math.sqrt(len(tail))))
        z = max(-4.0, min(3.0, resid / sd))
        s.cusum = min(max(0.0, s.cusum + z - c.cusum_slack), c.cusum_cap)
        return best, s.cusum

    def _learn(self, when: datetime, y: float, resid: float, dt_h: float) -> None:
        s, c = self.s, self.cfg
        assert s.level is not None
        sd = max(s.scale * 1.25, c.min_scale)
        clip = c.clip * (0.4 if s.episode_start is not None else 1.0)
        r = max(-clip * sd, min(clip * sd, resid))
        s.level += _decay(dt_h, c.level_half_life_h) * r
        d, w = when.hour, when.weekday() * 24 + when.hour
        season_target = y - s.level
        bound = clip * sd
        g_hod, g_how = 1 - 0.5 ** (1 / c.hod_half_life_visits), 1 - 0.5 ** (1 / c.how_half_life_visits)
        s.hod[d] += g_hod * max(-bound, min(bound, season_target - s.hod[d]))
        s.how[w] += g_how * max(-bound, min(bound, season_target - s.how[w]))
        s.hod_n[d] += 1
        s.how_n[w] += 1
        s.scale += _decay(dt_h, c.scale_half_life_h) * (min(abs(resid), c.clip * sd) - s.scale)

    def _decide(self, t: float, score: float, when: datetime, value: float) -> Step:
        s, c = self.s, self.cfg
        threshold = 1.0
        expected = self.expected(when)
        warm = s.first_ts is not None and t - s.first_ts >= c.warmup_h * 3600
        alert = escalated = False
        if s.episode_start is not None:
            if score >= threshold * 0.5:
                s.quiet_since = None
            elif s.quiet_since is None:
                s.quiet_since = t
            if score > s.episode_peak * c.escalate_factor and score >= threshold:
                escalated, s.episode_peak = True, score
            cooled = s.last_alert is None or t - s.last_alert >= c.cooldown_h * 3600
            quiet = s.quiet_since is not None and t - s.quiet_since >= c.quiet_h * 3600
            if cooled and (quiet or t - s.episode_start >= c.max_episode_h * 3600):
                s.episode_start = s.quiet_since = None
                s.cusum = 0.0
        elif warm and score >= threshold:
            alert = True
            s.episode_start = s.last_alert = t
            s.episode_peak = score
            s.cusum = 0.0
        return Step(score, alert, escalated, expected, value, threshold, s.episode_start is not None)

    def _track_day(self, t: float, spike: float, build: float) -> None:
        s, c = self.s, self.cfg
        day = int(t // 86400)
        if s.day is None:
            s.day = day
        if day != s.day:
            for i in (0, 1):
                s.daily_max[i] = (s.daily_max[i] + [s.day_max[i]])[-c.calib_days:]
            s.day, s.day_max = day, [0.0, 0.0]
        s.day_max = [max(s.day_max[0], spike), max(s.day_max[1], build)]


def nab_score(step: Step) -> float:
    """Map a step to [0, 1] so that ``score >= 0.5`` exactly reproduces the alert column."""
    if step.alert:
        return 1.0
    if step.threshold <= 0:
        return 0.0
    return round(0.49 * min(max(step.score, 0.0) / step.threshold, 1.0), 6)


def spike_scores(
    counts: list[float] | tuple[float, ...],
    timestamps: list[datetime] | tuple[datetime, ...],
    cfg: SeriesConfig | None = None,
) -> list[float]:
    """Score a whole series with a fresh detector (``nab_score`` per row); streaming-equivalent."""
    det = SeriesDetector(cfg or SeriesConfig())
    return [nab_score(det.step(ts, v)) for ts, v in zip(timestamps, counts, strict=True)]


def bucket_delta(timestamps: list[datetime]) -> timedelta:
    """Typical spacing of a series (median of the first gaps), for callers that need the bucket size."""
    gaps = sorted((b - a) for a, b in zip(timestamps[:50], timestamps[1:51], strict=False) if b > a)
    return gaps[len(gaps) // 2] if gaps else timedelta(minutes=5)
