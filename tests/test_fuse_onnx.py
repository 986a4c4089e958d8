"""models/train/fuse_onnx.py: the int8 artifact's fp32 graph recovered exactly, and attention folded exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")  # the `train` extra; the runtime never needs it
pytestmark = pytest.mark.slow  # a build-time tool, ~15 s: the fp32 graph is rebuilt and optimized

import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

from models.embedding import ARTIFACT_DIR, OnnxEmbedder  # noqa: E402
from models.train.fuse_onnx import dequantized, fuse, op_counts  # noqa: E402
from models.transformer import run_sorted_batches  # noqa: E402

TEXTS = ["my internet has been down since 8am", "Thanks so much, fixed in minutes!", "DM sent",
         "been on hold for two hours and nobody answers, cancelling my contract"]


def _vectors(path: Path) -> np.ndarray:
    embedder = OnnxEmbedder(ARTIFACT_DIR, threads=1)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return run_sorted_batches(session, embedder._tokenizer, TEXTS, 2, "embedding", 384)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("fuse")
    fp32, fused = folder / "fp32.onnx", folder / "fused.onnx"
    onnx.save(dequantized(onnx.load(str(ARTIFACT_DIR / "model.int8.onnx"))), str(fp32))
    return fp32, fused, fuse(fp32, fused)


def test_dequantized_graph_is_the_int8_one_in_fp32(graphs: tuple[Path, Path, dict[str, int]]) -> None:
    fp32, _, _ = graphs
    ops = op_counts(fp32)
    assert not {"MatMulInteger", "DynamicQuantizeLinear", "DequantizeLinear"} & ops.keys()
    cos = (_vectors(fp32) * _vectors(ARTIFACT_DIR / "model.int8.onnx")).sum(axis=1)
    assert cos.min() > 0.97  # only the int8 rounding of the activations differs


def test_attention_fold_changes_nothing_in_fp32(graphs: tuple[Path, Path, dict[str, int]]) -> None:
    fp32, fused, stats = graphs
    assert stats["MultiHeadAttention"] == 6
    ops = op_counts(fused)
    assert ops["MultiHeadAttention"] == 6 and "Softmax" not in ops and "Transpose" not in ops
    np.testing.assert_allclose(_vectors(fused), _vectors(fp32), atol=2e-5)
