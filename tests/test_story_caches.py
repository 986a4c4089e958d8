"""The story index's caches (a repeated text's vector and band keys) give exactly what computing them anew gives,
and one-off texts leave them small (issue #17's soak)."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from monitor.detection import story_index, story_text
from monitor.detection.stories import StoryConfig, StoryTracker
from monitor.detection.story_index import StoryIndex
from monitor.detection.story_text import TEXT_CACHE, WordStats, clean_text, minhash, text_caches
from monitor.detection.story_vectors import DIM, as_vector, cached_vector


def _keys_anew(sig: np.ndarray, cfg: StoryConfig) -> list[int]:
    """The band keys as the index computed them before the cache."""
    rows, values = cfg.num_perm // cfg.bands, sig.tolist()
    return [hash((b, *values[b * rows:(b + 1) * rows])) for b in range(cfg.bands)]


def test_band_keys_are_those_computed_anew_for_every_signature() -> None:
    cfg = StoryConfig()
    index = StoryIndex(cfg, {}, WordStats(), 0)
    texts = ["Acme router dead again", "acme ROUTER dead again!!", "billing doubled, refund me", "x"]
    for text in texts * 2:  # the second time from the cache
        sig = minhash(clean_text(text), cfg.num_perm, cfg.shingle)
        keys = index.band_keys(sig)
        assert keys == _keys_anew(sig, cfg) and len(keys) == cfg.bands
        keys.append(0)  # a caller's list is its own
        assert index.band_keys(sig) == _keys_anew(sig, cfg)
    rng = np.random.default_rng(4)
    for _ in range(50):  # signatures as a checkpoint restores them too
        sig = rng.integers(0, 2**32, cfg.num_perm, dtype=np.uint64).astype(np.uint32)
        assert index.band_keys(sig) == _keys_anew(sig, cfg)


def test_cached_vector_is_the_unit_vector_and_read_only() -> None:
    blob = np.random.default_rng(1).integers(-127, 128, DIM, dtype=np.int8).tobytes()
    fresh, cached = as_vector(blob), cached_vector(blob)
    assert fresh is not None and cached is not None and np.array_equal(fresh, cached)
    assert cached_vector(blob) is cached  # the second mention with this text decodes nothing
    with pytest.raises(ValueError):
        cached[0] = 1.0  # shared between mentions: nobody may change it in place
    assert cached_vector(b"\x00" * DIM) is None and cached_vector(b"short") is None


CACHES = (story_text._content_words, story_text.clean_text, story_text._minhash, story_index._band_keys,
          cached_vector)


def _held_by_caches(texts: list[str], hot: str) -> float:
    """MB the per-text caches hold after a real story tracker saw ``texts``."""
    for cache in CACHES:
        cache.cache_clear()
    tracker = StoryTracker(StoryConfig())
    tracemalloc.start()
    try:
        for n, text in enumerate(texts):
            tracker.add(float(n), f"x:user{n}", text, None, 0.1, str(n))
            if n % 100 == 0:
                tracker.add(float(n), f"x:fan{n}", hot, None, 0.5, f"r{n}")  # a repost, now and then
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        hits = story_text._minhash.cache_info().hits
        for cache in CACHES:
            cache.cache_clear()
        gc.collect()
        held = (before - tracemalloc.get_traced_memory()[0]) / 2**20
    finally:
        tracemalloc.stop()
    assert hits >= len(texts) // 100 - 1  # the repost stays hot among the one-off texts: it is hashed once
    return held


def test_one_off_texts_leave_the_caches_small() -> None:
    """Issue #17's soak: 4,096-entry caches (8,192 band keys) filled with one-off texts for 70 minutes at 2 posts
    a second and held 14 MB (+ up to 8.6 MB of vectors): most of the RSS slope after the warm-up.  An LRU keeps what
    repeats, so 1,024 entries (full within the warm-up) lose no hits that matter."""
    texts = [f"Acme new router arrived today, setting it up {n}" for n in range(4000)]  # the soak's feed
    held = _held_by_caches(texts, "Acme router dead again, third time this week")
    assert all(cache.cache_info().maxsize == TEXT_CACHE for cache in CACHES)
    assert held < 4.0, held  # 1,024 entries each: 2.2 MB; at 4,096 (8,192): 5.4 MB after only 3,000 texts


def test_a_replay_keeps_every_text_of_its_file_then_the_caches_are_small_again() -> None:
    """``text_caches``: a backtest's file recurs at random over thousands of texts; within the replay each cache
    holds them all (the same values), after it the service's size is back."""
    texts = [f"Acme router dead again, day {n} of this" for n in range(3000)]
    with text_caches(10):
        assert all(cache.cache_info().maxsize == TEXT_CACHE for cache in CACHES)  # never below the service's
    with text_caches(len(texts)):
        assert all(cache.cache_info().maxsize == len(texts) for cache in CACHES)
        sigs = [minhash(clean_text(text), 64, 5) for text in texts]
        hits = story_text._minhash.cache_info().hits
        again = [minhash(clean_text(text), 64, 5) for text in texts]
        assert story_text._minhash.cache_info().hits == hits + len(texts)  # the first is still there
        assert all(a is b for a, b in zip(sigs, again, strict=True))
    assert all(cache.cache_info().maxsize == TEXT_CACHE for cache in CACHES)
    assert all(np.array_equal(minhash(clean_text(t), 64, 5), s) for t, s in zip(texts, sigs, strict=True))


