"""Sentiment scored once per text and model version, kept in a cache file, so replays only run detection.

Why: scoring is 99 % of a backtest's cost (30-35 mentions per CPU-second with the bundled model), and
replaying the same file again (another sensitivity, another detector) needs the same scores. The cache
is a JSON file ``{sha1(text)[:20]: [p_negative, p_neutral, p_positive]}`` per model name and version,
beside the input file (or in the run's folder when that is read-only). A wrong or stale cache is
impossible by construction: the key is the text, the file name the model version.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from models.base import Score, SentimentModel
from models.embedding import OnnxEmbedder, pack
from models.language import detect_language
from models.signals import extract_signals
from monitor.brands import BrandTerms

log = logging.getLogger("groundswell.backtest")


@lru_cache(maxsize=65536)  # a replay asks for each row's text two or three times (score, signals, vector)
def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", errors="replace")).hexdigest()[:20]


def cache_path(input_file: Path, model: SentimentModel | tuple[str, str], fallback_dir: Path) -> Path:
    """Beside the input when that folder is writable, else in ``fallback_dir``; ``model``: the model or its
    (name, version), so a cached replay names the file without loading the model."""
    name, version = model if isinstance(model, tuple) else (model.name, model.version)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{name}-{version}")
    name = f"{input_file.name}.scores-{safe}.json"
    beside = input_file.parent / name
    try:
        with beside.open("a", encoding="utf-8"):
            pass
        return beside
    except OSError:
        return fallback_dir / name


class CachedModel:
    """A SentimentModel that answers from the cache and scores (then remembers) only unseen texts.

    ``model`` may be a loader with the model's (name, version): the model is then loaded only when a text
    is missing from the cache, so a fully cached replay never starts onnxruntime (seconds of CPU).
    """

    def __init__(self, model: SentimentModel | Callable[[], SentimentModel], path: Path, batch_size: int = 64,
                 *, identity: tuple[str, str] | None = None) -> None:
        self._model: SentimentModel | None = None if callable(model) else model
        self._load = model if callable(model) else None
        self.path, self.batch_size = path, batch_size
        self.name, self.version = identity or (self.model.name, self.model.version)
        self.cache: dict[str, list[float]] = {}
        self.scored = 0  # texts this process had to score (not in the cache)
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            self.cache = json.loads(text) if text.strip() else {}
        except (OSError, ValueError):
            log.warning("score cache %s unreadable: scoring again", path)

    @property
    def model(self) -> SentimentModel:
        """The model itself, loaded on first use."""
        if self._model is None:
            assert self._load is not None
            self._model = self._load()
        return self._model

    def prime(self, texts: Iterable[str]) -> int:
        """Score every text not cached yet (in batches), save the cache; returns how many were scored."""
        todo = list(dict.fromkeys(t for t in texts if text_key(t) not in self.cache))
        for start in range(0, len(todo), self.batch_size):
            self._score(todo[start:start + self.batch_size])
        if todo:
            self.save()
        return len(todo)

    def _score(self, texts: Sequence[str]) -> None:
        for text, score in zip(texts, self.model.score(texts), strict=True):
            self.cache[text_key(text)] = [score.p_negative, score.p_neutral, score.p_positive]
        self.scored += len(texts)

    def score(self, texts: Sequence[str]) -> list[Score]:
        missing = [t for t in dict.fromkeys(texts) if text_key(t) not in self.cache]
        if missing:
            self._score(missing)
        return [Score.from_probabilities(self.cache[text_key(t)]) for t in texts]

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.cache), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            log.warning("cannot save the score cache %s: %s", self.path, exc.strerror)


class SignalCache:
    """Language and complaint signals (churn threat, category) per brand and text, cached like the scores.

    The file name carries a hash of the signals code and of the churn classifier's code and weights, so a
    changed extractor or a retrained churn model never reads stale signals.
    """

    def __init__(self, path: Path) -> None:
        import models.churn as churn_module
        import models.churn_features as churn_features_module
        import models.language as language_module
        import models.signals as signals_module

        modules = (signals_module, language_module, churn_module, churn_features_module)
        files = [Path(m.__file__) for m in modules if m.__file__] + [churn_module.ARTIFACT]
        source = b"".join(f.read_bytes() for f in files if f.exists())
        self.path = path.with_name(f"{path.name}-{hashlib.sha1(source).hexdigest()[:10]}.json")
        self.cache: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            if self.path.exists():
                self.cache = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}

    def get(self, text: str, lang_hint: str | None, brand: BrandTerms | None) -> tuple[str, dict[str, Any]]:
        """(language, signals) as scoring computes them (models.language, models.signals)."""
        key = text_key(f"{brand.id if brand else ''}\x00{lang_hint or ''}\x00{text}")
        found = self.cache.get(key)
        if found is None:
            language = detect_language(text, lang_hint)
            found = self.cache[key] = {"language": language,
                                       "signals": extract_signals(text, brand, language=language).to_json()}
            self.dirty = True
        return str(found["language"]), dict(found["signals"])

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.cache), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            log.warning("cannot save the signal cache %s: %s", self.path, exc.strerror)


class VectorCache:
    """Story sentence vectors per text (int8 bytes, base64 in the file), computed once like the scores."""

    def __init__(self, embedder: OnnxEmbedder | Callable[[], OnnxEmbedder], path: Path) -> None:
        self._embedder, self.path = embedder, path
        self.cache: dict[str, str] = {}
        self.decoded: dict[str, bytes] = {}
        try:
            self.cache = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):
            log.warning("vector cache %s unreadable: embedding again", path)

    @property
    def embedder(self) -> OnnxEmbedder:
        """The encoder, loaded on first use (never, when every text is cached)."""
        if not isinstance(self._embedder, OnnxEmbedder):
            self._embedder = self._embedder()
        return self._embedder

    def prime(self, texts: Iterable[str]) -> int:
        """Embed every text not cached yet and save; returns how many were embedded."""
        todo = list(dict.fromkeys(t for t in texts if text_key(t) not in self.cache))
        for start in range(0, len(todo), 256):
            chunk = todo[start:start + 256]
            for text, blob in zip(chunk, pack(self.embedder.embed(chunk)), strict=True):
                self.cache[text_key(text)] = base64.b64encode(blob).decode("ascii")
        if todo:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.cache), encoding="utf-8")
            except OSError as exc:
                log.warning("cannot save the vector cache %s: %s", self.path, exc.strerror)
        return len(todo)

    def get(self, text: str) -> bytes:
        """The text's vector bytes (decoded once per text: reposts repeat it)."""
        blob = self.decoded.get(text)
        if blob is None:
            found = self.cache.get(text_key(text))
            if found is None:
                self.prime([text])
                found = self.cache[text_key(text)]
            blob = self.decoded[text] = base64.b64decode(found)
        return blob
