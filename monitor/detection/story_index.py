"""Which story a mention belongs to: by the post it quotes, reposts or answers, near-duplicate text, a close
sentence vector, or shared rare words.

Why: a big account's post and its retweets are one story (``story_key`` = the quoted/reposted post id, looked up
among the posts already seen), and so is a reply to one of its posts in other words (``reply_to``); retweets and
small edits are near-duplicates (MinHash-LSH over character 5-grams, checked against a few exemplar signatures so
variants of variants still join); a new wording of the same grievance lands close to one of the story's
representative sentence vectors (when the mention has one: models/embedding.py) or, without vectors, shares the
story's *rare* words. Two stories that grow at the same time and share rare words (or close vectors) are one event
told two ways: they are merged. Short texts with too few content words ("thanks!", "I did") never start a story by
their wording.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from monitor.detection.story_knobs import IndexConfig
from monitor.detection.story_state import EXAMPLE_CHARS, Story
from monitor.detection.story_text import TextCache, WordStats, clean_text, content_words, minhash
from monitor.detection.story_vectors import VectorRows, as_vector, cached_vector

MAX_POSTS, KEEP_FIRST = 2000, 100  # post ids a story leads from: past MAX_POSTS its first 100 and latest 1,000 stay


def created(sid: str) -> tuple[int, str]:
    """A story id's creation order ("s9" before "s10"): a stable order for sets of ids, whatever the hash seed."""
    return len(sid), sid


@TextCache  # a repeated text has the same signature (story_text.TEXT_CACHE: why this size)
def _band_keys(raw: bytes, dtype: str, rows: int, bands: int) -> tuple[int, ...]:
    values = np.frombuffer(raw, dtype=dtype).tolist()
    return tuple(hash((b, *values[b * rows:(b + 1) * rows])) for b in range(bands))


