"""Fit the brand gate: the bundled default's brand-head weight chosen per post (``models/brand_gate.py``).

A fixed blend (``head_blend.py``, v4: 0.2 brand) has to serve general tweets and complaints aimed at a company at
once.  Here a logistic score over a few cues of a post addressed to a company (fitted to tell the English complaint
dev posts from TweetEval val half A) sets the weight per post: ``w = low + (high - low) * score``.  Evaluation
hygiene: TweetEval val is split in two halves by a CRC of the text; ``low``/``high`` (0..1, step 0.1) are chosen
on half A and the complaint dev posts only (largest out-of-fold dev accuracy, tie: higher half A, among pairs whose
half A macro-recall is at most ``--tolerance`` below the fixed blend's: 0.5 pt, v2's rule; 1,000 tweets move by
~1.4 pt between halves); half B is scored once, for the report, and the complaint test
split is never read here (``benchmarks/complaint_eval.py`` reads it).  Both heads and the gate are out of fold on
the dev posts (the heads refit per fold as in ``head_blend.py``).

    python -m models.train.head_features --out /tmp/head-features
    git show 4f54366:models/artifacts/sentiment-minilm/model.int8.onnx > /tmp/v1.int8.onnx
    python -m models.train.head_gate --report models/train/data/head_gate.json --features /tmp/head-features \
        --anchor /tmp/v1.int8.onnx [--write models/artifacts/sentiment-minilm]
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from models.brand_gate import FEATURES, features
from models.train.brand_head import FOLDS, accuracy, extra_rows
from models.train.complaint_mix import complaint_rows, fold_of
from models.train.head_blend import WEIGHTS, brand_probs, encode, macro_recall, out_of_fold_brand, out_of_fold_general
from models.transformer import ARTIFACT_DIR, OnnxSentiment

Probs = tuple[np.ndarray, np.ndarray]  # brand, general


def half_a(texts: list[str]) -> np.ndarray:
    """True for TweetEval val half A (tuning), False for half B (report): a CRC of the text, so it never moves."""
    return np.array([zlib.crc32(t.encode("utf-8")) % 2 == 0 for t in texts])


def fit_gate(x_general: np.ndarray, x_directed: np.ndarray) -> LogisticRegression:
    y = np.r_[np.zeros(len(x_general)), np.ones(len(x_directed))]
    return LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(
        np.concatenate([x_general, x_directed]), y)


def mixed(probs: Probs, score: np.ndarray, low: float, high: float) -> np.ndarray:
    w = (low + (high - low) * score)[:, None]
    result: np.ndarray = (w * probs[0] + (1 - w) * probs[1]).argmax(1)
    return result


def grid(val: Probs, val_score: np.ndarray, val_gold: np.ndarray, dev: Probs, dev_score: np.ndarray,
         dev_gold: np.ndarray) -> list[dict[str, float]]:
    """Half A macro-recall and dev out-of-fold accuracy for every (low, high); ``val`` holds half A only."""
    rows = []
    for low in WEIGHTS:
        for high in WEIGHTS:
            rows.append({"low": low, "high": high,
                         "val_half_a_macro_recall": macro_recall(mixed(val, val_score, low, high), val_gold),
                         "dev_en_out_of_fold_accuracy": accuracy(mixed(dev, dev_score, low, high), dev_gold)})
    return rows


def choose(rows: list[dict[str, float]], fixed: float, tolerance: float) -> dict[str, float]:
    floor = next(r for r in rows if r["low"] == r["high"] == fixed)["val_half_a_macro_recall"] - tolerance
    ok = [r for r in rows if r["val_half_a_macro_recall"] >= floor - 1e-9]
    return max(ok, key=lambda r: (r["dev_en_out_of_fold_accuracy"], r["val_half_a_macro_recall"]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--features", type=Path, required=True, help="head_features.py output")
    p.add_argument("--anchor", type=Path, required=True, help="the v1 int8 graph v2's refit was anchored on")
    p.add_argument("--tolerance", type=float, default=0.005, help="half A macro-recall the gate may lose")
    p.add_argument("--write", type=Path, help="artifact folder whose meta.json gets the gate")
    args = p.parse_args()
    from benchmarks.complaint_data import load_posts

    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text(encoding="utf-8"))
    scorer = OnnxSentiment(ARTIFACT_DIR, threads=2, head="brand")
    head = np.load(ARTIFACT_DIR / meta["brand_head"])
    val_texts = (args.data / "val_text.txt").read_text(encoding="utf-8").splitlines()
    val_gold = np.array([int(x) for x in (args.data / "val_labels.txt").read_text().split()])
    val_general, val_pooled = encode(scorer, val_texts)
    val: Probs = (brand_probs(val_pooled, head[:-1], head[-1]), val_general)
    dev = complaint_rows()
    dev_gold = np.array(dev.labels)
    _, dev_pooled = encode(scorer, dev.texts)
    extra_texts, extra_labels = extra_rows()
    _, extra_pooled = encode(scorer, extra_texts)
    c = float(meta["metrics"]["brand_head"]["chosen"]["C"])
    dev_probs: Probs = (out_of_fold_brand(dev_pooled, dev_gold, dev.ids, extra_pooled, np.array(extra_labels), c),
                        out_of_fold_general(args.features, args.anchor, dev.ids))
    raw = {post.id: post.text for post in load_posts("dev")}  # the gate reads handles, which complaint_rows hides
    x_val = np.array([features(t) for t in val_texts])
    x_dev = np.array([features(raw[i]) for i in dev.ids])
    a = half_a(val_texts)
    folds = np.array([fold_of(i, FOLDS) for i in dev.ids])
    dev_score = np.zeros(len(dev.ids))
    for k in range(FOLDS):
        dev_score[folds == k] = fit_gate(x_val[a], x_dev[folds != k]).predict_proba(x_dev[folds == k])[:, 1]
    gate = fit_gate(x_val[a], x_dev)
    val_score = gate.predict_proba(x_val)[:, 1]
    rows = grid((val[0][a], val[1][a]), val_score[a], val_gold[a], dev_probs, dev_score, dev_gold)
    fixed = float(meta.get("blend", 0.2))
    chosen = choose(rows, fixed, args.tolerance)
    b = ~a
    half_b = {name: macro_recall(mixed((val[0][b], val[1][b]), val_score[b], low, high), val_gold[b])
              for name, low, high in (("general", 0.0, 0.0), (f"fixed {fixed}", fixed, fixed), ("brand", 1.0, 1.0),
                                      ("gated", chosen["low"], chosen["high"]))}
    fixed_row = next(r for r in rows if r["low"] == r["high"] == fixed)
    gate_json = {"features": list(FEATURES), "coef": [round(float(v), 4) for v in gate.coef_[0]],
                 "bias": round(float(gate.intercept_[0]), 4), "low": chosen["low"], "high": chosen["high"]}
    report = {"chosen": chosen, "tolerance": args.tolerance, "fixed_blend": fixed_row,
              "val_half_b_macro_recall_read_once": half_b,
              "gate": gate_json, "mean_score": {"val_half_a": round(float(val_score[a].mean()), 3),
                                                "val_half_b": round(float(val_score[b].mean()), 3),
                                                "dev_out_of_fold": round(float(dev_score.mean()), 3)},
              "grid": rows, "trained_by": "models/train/head_gate.py"}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("chosen", "fixed_blend", "val_half_b_macro_recall_read_once", "gate")}))
    if args.write:
        meta["gate"] = gate_json
        meta["metrics"]["gate"] = {k: v for k, v in report.items() if k != "grid"}
        (args.write / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
