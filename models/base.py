"""The sentiment contract every model honours, so the pipeline never cares which one runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Score:
    label: str  # one of LABELS
    p_negative: float
    p_neutral: float
    p_positive: float

    @property
    def confidence(self) -> float:
        return max(self.p_negative, self.p_neutral, self.p_positive)

    @classmethod
    def from_probabilities(cls, probs: Sequence[float]) -> Score:
        neg, neu, pos = (float(p) for p in probs)
        best = max(range(3), key=lambda i: (neg, neu, pos)[i])
        return cls(LABELS[best], neg, neu, pos)


class SentimentModel(Protocol):
    name: str
    version: str

    def score(self, texts: Sequence[str]) -> list[Score]:
        """Batched: one Score per text, in order; never raises on odd text (empty, huge, NUL...)."""
        ...
