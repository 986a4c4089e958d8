"""Pick and load the sentiment model named in settings, once per process.

``spec`` is ``"bundled"`` (the fine-tuned int8 MiniLM in models/artifacts, fully offline, scoring
with the blend of its two heads that its ``meta.json`` names), ``"bundled:general"`` (its general-tweet
head alone, as trained on TweetEval), ``"bundled:brand"`` (its brand-directed head alone: better on
calm complaints aimed at a company, worse on general tweets),
``"lexicon"`` (word list, no ML dependencies), a folder holding an exported Groundswell ONNX
model (``meta.json`` + ``*.onnx``), or any Hugging Face model id / local folder for
``AutoModelForSequenceClassification``.  Loading is cached: the pipeline, the CLI and the
API all share one instance per (spec, threads, batch_size, max_length).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from models.base import SentimentModel
from monitor.errors import ModelError

if TYPE_CHECKING:
    from models.routing import SentimentRouter

_CACHE: dict[tuple[str, int, int, int], SentimentModel] = {}
_LOCK = threading.Lock()
BUNDLED = {"bundled": "blend", "bundled:general": "general", "bundled:brand": "brand"}  # spec -> head


def load_sentiment_model(spec: str, *, threads: int = 2, batch_size: int = 64,
                         max_length: int = 128) -> SentimentModel:
    """Return the (cached) model for ``spec``; raises ModelError with a fix when it cannot load."""
    key = (spec.strip(), threads, batch_size, max_length)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(key[0], threads=threads, batch_size=batch_size, max_length=max_length)
        return _CACHE[key]


def model_identity(spec: str) -> tuple[str, str] | None:
    """(name, version) of the model ``spec`` names, read without loading it (its meta.json); None when that
    needs the model itself (a Hugging Face id).  Lets a cached replay name its score cache without loading."""
    spec = spec.strip()
    if spec == "lexicon":
        from models.lexicon import LexiconSentiment

        return LexiconSentiment.name, LexiconSentiment.version
    if spec == "bundled":
        from models.transformer import ARTIFACT_DIR

        return meta_identity(ARTIFACT_DIR, default_name=ARTIFACT_DIR.name)
    folder = Path(spec).expanduser()
    return meta_identity(folder, default_name=folder.name) if (folder / "meta.json").is_file() else None


def meta_identity(folder: Path, *, default_name: str) -> tuple[str, str] | None:
    """(name, version) from an exported model's meta.json, as the loaded model would report them."""
    import json

    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # loading the model reports what is wrong
    if not isinstance(meta, dict) or "onnx" not in meta:
        return None
    return str(meta.get("name", default_name)), str(meta.get("version", "0"))


def clear_cache() -> None:
    """Forget loaded models (tests, or a settings reload that changes the model)."""
    with _LOCK:
        _CACHE.clear()


def _load(spec: str, *, threads: int, batch_size: int, max_length: int) -> SentimentModel:
    if not spec:
        raise ModelError('model.sentiment is empty: use "bundled", "lexicon" or a Hugging Face model id')
    if spec == "lexicon":
        from models.lexicon import LexiconSentiment

        return LexiconSentiment()
    if spec in BUNDLED:
        os.environ["HF_HUB_OFFLINE"] = "1"
        from models.transformer import ARTIFACT_DIR

        return _onnx(ARTIFACT_DIR, threads=threads, batch_size=batch_size,
                     head=BUNDLED[spec])
    folder = Path(spec).expanduser()
    if folder.is_dir() and (folder / "meta.json").exists():
        return _onnx(folder, threads=threads, batch_size=batch_size)
    if (spec.startswith(("~", ".")) or folder.is_absolute()) and not folder.is_dir():
        raise ModelError(f"no model folder at {folder} (use \"bundled\", \"lexicon\", a Hugging Face model id or a "
                         "folder with an exported model and its meta.json)")
    from models.hf_model import HFSentiment

    return HFSentiment(spec, threads=threads, batch_size=batch_size, max_length=max_length)


def _onnx(folder: Path, *, threads: int, batch_size: int, head: str = "blend") -> SentimentModel:
    """Our exported format; its own max_length (64, what it was trained with) is kept."""
    from models.transformer import OnnxSentiment

    return OnnxSentiment(folder, threads=threads, batch_size=batch_size, head=head)


def load_router(spec: str, *, languages: Sequence[str] = ("en",), by_language: Mapping[str, str] | None = None,
                threads: int = 2, batch_size: int = 64, max_length: int = 128,
                keywords: bool = True) -> SentimentRouter:
    """The default model for ``languages`` plus one (cached) model per entry of ``by_language``; ``keywords``:
    complaint cues read the posts no model covers (``model.keyword_fallback``)."""
    from models.routing import SentimentRouter

    def load(one: str) -> SentimentModel:
        return load_sentiment_model(one, threads=threads, batch_size=batch_size, max_length=max_length)

    return SentimentRouter(load(spec), languages, {code: load(one) for code, one in (by_language or {}).items()},
                           keywords=keywords)
