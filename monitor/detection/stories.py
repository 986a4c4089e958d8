"""Story clustering (near-duplicates, shared rare words, quoted posts) and unique-author growth per story.

Why: one grievance repeated by many people shows up as a cluster long before it moves a big brand's
company-wide count (Petrovic et al. 2010; detection.md lessons 7, 8, 13). A mention joins a story by
the post it quotes or reposts (``story_key``: the original's story when we saw it, so a big account's
post and its retweets are one story), by MinHash similarity of character 5-grams (retweets, small
edits), or by sharing the story's *rare* words (a new wording of the same grievance). Short texts with
too few content words ("thanks!", "I did") never form stories. We count unique authors over all
sentiments, weighted by negativity (mockery often scores neutral), and alert when a story's weighted
authors within the window reach the threshold: a fixed floor above what a fizzle reaches, raised only
for brands whose *typical* day (the median of daily maxima, which past stories cannot move) is
busy. Pure and serialisable.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from monitor.detection.story_text import WordStats, content_words, minhash, normalise

__all__ = ["Story", "StoryConfig", "StoryEvent", "StoryTracker", "normalise"]


@dataclass(frozen=True)
class StoryConfig:
    """Story clustering and alerting knobs."""

    num_perm: int = 64
    bands: int = 16
    shingle: int = 5
    min_similarity: float = 0.5
    exemplars: int = 8
    max_candidates: int = 4
    min_words: int = 3  # content words a text needs to start or join a story by its wording
    word_overlap: float = 0.3  # share of the text's rare-word weight found in the story's exemplars
    min_shared: int = 3  # rare words shared with the story, at least
    window_s: float = 6 * 3600.0
    min_authors: float = 6.5  # weighted authors in the window: above what a fizzle (<= 6 people) reaches
    typical_factor: float = 2.0  # threshold >= this x a typical day's largest story (busy brands' chatter)
    typical_quantile: float = 0.25  # which day is "typical": low, so days with stories cannot raise it
    alerts_per_week: float = 0.5  # kept for settings compatibility; the floor and median set the bar
    calib_days: int = 28
    min_calib_days: int = 3
    singleton_ttl_s: float = 6 * 3600.0
    story_ttl_s: float = 48 * 3600.0
    author_ttl_s: float = 24 * 3600.0
    base_weight: float = 0.4  # weight of an author whose mention is not negative at all
    escalate_factor: float = 2.0


@dataclass
class Story:
    """One cluster: exemplar signatures and words, its authors (first time, weight) and example refs."""

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
    words: list[str] = field(default_factory=list)  # content words of its exemplars
    posts: list[str] = field(default_factory=list)  # post ids in it (quotes/reposts of them join it)

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
    window_h: float = 1.0


class StoryTracker:
    """Assigns mentions to stories and reports surprising story growth."""

    def __init__(self, cfg: StoryConfig | None = None, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg or StoryConfig()
        rng = np.random.default_rng(20150226)
        self._a = rng.integers(1, (1 << 61) - 1, self.cfg.num_perm, dtype=np.uint64)
        self._b = rng.integers(0, (1 << 61) - 1, self.cfg.num_perm, dtype=np.uint64)
        state = state or {}
        self.stories: dict[str, Story] = {k: Story(**v) for k, v in state.get("stories", {}).items()}
        self.daily_max: list[float] = list(state.get("daily_max", []))
        self.day: int | None = state.get("day")
        self.day_max: float = float(state.get("day_max", 0.0))
        self.seq: int = int(state.get("seq", 0))
        self.last_prune: float = float(state.get("last_prune", 0.0))
        self.stats = WordStats.from_dict(state.get("words"))
        self.index: dict[int, str] = {}
        self.by_word: dict[str, set[str]] = {}
        self.by_post: dict[str, str] = {}
        self._mats: dict[str, np.ndarray] = {}  # exemplar signatures as arrays (cache, not state)
        for sid, story in self.stories.items():
            self._index(sid, story)

    def to_dict(self) -> dict[str, Any]:
        return {"stories": {k: asdict(v) for k, v in self.stories.items()}, "daily_max": self.daily_max,
                "day": self.day, "day_max": self.day_max, "seq": self.seq, "last_prune": self.last_prune,
                "words": self.stats.to_dict()}

    def _index(self, sid: str, story: Story) -> None:
        for sig in story.sigs:
            for key in self._band_keys(sig):
                self.index.setdefault(key, sid)
        for word in story.words:
            self.by_word.setdefault(word, set()).add(sid)
        for post in story.posts:
            self.by_post[post] = sid

    def signature(self, text: str) -> list[int]:
        """MinHash signature of the text's character shingles (stable across processes)."""
        return [int(x) for x in minhash(text, self._a, self._b, self.cfg.shingle)]

    def _band_keys(self, sig: list[int]) -> list[int]:
        """One key per LSH band (int hashes of int tuples are stable across processes)."""
        rows = self.cfg.num_perm // self.cfg.bands
        return [hash((b, *sig[b * rows:(b + 1) * rows])) for b in range(self.cfg.bands)]

    def assign(self, text: str, story_key: str | None, post_id: str | None = None) -> str | None:
        """Story id for a mention (None: too short to be story material and no quoted post)."""
        sid = self._by_key(story_key)
        words = content_words(text)
        if sid is None and len(words) >= self.cfg.min_words:
            sid = self._by_text(text, words)
        elif sid is None and story_key:
            sid = self._new([], [], ())
        if sid is not None:
            for post in filter(None, (story_key, post_id)):
                self.by_post[post] = sid
                self.stories[sid].posts.append(post)
        return sid

    def _by_key(self, story_key: str | None) -> str | None:
        sid = self.by_post.get(story_key) if story_key else None
        return sid if sid in self.stories else None

    def _by_text(self, text: str, words: list[str]) -> str:
        arr = minhash(text, self._a, self._b, self.cfg.shingle)
        sig = arr.tolist()
        keys = self._band_keys(sig)
        hits: dict[str, int] = {}
        for key in keys:
            if key in self.index:
                hits[self.index[key]] = hits.get(self.index[key], 0) + 1
        for sid in sorted(hits, key=lambda s: -hits[s])[:self.cfg.max_candidates]:  # most shared bands first
            story = self.stories.get(sid)
            if story is None or not story.sigs:
                continue
            mat = self._mats.get(sid)
            if mat is None or len(mat) != len(story.sigs):
                mat = self._mats[sid] = np.array(story.sigs, dtype=np.uint64)
            best = float((mat == arr).mean(axis=1).max())
            if best >= self.cfg.min_similarity:
                if best < 0.8:  # a new variant: remember it
                    self._remember(sid, story, sig, keys, words)
                return sid
        sid = self._by_words(words)
        if sid is not None:
            self._remember(sid, self.stories[sid], sig, keys, words)
            return sid
        self.stats.observe(words)  # per story, not per mention: a spreading story keeps its words rare
        return self._new(sig, keys, words)

    def _by_words(self, words: list[str]) -> str | None:
        """The story whose exemplars share most of this text's rare-word weight (a new wording)."""
        rare = {w: self.stats.idf(w) for w in set(words) if self.stats.is_rare(w)}
        total = sum(self.stats.idf(w) for w in set(words))
        if len(rare) < self.cfg.min_shared or total <= 0:
            return None
        shared: dict[str, list[str]] = {}
        for word in rare:
            for sid in self.by_word.get(word, ()):
                shared.setdefault(sid, []).append(word)
        best, best_score = None, 0.0
        for sid, common in shared.items():
            if len(common) < self.cfg.min_shared:
                continue
            score = sum(rare[w] for w in common) / total
            if score >= self.cfg.word_overlap and score > best_score:
                best, best_score = sid, score
        return best

    def _remember(self, sid: str, story: Story, sig: list[int], keys: list[int], words: list[str]) -> None:
        if len(story.sigs) >= self.cfg.exemplars:
            return
        story.sigs.append(sig)
        for key in keys:
            self.index.setdefault(key, sid)
        for word in set(words) - set(story.words):
            story.words.append(word)
            self.by_word.setdefault(word, set()).add(sid)

    def _new(self, sig: list[int], keys: list[int], words: list[str] | tuple[()]) -> str:
        self.seq += 1
        sid = f"s{self.seq}"
        self.stories[sid] = Story(sigs=[sig] if sig else [], first_ts=math.inf, last_ts=-math.inf,
                                  words=sorted(set(words)))
        self._index(sid, self.stories[sid])
        return sid

    def add(self, ts: float, author: str, text: str, story_key: str | None, negativity: float,
            ref: str | None = None, reach: float = 0.0, post_id: str | None = None) -> str | None:
        """Record one mention; returns its story id (None when it is no story material)."""
        sid = self.assign(text, story_key, post_id)
        if sid is None:
            return None
        story = self.stories[sid]
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
        if not story.example and text:
            story.example = text[:280]
        if ref and len(story.refs) < 5:
            story.refs.append(ref)
        return sid

    def threshold(self) -> float:
        """Weighted authors within the window that make a story worth a page for this brand.

        The floor sits above what a fizzle reaches; busy brands whose ordinary days already hold big
        generic clusters get ``typical_factor`` x a low quantile of their daily maxima (stories that
        paged are left out of those maxima), so past stories cannot raise the bar (detection.md lesson 13).
        """
        c = self.cfg
        if len(self.daily_max) < c.min_calib_days:
            return c.min_authors
        ordered = sorted(self.daily_max)
        return max(c.min_authors, c.typical_factor * ordered[int(c.typical_quantile * (len(ordered) - 1))])

    def evaluate(self, now: float, touched: set[str] | None = None,
                 volume: tuple[float, float] | None = None) -> list[StoryEvent]:
        """Check stories (only ``touched`` ones if given) against the threshold; prune old ones.

        ``volume`` is accepted for compatibility; the median calibration covers busy brands.
        """
        threshold = self.threshold()
        events, best = [], 0.0
        for sid in touched if touched is not None else list(self.stories):
            story = self.stories.get(sid)
            if story is None:
                continue
            n, weighted = story.recent_authors(now, self.cfg.window_s)
            limit = threshold if not story.alerted else story.alerted * self.cfg.escalate_factor
            if weighted >= limit:
                escalated = bool(story.alerted)
                story.alerted = weighted
                events.append(StoryEvent(sid, n, round(weighted, 2), story.total_authors, story.mentions,
                                         round(threshold, 2), escalated, story.example, tuple(story.refs),
                                         story.reach, self.cfg.window_s / 3600))
            if not story.alerted:  # a story that paged is news, not the brand's typical chatter
                best = max(best, weighted)
        self._track_day(now, best)
        self._prune(now)
        return events

    def _track_day(self, now: float, best: float) -> None:
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
            self._drop(sid)

    def _drop(self, sid: str) -> None:
        story = self.stories.pop(sid)
        self._mats.pop(sid, None)
        for sig in story.sigs:
            for key in self._band_keys(sig):
                if self.index.get(key) == sid:
                    del self.index[key]
        for word in story.words:
            sids = self.by_word.get(word)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self.by_word[word]
        for post in story.posts:
            if self.by_post.get(post) == sid:
                del self.by_post[post]
