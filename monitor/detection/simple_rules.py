"""The foundation's simple, documented detection rule (the spread-detection issue replaces it).

Spike: in the last ``window_minutes`` at least ``min_negative`` *distinct people* posted negative
mentions, and the negative count is at least ``ratio`` times what the previous ``baseline_days``
lead us to expect for a window of that length.  Individual triggers: a churn threat, a negative
mention from an author with at least ``high_reach_followers``, and a repeat complainer
(negative mentions on ``repeat_complaints`` separate occasions, an hour or more apart, within
``repeat_days``).  Pure functions over plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.settings import DetectionSettings


@dataclass(frozen=True)
class MentionView:
    id: int
    author: str  # "platform:author_id"
    handle: str
    followers: int | None
    negative: bool
    churn_reason: str | None
    category: str | None
    posted_at: datetime
    platform: str


@dataclass(frozen=True)
class Finding:
    trigger: str
    key: str
    severity: int
    title: str
    reason: str
    mention_ids: list[int]
    mentions: int
    authors: int
    details: dict[str, Any] = field(default_factory=dict)
    posts: tuple[str, ...] = ()  # post ids of a story beyond its examples (replies and quotes to them join it)
    joins: str = ""  # the key of the incident it belongs to while that one is open (thread_home.py, wave_thread.py)
    aliases: tuple[str, ...] = ()  # keys it went by before (stories merged into this one): their incident is its


def spike(brand_id: str, window: Sequence[MentionView], expected: float, cfg: DetectionSettings,
          now: datetime) -> Finding | None:
    negatives = [m for m in window if m.negative]
    authors = {m.author for m in negatives}
    if len(authors) < cfg.min_negative or len(negatives) < cfg.ratio * max(expected, 1.0):
        return None
    ratio = len(negatives) / max(expected, 1.0)
    severity = 2 + (ratio >= 2 * cfg.ratio and len(authors) >= 2 * cfg.min_negative)
    severity += ratio >= 4 * cfg.ratio and len(authors) >= 4 * cfg.min_negative
    if any((m.followers or 0) >= cfg.high_reach_followers for m in negatives):
        severity += 1
    categories = Counter(m.category for m in negatives if m.category)
    top = ", ".join(f"{name} {count}" for name, count in categories.most_common(3))
    reason = (f"{len(negatives)} negative mentions from {len(authors)} people in the last "
              f"{cfg.window_minutes} min; expected {expected:.1f}" + (f" (categories: {top})" if top else ""))
    examples = sorted(negatives, key=lambda m: -(m.followers or 0))[:5]
    return Finding("spike", f"spike:{brand_id}:{now:%Y%m%dT%H%M}", min(severity, 4),
                   "Negative mentions are spiking", reason, [m.id for m in examples], len(negatives),
                   len(authors), {"expected": round(expected, 2), "categories": dict(categories),
                                  "platforms": dict(Counter(m.platform for m in negatives))})


def individual(brand_id: str, new: Sequence[MentionView], negatives_by_author: Mapping[str, int],
               cfg: DetectionSettings) -> list[Finding]:
    """Churn threats, high-reach complaints and repeat complainers among newly scored mentions."""
    findings: list[Finding] = []
    for mention in new:
        if mention.churn_reason and mention.negative:
            findings.append(Finding(
                "churn_threat", f"churn:{brand_id}:{mention.author}:{mention.posted_at:%Y%m%d}", 2,
                f"@{mention.handle} threatens to leave", f"Churn threat: {mention.churn_reason}",
                [mention.id], 1, 1))
        if mention.negative and (mention.followers or 0) >= cfg.high_reach_followers:
            big = (mention.followers or 0) >= 10 * cfg.high_reach_followers
            findings.append(Finding(
                "high_reach", f"reach:{brand_id}:{mention.platform}:{mention.id}", 3 if big else 2,
                f"Complaint from @{mention.handle} ({mention.followers:,} followers)",
                f"A negative mention from an account with {mention.followers:,} followers "
                f"(threshold {cfg.high_reach_followers:,})", [mention.id], 1, 1))
    repeaters = {m.author: m for m in new if m.negative}
    for author, mention in repeaters.items():
        count = negatives_by_author.get(author, 0)
        if count >= cfg.repeat_complaints:
            findings.append(Finding(
                "repeat_complainer", f"repeat:{brand_id}:{author}", 2 + (count >= 3 * cfg.repeat_complaints),
                f"@{mention.handle} keeps complaining",
                f"@{mention.handle} complained on {count} occasions in {cfg.repeat_days} days",
                [mention.id], count, 1, {"complaints": count}))
    return findings


REPEAT_GAP_S = 3600.0  # posts of one person closer than this are one complaint (a thread, a tweetstorm)


def complaint_episodes(times: Sequence[float], gap_s: float = REPEAT_GAP_S) -> int:
    """Separate occasions among one person's complaint times: a repeat complainer comes back, a
    five-part thread posted in two minutes is one complaint."""
    episodes, last = 0, None
    for t in sorted(times):
        if last is None or t - last >= gap_s:
            episodes += 1
        last = t
    return episodes
