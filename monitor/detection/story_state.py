"""One story's state, kept small: it is held for up to two days per story and written to every checkpoint.

Why compact: a busy brand holds thousands of stories (most of them one post that may yet be repeated) and a
spreading story holds a day of authors.  So signatures are one uint32 array per story (not lists of Python
ints), an author is one shared ``complex(first_ts, weight)`` in both ``authors`` and ``recent`` (32 B: a
``(first_ts, weight)`` tuple of two floats took 104 B; a complex holds both doubles exactly), words are
interned, and the exemplar texts are kept only where the example cannot give them back (a checkpoint stores
texts, not signatures, and recomputes them: hashes do not compress, text does).
"""

from __future__ import annotations

import math
from itertools import compress
from operator import attrgetter
from typing import Any

import numpy as np

from monitor.detection.story_text import clean_text

Author = complex  # first time seen (.real) and largest weight (.imag): two exact doubles in one small object
EXAMPLE_CHARS = 280  # of a story's first post, shown in its alert
NUMPY_FROM = 64  # recent lists this long are filtered in numpy: the same floats in the same order, so the same sums
_WEIGHT = attrgetter("imag")


class Story:
    """One cluster: exemplar signatures and words, its authors (first time, weight) and example refs.

    ``texts[i]`` is the clean text ``sigs[i]`` was taken of, or None when that is the example's (the
    story's first post, kept whole as its example): a checkpoint rebuilds the signatures from these.
    ``lost[i]``: the bands of ``sigs[i]`` whose keys another story held first (None: it holds them all).
    """

    __slots__ = ("sigs", "texts", "first_ts", "last_ts", "mentions", "authors", "recent", "total_authors",
                 "refs", "example", "reach", "alerted", "words", "vecs", "lost")

    def __init__(self, sigs: Any = (), first_ts: float = math.inf, last_ts: float = -math.inf, mentions: int = 0,
                 authors: dict[str, Any] | None = None, recent: list[Any] | None = None, total_authors: int = 0,
                 refs: list[str] | None = None, example: str = "", reach: float = 0.0, alerted: float = 0.0,
                 words: list[str] | None = None, vecs: list[bytes] | None = None,
                 texts: list[str | None] | None = None, lost: dict[Any, int] | None = None, num_perm: int = 64,
                 **_: Any) -> None:
        self.sigs: np.ndarray = np.empty((0, num_perm), dtype=np.uint32)
        if len(sigs):  # a plain-dict state's lists (older ones held 61-bit values: their low 32 bits match)
            self.sigs = (np.asarray(sigs, dtype=np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        self.texts: list[str | None] = list(texts) if texts is not None else [None] * len(self.sigs)
        self.first_ts, self.last_ts, self.mentions = float(first_ts), float(last_ts), int(mentions)
        self.authors: dict[str, Author] = {a: complex(float(v[0]), float(v[1])) for a, v in (authors or {}).items()}
        self.recent: list[Author] = [complex(float(r[0]), float(r[1])) for r in recent or []]
        self.total_authors, self.refs, self.example = int(total_authors), list(refs or []), example
        self.reach, self.alerted = float(reach), float(alerted)
        self.words: list[str] = list(words or [])
        self.vecs: list[bytes] = list(vecs or [])
        self.lost: dict[int, int] | None = {int(i): int(m) for i, m in lost.items()} if lost else None

    @classmethod
    def restored(cls, values: dict[str, Any]) -> Story:
        """A story from exact field values (a checkpoint's; no conversions, quick)."""
        story = object.__new__(cls)
        for name in cls.__slots__:
            setattr(story, name, values[name])
        return story

    def to_dict(self, posts: list[str]) -> dict[str, Any]:
        """Plain JSON-able state (``posts``: the post ids that lead to it, kept by the index)."""
        return {"sigs": self.sigs.tolist(), "texts": list(self.texts), "first_ts": self.first_ts,
                "last_ts": self.last_ts, "mentions": self.mentions,
                "authors": {a: [v.real, v.imag] for a, v in self.authors.items()},
                "recent": [[r.real, r.imag] for r in self.recent],
                "total_authors": self.total_authors, "refs": list(self.refs), "example": self.example,
                "reach": self.reach, "alerted": self.alerted, "words": list(self.words), "posts": posts,
                "vecs": list(self.vecs), "lost": {str(i): m for i, m in (self.lost or {}).items()}}

    def clean_texts(self) -> list[str]:
        """The clean text of every signature (None markers resolved from the example)."""
        return [clean_text(self.example) if t is None else t for t in self.texts]

    def add_sig(self, sig: np.ndarray, text: str | None) -> None:
        self.sigs = np.vstack([self.sigs, sig[None, :]]) if len(self.sigs) else sig[None, :].copy()
        self.texts.append(text)

    def add_author(self, author: str, ts: float, weight: float) -> bool:
        """Record one author's mention; True when the author is new to the story."""
        seen = self.authors.get(author)
        if seen is None:
            entry = complex(ts, weight)  # one object in both places: a new author costs one small object
            self.authors[author] = entry
            self.recent.append(entry)
            return True
        if ts < seen.real or weight > seen.imag:
            self.authors[author] = complex(min(seen.real, ts), max(seen.imag, weight))
        return False

    def set_lost(self, i: int, mask: int) -> None:
        """Which band keys of signature ``i`` another story holds (bit b: band b), so a rebuilt index agrees."""
        if mask:
            self.lost = self.lost or {}
            self.lost[i] = mask
        elif self.lost:
            self.lost.pop(i, None)

    def tone(self) -> float:
        """Mean weight of its authors (base_weight for calm ones up to 1 for the clearly negative)."""
        return sum(map(_WEIGHT, self.authors.values())) / len(self.authors) if self.authors else 0.0

    def recent_authors(self, now: float, window_s: float, keep_s: float | None = None) -> tuple[int, float]:
        """(unique authors, weighted authors) whose first mention falls in the window (O(window)).

        Authors older than ``keep_s`` (default: the window) are forgotten from the recent list.
        """
        cut, low = now - max(keep_s or window_s, window_s), now - window_s
        if len(self.recent) >= NUMPY_FROM:
            return self._recent_numpy(now, cut, low)
        self.recent = [r for r in self.recent if r.real >= cut]
        hits = [r.imag for r in self.recent if low <= r.real <= now]
        return len(hits), sum(hits)

    def _recent_numpy(self, now: float, cut: float, low: float) -> tuple[int, float]:
        """``recent_authors`` for a long list: the comparisons in numpy, the sum in Python (the same order)."""
        entries = np.array(self.recent, dtype=np.complex128)
        times = entries.real
        kept = times >= cut
        if not kept.all():
            self.recent = list(compress(self.recent, kept.tolist()))
        hits: list[float] = entries.imag[kept & (times >= low) & (times <= now)].tolist()
        return len(hits), sum(hits)

    def absorb(self, other: Story, now: float, window_s: float) -> None:
        """Take in another story's people, examples and identity (a merge)."""
        overlap = set(self.authors) & set(other.authors)
        for author, theirs in other.authors.items():
            mine = self.authors.get(author)
            self.authors[author] = theirs if mine is None else complex(min(mine.real, theirs.real),
                                                                       max(mine.imag, theirs.imag))
        self.recent = [v for v in self.authors.values() if v.real >= now - window_s]
        self.total_authors += other.total_authors - len(overlap)
        self.mentions += other.mentions
        self.refs = (self.refs + [r for r in other.refs if r not in self.refs])[:5]
        self.reach += other.reach
        self.alerted = max(self.alerted, other.alerted)
        self.first_ts, self.last_ts = min(self.first_ts, other.first_ts), max(self.last_ts, other.last_ts)
        self.example = self.example or other.example
        self.words = sorted(set(self.words) | set(other.words))
        self.vecs = self.vecs + other.vecs

    def take_sigs(self, other: Story, limit: int) -> None:
        """Append up to ``limit`` of another story's signatures (their texts made explicit: the example differs)."""
        for sig, text in list(zip(other.sigs, other.clean_texts(), strict=True))[:max(limit, 0)]:
            self.add_sig(sig, text)
