"""Text features for story clustering: normalised text, content words, MinHash, and which words are rare.

Why: retweets and small edits are near-duplicates (character-shingle MinHash), but a new wording of
the same grievance shares only its *rare* words ("firmware", "bricked", "refund"); what is rare is
learned from the brand's own stream (document frequency, halved as it grows so it follows the brand).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

_PRIME = (1 << 61) - 1
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"[@#]\w+")
_NONWORD = re.compile(r"[^\w ]+")
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren as at be because been before being below
between both but by can cannot could did didn do does doesn doing don down during each few for from
further had has have having he her here hers him his how i if in into is isn it its itself just let me
more most my no nor not now of off on once only or other our ours out over own same she should so some
such than that the their them then there these they this those through to too under until up very was
wasn we were what when where which while who whom why will with won would you your yours yourself im
ive dont cant got get thanks thank please hi hello hey yes yeah ok okay still also one like know need
want back help amp rt via
""".split())  # noqa: SIM905


def normalise(text: str) -> str:
    """Drop URLs, handles and punctuation so retweets/quotes of one complaint look alike."""
    text = _HANDLE.sub(" ", _URL.sub(" ", text.lower()))
    return " ".join(_NONWORD.sub(" ", text).split())


def stem(word: str) -> str:
    """A light suffix strip so "hung up"/"hanging up" and "update"/"updated" meet."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """Stems of the words that carry the grievance: no stopwords, numbers or very short words."""
    return list(_content_words(text))


@lru_cache(maxsize=8192)  # reposts repeat a text; a backtest's shadow detector sees each text twice
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in normalise(text).split() if len(w) > 2 and w not in STOPWORDS and not w.isdigit())


def minhash(text: str, a: np.ndarray, b: np.ndarray, shingle: int) -> np.ndarray:
    """MinHash of the normalised text's byte k-grams (k <= 8), stable across processes (read-only result)."""
    return _minhash(normalise(text) or "<empty>", a.tobytes(), b.tobytes(), shingle)


@lru_cache(maxsize=8192)
def _minhash(clean: str, a_bytes: bytes, b_bytes: bytes, shingle: int) -> np.ndarray:
    a, b = np.frombuffer(a_bytes, dtype=np.uint64), np.frombuffer(b_bytes, dtype=np.uint64)
    raw = np.frombuffer(clean.encode(), dtype=np.uint8).astype(np.uint64)
    k = min(shingle, len(raw))
    grams = np.zeros(len(raw) - k + 1, dtype=np.uint64)
    for i in range(k):  # byte k-grams packed into one integer each
        grams = (grams << np.uint64(8)) | raw[i:len(raw) - k + 1 + i]
    hashes = np.unique(grams)
    mixed = (a[:, None] * hashes[None, :] + b[:, None]) % np.uint64(_PRIME)
    result: np.ndarray = mixed.min(axis=1)
    result.flags.writeable = False
    return result


class WordStats:
    """Document frequency of content words in the brand's stream; halved when it grows large."""

    def __init__(self, df: dict[str, float] | None = None, docs: float = 0.0, *, min_docs: float = 100.0,
                 rare_share: float = 0.02, horizon: float = 20_000.0) -> None:
        self.df = df or {}
        self.docs = docs
        self.min_docs, self.rare_share, self.horizon = min_docs, rare_share, horizon

    @classmethod
    def from_dict(cls, state: dict[str, Any] | None) -> WordStats:
        state = state or {}
        return cls(dict(state.get("df", {})), float(state.get("docs", 0.0)))

    def to_dict(self) -> dict[str, Any]:
        return {"df": self.df, "docs": self.docs}

    def observe(self, words: list[str]) -> None:
        self.docs += 1
        for word in set(words):
            self.df[word] = self.df.get(word, 0.0) + 1.0
        if self.docs >= self.horizon:
            self.docs /= 2
            self.df = {w: n / 2 for w, n in self.df.items() if n >= 2}

    def idf(self, word: str) -> float:
        return math.log((self.docs + 1.0) / (self.df.get(word, 0.0) + 1.0))

    def is_rare(self, word: str) -> bool:
        """Rare enough to tie two texts together (only once the stream has taught us what is common)."""
        return self.docs >= self.min_docs and self.df.get(word, 0.0) <= self.rare_share * self.docs
