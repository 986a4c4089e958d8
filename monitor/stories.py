"""Near-duplicate story clustering (MinHash-LSH) and unique-author growth per story.

Why: one grievance repeated by many people shows up as a cluster of near-duplicates long before it
moves a big brand's company-wide count (Petrovic et al. 2010; detection.md lesson 7). A mention joins a
story by an explicit ``story_key`` (same URL / quoted post) or by MinHash similarity of its character
5-grams (banded LSH, then checked against the story's signature). We count *unique authors* (bots and
one angry user do not make a story), over all sentiments weighted by negativity (mockery often scores
neutral), and alert when a story's weighted authors in the last hour exceed a threshold calibrated to
the alert budget from the brand's own recent daily maximum story size. Pure and serialisable.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

_PRIME = (1 << 61) - 1
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"[@#]\w+")
_NONWORD = re.compile(r"[^\w ]+")


@dataclass(frozen=True)
class StoryConfig:
    """Story clustering and alerting knobs."""

    num_perm: int = 64
    bands: int = 16
    shingle: int = 5
    min_similarity: float = 0.5
    window_s: float = 3600.0
    min_authors: float = 6.0
    alerts_per_week: float = 0.5
    calib_days: int = 28
    min_calib_days: int = 3
    singleton_ttl_s: float = 6 * 3600.0
    story_ttl_s: float = 48 * 3600.0
    base_weight: float = 0.4  # weight of an author whose mention is not negative at all
    escalate_factor: float = 2.0


@dataclass
class Story:
    """One cluster: its signature, its authors (first time, weight) and a few example refs."""

    sig: list[int]
    first_ts: float
    last_ts: float
    mentions: int = 0
    authors: dict[str, list[float]] = field(default_factory=dict)  # author -> [first_ts, weight]
    refs: list[str] = field(default_factory=list)
    example: str = ""
    reach: float = 0.0
    alerted: float = 0.0  # weighted authors at the last alert/escalation (0 = never alerted)

    def recent_authors(self, now: float, window_s: float) -> tuple[int, float]:
        """(unique authors, weighted authors) whose first mention falls in the window."""
        hits = [w for ts, w in self.authors.values() if now - window_s <= ts <= now]
        return len(hits), sum(hits)


@dataclass(frozen=True)
class StoryEvent:
    """A story that crossed its threshold (``escalated`` when it already had alerted before)."""

    story_id: str
    authors: int
    weighted: float
    total_authors: int
    mentions: int
    threshold: float
    escalated: bool
    example: str
    refs: tuple[str, ...]
    reach: float


def normalise(text: str) -> str:
    """Drop URLs, handles and punctuation so retweets/quotes of one complaint look alike."""
    text = _HANDLE.sub(" ", _URL.sub(" ", text.lower()))
    return " ".join(_NONWORD.sub(" ", text).split())


class StoryTracker:
    """Assigns mentions to stories and reports surprising story growth."""

    def __init__(self, cfg: StoryConfig | None = None, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg or StoryConfig()
        rng = np.random.default_rng(20150226)
        self._a = rng.integers(1, _PRIME, self.cfg.num_perm, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, self.cfg.num_perm, dtype=np.uint64)
        state = state or {}
        self.stories: dict[str, Story] = {k: Story(**v) for k, v in state.get("stories", {}).items()}
        self.daily_max: list[float] = list(state.get("daily_max", []))
        self.day: int | None = state.get("day")
        self.day_max: float = float(state.get("day_max", 0.0))
        self.seq: int = int(state.get("seq", 0))
        self.index: dict[str, str] = {}
        for sid, story in self.stories.items():
            if not sid.startswith("k:"):
                for key in self._band_keys(story.sig):
                    self.index[key] = sid

    def to_dict(self) -> dict[str, Any]:
        return {"stories": {k: asdict(v) for k, v in self.stories.items()}, "daily_max": self.daily_max,
                "day": self.day, "day_max": self.day_max, "seq": self.seq}

    def signature(self, text: str) -> list[int]:
        """MinHash signature of the text's character shingles (stable across processes)."""
        norm = normalise(text) or "<empty>"
        k = self.cfg.shingle
        grams = {norm[i:i + k] for i in range(max(len(norm) - k + 1, 1))}
        hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
        mixed = (self._a[:, None] * hashes[None, :] + self._b[:, None]) % np.uint64(_PRIME)
        return [int(x) for x in mixed.min(axis=1)]

    def _band_keys(self, sig: list[int]) -> list[str]:
        rows = self.cfg.num_perm // self.cfg.bands
        return [f"{b}:" + ",".join(map(str, sig[b * rows:(b + 1) * rows])) for b in range(self.cfg.bands)]

    def assign(self, text: str, story_key: str | None) -> str:
        """Story id for a mention: by explicit key, else by LSH near-duplicate match, else a new story."""
        if story_key:
            return "k:" + story_key
        sig = self.signature(text)
        keys = self._band_keys(sig)
        for key in keys:
            sid = self.index.get(key)
            story = self.stories.get(sid) if sid else None
            if story and _similarity(story.sig, sig) >= self.cfg.min_similarity:
                return sid  # type: ignore[return-value]
        self.seq += 1
        sid = f"s{self.seq}"
        for key in keys:
            self.index.setdefault(key, sid)
        self.stories[sid] = Story(sig=sig, first_ts=math.inf, last_ts=-math.inf)
        return sid

    def add(self, ts: float, author: str, text: str, story_key: str | None, negativity: float,
            ref: str | None = None, reach: float = 0.0) -> str:
        """Record one mention; returns its story id."""
        sid = self.assign(text, story_key)
        story = self.stories.get(sid)
        if story is None:
            story = self.stories[sid] = Story(sig=[], first_ts=ts, last_ts=ts)
        story.first_ts, story.last_ts = min(story.first_ts, ts), max(story.last_ts, ts)
        story.mentions += 1
        weight = self.cfg.base_weight + (1.0 - self.cfg.base_weight) * min(max(negativity, 0.0), 1.0)
        seen = story.authors.get(author)
        if seen is None:
            story.authors[author] = [ts, weight]
            story.reach += reach
        else:
            seen[0], seen[1] = min(seen[0], ts), max(seen[1], weight)
        if not story.example:
            story.example = text[:280]
        if ref and len(story.refs) < 5:
            story.refs.append(ref)
        return sid

    def threshold(self) -> float:
        """Weighted authors per hour that count as surprising for this brand (budget-calibrated)."""
        c = self.cfg
        if len(self.daily_max) < c.min_calib_days:
            return c.min_authors
        q = max(0.0, 1.0 - c.alerts_per_week / 7.0)
        ordered = sorted(self.daily_max)
        return max(c.min_authors, ordered[min(int(q * len(ordered)), len(ordered) - 1)] + 1.0)

    def evaluate(self, now: float, touched: set[str] | None = None) -> list[StoryEvent]:
        """Check stories (only ``touched`` ones if given) against the threshold; prune old ones."""
        c = self.cfg
        threshold = self.threshold()
        events, best = [], 0.0
        for sid in touched if touched is not None else list(self.stories):
            story = self.stories.get(sid)
            if story is None:
                continue
            n, weighted = story.recent_authors(now, c.window_s)
            best = max(best, weighted)
            limit = threshold if not story.alerted else story.alerted * c.escalate_factor
            if weighted >= limit:
                escalated = bool(story.alerted)
                story.alerted = weighted
                events.append(StoryEvent(sid, n, round(weighted, 2), len(story.authors), story.mentions,
                                         round(threshold, 2), escalated, story.example, tuple(story.refs),
                                         story.reach))
        self._track_day(now, best, events)
        self._prune(now)
        return events

    def _track_day(self, now: float, best: float, events: list[StoryEvent]) -> None:
        day = int(now // 86400)
        if self.day is None:
            self.day = day
        if day != self.day:
            self.daily_max = (self.daily_max + [self.day_max])[-self.cfg.calib_days:]
            self.day, self.day_max = day, 0.0
        self.day_max = max(self.day_max, best)

    def _prune(self, now: float) -> None:
        c = self.cfg
        for sid in [s for s, st in self.stories.items()
                    if now - st.last_ts > (c.singleton_ttl_s if len(st.authors) <= 1 else c.story_ttl_s)]:
            story = self.stories.pop(sid)
            if not sid.startswith("k:"):
                for key in self._band_keys(story.sig):
                    if self.index.get(key) == sid:
                        del self.index[key]


def _similarity(a: list[int], b: list[int]) -> float:
    if not a or not b:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=False)) / len(a)