def _minhash_by_division(clean: str, num_perm: int, shingle: int) -> np.ndarray:
    """MinHash as story_text computed it before its division-free reduction (unique k-grams, ``%``)."""
    a, b = story_text.permutations(num_perm)
    raw = np.frombuffer(clean.encode(), dtype=np.uint8).astype(np.uint64)
    k = min(shingle, len(raw))
    grams = np.zeros(len(raw) - k + 1, dtype=np.uint64)
    for i in range(k):
        grams = (grams << np.uint64(8)) | raw[i:len(raw) - k + 1 + i]
    hashes = np.unique(grams)
    mins: np.ndarray = ((a[:, None] * hashes[None, :] + b[:, None]) % np.uint64(story_text._PRIME)).min(axis=1)
    return mins.astype(np.uint32)


def _words_anew(text: str) -> list[str]:
    """Content words as story_text computed them before its per-word cache."""
    return [story_text.stem(w) for w in story_text.normalise(text).split()
            if len(w) > 2 and w not in story_text.STOPWORDS and not w.isdigit()]


def test_minhash_and_content_words_are_those_computed_the_old_way() -> None:
    rng = np.random.default_rng(9)
    texts = ["Acme router dead again", "x", "ab", "@acme https://t.co/x 42!", "héllo wörld 😀 routers updated",
             "aaaaaaaaaaaa", "billing doubled refund me " * 20]
    texts += ["".join(chr(c) for c in rng.integers(32, 0x2FF, rng.integers(1, 80))) for _ in range(200)]
    for text in texts * 2:  # the second time from the caches
        clean = clean_text(text)
        assert clean == (story_text.normalise(text) or "<empty>")
        assert story_text.content_words(text) == _words_anew(text)
        for num_perm, shingle in ((64, 5), (128, 3), (16, 8), (64, 1)):
            assert np.array_equal(minhash(clean, num_perm, shingle), _minhash_by_division(clean, num_perm, shingle))


def test_mod_prime_is_the_remainder_at_the_edges() -> None:
    p = story_text._PRIME
    edges = [0, 1, p - 1, p, p + 1, p + 6, 2 * p - 1, 2 * p, 2 * p + 1, 2**61, 2**62, 2**63, 2**64 - 1, 2**64 - 2]
    rng = np.random.default_rng(3)
    values = np.array(edges + rng.integers(0, 2**64, 1000, dtype=np.uint64).tolist(), dtype=np.uint64)
    assert story_text.mod_prime(values.copy()).tolist() == [v % p for v in values.tolist()]
