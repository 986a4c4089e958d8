"""Text features for story clustering: normalised text, content words, MinHash, and which words are rare.

Why: retweets and small edits are near-duplicates (character-shingle MinHash), but a new wording of
the same grievance shares only its *rare* words ("firmware", "bricked", "refund"); what is rare is
learned from the brand's own stream (document frequency, halved as it grows so it follows the brand).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import _CacheInfo, lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

_PRIME = (1 << 61) - 1
_P = np.uint64(_PRIME)
# Entries of each per-text cache here and in story_index/story_vectors (issue #17's soak).  An LRU keeps what
# repeats (the reposts of a spreading post stay hot) and lets one-off texts pass through, so a small cache
# gives the same hits: 1,024 entries fill within the soak's 10-minute warm-up at 2 new texts a second and
# hold 2.3 MB together (+2.2 MB of sentence vectors).  At 4,096 (8,192 band keys) they held 14 MB of
# one-off texts (+ up to 8.6 MB of vectors) and took 70 minutes to fill: most of the soak's RSS slope.
TEXT_CACHE = 1024
T = TypeVar("T")
WORD_CACHE = 8192  # distinct words: ~0.7 MB when full (tracemalloc, 3-12 letter words), most of it the keys
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


class TextCache(Generic[T]):
    """A per-text LRU of a pure function (``lru_cache``), of ``TEXT_CACHE`` entries unless ``text_caches`` says
    otherwise: a replay of a file, a batch job over a known set of texts, keeps all of them."""

    def __init__(self, function: Callable[..., T]) -> None:
        self.__wrapped__ = function
        self._cached = lru_cache(maxsize=TEXT_CACHE)(function)
        TEXT_CACHES.append(self)

    if TYPE_CHECKING:
        def __call__(self, *args: Hashable) -> T: ...
    else:  # the cache itself is called: no Python frame of its own per call (a tenth of a text cache hit's cost)
        __call__ = property(attrgetter("_cached"))

    def cache_info(self) -> _CacheInfo:
        return self._cached.cache_info()

    def cache_clear(self) -> None:
        self._cached.cache_clear()

    def resize(self, maxsize: int) -> None:
        """Another size, empty (what it held is computed again when asked: the same values)."""
        if maxsize != self._cached.cache_info().maxsize:
            self._cached = lru_cache(maxsize=maxsize)(self.__wrapped__)


TEXT_CACHES: list[TextCache[Any]] = []


@contextmanager
def text_caches(entries: int) -> Iterator[None]:
    """Every per-text cache holds ``entries`` (at least ``TEXT_CACHE``) within the block, then ``TEXT_CACHE`` again.

    Why: a backtest replays a file whose texts recur at random (reposts, a sampled file); at 1,024 entries most
    of a file's repeats had left the caches before they came back (12,681 of 22,689 signatures computed anew on
    a week of 2,772 texts). The replay knows how many texts it has: each cache holds all of them, for the replay
    only (a long-lived service keeps the small caches: issue #17's soak)."""
    for cache in TEXT_CACHES:
        cache.resize(max(entries, TEXT_CACHE))
    try:
        yield
    finally:
        for cache in TEXT_CACHES:
            cache.resize(TEXT_CACHE)


@TextCache  # reposts repeat a text; a backtest's shadow detector sees each text twice
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(c for c in map(_content_word, _normalised(text).split()) if c is not None)


@lru_cache(maxsize=WORD_CACHE)  # words repeat across texts far more than texts do: one stem per word
def _content_word(word: str) -> str | None:
    # interned: every story holding a word shares one string (and a checkpoint pickles it once)
    if len(word) > 2 and word not in STOPWORDS and not word.isdigit():
        return sys.intern(stem(word))
    return None


@TextCache  # a new text is normalised once for its words and its signature
def _normalised(text: str) -> str:
    return normalise(text)


@TextCache  # as _content_words: reposts repeat a text; a backtest's shadow detector sees it twice
def clean_text(text: str) -> str:
    """What a signature is taken of: the normalised text (a placeholder for none)."""
    return _normalised(text) or "<empty>"


@lru_cache(maxsize=8)
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash hash functions (a, b), fixed by a seed so signatures agree across processes."""
    rng = np.random.default_rng(20150226)
    a = rng.integers(1, _PRIME, num_perm, dtype=np.uint64)
    b = rng.integers(0, _PRIME, num_perm, dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def minhash(clean: str, num_perm: int, shingle: int) -> np.ndarray:
    """MinHash (low 32 bits of each value) of a clean text's byte k-grams (k <= 8); read-only result."""
    return _minhash(clean, num_perm, shingle)


@TextCache
def _minhash(clean: str, num_perm: int, shingle: int) -> np.ndarray:
    a, b = permutations(num_perm)
    values = np.multiply(a[:, None], _grams(clean, shingle)[None, :])  # (a * g + b) mod 2^64, as ever
    values += b[:, None]
    result: np.ndarray = mod_prime(values).min(axis=1).astype(np.uint32)
    result.flags.writeable = False
    return result


def mod_prime(values: np.ndarray) -> np.ndarray:
    """``values % (2^61 - 1)`` of uint64s without a division (1.5x quicker), in place of ``values``.

    2^61 is 1 modulo 2^61 - 1, so x = hi * 2^61 + lo -> hi + lo (below twice the prime), minus it once."""
    low = values & _P
    low += np.right_shift(values, np.uint64(61), out=values)
    np.subtract(low, _P, out=low, where=low >= _P)
    return low


def _grams(clean: str, shingle: int) -> np.ndarray:
    """A text's byte k-grams packed into one integer each (repeats kept: the minimum is the same)."""
    raw = np.frombuffer(clean.encode(), dtype=np.uint8).astype(np.uint64)
    k = min(shingle, len(raw))
    n = len(raw) - k + 1
    grams = raw[:n].copy()
    for i in range(1, k):
        grams <<= np.uint64(8)
        grams |= raw[i:n + i]
    return grams


def _all_grams(cleans: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every byte k-gram of texts of at least k bytes, concatenated, and where each text's start."""
    encoded = [c.encode() for c in cleans]
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    raw = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
    n = len(raw) - k + 1
    packed = np.zeros(max(n, 0), dtype=np.uint64)
    for i in range(k):
        packed = (packed << np.uint64(8)) | raw[i:n + i]
    counts = lengths - k + 1
    firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return packed[np.repeat(starts - firsts, counts) + np.arange(counts.sum())], firsts


def minhash_many(cleans: list[str], num_perm: int, shingle: int, chunk: int = 8192) -> np.ndarray:
    """Signatures of many clean texts at once, rows as ``minhash`` gives them (rebuilding a checkpoint).

    Values are kept to 32 bits: two different 61-bit minima agree there once in 4e9, so matching
    decisions are those of the full values at half the memory.  A text's repeated k-grams are not
    made unique here: the minimum is the same.
    """
    out = np.empty((len(cleans), num_perm), dtype=np.uint32)
    short = [i for i, c in enumerate(cleans) if len(c.encode()) < shingle]
    for i in short:
        out[i] = _minhash(cleans[i], num_perm, shingle)
    rest = [i for i, c in enumerate(cleans) if len(c.encode()) >= shingle] if short else list(range(len(cleans)))
    if not rest:
        return out
    grams, firsts = _all_grams([cleans[i] for i in rest], shingle)
    a, b, p = *permutations(num_perm), np.uint64(_PRIME)
    bounds = [0, *np.unique(np.searchsorted(firsts, np.arange(chunk, len(grams), chunk))).tolist(), len(rest)]
    rows = np.empty((len(rest), num_perm), dtype=np.uint64)
    for t0, t1 in zip(bounds, bounds[1:], strict=False):  # a cache-sized group of whole texts at a time
        if t1 <= t0:
            continue
        g0, g1 = firsts[t0], firsts[t1] if t1 < len(rest) else len(grams)
        part = np.multiply(a[:, None], grams[None, g0:g1])
        part += b[:, None]
        np.remainder(part, p, out=part)
        rows[t0:t1] = np.minimum.reduceat(part, firsts[t0:t1] - g0, axis=1).T
    out[rest] = rows.astype(np.uint32)
    return out


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
