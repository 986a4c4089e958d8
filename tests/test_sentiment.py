"""The bundled sentiment model: real predictions, odd input, load errors, other model specs.

Runs offline against models/artifacts (no /work/shared).  The model loads once per session.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from models.base import LABELS, SentimentModel
from models.hf_model import map_labels
from models.lexicon import LexiconSentiment
from models.loader import clear_cache, load_sentiment_model
from models.textprep import normalize
from models.transformer import ARTIFACT_DIR, OnnxSentiment
from monitor.errors import ModelError


@pytest.fixture(scope="session")
def model() -> SentimentModel:
    return load_sentiment_model("bundled")


NEGATIVE = [
    "This is the worst service I have ever had. I hate it.",
    "My internet has been down all day and nobody at support answers. Terrible.",
    "@user you charged me twice and still haven't refunded me. Disgusting.",
    "Love how my internet dies every evening",  # sarcasm the model does get
]
POSITIVE = [
    "I love this, thank you so much! Best customer service ever.",
    "Absolutely amazing experience, thanks team!",
    "So happy with my new phone, it's brilliant :)",
]
NEUTRAL = [
    "The store opens at 9am on Monday.",
    "Apple will announce the new iPhone on Tuesday in California.",
]


@pytest.mark.parametrize(("text", "label"), [(t, "negative") for t in NEGATIVE]
                         + [(t, "positive") for t in POSITIVE] + [(t, "neutral") for t in NEUTRAL])
def test_clear_examples(model: SentimentModel, text: str, label: str) -> None:
    assert model.score([text])[0].label == label


def test_sarcasm_moves_towards_negative(model: SentimentModel) -> None:
    """The bare "Great, another update that breaks everything" is still scored positive (a known
    miss, see the report); what holds is that "breaks" pulls it clearly towards negative."""
    sarcastic, sincere = model.score(["Great, another update that breaks everything",
                                      "Great, another update that fixes everything"])
    assert sarcastic.p_negative > 3 * sincere.p_negative


def test_scores_are_probabilities_and_carry_identity(model: SentimentModel) -> None:
    scores = model.score(NEGATIVE + POSITIVE + NEUTRAL)
    assert len(scores) == len(NEGATIVE + POSITIVE + NEUTRAL)
    for score in scores:
        probs = (score.p_negative, score.p_neutral, score.p_positive)
        assert math.isclose(sum(probs), 1.0, abs_tol=1e-4)
        assert score.label == LABELS[probs.index(max(probs))]
        assert score.confidence == max(probs)
    assert model.name == "groundswell-minilm-tweet-sentiment" and model.version


def test_batching_keeps_order_and_values(model: SentimentModel) -> None:
    texts = ["short", "a considerably longer text about a broken router and a late engineer visit", "ok"]
    together = model.score(texts)
    alone = [model.score([t])[0] for t in texts]
    # int8 dynamic quantization scales activations per batch: batch-mates shift values slightly
    # (largest here: "short", 0.046 with the v1 head, 0.066 with the v2 complaint-refitted head, 0.135 with
    # the v3 brand head, whose larger weights move more: 2.0% label flips batch-of-64 vs alone on 400 dev
    # posts, general head 1.0%; C 0.003 would match 1.0% at -0.6 pt out-of-fold accuracy).  A one-word text
    # near a tie may flip; a clear one may not.
    for a, b in zip(together, alone, strict=True):
        probs = sorted((b.p_negative, b.p_neutral, b.p_positive))
        assert math.isclose(a.p_negative, b.p_negative, abs_tol=0.15)
        assert a.label == b.label or probs[2] - probs[1] < 0.15


BAD = ["", "   \n\t ", "x" * 50_000, "spam " * 10_000, "😡🔥💀😂", "https://t.co/abc123",
       "Hello Привет 你好 مرحبا שלום", "nul\x00in\x00the\x00middle", "\x00", "\\ud83d broken escape"]


def test_bad_input_never_crashes(model: SentimentModel) -> None:
    scores = model.score(BAD)
    assert len(scores) == len(BAD)
    assert all(s.label in LABELS and math.isfinite(s.p_negative) for s in scores)
    assert model.score([]) == []


def test_normalize_matches_training_preprocessing() -> None:
    assert normalize("@bob thanks https://x.y/z \\u2019ok") == "@user thanks \u2019ok"
    assert normalize("a\x00b") == "a b"
    assert len(normalize("y" * 50_000)) == 2000


def test_loaded_once_per_process(model: SentimentModel) -> None:
    assert load_sentiment_model("bundled") is model
    assert isinstance(load_sentiment_model("lexicon"), LexiconSentiment)


def _copy_artifact(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("meta.json", "tokenizer.json"):
        shutil.copy(ARTIFACT_DIR / name, folder / name)
    return folder


def test_corrupt_artifact_fails_with_a_fix(tmp_path: Path) -> None:
    folder = _copy_artifact(tmp_path)
    onnx_name = json.loads((folder / "meta.json").read_text())["onnx"]
    (folder / onnx_name).write_bytes(b"this is not an onnx graph")
    with pytest.raises(ModelError, match="Reinstall"):
        load_sentiment_model(str(folder))


def test_missing_artifact_fails_with_a_fix(tmp_path: Path) -> None:
    folder = _copy_artifact(tmp_path)
    (folder / "meta.json").write_text("{broken json")
    with pytest.raises(ModelError, match="lexicon"):
        OnnxSentiment(folder)
    with pytest.raises(ModelError, match="Reinstall"):
        OnnxSentiment(tmp_path / "nowhere")


def test_unknown_spec_fails_as_model_error() -> None:
    clear_cache()
    with pytest.raises(ModelError):
        load_sentiment_model("")


def test_label_mapping() -> None:
    assert map_labels({0: "NEGATIVE", 1: "Neutral", 2: "positive"}) == [0, 1, 2]
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == [0, 1, 2]
    assert map_labels({0: "positive", 1: "negative"}) == [1, -1, 0]
    assert map_labels({0: "neg", 1: "neu", 2: "pos"}) == [0, 1, 2]
    with pytest.raises(ModelError):
        map_labels({0: "joy", 1: "anger"})


def test_local_hugging_face_folder(tmp_path: Path) -> None:
    """Any local AutoModelForSequenceClassification folder works: a tiny random BERT stands in."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    base = ARTIFACT_DIR / "tokenizer.json"
    tokenizer = BertTokenizerFast(tokenizer_file=str(base))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, num_labels=3,
                        id2label={0: "Positive", 1: "Negative", 2: "Neutral"},
                        label2id={"Positive": 0, "Negative": 1, "Neutral": 2})
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    hf = load_sentiment_model(str(tmp_path), batch_size=2)
    scores = hf.score(["one", "two words", "", "x" * 5000])
    assert len(scores) == 4 and hf.name == str(tmp_path)
    assert all(math.isclose(s.p_negative + s.p_neutral + s.p_positive, 1.0, abs_tol=1e-4) for s in scores)


