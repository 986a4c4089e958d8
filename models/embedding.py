"""Sentence vectors for story joining: the bundled all-MiniLM-L6-v2 encoder (int8 ONNX), fully offline.

Why: a new wording of the same grievance ("gate agent cancelled the flight and walked away" / "they cancelled
our flight at the gate, no rebooking") shares few words but lands close in this space, so the story detector
can join it to its story.  Vectors are unit length; stored per mention as 384 int8 bytes (each vector scaled
by its own largest component: cosine similarity needs no scale back).  ``model.embedding = "none"`` (or a
lexicon sentiment model without onnxruntime) turns them off and stories join by words as before.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.ort_memory import session_options, shrink_options
from models.text_memo import TextMemo
from monitor.errors import ModelError

ARTIFACT_DIR = Path(__file__).parent / "artifacts" / "embed-minilm"
DIM = 384
_FIX = ("Reinstall Groundswell (pip install --force-reinstall groundswell) so models/artifacts/embed-minilm is "
        'complete, or set model.embedding = "none" in settings.toml (stories then join by shared words only).')
_CACHE: dict[tuple[str, int, int], OnnxEmbedder] = {}
_LOCK = threading.Lock()


class OnnxEmbedder:
    """Batched sentence encoder over an ONNX graph returning one unit vector per text."""

    def __init__(self, folder: Path = ARTIFACT_DIR, *, threads: int = 2, batch_size: int = 64) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"onnxruntime/tokenizers are not installed. {_FIX}") from exc
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            self.name, self.version = str(meta["name"]), str(meta.get("version", "0"))
            self.dim, self._output = int(meta.get("dim", DIM)), str(meta.get("output", "embedding"))
            options = session_options(ort, threads)
            self._shrink = shrink_options(ort)
            self._session = ort.InferenceSession(str(folder / meta["onnx"]), options,
                                                 providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # missing file, bad JSON, onnxruntime's own untyped errors
            raise ModelError(f"embedding model at {folder} cannot be loaded ({exc}). {_FIX}") from exc
        self._tokenizer.enable_truncation(int(meta.get("max_length", 64)))
        self._tokenizer.no_padding()
        self.batch_size = max(1, batch_size)
        self._memo = TextMemo()  # a repeated text is encoded once (models/text_memo)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (n, dim) float32, in input order; an empty text gets the vector of ""."""
        from models.transformer import run_sorted_batches

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out, = self._memo.run(texts, self._output, lambda distinct: [run_sorted_batches(
            self._session, self._tokenizer, distinct, self.batch_size, self._output, self.dim, self._shrink)])
        return unit(out)


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return result


def pack(vectors: np.ndarray) -> list[bytes]:
    """One int8 blob per row, each row scaled so its largest component is 127 (cosine ignores the scale)."""
    peak = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-12)
    return [row.tobytes() for row in np.rint(vectors / peak * 127).astype(np.int8)]


def embedding_enabled(spec: str, sentiment: str = "bundled") -> bool:
    """Whether ``model.embedding = spec`` loads an encoder: "none" never, "auto" unless sentiment is the lexicon."""
    clean = spec.strip().lower()
    return not (clean == "none" or (clean == "auto" and sentiment.strip() == "lexicon"))


def load_embedder(spec: str, *, sentiment: str = "bundled", threads: int = 2,
                  batch_size: int = 64) -> OnnxEmbedder | None:
    """The (cached) encoder for ``spec``: "auto" (bundled unless the sentiment model is the lexicon), "bundled",
    a folder with an exported encoder, or "none"."""
    folder = embedder_folder(spec, sentiment)
    if folder is None:
        return None
    key = (str(folder), threads, batch_size)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = OnnxEmbedder(folder, threads=threads, batch_size=batch_size)
        return _CACHE[key]


def embedder_folder(spec: str, sentiment: str = "bundled") -> Path | None:
    """The encoder's folder ``model.embedding`` names; None when sentence vectors are off."""
    if not embedding_enabled(spec, sentiment):
        return None
    clean = spec.strip().lower()
    return ARTIFACT_DIR if clean in ("auto", "bundled") else Path(spec.strip()).expanduser()


def embedder_identity(folder: Path) -> tuple[str, str] | None:
    """(name, version) of the encoder in ``folder`` from its meta.json, without loading it (None: unreadable)."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return str(meta["name"]), str(meta.get("version", "0"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
