"""Near-duplicate story clustering (MinHash-LSH) and unique-author growth per story.

Why: one grievance repeated by many people shows up as a cluster of near-duplicates long before it
moves a big brand's company-wide count (Petrovic et al. 2010; detection.md lesson 7). A mention joins a
story by an explicit ``story_key`` (same URL / quoted post) or by MinHash similarity of its character
5-grams (banded LSH, then checked against a few exemplar signatures of the story, so variants of
variants still join). We count *unique authors* (bots and
one angry user do not make a story), over all sentiments weighted by negativity (mockery often scores
neutral), and alert when a story's weighted authors in the last hour exceed a threshold calibrated to
the alert budget from the brand's own recent daily maximum story size. Pure and serialisable.
"""

from __future__ import annotations

import math
import re
from collections import Counter
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
    exemplars: int = 8
    max_candidates: int = 4
    window_s: float = 3600.0
    min_authors: float = 6.0
    alerts_per_week: float = 0.5
    calib_days: int = 28
    min_calib_days: int = 3
    robust_drop: int = 2
    singleton_ttl_s: float = 6 * 3600.0
    story_ttl_s: float = 48 * 3600.0
    author_ttl_s: float = 24 * 3600.0
    base_weight: float = 0.4  # weight of an author whose mention is not negative at all
    escalate_factor: float = 2.0


