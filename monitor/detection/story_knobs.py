"""The story index's knobs as a read-only protocol: ``StoryConfig`` (stories.py) satisfies it without a cycle."""

from __future__ import annotations

from typing import Protocol


class IndexConfig(Protocol):
    """The clustering knobs of StoryConfig (read-only)."""

    @property
    def num_perm(self) -> int: ...

    @property
    def bands(self) -> int: ...

    @property
    def shingle(self) -> int: ...

    @property
    def min_similarity(self) -> float: ...

    @property
    def exemplars(self) -> int: ...

    @property
    def max_candidates(self) -> int: ...

    @property
    def min_words(self) -> int: ...

    @property
    def word_overlap(self) -> float: ...

    @property
    def min_shared(self) -> int: ...

    @property
    def embed_similarity(self) -> float: ...

    @property
    def embed_variant(self) -> float: ...

    @property
    def embed_words(self) -> bool: ...

    @property
    def embed_merge(self) -> float: ...

    @property
    def embed_tone(self) -> float: ...

    @property
    def embed_complaint(self) -> float: ...
