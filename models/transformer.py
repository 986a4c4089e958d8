"""The bundled sentiment model: fine-tuned MiniLM exported to int8 ONNX, run by onnxruntime.

No torch at scoring time: onnxruntime + tokenizers start in well under a second and score
hundreds of tweets per second on two cores.  Texts are normalised like the training data
(:mod:`models.textprep`), cut to ``MAX_CHARS`` characters and then to ``max_length`` tokens
(64 by default: a tweet is ~30), sorted by length and padded per batch of at most ``BATCH_TOKENS``
padded tokens, so a 50 kB post costs no more than a long tweet.  int8 dynamic quantization picks
activation scales per batch, so a text's probabilities can move by ~0.02 with its batch-mates
(labels essentially never do).

Two heads over one encoder: the ``general`` head (trained on TweetEval: tweets about anything) and,
when ``meta.json`` names one, the ``brand`` head (``brand_head``: a 385 x 3 fp32 ``.npy``, weights then
bias, over the pooled vector the graph also outputs), trained for posts aimed at a company, where a
calm "on hold, number 14 in the queue" is a complaint.  The brand head alone reads general tweets
worse (TweetEval val macro-recall 0.646 vs 0.730), and a mention stream holds both kinds, so the
default (``head="blend"``, settings ``"bundled"``) averages the two heads' probabilities with the
brand head's weight ``blend`` from ``meta.json`` (chosen by ``models/train/head_blend.py`` without the
complaint test split; 0 = the general head alone).  Since version 5 the weight is set per post when ``meta.json``
names a ``gate`` (``models/brand_gate.py``): a post addressed to a company (a support handle, a complaint category,
"you", "help") leans on the brand head, a general tweet on the general head.  ``"bundled:general"`` /
``"bundled:brand"`` in settings pick one head.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.base import Score
from models.brand_gate import BrandGate
from models.ort_memory import session_options, shrink_options
from models.text_memo import TextMemo
from models.textprep import normalize
from monitor.errors import ModelError

ARTIFACT_DIR = Path(__file__).parent / "artifacts" / "sentiment-minilm"
HEADS = ("blend", "brand", "general")
POOLED_WIDTH = 384  # MiniLM's sentence vector, the input of both heads
# Padded tokens per encoder call, chosen on TweetEval train tweets by benchmarks/batch_tokens.py (CPU-ms a text,
# one thread, 64-text cap: 256 -> 5.31, 384 -> 5.31, 512 -> 5.15, 768 -> 5.22, 1024 -> 5.24, unbounded -> 6.09).
BATCH_TOKENS = 512
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


def _read_brand_head(folder: Path, meta: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(weight [384, 3], bias [3]) of the brand head the meta names, or None when it names none."""
    if "brand_head" not in meta:
        return None
    try:
        packed = np.load(folder / str(meta["brand_head"]), allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise ModelError(f"sentiment model at {folder}: brand head cannot be read ({exc}). {_FIX}") from exc
    if packed.shape != (POOLED_WIDTH + 1, 3):
        raise ModelError(f"sentiment model at {folder}: brand head has shape {packed.shape}, "
                         f"not ({POOLED_WIDTH + 1}, 3). {_FIX}")
    return packed[:-1], packed[-1]


def _blend_weight(folder: Path, meta: dict[str, Any]) -> float:
    """The brand head's weight in the default blend (meta ``blend``; absent: the general head alone)."""
    weight = meta.get("blend", 0.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
        raise ModelError(f"sentiment model at {folder}: meta.json blend {weight!r} is not a number in 0..1. {_FIX}")
    return float(weight)


def _read_gate(folder: Path, meta: dict[str, Any]) -> BrandGate | None:
    """The per-post brand weight the meta names (``gate``), or None: the fixed ``blend`` weight then."""
    if "gate" not in meta:
        return None
    try:
        return BrandGate.from_meta(meta["gate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"sentiment model at {folder}: meta.json gate is malformed ({exc}). {_FIX}") from exc


class OnnxSentiment:
    """Batched scorer over an ONNX graph taking input_ids/attention_mask and returning 3 logits.

    ``head="blend"`` mixes the two heads' probabilities with the meta's ``blend`` weight on the brand
    head, or with the weight its ``gate`` gives each post; ``head="brand"`` scores with the brand-directed head
    alone; ``head="general"`` always uses the graph's own logits.  A folder without a brand head (or without a gate
    and ``blend`` 0) scores with its general head."""

    def __init__(self, folder: Path = ARTIFACT_DIR, *, threads: int = 2, batch_size: int = 64,
                 max_length: int | None = None, head: str = "blend") -> None:
        if head not in HEADS:
            raise ModelError(f'unknown sentiment head {head!r}: use "blend", "brand" or "general"')
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError("onnxruntime/tokenizers are not installed: pip install --force-reinstall groundswell "
                             'or set model.sentiment = "lexicon"') from exc
        meta = _read_meta(folder)
        self.name = str(meta.get("name", folder.name))
        # One version per head, so caches keyed by name + version (backtest scores) never mix heads.
        self.version = str(meta.get("version", "0")) + ("" if head == "blend" else f"-{head}")
        self.batch_size = max(1, batch_size)
        self._bias = np.asarray(meta.get("logit_bias", [0.0, 0.0, 0.0]), dtype=np.float32)
        length = max_length or int(meta.get("max_length", 64))
        options = session_options(ort, threads)  # the CPU arena, shrunk after each call (models/ort_memory)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._shrink = shrink_options(ort)
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self._session = ort.InferenceSession(str(folder / meta["onnx"]), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors on bad files
            raise ModelError(f"sentiment model at {folder} cannot be loaded ({exc}). {_FIX}") from exc
        self._tokenizer.enable_truncation(length)
        self._tokenizer.no_padding()
        self._head = _read_brand_head(folder, meta) if head != "general" else None
        self._pooled = str(meta.get("pooled_output", "pooled"))
        self.blend = 0.0 if self._head is None else 1.0 if head == "brand" else _blend_weight(folder, meta)
        self.gate = _read_gate(folder, meta) if head == "blend" and self._head is not None else None
        self.head = ("blend" if self.gate is not None else "general" if self.blend == 0.0
                     else "brand" if self.blend == 1.0 else "blend")
        self._memo = TextMemo()  # a repeated text is encoded once (models/text_memo)

    def _run(self, texts: Sequence[str], outputs: Sequence[tuple[str, int]]) -> list[np.ndarray]:
        return self._memo.run(texts, tuple(outputs), lambda distinct: run_batches(
            self._session, self._tokenizer, distinct, self.batch_size, outputs, self._shrink))

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits of this scorer's head (before the calibration bias), in input order; for a
        blend, the log of the mixed probabilities (so softmax gives them back)."""
        if self.head == "general":
            return self._run(texts, [("logits", 3)])[0]
        if self.head == "brand":
            return self._brand_logits(self._run(texts, [(self._pooled, POOLED_WIDTH)])[0])
        result: np.ndarray = np.log(np.maximum(self.probabilities(texts), 1e-12))
        return result

    def _brand_logits(self, pooled: np.ndarray) -> np.ndarray:
        assert self._head is not None
        result: np.ndarray = pooled @ self._head[0] + self._head[1]
        return result

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """[n, 3] probabilities: the calibration bias belongs to the general head, the weight (fixed, or the
        gate's per post) to the brand head."""
        if self.head == "general":
            return softmax(self.logits(texts) + self._bias)
        if self.head == "brand":
            return softmax(self.logits(texts))
        general, pooled = self._run(texts, [("logits", 3), (self._pooled, POOLED_WIDTH)])
        weight = (self.blend if self.gate is None
                  else np.asarray(self.gate.weights(texts), dtype=np.float32).reshape(-1, 1))
        mixed: np.ndarray = (weight * softmax(self._brand_logits(pooled))
                             + (1.0 - weight) * softmax(general + self._bias))
        return mixed

    def score(self, texts: Sequence[str]) -> list[Score]:
        if not texts:
            return []
        return [Score.from_probabilities(row) for row in self.probabilities(texts).tolist()]


def run_sorted_batches(session: Any, tokenizer: Any, texts: Sequence[str], batch_size: int, output: str,
                       width: int, shrink: Any = None) -> np.ndarray:
    """One ONNX output for every text, in input order: length-sorted batches pad little (shared with training)."""
    return run_batches(session, tokenizer, texts, batch_size, [(output, width)], shrink)[0]


def run_batches(session: Any, tokenizer: Any, texts: Sequence[str], batch_size: int,
                outputs: Sequence[tuple[str, int]], shrink: Any = None,
                budget: int = BATCH_TOKENS) -> list[np.ndarray]:
    """Several ONNX outputs (name, width) for every text from one pass, in input order; ``shrink`` (run options,
    models/ort_memory) goes with the last batch, so the arena hands back what the call's largest batch took."""
    encodings = [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]
    out = [np.zeros((len(encodings), width), dtype=np.float32) for _, width in outputs]
    names = [name for name, _ in outputs]
    batches = token_batches([len(e) for e in encodings], batch_size, budget)
    for number, idx in enumerate(batches, start=1):
        longest = max(len(encodings[i]) for i in idx)
        ids = np.zeros((len(idx), longest), dtype=np.int64)
        mask = np.zeros((len(idx), longest), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : len(encodings[i])] = encodings[i]
            mask[row, : len(encodings[i])] = 1
        last = number == len(batches)  # shrink once a call: every batch cost ~5 % more CPU
        results = session.run(names, {"input_ids": ids, "attention_mask": mask}, shrink if last else None)
        for array, result in zip(out, results, strict=True):
            array[idx] = result
    return out


def token_batches(lengths: Sequence[int], batch_size: int, budget: int = BATCH_TOKENS) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most ``batch_size`` texts and ``budget`` padded tokens
    (a single text longer than the budget goes alone): sorted batches pad little, and small ones keep the
    encoder's activations in cache (on real tweets, ~29 tokens, 64-text batches cost 16 % more CPU a text)."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: lengths[k]):
        if current and (len(current) >= batch_size or (len(current) + 1) * lengths[i] > budget):
            batches.append(current)
            current = []
        current.append(i)
    return [*batches, current] if current else batches