class StoryIndex:
    """Lookup structures over the stories dict it shares with the tracker (rebuilt from it, never saved).

    ``by_post`` and ``posts`` (post ids per story, for dropping) are state: a checkpoint saves them as they are.
    """

    def __init__(self, cfg: IndexConfig, stories: dict[str, Story], stats: WordStats, seq: int,
                 posts: dict[str, list[str]] | None = None) -> None:
        self.cfg, self.stories, self.stats, self.seq = cfg, stories, stats, seq
        self.bands: dict[int, str] = {}
        self.by_word: dict[str, set[str]] = {}
        self.by_post: dict[str, str] = {}
        self.posts: dict[str, list[str]] = {}  # post ids that led to each story (some may lead elsewhere now)
        self.vectors = VectorRows()
        for sid, story in stories.items():
            self._index(sid, story, claim=False)
        for sid, ids in (posts or {}).items():
            if sid in stories and ids:
                self.posts[sid] = list(ids)
                self.by_post.update(dict.fromkeys(ids, sid))

    def live_posts(self, sid: str) -> list[str]:
        """The post ids that lead to this story now (what a saved state needs)."""
        return [p for p in self.posts.get(sid, ()) if self.by_post.get(p) == sid]

    def _index(self, sid: str, story: Story, claim: bool = True, known: tuple[list[int], np.ndarray | None] | None
               = None) -> None:
        """Enter a story in the lookups.  Its band keys: ``claim`` those no other story holds (and note the
        rest as lost), or, rebuilding, take exactly those it held (so a rebuilt index is the one saved).
        ``known``: a new story's (band keys of its one signature, unit vector of its one blob), already computed."""
        lost = story.lost or {}
        for i, sig in enumerate(story.sigs):
            if claim:
                story.set_lost(i, self._claim(sid, known[0] if known is not None else self.band_keys(sig)))
                continue
            for b, key in enumerate(self.band_keys(sig)):
                if not lost.get(i, 0) >> b & 1:
                    self.bands.setdefault(key, sid)
        for word in story.words:
            self.by_word.setdefault(word, set()).add(sid)
        self.vectors.drop(sid)
        if known is not None:
            if known[1] is not None:
                self.vectors.add(sid, known[1])
            return
        for blob in story.vecs:
            if (vector := as_vector(blob)) is not None:
                self.vectors.add(sid, vector)

    def signature(self, text: str) -> np.ndarray:
        return minhash(clean_text(text), self.cfg.num_perm, self.cfg.shingle)

    def band_keys(self, sig: np.ndarray) -> list[int]:
        """One key per LSH band (int hashes of int tuples are stable across processes)."""
        return list(_band_keys(sig.tobytes(), sig.dtype.str, self.cfg.num_perm // self.cfg.bands, self.cfg.bands))

    def assign(self, text: str, story_key: str | None, post_id: str | None = None,
               embedding: bytes | None = None, reply_to: str | None = None) -> str | None:
        """Story id for a mention (None: too short to be story material and no quoted post).

        A mention that quotes, reposts (``story_key``) or answers (``reply_to``) a post of a story joins it,
        whatever its words. A reply to a post never seen starts nothing (the brand's own posts are never
        seen: replies to them are about anything)."""
        sid = self._linked(story_key, reply_to)
        words = content_words(text)
        if sid is None and len(words) >= self.cfg.min_words:
            sid = self._by_text(text, words, embedding)
        elif sid is None and story_key:
            sid = self._new(None, "", [], [], None)
        if sid is not None:
            for post in filter(None, (story_key, post_id)):
                if self.by_post.get(post) != sid:  # already listed when it leads here
                    self.posts.setdefault(sid, []).append(post)
                self.by_post[post] = sid
            if len(self.posts.get(sid, ())) > MAX_POSTS:
                self._forget_posts(sid)
        return sid

    def _forget_posts(self, sid: str) -> None:
        """A story that never stops growing keeps its first posts (the originals its retweets and quotes name)
        and its latest ones: what replies and quotes answer, in bounded memory and checkpoint."""
        ids = self.posts[sid]
        keep = ids[:KEEP_FIRST] + ids[-(MAX_POSTS // 2):]
        for post in ids[KEEP_FIRST:-(MAX_POSTS // 2)]:
            if self.by_post.get(post) == sid:
                del self.by_post[post]
        self.posts[sid] = keep

    def _linked(self, story_key: str | None, reply_to: str | None) -> str | None:
        """The story of the post this mention quotes, reposts or answers, when we saw it."""
        for post in (story_key, reply_to):
            if post and (sid := self.by_post.get(post)) in self.stories:
                return sid
        return None

    def _by_text(self, text: str, words: list[str], blob: bytes | None) -> str:
        clean = clean_text(text)
        sig = minhash(clean, self.cfg.num_perm, self.cfg.shingle)
        keys = self.band_keys(sig)
        hits: dict[str, int] = {}
        for key in keys:
            if key in self.bands:
                hits[self.bands[key]] = hits.get(self.bands[key], 0) + 1
        for sid in sorted(hits, key=lambda s: -hits[s])[:self.cfg.max_candidates]:  # most shared bands first
            story = self.stories.get(sid)
            if story is None or not len(story.sigs):
                continue
            best = int((story.sigs == sig).sum(axis=1).max()) / story.sigs.shape[1]  # = the mean, without its overhead
            if best >= self.cfg.min_similarity:
                if best < 0.8:  # a new variant: remember it
                    self._remember(sid, story, (sig, clean, keys), words, blob)
                return sid
        vector = cached_vector(blob) if blob else None
        if vector is not None:
            found, cos = self.vectors.nearest(vector)
            if found is not None and cos >= self.cfg.embed_similarity:
                self._remember(found, self.stories[found], (sig, clean, keys), words,
                               blob if cos < self.cfg.embed_variant else None, vector)
                return found
        found = self._by_words(words) if vector is None or self.cfg.embed_words else None
        if found is not None:
            self._remember(found, self.stories[found], (sig, clean, keys), words)
            return found
        self.stats.observe(words)  # per story, not per mention: a spreading story keeps its words rare
        return self._new(sig, text, keys, words, blob if vector is not None else None, vector)
    def _by_words(self, words: list[str]) -> str | None:
        """The story whose exemplars share most of this text's rare-word weight (a new wording)."""
        idf = {w: self.stats.idf(w) for w in dict.fromkeys(words)}  # the text's order: no hash-seed dependence
        rare = {w: weight for w, weight in idf.items() if self.stats.is_rare(w)}
        total = sum(idf.values())
        if len(rare) < self.cfg.min_shared or total <= 0:
            return None
        shared: Counter[str] = Counter()  # stories by how many of the rare words they hold
        for word in rare:
            shared.update(self.by_word.get(word, ()))  # counted in C: the stories of a word are many
        best, best_score = None, 0.0
        for sid in sorted((s for s, n in shared.items() if n >= self.cfg.min_shared), key=created):
            # (most candidates share one word: no score to add up; ties go to the oldest story in every process)
            score = sum(weight for w, weight in rare.items() if sid in self.by_word.get(w, ())) / total  # word order
            if score >= self.cfg.word_overlap and score > best_score:
                best, best_score = sid, score
        return best

    def related(self, sid: str, min_rare: int) -> list[str]:
        """Other stories sharing at least ``min_rare`` rare words or a close vector with this one (merge candidates)."""
        near = self._same_tone(sid, self.vectors.similar(sid, self.cfg.embed_merge)) if self.stories[sid].vecs else []
        counts: dict[str, int] = {}
        for word in self.stories[sid].words:
            if self.stats.is_rare(word):
                for other in self.by_word.get(word, ()):
                    if other != sid:
                        counts[other] = counts.get(other, 0) + 1
        return near + [other for other in sorted(counts, key=created)
                       if counts[other] >= min_rare and other not in near]

    def _same_tone(self, sid: str, others: list[str]) -> list[str]:
        """Those of ``others`` about as negative as this story, or, when both are complaints, any: a sentence vector
        hears the topic ("router"), not the tone, so happy chatter about a new router never swallows an outage told
        near it; but a mockery is told partly in words a sentiment model calls neutral, so one of its wordings reads
        far more negative than the others, and it is still one story (``embed_complaint``: both above calm)."""
        mine, bar = self.stories[sid].tone(), self.cfg.embed_complaint
        return [o for o in others if abs((theirs := self.stories[o].tone()) - mine) <= self.cfg.embed_tone
                or min(mine, theirs) >= bar]

    def merge(self, keep: str, gone: str, now: float, window_s: float) -> None:
        """Fold story ``gone`` into ``keep``; lookups that led to ``gone`` now lead to ``keep``."""
        other = self.stories[gone]
        story = self.stories[keep]
        moved = self.live_posts(gone)
        self.drop(gone)
        story.absorb(other, now, window_s)
        story.take_sigs(other, self.cfg.exemplars - len(story.sigs))
        story.vecs = story.vecs[:self.cfg.exemplars]
        if moved:
            self.posts.setdefault(keep, []).extend(moved)
            self.by_post.update(dict.fromkeys(moved, keep))
        self._index(keep, story)

    def _remember(self, sid: str, story: Story, seen: tuple[np.ndarray, str, list[int]], words: list[str],
                  blob: bytes | None = None, vector: np.ndarray | None = None) -> None:
        """Keep a new variant (signature, clean text, band keys) as one of the story's exemplars
        (``vector``: the blob's unit vector when already computed)."""
        if blob is not None and len(story.vecs) < self.cfg.exemplars and (
                vector := vector if vector is not None else as_vector(blob)) is not None:
            story.vecs.append(blob)
            self.vectors.add(sid, vector)
        if len(story.sigs) >= self.cfg.exemplars:
            return
        sig, clean, keys = seen
        story.add_sig(sig, clean)
        story.set_lost(len(story.sigs) - 1, self._claim(sid, keys))
        known = set(story.words)
        for word in (w for w in dict.fromkeys(words) if w not in known):  # the text's order, not the hash seed's
            story.words.append(word)
            self.by_word.setdefault(word, set()).add(sid)

    def _new(self, sig: np.ndarray | None, text: str, keys: list[int], words: list[str], blob: bytes | None,
             vector: np.ndarray | None = None) -> str:
        """A story of its own; its first post is its example (and gives back its signature in a checkpoint).
        ``keys`` and ``vector``: the signature's band keys and the blob's unit vector (not computed again)."""
        self.seq += 1
        sid = f"s{self.seq}"
        story = self.stories[sid] = Story(first_ts=math.inf, last_ts=-math.inf, words=sorted(set(words)),
                                          vecs=[blob] if blob else [], example=text[:EXAMPLE_CHARS],
                                          num_perm=self.cfg.num_perm)
        if sig is not None:
            story.add_sig(sig, None if len(text) <= EXAMPLE_CHARS else clean_text(text))
        self._index(sid, story, known=(keys, vector if blob else None))
        return sid

    def _claim(self, sid: str, keys: list[int]) -> int:
        """Hold the band keys no other story holds; returns the bit mask of those held elsewhere."""
        lost = 0
        for b, key in enumerate(keys):
            if self.bands.setdefault(key, sid) != sid:
                lost |= 1 << b
        return lost

    def drop(self, sid: str) -> None:
        story = self.stories.pop(sid)
        self.vectors.drop(sid)
        for sig in story.sigs:
            for key in self.band_keys(sig):
                if self.bands.get(key) == sid:
                    del self.bands[key]
        for word in story.words:
            sids = self.by_word.get(word)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self.by_word[word]
        for post in self.posts.pop(sid, []):
            if self.by_post.get(post) == sid:
                del self.by_post[post]
