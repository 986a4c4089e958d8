"""A volume test for slow waves: the last few hours against the same hours of the previous days.

Why (issue #12): the record test (:mod:`monitor.detection.records`) pages when a window holds more negative people
than any such window it remembers, and the share gate compares the last 30 minutes with a usual share that follows
the last hours. A cancellation wave that doubles the complaints over a day, or a day of cancellations at 2-3 times
the usual, is neither a record (the daily peak already held as many) nor a share jump against a share that has
followed it. This test expects the daily peak: it compares the unique negative people in the last ``hours`` with the
median of the same clock hours on up to ``days`` previous days, and pages when there are ``ratio`` times as many,
a Poisson test (widened by ``dispersion``) says that is not chance, and most of the extra is negative: the share of
negative mentions in the window must be at least halfway from the same hours' usual share to the share it would
have if all the extra mentions were complaints (a happy launch brings more people of every mood, so its share does
not move). Judged once an hour, on hourly sums (state: ``days`` x 24 + ``hours`` rows). One page per wave: it stays
open until the window falls under ``quiet_ratio`` times the usual and ``cooldown_h`` has passed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from monitor.detection.findings_text import Finding, spike_key
from monitor.detection.story_state import Story


@dataclass(frozen=True)
class WaveConfig:
    """Knobs of the slow-wave test (on by default; ``enabled`` off: the detector behaves as before)."""

    enabled: bool = True
    hours: int = 3  # the window: the last this many whole hours
    days: int = 7  # compared with the same hours of up to this many previous days (their median)
    min_days: int = 2  # fewest previous days seen before it judges
    ratio: float = 2.0  # the window must hold this many times the usual people
    z: float = 4.5  # and be this Poisson z above the usual (variance: usual x dispersion)
    dispersion: float = 2.0
    min_count: float = 20.0  # fewest negative people in the window that can page
    share_mix: float = 0.5  # share bar: this far from the usual share to the all-extra-negative share
    min_lift: float = 0.03  # and at least this many points above the usual share
    quiet_ratio: float = 1.5  # an open wave ends once the window is under this many times the usual ...
    cooldown_h: float = 24.0  # ... and this long after its page


@dataclass
class WaveVerdict:
    """A wave worth a page: the window's numbers and the usual ones they were judged against."""

    people: float
    usual: float
    share: float
    usual_share: float
    days: int
    hours: int
    z: float


class WaveTest:
    """Hourly sums of (negative people, negative mentions, all mentions); state a plain dict."""

    def __init__(self, cfg: WaveConfig, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg
        st = state or {}
        self.rows: list[list[float]] = st.get("rows", [])  # one per whole hour, oldest first
        self.hour: int | None = st.get("hour")  # the hour being summed
        self.acc: list[float] = st.get("acc", [0.0, 0.0, 0.0])
        self.open: bool = st.get("open", False)
        self.last_alert: float | None = st.get("last_alert")

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "hour": self.hour, "acc": self.acc, "open": self.open,
                "last_alert": self.last_alert}

    def add(self, start: float, people: float, negative: float, total: float) -> WaveVerdict | None:
        """Feed one closed bucket; at each hour's end, judge the window (a verdict only when a new wave pages)."""
        if not self.cfg.enabled:
            return None
        hour = int(start // 3600)
        verdict = None
        if self.hour is not None and hour > self.hour:
            self._push(hour)
            verdict = self._judge(hour * 3600.0)
        if self.hour is None or hour > self.hour:
            self.hour = hour
        self.acc = [self.acc[0] + people, self.acc[1] + negative, self.acc[2] + total]
        return verdict

    def _push(self, hour: int) -> None:
        """Close the summed hour (and any empty hours after it), keeping ``days`` x 24 + ``hours`` rows."""
        assert self.hour is not None
        keep = self.cfg.days * 24 + self.cfg.hours
        gap = min(hour - self.hour - 1, keep)
        self.rows = (self.rows + [self.acc] + [[0.0, 0.0, 0.0]] * gap)[-keep:]
        self.acc = [0.0, 0.0, 0.0]

    def usual(self) -> tuple[list[float], list[list[float]]]:
        """(the window's sums, the same hours' sums on each previous day seen)."""
        c, n = self.cfg, len(self.rows)
        window = _sums(self.rows[n - c.hours:]) if n >= c.hours else [0.0, 0.0, 0.0]
        past = [_sums(self.rows[n - 24 * d - c.hours:n - 24 * d]) for d in range(1, c.days + 1)
                if n - 24 * d - c.hours >= 0]
        return window, past

    def _judge(self, t: float) -> WaveVerdict | None:
        c = self.cfg
        (people, neg, total), past = self.usual()
        if len(past) < c.min_days:
            return None
        usual = statistics.median(p[0] for p in past)
        usual_neg, usual_total = statistics.median(p[1] for p in past), statistics.median(p[2] for p in past)
        if self.open:
            cooled = self.last_alert is None or t - self.last_alert >= c.cooldown_h * 3600
            if cooled and people < c.quiet_ratio * max(usual, 1.0):
                self.open = False
            return None
        z = (people - usual) / math.sqrt(max(usual, 1.0) * c.dispersion)
        if people < c.min_count or people < c.ratio * max(usual, 1.0) or z < c.z or not total:
            return None
        base = usual_neg / usual_total if usual_total else 0.0
        all_negative = min(neg / max(usual_total + max(neg - usual_neg, 0.0), 1.0), 1.0)
        share = neg / total
        if share < max(base + c.share_mix * (all_negative - base), base + c.min_lift):
            return None
        self.open, self.last_alert = True, t
        return WaveVerdict(people, usual, share, base, len(past), c.hours, z)


def _sums(rows: list[list[float]]) -> list[float]:
    return [sum(r[i] for r in rows) for i in range(3)]


def wave_finding(v: WaveVerdict, start: float, refs: tuple[str, ...]) -> Finding:
    """The page for a wave, in plain words: how many people in the last hours against the same hours before."""
    ratio = v.people / max(v.usual, 1.0)
    severity = 2 + (ratio >= 3.0)
    reason = (f"{v.people:.0f} negative people in the last {v.hours} h, {ratio:.1f}x the usual for these hours"
              f" (median of the previous {v.days} days: {v.usual:.0f}); negative share {v.share:.0%},"
              f" usually {v.usual_share:.0%} at these hours")
    counts = {"authors": v.people, "expected": round(v.usual, 2), "ratio": round(ratio, 2),
              "share": round(v.share, 3), "usual_share": round(v.usual_share, 3), "z": round(v.z, 2),
              "window_min": v.hours * 60.0, "days": float(v.days)}
    return Finding("spike", spike_key(start), severity, reason, counts, refs)


def told_by_stories(stories: Iterable[Story], start: float, hours: int) -> int:
    """Negative people who joined, in the last ``hours`` (the wave test's window), a story of the last day that
    paged: an older story that paged days ago is not this wave's page, even if the wave's posts join it."""
    since = start - hours * 3600
    return sum(sum(1 for v in st.authors.values() if v.real >= since and v.imag >= 0.5)
               for st in stories if st.alerted and st.last_ts >= since and st.first_ts >= start - 86400)