# The brand-directed head (version 3): mentions are posts aimed at a company, where a calm problem
# report is a complaint; the general head keeps reading general tweets as TweetEval does.
CALM_COMPLAINTS = [
    "@AcmeHelp on hold for 40 minutes now, number 14 in the queue",
    "@ParcelPro tracking says delivered yesterday but nothing came",
    "@GlobexBroadband still no internet since this morning, any update?",
]


def test_brand_head_reads_calm_complaints_as_negative() -> None:
    brand, general = load_sentiment_model("bundled:brand"), load_sentiment_model("bundled:general")
    assert isinstance(brand, OnnxSentiment) and isinstance(general, OnnxSentiment)
    assert (brand.head, general.head) == ("brand", "general")
    brand_scores, general_scores = brand.score(CALM_COMPLAINTS), general.score(CALM_COMPLAINTS)
    assert [s.label for s in brand_scores] == ["negative"] * 3
    assert all(b.p_negative > g.p_negative for b, g in zip(brand_scores, general_scores, strict=True))


# Version 4: "bundled" blends the heads' probabilities (the brand head alone costs TweetEval 0.730 -> 0.646);
# since version 5 a gate sets the weight per post (tests/test_brand_gate.py), a folder without one the fixed weight.
def test_bundled_blends_the_two_heads_with_the_meta_weight(model: SentimentModel, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(model, OnnxSentiment) and model.head == "blend"
    # fresh scorers that remember nothing (models/text_memo): each text's values from these very batches
    monkeypatch.setenv("GROUNDSWELL_TEXT_MEMO", "0")
    folder = _copy_artifact(tmp_path)
    for name in ("model.int8.onnx", "brand-head.npy"):
        shutil.copy(ARTIFACT_DIR / name, folder / name)
    meta = json.loads((folder / "meta.json").read_text())
    del meta["gate"]
    (folder / "meta.json").write_text(json.dumps(meta))
    model = OnnxSentiment(folder)
    brand, general = (OnnxSentiment(ARTIFACT_DIR, head=h) for h in ("brand", "general"))
    w = meta["blend"]
    assert model.blend == w and 0.0 < w < 1.0
    texts = CALM_COMPLAINTS + NEGATIVE + POSITIVE + NEUTRAL
    mixed = [(s.p_negative, s.p_neutral, s.p_positive) for s in model.score(texts)]
    expected = [tuple(w * b + (1 - w) * g for b, g in zip((sb.p_negative, sb.p_neutral, sb.p_positive),
                                                           (sg.p_negative, sg.p_neutral, sg.p_positive), strict=True))
                for sb, sg in zip(brand.score(texts), general.score(texts), strict=True)]
    np.testing.assert_allclose(mixed, expected, atol=1e-5)


def test_each_head_has_its_own_version() -> None:
    """Caches keyed by name + version (backtest scores) must not hand one head's scores to another."""
    versions = {spec: load_sentiment_model(spec).version for spec in ("bundled", "bundled:general", "bundled:brand")}
    assert versions == {"bundled": "5", "bundled:general": "5-general", "bundled:brand": "5-brand"}


def test_blend_weight_from_meta(tmp_path: Path) -> None:
    folder = _copy_artifact(tmp_path)
    shutil.copy(ARTIFACT_DIR / "model.int8.onnx", folder / "model.int8.onnx")
    shutil.copy(ARTIFACT_DIR / "brand-head.npy", folder / "brand-head.npy")
    meta = json.loads((folder / "meta.json").read_text())
    del meta["gate"]  # the fixed weight decides only without a gate
    for weight, head in ((0.0, "general"), (1.0, "brand"), (0.5, "blend")):
        (folder / "meta.json").write_text(json.dumps({**meta, "blend": weight}))
        assert OnnxSentiment(folder, threads=1).head == head
    del meta["blend"]
    (folder / "meta.json").write_text(json.dumps(meta))
    assert OnnxSentiment(folder, threads=1).head == "general"  # no weight named: the general head alone
    for bad in (1.5, "half", True):
        (folder / "meta.json").write_text(json.dumps({**meta, "blend": bad}))
        with pytest.raises(ModelError, match="blend .* is not a number in 0..1"):
            OnnxSentiment(folder, threads=1)


def test_one_pass_gives_every_output_as_separate_passes() -> None:
    from models.transformer import run_batches, run_sorted_batches

    scorer = OnnxSentiment(ARTIFACT_DIR, threads=1, head="general")
    texts = NEGATIVE + POSITIVE
    args = (scorer._session, scorer._tokenizer, texts, 3)
    logits, pooled = run_batches(*args, [("logits", 3), ("/Div_output_0", 384)])
    np.testing.assert_allclose(logits, run_sorted_batches(*args, "logits", 3), atol=1e-6)
    np.testing.assert_allclose(pooled, run_sorted_batches(*args, "/Div_output_0", 384), atol=1e-6)
    assert pooled.shape == (len(texts), 384)


def test_brand_head_is_small_and_differs_from_the_general_head() -> None:
    general = OnnxSentiment(ARTIFACT_DIR, threads=1, head="general")
    brand = OnnxSentiment(ARTIFACT_DIR, threads=1, head="brand")
    texts = NEGATIVE + POSITIVE + NEUTRAL
    assert not np.allclose(general.logits(texts), brand.logits(texts), atol=1e-3)
    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    head = np.load(ARTIFACT_DIR / meta["brand_head"])
    assert head.shape == (385, 3) and (ARTIFACT_DIR / meta["brand_head"]).stat().st_size < 10_000


def test_folder_without_brand_head_uses_its_general_head(tmp_path: Path) -> None:
    folder = _copy_artifact(tmp_path)
    shutil.copy(ARTIFACT_DIR / "model.int8.onnx", folder / "model.int8.onnx")
    meta = json.loads((folder / "meta.json").read_text())
    del meta["brand_head"]
    (folder / "meta.json").write_text(json.dumps(meta))
    model = OnnxSentiment(folder, threads=1)
    assert model.head == "general"
    shipped_general = OnnxSentiment(ARTIFACT_DIR, threads=1, head="general")
    np.testing.assert_allclose(model.logits(CALM_COMPLAINTS), shipped_general.logits(CALM_COMPLAINTS), atol=1e-5)


def test_broken_brand_head_fails_with_a_fix(tmp_path: Path) -> None:
    folder = _copy_artifact(tmp_path)
    shutil.copy(ARTIFACT_DIR / "model.int8.onnx", folder / "model.int8.onnx")
    np.save(folder / "brand-head.npy", np.zeros((10, 3), dtype=np.float32))
    with pytest.raises(ModelError, match="brand head has shape"):
        OnnxSentiment(folder, threads=1)
    (folder / "brand-head.npy").write_bytes(b"not numpy")
    with pytest.raises(ModelError, match="Reinstall"):
        OnnxSentiment(folder, threads=1)
    assert OnnxSentiment(folder, threads=1, head="general").head == "general"
    with pytest.raises(ModelError, match="unknown sentiment head"):
        OnnxSentiment(folder, head="tweets")
