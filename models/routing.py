"""Which sentiment model scores which language; a post no model covers is explicitly unscored.

The bundled model was trained on English tweets: on a Polish complaint it returns a confident
guess that means nothing.  So ``model.sentiment`` scores only ``model.sentiment_languages``
(default ``["en"]``; ``["*"]`` for every language), ``[model.sentiment_by_language]`` can name a
model (folder or Hugging Face id) per language, and anything else gets sentiment ``"unscored"``
with a reason ("not scored: Polish") instead of a made-up neutral.  Posts with no language
(emoji, links: ``"und"``) go to the default model, which reads emoji fine.

``keywords`` (``model.keyword_fallback``, on by default): a post no model covers, in a language
``models.complaint_cues`` lists, that carries a complaint cue is ``negative`` by keywords
(``models.keywords``, a lower probability and a reason naming the words); one without a cue stays unscored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.base import Score, SentimentModel
from models.keywords import KeywordSentiment
from models.language import UNDETERMINED, language_name

UNSCORED = "unscored"


@dataclass(frozen=True)
class Routed:
    """One post's outcome: a score from ``model``, or no score and the reason why."""

    score: Score | None
    model: SentimentModel | KeywordSentiment | None
    reason: str = ""

    @property
    def label(self) -> str:
        return self.score.label if self.score is not None else UNSCORED


class SentimentRouter:
    """Scores each text with the model for its language, batching per model."""

    def __init__(self, default: SentimentModel, default_languages: Sequence[str] = ("en",),
                 by_language: Mapping[str, SentimentModel] | None = None, *, keywords: bool = True) -> None:
        self.default = default
        self.default_languages = frozenset(code.strip().lower() for code in default_languages)
        self.by_language = {code.strip().lower(): model for code, model in (by_language or {}).items()}
        self.keywords = KeywordSentiment() if keywords else None

    def model_for(self, language: str) -> SentimentModel | None:
        """The model that scores ``language``, or None when none may."""
        if language in self.by_language:
            return self.by_language[language]
        if "*" in self.default_languages or language in self.default_languages or language == UNDETERMINED:
            return self.default
        return None

    def score(self, texts: Sequence[str], languages: Sequence[str]) -> list[Routed]:
        """One Routed per text, in order; each model sees only its own languages, in one batch."""
        out: list[Routed | None] = [None] * len(texts)
        groups: dict[int, tuple[SentimentModel, list[int]]] = {}
        for i, language in enumerate(languages):
            model = self.model_for(language)
            if model is None:
                out[i] = self._unscored(texts[i], language)
            else:
                groups.setdefault(id(model), (model, []))[1].append(i)
        for model, indices in groups.values():
            for i, score in zip(indices, model.score([texts[i] for i in indices]), strict=True):
                out[i] = Routed(score, model)
        return [r for r in out if r is not None]

    def _unscored(self, text: str, language: str) -> Routed:
        """No model for ``language``: negative by keywords when a complaint cue is there, else unscored."""
        reading = self.keywords.read(text, language) if self.keywords is not None else None
        if reading is not None:
            return Routed(reading.score, self.keywords, reading.reason)
        return Routed(None, None, f"not scored: {language_name(language)}")
