"""The head refit's graph surgery: the bundled encoder kept, only the 384 x 3 head replaced."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")  # the `train` extra; the runtime never needs it

from models.train.complaint_mix import fold_of  # noqa: E402
from models.train.head_graph import POOLED, head_of, replace_head  # noqa: E402
from models.transformer import ARTIFACT_DIR, OnnxSentiment, run_sorted_batches  # noqa: E402

TEXTS = ["my internet has been down since 8am", "Thanks so much, fixed in minutes!", "DM sent"]


def _folder(tmp_path: Path, weight: np.ndarray, bias: np.ndarray) -> Path:
    for name in ("meta.json", "tokenizer.json"):
        shutil.copy(ARTIFACT_DIR / name, tmp_path / name)
    replace_head(ARTIFACT_DIR / "model.int8.onnx", weight, bias, tmp_path / "model.int8.onnx")
    return tmp_path


def test_same_head_gives_same_logits(tmp_path: Path) -> None:
    weight, bias = head_of(ARTIFACT_DIR / "model.int8.onnx")
    assert weight.shape == (384, 3) and bias.shape == (3,)
    shipped = OnnxSentiment(ARTIFACT_DIR, threads=1, head="general").logits(TEXTS)
    rebuilt = OnnxSentiment(_folder(tmp_path, weight, bias), threads=1, head="general").logits(TEXTS)
    np.testing.assert_allclose(rebuilt, shipped, atol=1e-4)


def test_new_head_is_the_one_used(tmp_path: Path) -> None:
    weight = np.zeros((384, 3), dtype=np.float32)
    model = OnnxSentiment(_folder(tmp_path, weight, np.array([0.0, 0.0, 5.0], dtype=np.float32)), threads=1,
                          head="general")
    np.testing.assert_allclose(model.logits(TEXTS), np.tile([0.0, 0.0, 5.0], (len(TEXTS), 1)), atol=1e-5)
    assert {s.label for s in model.score(TEXTS)} == {"positive"}


def test_folds_are_stable_and_cover_all() -> None:
    ids = [f"twcs:{i}" for i in range(300)]
    folds = [fold_of(i, 3) for i in ids]
    assert folds == [fold_of(i, 3) for i in ids] and set(folds) == {0, 1, 2}


def test_general_head_is_the_graphs_v2_head_and_brand_head_reads_the_same_vector() -> None:
    """The brand head adds an output; the general head (TweetEval's) is the same pooled vector times the v2 head."""
    weight, bias = head_of(ARTIFACT_DIR / "model.int8.onnx")
    general = OnnxSentiment(ARTIFACT_DIR, threads=1, head="general")
    pooled = run_sorted_batches(general._session, general._tokenizer, TEXTS, 64, POOLED, 384)
    np.testing.assert_allclose(pooled @ weight + bias, general.logits(TEXTS), atol=1e-4)
    brand = OnnxSentiment(ARTIFACT_DIR, threads=1, head="brand")
    brand_w, brand_b = brand._head or (None, None)
    assert brand_w is not None and brand_b is not None
    np.testing.assert_allclose(pooled @ brand_w + brand_b, brand.logits(TEXTS), atol=1e-4)
