"""The bundled sentiment model: fine-tuned MiniLM exported to int8 ONNX, run by onnxruntime.

No torch at scoring time: onnxruntime + tokenizers start in well under a second and score
hundreds of tweets per second on two cores.  Texts are normalised like the training data
(:mod:`models.textprep`), cut to ``MAX_CHARS`` characters and then to ``max_length`` tokens
(64 by default: a tweet is ~30), sorted by length and padded per batch, so a 50 kB post costs
no more than a long tweet.  int8 dynamic quantization picks activation scales per batch, so a
text's probabilities can move by ~0.02 with its batch-mates (labels essentially never do).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.base import Score
from models.textprep import normalize
from monitor.errors import ModelError

ARTIFACT_DIR = Path(__file__).parent / "artifacts" / "sentiment-minilm"
_FIX = ("Reinstall Groundswell (pip install --force-reinstall groundswell) so "
        "models/artifacts/sentiment-minilm is complete, or set model.sentiment to \"lexicon\" "
        "or a Hugging Face model id in settings.toml.")


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"sentiment model at {folder} is missing or corrupt ({exc}). {_FIX}") from exc
    if not isinstance(meta, dict) or "onnx" not in meta:
        raise ModelError(f"sentiment model at {folder}: meta.json names no ONNX file. {_FIX}")
    return meta


class OnnxSentiment:
    """Batched scorer over an ONNX graph taking input_ids/attention_mask and returning 3 logits."""

    def __init__(self, folder: Path = ARTIFACT_DIR, *, threads: int = 2, batch_size: int = 64,
                 max_length: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError("onnxruntime/tokenizers are not installed: pip install --force-reinstall groundswell "
                             'or set model.sentiment = "lexicon"') from exc
        meta = _read_meta(folder)
        self.name = str(meta.get("name", folder.name))
        self.version = str(meta.get("version", "0"))
        self.batch_size = max(1, batch_size)
        self._bias = np.asarray(meta.get("logit_bias", [0.0, 0.0, 0.0]), dtype=np.float32)
        length = max_length or int(meta.get("max_length", 64))
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # No CPU arena: it keeps the peak of the largest batch shape for good (a catch-up batch after a rate-limit
        # window left ~40 MB held in the soak); without it scoring costs ~5% more CPU per text.
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No busy-waiting threads: on a shared 2-core box spinning halved throughput (185 vs 325/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self._session = ort.InferenceSession(str(folder / meta["onnx"]), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors on bad files
            raise ModelError(f"sentiment model at {folder} cannot be loaded ({exc}). {_FIX}") from exc
        self._tokenizer.enable_truncation(length)
        self._tokenizer.no_padding()

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits (before the calibration bias), in input order."""
        return run_sorted_batches(self._session, self._tokenizer, texts, self.batch_size, "logits", 3)

    def score(self, texts: Sequence[str]) -> list[Score]:
        if not texts:
            return []
        probs = softmax(self.logits(texts) + self._bias)
        return [Score.from_probabilities(row) for row in probs.tolist()]


def run_sorted_batches(session: Any, tokenizer: Any, texts: Sequence[str], batch_size: int, output: str,
                       width: int) -> np.ndarray:
    """One ONNX output for every text, in input order: length-sorted batches pad little (shared with training)."""
    encodings = [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
    out = np.zeros((len(encodings), width), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        longest = max(len(encodings[i]) for i in idx)
        ids = np.zeros((len(idx), longest), dtype=np.int64)
        mask = np.zeros((len(idx), longest), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : len(encodings[i])] = encodings[i]
            mask[row, : len(encodings[i])] = 1
        out[idx] = session.run([output], {"input_ids": ids, "attention_mask": mask})[0]
    return out
