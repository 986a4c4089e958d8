"""Version 5: the bundled default sets the brand head's weight per post (models/brand_gate.py).

Real artifact, real ONNX scoring; offline (no /work/shared).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from models.brand_gate import FEATURES, BrandGate, features
from models.loader import load_sentiment_model
from models.transformer import ARTIFACT_DIR, OnnxSentiment
from monitor.errors import ModelError

DIRECTED = "@AcmeHelp on hold for 40 minutes now, number 14 in the queue"
GENERAL = ["Number 14 in the queue for the roller coaster, the kids are so excited",
           "Watching the game tonight, Messi is number 10", "@user we are going to the beach tomorrow",
           "Apple will announce the new iPhone on Tuesday in California."]


def _folder(tmp_path: Path, **changes: object) -> Path:
    """A copy of the shipped model whose meta.json has ``changes`` (None deletes a key)."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("tokenizer.json", "model.int8.onnx", "brand-head.npy"):
        shutil.copy(ARTIFACT_DIR / name, folder / name)
    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_calm_complaint_to_a_support_account_is_negative_general_tweets_keep_the_general_answer() -> None:
    """v4's fixed 0.2 blend read the calm complaint as neutral (p_negative 0.44); a general tweet must not move."""
    bundled, general = load_sentiment_model("bundled"), load_sentiment_model("bundled:general")
    assert bundled.score([DIRECTED])[0].label == "negative"
    assert general.score([DIRECTED])[0].label == "neutral"  # what the general head alone says
    assert [s.label for s in bundled.score(GENERAL)] == [s.label for s in general.score(GENERAL)]


def test_gate_leans_on_the_brand_head_for_posts_addressed_to_a_company() -> None:
    model = load_sentiment_model("bundled")
    assert isinstance(model, OnnxSentiment) and model.gate is not None and model.head == "blend"
    directed, *general = model.gate.weights([DIRECTED, *GENERAL])
    assert directed > 0.6 and max(general) < 0.3
    assert 0.0 <= model.gate.low < model.gate.high <= 1.0
    assert features("@comcastcares no signal again")[0] == 1.0 and features("@friend no signal again")[0] == 0.0


def test_gated_probabilities_mix_the_heads_with_each_posts_weight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_TEXT_MEMO", "0")  # each text's values from these very batches
    model, brand, general = (OnnxSentiment(ARTIFACT_DIR, head=h) for h in ("blend", "brand", "general"))
    assert model.gate is not None
    texts = [DIRECTED, *GENERAL]
    weights = np.array(model.gate.weights(texts))[:, None]
    expected = weights * brand.probabilities(texts) + (1 - weights) * general.probabilities(texts)
    np.testing.assert_allclose(model.probabilities(texts), expected, atol=1e-5)


def test_without_a_gate_the_fixed_blend_is_used(tmp_path: Path) -> None:
    model = OnnxSentiment(_folder(tmp_path, gate=None, blend=0.2), threads=1)
    assert model.gate is None and model.head == "blend" and model.blend == 0.2
    assert model.score([DIRECTED])[0].label == "neutral"  # v4's answer: the reason for the gate


@pytest.mark.parametrize("gate", [{"coef": [1.0], "bias": 0.0, "low": 0.0, "high": 0.7},
                                  {"coef": [0.0] * len(FEATURES), "bias": 0.0, "low": 0.0, "high": 1.5},
                                  {"coef": [0.0] * len(FEATURES), "low": 0.0, "high": 0.7},
                                  {"features": ["mention"], "coef": [0.0], "bias": 0.0, "low": 0.0, "high": 0.7}])
def test_malformed_gate_fails_with_a_fix(tmp_path: Path, gate: dict[str, object]) -> None:
    with pytest.raises(ModelError, match="gate is malformed.*Reinstall"):
        OnnxSentiment(_folder(tmp_path, gate=gate), threads=1)


def test_single_heads_ignore_the_gate() -> None:
    for head in ("general", "brand"):
        assert OnnxSentiment(ARTIFACT_DIR, threads=1, head=head).gate is None
    gate = BrandGate.from_meta(json.loads((ARTIFACT_DIR / "meta.json").read_text())["gate"])
    assert len(gate.coef) == len(FEATURES)
