"""Online spike detection for one count series: novelty against remembered highs, a cold-start test, episodes.

Why this shape (detection.md lessons 1, 10, 14): what fits a handful of series does not generalise, so the
decision rests on two principled knobs. An alert means "more in the last 5 minutes / 30 minutes / 3 hours than
in any such window we remember, by more than that window's usual wobble" (:mod:`monitor.detection.records`);
highs fade with a half-life of ``memory_days``. Confidence grows with the history seen, not after a fixed blind
warm-up: the record test starts once one daily cycle has been seen, with its margin widened by ``settle_h`` / hours
seen until three cycles have; from the first half hour (a brand's: 15 minutes) until then a cold-start test
compares the last minutes with the recent rate, with wide uncertainty and a minimum number of people, so a brand
added on the day things go wrong still pages. One alert opens an episode; a surge that grows past
``escalate_factor`` times the alert's level is an escalation, not a new page; the episode's peak may raise the
remembered high at most ``episode_memory`` times, so one outage does not deafen the next month.
A seasonal baseline (level plus hour-of-day and hour-of-week offsets on ``log1p``, learnt from clipped residuals)
supplies the *expected* count for explanations. O(window) per step, state a plain dict (``to_dict``/``from_dict``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from monitor.detection.records import RecordState, Verdict, cap_highs, cold_step, record_step

SENSITIVITY_MARGIN = {"low": 1.5, "default": 1.0, "high": 0.5}  # margin above remembered highs, in noise units
SENSITIVITY_MIN_COUNT = {"low": 8.0, "default": 5.0, "high": 3.0}  # fewest in the window that can page
SENSITIVITY_BUDGET = {"low": 0.25, "default": 0.5, "high": 1.5}  # story channel's false alerts per week
LEVEL_HALF_LIFE_H, SCALE_HALF_LIFE_H = 6.0, 24.0
HOD_HALF_LIFE_VISITS, HOW_HALF_LIFE_VISITS, HOD_SHRINK, HOW_SHRINK = 60.0, 36.0, 36.0, 24.0
CLIP, MIN_SCALE = 2.5, 0.08


@dataclass(frozen=True)
class SeriesConfig:
    """Knobs of the series detector; ``for_sensitivity`` gives the presets. Defaults: see ``benchmarks/nab_cv.py``."""

    margin: float = 1.0  # how far above the remembered high, in units of the window's usual wobble
    memory_days: float = 28.0  # half-life of remembered highs
    windows: tuple[int, ...] = (1, 6, 36)  # window lengths in buckets (5 min, 30 min, 3 h for 5-minute buckets)
    min_count: float = 5.0  # a window with fewer than this many (people) never pages
    evidence_z: float = 2.0  # a record must also be this Poisson z above the remembered high (0: not counts)
    history_h: float = 24.0  # the record test starts after one daily cycle; the cold-start test covers it
    settle_h: float = 72.0  # until then the margin is widened by settle_h / hours seen and the cold test stays on
    cold_z: float = 4.0  # cold start: Poisson z over the recent rate (widened by dispersion) that pages
    cold_min_count: float = 10.0  # cold start: fewest in the last 5-15 minutes that can page
    cold_dispersion: float = 2.0  # cold start: variance-to-mean ratio assumed before the data shows its own
    cold_min_buckets: int = 6  # cold start: buckets seen before it judges (brands: 3, see BrandConfig)
    episode_memory: float = 4.0  # an episode raises the remembered high at most this many times
    cooldown_h: float = 24.0  # one alert per episode, at most one a day
    quiet_h: float = 1.0
    max_episode_h: float = 48.0
    escalate_factor: float = 1.5
    slid: bool = False  # a window judges only once it has slid by its own length (records.record_step)
    two_sided: bool = False  # also record lows (generic benchmark series; complaints only page on highs)

    @staticmethod
    def for_sensitivity(name: str = "default", **overrides: Any) -> SeriesConfig:
        if name not in SENSITIVITY_MARGIN:
            raise ValueError(f"unknown sensitivity {name!r}; use low, default or high")
        preset: dict[str, Any] = {"margin": SENSITIVITY_MARGIN[name], "min_count": SENSITIVITY_MIN_COUNT[name]}
        return SeriesConfig(**{**preset, **overrides})


@dataclass
class Step:
    """What one update produced: score (1.0 = the alert threshold), whether it pages, and numbers for the reason."""

    score: float
    alert: bool
    escalated: bool
    expected: float
    value: float
    threshold: float
    in_episode: bool
    kind: str = ""  # "record" (highest in memory), "cold" (first day) or "low"
    window: int = 0  # buckets in the window that fired
    count: float = 0.0  # total in that window
    high: float = 0.0  # remembered high (or cold-start expectation) for that window
    history_h: float = 0.0  # hours of history behind the decision


@dataclass
class _State:
    level: float | None = None
    scale: float = 0.3
    hod: list[float] = field(default_factory=lambda: [0.0] * 24)
    how: list[float] = field(default_factory=lambda: [0.0] * 168)
    hod_n: list[int] = field(default_factory=lambda: [0] * 24)
    how_n: list[int] = field(default_factory=lambda: [0] * 168)
    n: int = 0
    last_ts: float | None = None
    first_ts: float | None = None
    rec: dict[str, Any] = field(default_factory=dict)
    episode_start: float | None = None
    last_alert: float | None = None
    quiet_since: float | None = None
    peak: float = 0.0
    episode_kind: str = ""
    alert_levels: list[float] = field(default_factory=list)  # per window: its level (or bar) at the alert
    ceilings: list[float] = field(default_factory=list)  # per window: how high the episode may raise its high


def _decay(dt_h: float, half_life_h: float) -> float:
    return 1.0 - math.pow(0.5, max(dt_h, 1e-6) / half_life_h)


class SeriesDetector:
    """Online detector for one regularly (or irregularly) bucketed count series."""

    def __init__(self, cfg: SeriesConfig | None = None, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg or SeriesConfig()
        known = {f.name for f in fields(_State)}
        self.s = _State(**{k: v for k, v in (state or {}).items() if k in known})
        self.rec = RecordState(**self.s.rec)

    def to_dict(self) -> dict[str, Any]:
        self.s.rec = asdict(self.rec)
        return asdict(self.s)

    @classmethod
    def from_dict(cls, state: dict[str, Any], cfg: SeriesConfig | None = None) -> SeriesDetector:
        return cls(cfg, state)

    def expected(self, when: datetime) -> float:
        """Expected count (back on the count scale) for a bucket at ``when``, from the seasonal baseline."""
        if self.s.level is None:
            return 0.0
        return max(math.expm1(self.s.level + self._offset(when)), 0.0)

    def _offset(self, when: datetime) -> float:
        s = self.s
        d, w = when.hour, when.weekday() * 24 + when.hour
        w_how = s.how_n[w] / (s.how_n[w] + HOW_SHRINK)
        w_hod = s.hod_n[d] / (s.hod_n[d] + HOD_SHRINK)
        return w_how * s.how[w] + (1.0 - w_how) * w_hod * s.hod[d]

    def update(self, timestamp: datetime, value: float) -> tuple[float, bool]:
        """Feed one bucket; returns ``(anomaly_score, alert)``. Out-of-order buckets are ignored."""
        step = self.step(timestamp, value)
        return step.score, step.alert

    def step(self, timestamp: datetime, value: float) -> Step:
        """Feed one bucket and return the full step (score relative to the threshold, alert, expected, why)."""
        s, c = self.s, self.cfg
        t = timestamp.timestamp()
        value = max(float(value), 0.0) if math.isfinite(value) else 0.0
        if s.last_ts is not None and t <= s.last_ts:
            return Step(0.0, False, False, self.expected(timestamp), value, 1.0, False)
        expected = self.expected(timestamp)
        dt_d = 0.0 if s.last_ts is None else min((t - s.last_ts) / 86400.0, 7.0)
        s.first_ts = t if s.first_ts is None else s.first_ts
        history_h = (t - s.first_ts) / 3600.0
        y = math.log1p(value)
        margin = c.margin * max(1.0, c.settle_h / max(history_h, 1.0))
        verdict = record_step(self.rec, y, dt_d, c.windows, margin, c.memory_days, c.min_count, c.two_sided,
                              c.evidence_z, c.slid)
        if history_h < c.history_h:
            verdict = Verdict()
        if history_h < c.settle_h:
            cold = cold_step(self.rec, value, dt_d, c.cold_z, c.cold_min_count, c.cold_dispersion,
                             c.cold_min_buckets)
            verdict = cold if cold.score > verdict.score else verdict
        self._learn(timestamp, y, dt_d * 24.0)
        s.last_ts = t
        step = self._decide(t, verdict)
        step.expected, step.value, step.history_h = expected, value, round(history_h, 2)
        return step

    def _learn(self, when: datetime, y: float, dt_h: float) -> None:
        """Seasonal baseline for ``expected``: learns from clipped residuals, more cautiously inside an episode."""
        s = self.s
        s.n += 1
        if s.level is None:
            s.level = y
            return
        sd = max(s.scale * 1.25, MIN_SCALE)
        resid = y - (s.level + self._offset(when))
        bound = CLIP * sd * (0.4 if s.episode_start is not None else 1.0)
        s.level += max(_decay(dt_h, LEVEL_HALF_LIFE_H), 1.0 / s.n) * max(-bound, min(bound, resid))
        d, w = when.hour, when.weekday() * 24 + when.hour
        target = y - s.level
        g_hod, g_how = 1 - math.pow(0.5, 1 / HOD_HALF_LIFE_VISITS), 1 - math.pow(0.5, 1 / HOW_HALF_LIFE_VISITS)
        s.hod[d] += max(g_hod, 1.0 / (s.hod_n[d] + 1)) * max(-bound, min(bound, target - s.hod[d]))
        s.how[w] += max(g_how, 1.0 / (s.how_n[w] + 1)) * max(-bound, min(bound, target - s.how[w]))
        s.hod_n[d] += 1
        s.how_n[w] += 1
        s.scale += max(_decay(dt_h, SCALE_HALF_LIFE_H), 1.0 / s.n) * (min(abs(resid), CLIP * sd) - s.scale)

    def _decide(self, t: float, v: Verdict) -> Step:
        s, c = self.s, self.cfg
        if s.episode_start is None:
            if v.score < 1.0:
                return Step(v.score, False, False, 0.0, 0.0, 1.0, False, v.kind, v.window, v.count, v.high)
            self._open(t, v.kind)
            return Step(v.score, True, False, 0.0, 0.0, 1.0, True, v.kind, v.window, v.count, v.high)
        score, window = self._episode_score()
        escalated = score >= s.peak * c.escalate_factor
        if escalated:
            s.peak = score
        if score >= 1.0 or v.score >= 1.0:
            s.quiet_since = None
        elif s.quiet_since is None:
            s.quiet_since = t
        cap_highs(self.rec, s.ceilings)
        cooled = s.last_alert is None or t - s.last_alert >= c.cooldown_h * 3600
        quiet = s.quiet_since is not None and t - s.quiet_since >= c.quiet_h * 3600
        if cooled and (quiet or t - s.episode_start >= c.max_episode_h * 3600):
            s.episode_start = s.quiet_since = None
            s.alert_levels, s.ceilings = [], []
        count = sum(math.expm1(x) for x in self.rec.ring[-window:]) if window else 0.0
        return Step(score, False, escalated, 0.0, 0.0, 1.0, s.episode_start is not None, s.episode_kind, window,
                    count)

    def open_episode(self, t: float, kind: str) -> None:
        """Open an episode another test paged (a watched brand's first minutes): later alerts are its escalations."""
        if self.s.episode_start is None:
            self._open(t, kind)

    def _open(self, t: float, kind: str) -> None:
        """Open an episode: remember each window's level at the alert (escalations are measured against it) and
        the ceiling its remembered high may reach while the episode lasts."""
        s, c, rec = self.s, self.cfg, self.rec
        s.episode_start = s.last_alert = t
        s.quiet_since, s.peak, s.episode_kind, s.ceilings = None, 1.0, kind, []
        bars = [h + c.margin * max(n, 1e-6) for h, n in zip(rec.high, rec.noise, strict=False)]
        now = [sum(rec.ring[-k:]) / max(len(rec.ring[-k:]), 1) for k in c.windows]
        s.alert_levels = [max(b, x) for b, x in zip(bars, now, strict=False)]
        if kind == "record":  # a first-day burst has no remembered highs worth capping
            s.ceilings = [b + math.log(c.episode_memory) for b in bars]

    def _episode_score(self) -> tuple[float, int]:
        """How far the windows are above their level at the alert (1.0 = as high as then)."""
        best, window = 0.0, 0
        for k, level in zip(self.cfg.windows, self.s.alert_levels, strict=False):
            if len(self.rec.ring) >= k:
                score = math.exp(min(sum(self.rec.ring[-k:]) / k - level, 50.0))
                if score > best:
                    best, window = score, k
        return best, window


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
