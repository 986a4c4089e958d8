"""What the brand detector reads and says: the Observation it is given, the Finding it returns, and the
plain-words reasons of its spike and story findings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.detection.seasonal import Step
from monitor.detection.stories import StoryEvent


@dataclass(frozen=True)
class Observation:
    """One scored mention, as the pipeline hands it to detection."""

    posted_at: datetime
    author_id: str
    negative_weight: float  # p(negative), 0..1
    is_negative: bool
    text: str = ""
    followers: int | None = None
    story_key: str | None = None  # same URL / quoted post id, when known
    ref: str | None = None  # mention id, for dedupe and example refs
    churn_threat: bool = False
    post_id: str | None = None  # the platform's id of this post, so its quotes and reposts join its story
    embedding: bytes | None = None  # sentence vector (384 int8), when scored with one: new wordings join stories
    reply_to: str | None = None  # the post it answers (a reply joins the story of a post we saw)


@dataclass(frozen=True)
class Finding:
    """Something worth an incident: kind spike/build/story/churn/reach/repeat."""

    kind: str
    key: str
    severity: int
    reason: str
    counts: dict[str, float]
    refs: tuple[str, ...] = ()
    escalation: bool = False
    posts: tuple[str, ...] = ()  # a story's post ids: a finding whose mentions answer or quote them joins its incident
    joins: str = ""  # the key of the spike or story whose open incident this belongs to (thread_home.py)
    aliases: tuple[str, ...] = ()  # other keys it has gone by: a story's, of the stories merged into it


def reach_of(followers: int | None) -> float:
    """Reach per author: log-scaled and capped, so one celebrity cannot dominate."""
    return min(math.log10(1 + max(followers or 0, 0)), 7.0)


def spike_finding(step: Step, window: list[list[float]], share: float, base: float,
                   refs: tuple[str, ...], start: float, bucket_s: int) -> Finding:
    neg, people = int(sum(r[0] for r in window)), int(sum(r[1] for r in window))
    expected = sum(r[3] for r in window)
    minutes = len(window) * 5
    severity = 1 + (step.score >= 1.5) + (step.score >= 3.0) + (sum(r[4] for r in window) >= 30)
    reason = (f"{neg} negative mentions from {people} people in {minutes} min; expected {expected:.0f}"
              f" (negative share {share:.0%}, usually {base:.0%}){_why(step, bucket_s)}")
    counts = {"negative": float(neg), "authors": float(people), "expected": round(expected, 2),
              "share": round(share, 3), "score": round(step.score, 2), "window_min": step.window * bucket_s / 60,
              "window_people": round(step.count, 1), "previous_high": round(step.high, 1),
              "history_h": step.history_h}
    return Finding("spike", spike_key(start), min(severity, 4), reason, counts, refs, step.escalated)


def spike_key(start: float) -> str:
    """A volume incident's key: the start of its episode."""
    return f"spike:{datetime.fromtimestamp(start, UTC).strftime('%Y%m%dT%H%M')}"


def _why(step: Step, bucket_s: int) -> str:
    """The detector's own reason in plain words: a record, a first-day burst, or growth since the page."""
    span = _duration(step.window * bucket_s)
    if step.escalated:
        return f"; still growing: {step.count:.0f} people in {span}, {step.score:.1f}x the level when it paged"
    if step.kind == "cold":
        return (f"; {step.count:.0f} people in {span} in the first {_duration(step.history_h * 3600)} of"
                f" monitoring, where about {step.high:.0f} were expected")
    if step.kind == "watched":
        return (f"; {step.count:.0f} people in {span} in the first {_duration(step.history_h * 3600)} of"
                f" monitoring, after hours in which its sources saw no mention of it")
    if step.kind == "record":
        days = step.history_h / 24
        since = f"in {days / 7:.0f} weeks" if days >= 14 else f"since monitoring began {days:.0f} days ago"
        return f"; {step.count:.0f} people in {span} is the most {since} (previous high {step.high:.0f})"
    return ""


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.0f} h"


def story_finding(e: StoryEvent) -> Finding:
    ratio = e.weighted / max(e.threshold, 1e-9)
    severity = min(4, 2 + (ratio >= 2) + (ratio >= 4 or e.reach >= 30))
    reason = (f"{e.authors} people repeated one story in {e.window_h:g} h ({e.total_authors} in all,"
              f" {e.mentions} mentions; pages at {e.threshold:.0f}): {e.example[:120]!r}")
    counts = {"authors": float(e.authors), "weighted": e.weighted, "total_authors": float(e.total_authors),
              "mentions": float(e.mentions), "threshold": e.threshold}
    return Finding("story", f"story:{e.story_id}", severity, reason, counts, e.refs, e.escalated, e.posts,
                   aliases=tuple(f"story:{sid}" for sid in e.merged))
