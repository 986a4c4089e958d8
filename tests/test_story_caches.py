"""The story index's caches (a repeated text's vector and band keys) give exactly what computing them anew gives."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.detection.stories import StoryConfig
from monitor.detection.story_index import StoryIndex
from monitor.detection.story_text import WordStats, clean_text, minhash
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
