"""A brand's detection settings and the negative-share bar a spike must clear.

Kept apart from ``brand_detector`` (which re-exports them) so the detector module holds only what runs per mention
and per bucket: the settings are read by the pipeline, tuning and benchmarks that never run a detector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.detection.seasonal import SENSITIVITY_BUDGET, SeriesConfig
from monitor.detection.stories import StoryConfig
from monitor.detection.wave import WaveConfig

__all__ = ["BRAND_COLD_MIN_BUCKETS", "STORY_MIN_PEOPLE", "BrandConfig", "required_share"]


BRAND_COLD_MIN_BUCKETS = 3  # a brand's cold test judges from its first 15 minutes (series mode: 30)
STORY_MIN_PEOPLE = {"low": 9.0, "default": 6.5, "high": 4.5}  # each sensitivity's story threshold


@dataclass(frozen=True)
class BrandConfig:
    """Detection settings for one brand."""

    sensitivity: str = "default"
    bucket_s: int = 300
    grace_s: int = 60
    future_skew_s: int = 3600
    max_gap_buckets: int = 2016
    share_min_lift: float = 0.05
    share_ratio: float = 1.3
    share_odds: float = 0.0  # > 0: odds of a negative mention this many times the usual also pass (required_share)
    share_cap: float = 0.5  # > 0: the bar is at most this far from the usual share to 100 % (required_share)
    share_rate: float = 0.02  # how fast the usual negative share follows ordinary buckets (per bucket)
    high_reach: int = 100_000
    repeat_count: int = 3
    repeat_days: float = 7.0
    series: SeriesConfig = field(default_factory=SeriesConfig)
    stories: StoryConfig = field(default_factory=StoryConfig)
    wave: WaveConfig = field(default_factory=WaveConfig)  # slow waves against the same hours of previous days

    @staticmethod
    def for_sensitivity(name: str = "default", story_min_people: float | None = None) -> BrandConfig:
        """The preset for ``name``; ``story_min_people`` replaces its story threshold (a brand's tuning)."""
        series = SeriesConfig.for_sensitivity(name, cold_min_buckets=BRAND_COLD_MIN_BUCKETS)
        stories = StoryConfig(alerts_per_week=SENSITIVITY_BUDGET[name],
                              min_authors=story_min_people or STORY_MIN_PEOPLE[name])
        return BrandConfig(sensitivity=name, series=series, stories=stories)


def required_share(base: float, cfg: BrandConfig) -> float:
    """The negative share (last 30 minutes) a spike needs: ``share_ratio`` times the usual share and ``share_min_lift``
    above it. With ``share_odds``, on a brand that is mostly complaints anyway (usual share 77 % or more, where 1.3
    times is out of reach) the odds of a negative mention rising that many times is enough (80 % -> 86 % at 1.5),
    and all-negative always is. ``share_cap`` (0.5 by default) keeps the bar at most that fraction of the way from the
    usual share to 100 % (80 % -> 90 %; unchanged up to ~62 %), so a customer-care handle can page on volume."""
    need = base * cfg.share_ratio
    if cfg.share_odds <= 0 and cfg.share_cap <= 0:
        return max(base + cfg.share_min_lift, need)
    if cfg.share_odds > 0:
        need = min(need, base * cfg.share_odds / (1.0 - base + base * cfg.share_odds))
    if cfg.share_cap > 0:
        need = min(need, base + cfg.share_cap * (1.0 - base))
    return min(max(base + cfg.share_min_lift, need), 1.0)
