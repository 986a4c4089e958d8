"""Any Hugging Face sequence-classification model (hub id or local folder) as a SentimentModel.

For users who pick a larger tweet model in settings.toml.  The model's ``id2label`` is mapped
onto negative/neutral/positive (case-insensitive names, or ``LABEL_0/1/2`` read as 0=negative,
1=neutral, 2=positive, the TweetEval order).  Two-label models get p_neutral = 0.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from models.base import LABELS, Score
from models.textprep import normalize
from models.transformer import softmax
from monitor.errors import ModelError

_ALIASES = {"neg": "negative", "neu": "neutral", "pos": "positive"}
HUB_PROBE_SECONDS = 5.0


def hub_address() -> tuple[str, int]:
    """The hub's host and port (``HF_ENDPOINT`` for a mirror, else huggingface.co:443)."""
    parts = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return parts.hostname or "huggingface.co", parts.port or (80 if parts.scheme == "http" else 443)


def check_hub_reachable(spec: str) -> None:
    """Raise a one-line ModelError when the hub cannot be reached.  Why: offline, the hub client retries each file
    for ~25 s before it fails (49 s and eleven retry lines for a mistyped id); one connection attempt says so at once.
    """
    host, port = hub_address()
    try:
        socket.create_connection((host, port), timeout=HUB_PROBE_SECONDS).close()
    except OSError as exc:
        raise ModelError(f"cannot load sentiment model {spec!r}: it is not in the local Hugging Face cache and {host} "
                         f"cannot be reached ({exc.strerror or exc}). Check the model id, connect to the network "
                         "once to download it, or use \"bundled\".") from exc


def _from_hub(spec: str, auto_model: Any, auto_tokenizer: Any) -> tuple[Any, Any]:
    """Tokenizer and model from a folder or the local cache; from the hub only when it answers."""
    offline = Path(spec).expanduser().is_dir() or os.environ.get("HF_HUB_OFFLINE", "").strip() not in ("", "0")
    try:
        return (auto_tokenizer.from_pretrained(spec, local_files_only=True),
                auto_model.from_pretrained(spec, local_files_only=True))
    except Exception:
        if offline:
            raise
    check_hub_reachable(spec)
    return auto_tokenizer.from_pretrained(spec), auto_model.from_pretrained(spec)


def map_labels(id2label: Mapping[int, str]) -> list[int]:
    """Column in the model's output for each of LABELS; raises ModelError if unmappable."""
    columns: dict[str, int] = {}
    for index, raw in id2label.items():
        name = str(raw).strip().lower()
        name = _ALIASES.get(name, name)
        if match := re.fullmatch(r"label_(\d+)", name):
            number = int(match.group(1))
            name = LABELS[number] if number < 3 else name
        if name in LABELS:
            columns[name] = int(index)
    if "negative" not in columns or "positive" not in columns:
        raise ModelError(f"cannot map model labels {dict(id2label)} to negative/neutral/positive; "
                         "choose a sentiment classification model")
    return [columns.get(label, -1) for label in LABELS]


class HFSentiment:
    """transformers AutoModelForSequenceClassification, scored in length-sorted batches."""

    def __init__(self, spec: str, *, threads: int = 2, batch_size: int = 64, max_length: int = 128) -> None:
        folder = Path(spec).expanduser()
        if folder.is_dir() and not (folder / "config.json").is_file():  # else: the tokenizer library's paragraph
            raise ModelError(f"cannot load sentiment model {spec!r}: the folder holds no model (neither the "
                             "config.json of a Hugging Face model nor the meta.json of an exported one); give a "
                             "model's folder or id, or use \"bundled\".")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError("transformers/torch are not installed: pip install 'groundswell[hf]' "
                             "(from a checkout: pip install -e '.[hf]')") from exc
        torch.set_num_threads(max(1, threads))
        try:
            self._tokenizer, model = _from_hub(spec, AutoModelForSequenceClassification, AutoTokenizer)
            self._model = model.eval()
        except ModelError:
            raise
        except Exception as exc:  # hub/network/file errors come in many types
            raise ModelError(f"cannot load sentiment model {spec!r} ({exc}). Check the model id or path, "
                             "the network (or HF_HUB_OFFLINE with a filled cache), or use \"bundled\".") from exc
        self._columns = map_labels(self._model.config.id2label)
        self.name = spec
        self.version = str(getattr(self._model.config, "_commit_hash", None) or "local")
        self.batch_size = max(1, batch_size)
        self.max_length = max_length

    def score(self, texts: Sequence[str]) -> list[Score]:
        import torch

        if not texts:
            return []
        clean = [normalize(t) for t in texts]
        order = sorted(range(len(clean)), key=lambda i: len(clean[i]))
        probs = np.zeros((len(clean), 3), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = self._tokenizer([clean[i] for i in idx], padding=True, truncation=True,
                                    max_length=self.max_length, return_tensors="pt")
            with torch.inference_mode():
                logits = self._model(**batch).logits.float().numpy()
            full = softmax(logits)
            for label_col, model_col in enumerate(self._columns):
                if model_col >= 0:
                    probs[idx, label_col] = full[:, model_col]
        return [Score.from_probabilities(row) for row in probs.tolist()]
