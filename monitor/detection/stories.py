"""Story clustering (near-duplicates, sentence vectors, shared rare words, quoted posts) and author growth per story.

Why: one grievance repeated by many people shows up as a cluster long before it moves a big brand's company-wide
count (Petrovic et al. 2010; detection.md lessons 7, 8, 13). A mention joins a story by the post it quotes, reposts
or answers (``story_key``, ``reply_to``: the original's story when we saw it, so a big account's post, its retweets
and the replies retelling it are one story), by MinHash similarity of character 5-grams (retweets, small edits), or,
for a new wording of the same grievance, by a sentence vector close to one of the story's (when mentions were scored
with the bundled encoder) or else by sharing the story's *rare* words. Short texts with too few content words
("thanks!", "I did") never form stories. We count unique authors over all sentiments, weighted by negativity
(mockery often scores neutral), and alert when a story's weighted authors within the window reach the threshold: a
fixed floor above what a fizzle reaches, raised only for brands whose *typical* day (the median of daily maxima,
which past stories cannot move) is busy. Pure and serialisable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from monitor.detection.story_codec import pack, unpack
from monitor.detection.story_index import StoryIndex
from monitor.detection.story_state import EXAMPLE_CHARS, Story
from monitor.detection.story_text import WordStats, normalise

__all__ = ["Story", "StoryConfig", "StoryEvent", "StoryTracker", "normalise"]
MAX_MERGED = 20  # merged-away story ids a story remembers (a story is merged a handful of times, not hundreds)
EVENT_POSTS = 300  # post ids a story's finding names (the incident keeps as many, for replies and quotes to join)


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
    word_overlap: float = 0.45  # share of the text's rare-word weight found in the story's exemplars
    min_shared: int = 3  # rare words shared with the story, at least
    embed_similarity: float = 0.75  # cosine to a story's representative vector that joins it (tuned: tune split)
    embed_variant: float = 0.9  # a joining vector closer than this is no new representative
    embed_words: bool = True  # with vectors, still join by shared rare words too (vectors only add joins)
    embed_merge: float = 0.5  # two growing stories merge when their centroids are this close (background_story.py tune)
    embed_tone: float = 0.25  # ... and their mean author weights (negativity) differ by at most this
    embed_complaint: float = 0.55  # ... or both are at least this negative (complaints; calm chatter: about 0.45)
    window_s: float = 6 * 3600.0
    long_window_s: float = 24 * 3600.0  # slow builds: this window pages at long_factor x the threshold
    long_factor: float = 2.0
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
    merge_authors: int = 3  # two stories each with this many people in the window ...
    merge_shared: int = 2  # ... sharing this many rare words are merged
    merge_growth: float = 0.5  # ... and each holds at least this share of its last day's people in the window


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
    posts: tuple[str, ...] = ()  # the story's latest post ids (its own and those it quotes): replies to them join it
    merged: tuple[str, ...] = ()  # stories folded into this one: an incident opened under one of them is this story's


class StoryTracker:
    """Assigns mentions to stories and reports surprising story growth."""

    def __init__(self, cfg: StoryConfig | None = None, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg or StoryConfig()
        state = state or {}
        saved = state.get("stories", {})
        self.stories: dict[str, Story] = {k: Story(**v, num_perm=self.cfg.num_perm) for k, v in saved.items()}
        self._restore(state, {k: v.get("posts", []) for k, v in saved.items()})

    def _restore(self, state: dict[str, Any], posts: dict[str, list[str]]) -> None:
        self.daily_max: list[float] = list(state.get("daily_max", []))
        self.day: int | None = state.get("day")
        self.day_max: float = float(state.get("day_max", 0.0))
        self.last_prune: float = float(state.get("last_prune", 0.0))
        self.stats = WordStats.from_dict(state.get("words"))
        self.lookup = StoryIndex(self.cfg, self.stories, self.stats, int(state.get("seq", 0)), posts)
        merged = state.get("merged", {})  # merged-away story ids per story (older states: none)
        self.merged: dict[str, list[str]] = {k: list(v) for k, v in merged.items() if k in self.stories}

    def _scalars(self) -> dict[str, Any]:
        return {"daily_max": self.daily_max, "day": self.day, "day_max": self.day_max, "seq": self.lookup.seq,
                "last_prune": self.last_prune, "words": self.stats.to_dict(), "merged": self.merged}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able state (``StoryTracker(cfg, state)`` resumes from it)."""
        return {"stories": {k: v.to_dict(self.lookup.live_posts(k)) for k, v in self.stories.items()},
                **self._scalars()}

    def __getstate__(self) -> dict[str, Any]:
        """For a checkpoint (pickle): stories as a few columns, their lookups left out (rebuilt on load)."""
        posts = {sid: self.lookup.live_posts(sid) for sid in self.lookup.posts}
        return {"cfg": self.cfg, "columns": pack(self.stories, posts), **self._scalars()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cfg = state["cfg"]
        self.stories, posts = unpack(state["columns"], self.cfg.num_perm, self.cfg.shingle)
        self._restore(state, posts)

    @property
    def index(self) -> dict[int, str]:
        """LSH band key -> story id (exposed for tests and inspection)."""
        return self.lookup.bands

    def signature(self, text: str) -> list[int]:
        """MinHash signature of the text's character shingles (stable across processes; 32-bit values)."""
        return [int(x) for x in self.lookup.signature(text)]

    def assign(self, text: str, story_key: str | None, post_id: str | None = None,
               embedding: bytes | None = None, reply_to: str | None = None) -> str | None:
        """Story id for a mention (None: too short to be story material and no quoted post)."""
        return self.lookup.assign(text, story_key, post_id, embedding, reply_to)

    def add(self, ts: float, author: str, text: str, story_key: str | None, negativity: float,
            ref: str | None = None, reach: float = 0.0, post_id: str | None = None,
            embedding: bytes | None = None, reply_to: str | None = None) -> str | None:
        """Record one mention; returns its story id (None when it is no story material).

        ``embedding``: the mention's sentence vector (int8 bytes, models/embedding.py), when it was scored
        with one; a new wording then joins the story its vector is close to. ``reply_to``: the post it
        answers; a reply to a post of a story joins that story, whatever its words.
        """
        sid = self.lookup.assign(text, story_key, post_id, embedding, reply_to)
        if sid is None:
            return None
        story = self.stories[sid]
        story.first_ts, story.last_ts = min(story.first_ts, ts), max(story.last_ts, ts)
        story.mentions += 1
        weight = self.cfg.base_weight + (1.0 - self.cfg.base_weight) * min(max(negativity, 0.0), 1.0)
        if story.add_author(author, ts, weight):
            story.total_authors += 1
            story.reach += reach
        if not story.example and text:
            story.example = text[:EXAMPLE_CHARS]
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
        c = self.cfg
        threshold = self.threshold()
        events, best = [], 0.0
        growing = self._merge_growing(now, set(touched) if touched is not None else set(self.stories))
        for sid in sorted(growing, key=lambda s: (len(s), s)):  # creation order: the same in every process
            story = self.stories.get(sid)
            if story is None:
                continue
            n, weighted = story.recent_authors(now, c.window_s, c.long_window_s)
            n_long, w_long = story.recent_authors(now, c.long_window_s)
            level, bar, hours = weighted, threshold, c.window_s / 3600  # level: in short-window units
            if w_long / c.long_factor > weighted:  # a slow build: the long window speaks
                n, weighted, bar, hours = n_long, w_long, threshold * c.long_factor, c.long_window_s / 3600
                level = w_long / c.long_factor
            limit = threshold if not story.alerted else story.alerted * c.escalate_factor
            if level >= limit:
                escalated = bool(story.alerted)
                story.alerted = level
                events.append(StoryEvent(sid, n, round(weighted, 2), story.total_authors, story.mentions,
                                         round(bar, 2), escalated, story.example, tuple(story.refs),
                                         story.reach, hours, merged=tuple(self.merged.get(sid, ()))))
            if not story.alerted:  # a story that paged is news, not the brand's typical chatter
                best = max(best, level)
        self._track_day(now, best)
        self._prune(now)
        return events

    def snapshot(self, event: StoryEvent, now: float) -> StoryEvent:
        """The event again with the story's numbers as of ``now`` (it may have grown since it fired)."""
        story = self.stories.get(event.story_id)
        if story is None:
            return event
        c = self.cfg
        n, weighted = story.recent_authors(now, c.window_s, c.long_window_s)
        if event.window_h * 3600 == c.long_window_s:
            n, weighted = story.recent_authors(now, c.long_window_s)
        return replace(event, authors=max(n, event.authors), weighted=round(max(weighted, event.weighted), 2),
                       total_authors=story.total_authors, mentions=story.mentions, refs=tuple(story.refs),
                       reach=story.reach, posts=tuple(self.lookup.live_posts(event.story_id)[-EVENT_POSTS:]),
                       merged=tuple(self.merged.get(event.story_id, ())))

    def _merge_growing(self, now: float, touched: set[str]) -> set[str]:
        """Stories growing at the same time that share rare words are one event told two ways: merge them.

        Returns the touched ids after merging (a merged-away story is replaced by the one it joined).
        """
        c = self.cfg
        for sid in sorted(touched):
            story = self.stories.get(sid)
            if story is None or not self._growing(story, now):
                continue
            for other in self.lookup.related(sid, c.merge_shared):
                peer = self.stories.get(other)
                if peer is None or not self._growing(peer, now):
                    continue
                keep, gone = (other, sid) if peer.alerted > story.alerted or (
                    peer.alerted == story.alerted and peer.first_ts < story.first_ts) else (sid, other)
                self.lookup.merge(keep, gone, now, c.long_window_s)
                self._note_merge(keep, gone)
                touched.discard(gone)
                touched.add(keep)
                if gone == sid:
                    break
                story = self.stories[sid]
        return touched

    def _note_merge(self, keep: str, gone: str) -> None:
        """Remember that ``gone`` (and what it had taken in) is now part of ``keep``: an incident opened while
        ``gone`` paged on its own is this story's, so its later findings name it (``StoryEvent.merged``)."""
        taken = [*self.merged.get(keep, ()), gone, *self.merged.pop(gone, ())]
        self.merged[keep] = list(dict.fromkeys(taken))[-MAX_MERGED:]

    def _growing(self, story: Story, now: float) -> bool:
        """At least ``merge_authors`` people in the window, and (``merge_growth``) that many more than the story's
        steady pace: a grievance heard every day is no burst, so it cannot take over a new one told near it."""
        c = self.cfg
        n = story.recent_authors(now, c.window_s, c.long_window_s)[0]
        return n >= c.merge_authors and (not c.merge_growth or n >= c.merge_growth * story.recent_authors(
            now, c.long_window_s)[0])

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
                story.authors = {a: v for a, v in story.authors.items() if v.real >= now - c.author_ttl_s}
        for sid in [s for s, st in self.stories.items()
                    if now - st.last_ts > (c.singleton_ttl_s if st.total_authors <= 1 else c.story_ttl_s)]:
            self.lookup.drop(sid)
            self.merged.pop(sid, None)

