"""Individual triggers: a churn threat, a complaint from a high-reach author, a repeat complainer.

Kept apart from ``brand_detector`` (which calls it per mention) so the detector module stays about buckets and
spreads. The state (``complaints``: each person's recent complaint times; ``fired``: when each trigger last fired)
stays on the detector, as it always was: these functions only read and update those two dicts.
"""

from __future__ import annotations

from monitor.detection.brand_config import BrandConfig
from monitor.detection.findings_text import Finding, Observation
from monitor.detection.simple_rules import complaint_episodes


def once(fired: dict[str, float], key: str, ts: float, cooldown_s: float) -> bool:
    """True (and remembered) when ``key`` did not fire within ``cooldown_s`` before ``ts``."""
    if (last := fired.get(key)) is not None and ts - last < cooldown_s:
        return False
    fired[key] = ts
    return True


def individual_findings(obs: Observation, ts: float, cfg: BrandConfig, complaints: dict[str, list[float]],
                        fired: dict[str, float]) -> list[Finding]:
    """The individual triggers this mention sets off (each person's trigger at most once a day, a week for repeats)."""
    out: list[Finding] = []
    refs = (obs.ref,) if obs.ref else ()
    who = obs.author_id
    if obs.churn_threat and once(fired, f"churn:{who}", ts, 86400):
        out.append(Finding("churn", f"churn:{who}", 2, f"{who} threatens to leave: {obs.text[:120]!r}",
                           {"followers": float(obs.followers or 0)}, refs))
    big = obs.is_negative and (obs.followers or 0) >= cfg.high_reach
    if big and once(fired, f"reach:{who}", ts, 86400):
        out.append(Finding("reach", f"reach:{who}", 3, f"complaint from {who} ({obs.followers or 0:,} followers)",
                           {"followers": float(obs.followers or 0)}, refs))
    if obs.is_negative:
        horizon = ts - cfg.repeat_days * 86400
        times = [t for t in complaints.get(who, []) if t >= horizon] + [ts]
        complaints[who] = times[-cfg.repeat_count * 4:]
        episodes = complaint_episodes(times)
        repeat = episodes >= cfg.repeat_count
        if repeat and once(fired, f"repeat:{who}", ts, cfg.repeat_days * 86400):
            out.append(Finding("repeat", f"repeat:{who}", 2,
                               f"{who} complained on {episodes} occasions in {cfg.repeat_days:g} days",
                               {"complaints": float(episodes)}, refs))
    return out