@dataclass
class Story:
    """One cluster: exemplar signatures, its authors (first time, weight) and a few example refs."""

    sigs: list[list[int]]
    first_ts: float
    last_ts: float
    mentions: int = 0
    authors: dict[str, list[float]] = field(default_factory=dict)  # author -> [first_ts, weight], last day
    recent: list[list[float]] = field(default_factory=list)  # [first_ts, weight] of authors, last window
    total_authors: int = 0
    refs: list[str] = field(default_factory=list)
    example: str = ""
    reach: float = 0.0
    alerted: float = 0.0  # weighted authors at the last alert/escalation (0 = never alerted)

    def recent_authors(self, now: float, window_s: float) -> tuple[int, float]:
        """(unique authors, weighted authors) whose first mention falls in the window (O(window))."""
        self.recent = [r for r in self.recent if r[0] >= now - window_s]
        hits = [w for ts, w in self.recent if ts <= now]
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
        self.last_prune: float = float(state.get("last_prune", 0.0))
        self.index: dict[int, str] = {}
        self._mats: dict[str, np.ndarray] = {}  # exemplar signatures as arrays (cache, not state)
        for sid, story in self.stories.items():
            if not sid.startswith("k:"):
                for sig in story.sigs:
                    for key in self._band_keys(sig):
                        self.index[key] = sid

    def to_dict(self) -> dict[str, Any]:
        return {"stories": {k: asdict(v) for k, v in self.stories.items()}, "daily_max": self.daily_max,
                "day": self.day, "day_max": self.day_max, "seq": self.seq, "last_prune": self.last_prune}

    def signature(self, text: str) -> list[int]:
        """MinHash signature of the text's character shingles (stable across processes)."""
        return [int(x) for x in self._signature(text)]

    def _signature(self, text: str) -> np.ndarray:
        raw = np.frombuffer((normalise(text) or "<empty>").encode(), dtype=np.uint8).astype(np.uint64)
        k = min(self.cfg.shingle, len(raw))
        grams = np.zeros(len(raw) - k + 1, dtype=np.uint64)
        for i in range(k):  # byte k-grams packed into one integer each (k <= 8)
            grams = (grams << np.uint64(8)) | raw[i:len(raw) - k + 1 + i]
        hashes = np.unique(grams)
        mixed = (self._a[:, None] * hashes[None, :] + self._b[:, None]) % np.uint64(_PRIME)
        return mixed.min(axis=1)

    def _band_keys(self, sig: list[int]) -> list[int]:
        """One key per LSH band (int hashes of int tuples are stable across processes)."""
        rows = self.cfg.num_perm // self.cfg.bands
        return [hash((b, *sig[b * rows:(b + 1) * rows])) for b in range(self.cfg.bands)]

    def assign(self, text: str, story_key: str | None) -> str:
        """Story id for a mention: by explicit key, else by LSH near-duplicate match, else a new story."""
        if story_key:
            return "k:" + story_key
        arr = self._signature(text)
        sig = arr.tolist()
        keys = self._band_keys(sig)
        hits = Counter(self.index[k] for k in keys if k in self.index)
        for sid, _ in hits.most_common(self.cfg.max_candidates):  # most shared bands first, bounded
            story = self.stories.get(sid)
            if story is None or not story.sigs:
                continue
            mat = self._mats.get(sid)
            if mat is None or len(mat) != len(story.sigs):
                mat = self._mats[sid] = np.array(story.sigs, dtype=np.uint64)
            best = float((mat == arr).mean(axis=1).max())
            if best >= self.cfg.min_similarity:
                if best < 0.8 and len(story.sigs) < self.cfg.exemplars:  # a new variant: remember it
                    story.sigs.append(sig)
                    for key in keys:
                        self.index.setdefault(key, sid)
                return sid
        self.seq += 1
        sid = f"s{self.seq}"
        for key in keys:
            self.index.setdefault(key, sid)
        self.stories[sid] = Story(sigs=[sig], first_ts=math.inf, last_ts=-math.inf)
        return sid

    def add(self, ts: float, author: str, text: str, story_key: str | None, negativity: float,
            ref: str | None = None, reach: float = 0.0) -> str:
        """Record one mention; returns its story id."""
        sid = self.assign(text, story_key)
        story = self.stories.get(sid)
        if story is None:
            story = self.stories[sid] = Story(sigs=[], first_ts=ts, last_ts=ts)
        story.first_ts, story.last_ts = min(story.first_ts, ts), max(story.last_ts, ts)
        story.mentions += 1
        weight = self.cfg.base_weight + (1.0 - self.cfg.base_weight) * min(max(negativity, 0.0), 1.0)
        seen = story.authors.get(author)
        if seen is None:
            story.authors[author] = [ts, weight]
            story.recent.append([ts, weight])
            story.total_authors += 1
            story.reach += reach
        else:
            seen[0], seen[1] = min(seen[0], ts), max(seen[1], weight)
        if not story.example:
            story.example = text[:280]
        if ref and len(story.refs) < 5:
            story.refs.append(ref)
        return sid

    def threshold(self) -> float:
        """Weighted authors per hour that count as surprising for this brand (budget-calibrated).

        The budget quantile of each day's largest story, after dropping the ``robust_drop`` largest
        days (real incidents must not raise the bar for the next one); ``min_authors`` is the floor.
        """
        c = self.cfg
        if len(self.daily_max) < c.min_calib_days:
            return c.min_authors
        q = max(0.0, 1.0 - c.alerts_per_week / 7.0)
        ordered = sorted(self.daily_max)[:max(len(self.daily_max) - c.robust_drop, c.min_calib_days)]
        return max(c.min_authors, ordered[min(int(q * len(ordered)), len(ordered) - 1)] + 1.0)

    def evaluate(self, now: float, touched: set[str] | None = None,
                 volume: tuple[float, float] | None = None) -> list[StoryEvent]:
        """Check stories (only ``touched`` ones if given) against the threshold; prune old ones.

        ``volume`` = (mentions in the last hour, usual mentions for this hour): while the brand as a
        whole is busier than usual (a bot burst, a launch), a story needs more authors (by the square
        root of the ratio, since the spread itself adds to the volume), so generic phrases that grow
        with the overall volume do not page.
        """
        c = self.cfg
        threshold = self.threshold()
        events, best = [], 0.0
        for sid in touched if touched is not None else list(self.stories):
            story = self.stories.get(sid)
            if story is None:
                continue
            n, weighted = story.recent_authors(now, c.window_s)
            busy = 1.0
            if volume is not None and volume[1] > 0:
                busy = math.sqrt(max(1.0, (volume[0] - n) / volume[1]))
            limit = threshold * busy if not story.alerted else story.alerted * c.escalate_factor
            if weighted >= limit:
                escalated = bool(story.alerted)
                story.alerted = weighted
                events.append(StoryEvent(sid, n, round(weighted, 2), story.total_authors, story.mentions,
                                         round(threshold, 2), escalated, story.example, tuple(story.refs),
                                         story.reach))
            best = max(best, weighted / busy)
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
        if now - self.last_prune < min(3600.0, c.singleton_ttl_s / 4):
            return
        self.last_prune = now
        for story in self.stories.values():  # unique-author memory: one day is enough for growth
            if len(story.authors) > 2 * len(story.recent) + 100:
                story.authors = {a: v for a, v in story.authors.items() if v[0] >= now - c.author_ttl_s}
        for sid in [s for s, st in self.stories.items()
                    if now - st.last_ts > (c.singleton_ttl_s if st.total_authors <= 1 else c.story_ttl_s)]:
            story = self.stories.pop(sid)
            self._mats.pop(sid, None)
            if not sid.startswith("k:"):
                for sig in story.sigs:
                    for key in self._band_keys(sig):
                        if self.index.get(key) == sid:
                            del self.index[key]

