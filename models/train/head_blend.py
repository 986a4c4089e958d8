"""Choose the weight of the brand head in the bundled default: a blend of the two heads' probabilities.

The brand head (``brand_head.py``) gains on complaints but scores general tweets worse (TweetEval val
macro-recall 0.646 vs 0.730); a mention stream holds both kinds.  ``p = w * p_brand + (1 - w) * p_general``
for w in 0..1 (step 0.1), judged WITHOUT the complaint test split: TweetEval val macro-recall and the
out-of-fold accuracy on the English complaint dev posts.  Both heads saw the dev posts when they
were fitted, so both are refit per fold: the brand head exactly as ``brand_head.py`` does (its chosen
C), the general head exactly as ``refit_head.py`` did for v2 (alpha 0.5, lam 0.01, anchored on the v1
head, over ``head_features.py``'s cached vectors) when ``--features`` and ``--anchor`` (the v1 graph)
are given; without them the shipped general head is used and its side of the dev figure is in-sample.
The chosen w is the largest whose TweetEval val macro-recall stays >= ``--floor`` (0.725).

    python -m models.train.head_features --out /tmp/head-features
    git show 4f54366:models/artifacts/sentiment-minilm/model.int8.onnx > /tmp/v1.int8.onnx
    python -m models.train.head_blend --report /tmp/head-blend.json --features /tmp/head-features \
        --anchor /tmp/v1.int8.onnx [--write models/artifacts/sentiment-minilm]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from models.train.brand_head import FOLDS, accuracy, extra_rows, fit
from models.train.complaint_mix import complaint_rows, fold_of
from models.transformer import ARTIFACT_DIR, OnnxSentiment, run_batches, softmax

WEIGHTS = tuple(round(0.1 * k, 1) for k in range(11))


def macro_recall(pred: np.ndarray, gold: np.ndarray) -> float:
    return round(float(np.mean([(pred[gold == c] == c).mean() for c in range(3)])), 4)


def encode(scorer: OnnxSentiment, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(general-head probabilities, pooled vectors) of the shipped graph."""
    logits, pooled = run_batches(scorer._session, scorer._tokenizer, texts, 64, [("logits", 3), (scorer._pooled, 384)])
    return softmax(logits + scorer._bias), pooled


def brand_probs(pooled: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return softmax(pooled @ weight + bias)


def out_of_fold_brand(x: np.ndarray, y: np.ndarray, ids: list[str], x_extra: np.ndarray,
                      y_extra: np.ndarray, c: float) -> np.ndarray:
    """Brand-head probabilities for every dev post from a head that never saw it (brand_head.py's folds)."""
    folds = np.array([fold_of(i, FOLDS) for i in ids])
    out = np.zeros((len(y), 3))
    for k in range(FOLDS):
        train = folds != k
        weight, bias = fit(np.concatenate([x[train], x_extra]), np.concatenate([y[train], y_extra]), c)
        out[~train] = brand_probs(x[~train], weight, bias)
    return out


def out_of_fold_general(features: Path, anchor: Path, ids: list[str]) -> np.ndarray:
    """General-head probabilities for every dev post from v2's refit (alpha 0.5, lam 0.01) without its fold."""
    from models.train.head_graph import head_of
    from models.train.refit_head import fit as refit

    d = {f.stem: np.load(f) for f in features.glob("*.npy")}
    if json.loads((features / "complaints_dev_ids.json").read_text()) != ids:
        raise SystemExit(f"{features} holds other complaint dev posts: rerun models.train.head_features")
    folds = np.array([fold_of(i, FOLDS) for i in ids])
    x, y = d["complaints_dev"], d["complaints_dev_labels"]
    out = np.zeros((len(ids), 3))
    for k in range(FOLDS):
        train = folds != k
        weight, bias = refit(d["tweeteval_train"], d["tweeteval_train_labels"], x[train], y[train],
                             head_of(anchor), 0.5, 0.01)
        out[~train] = softmax(x[~train] @ weight + bias)
    return out


Split = tuple[np.ndarray, np.ndarray, np.ndarray]  # brand probabilities, general probabilities, gold


def blend_grid(val: Split, dev: Split, twcs: np.ndarray) -> list[dict[str, float]]:
    """TweetEval val macro-recall and dev out-of-fold accuracy for every weight of the brand head."""
    grid = []
    for w in WEIGHTS:
        val_pred = (w * val[0] + (1 - w) * val[1]).argmax(1)
        dev_pred = (w * dev[0] + (1 - w) * dev[1]).argmax(1)
        grid.append({"w": w, "tweeteval_val_macro_recall": macro_recall(val_pred, val[2]),
                     "dev_en_out_of_fold_accuracy": accuracy(dev_pred, dev[2]),
                     "dev_twcs_out_of_fold_accuracy": accuracy(dev_pred[twcs], dev[2][twcs])})
        print(json.dumps(grid[-1]), flush=True)
    return grid


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--floor", type=float, default=0.725)
    p.add_argument("--features", type=Path, help="head_features.py output (for the general head's folds)")
    p.add_argument("--anchor", type=Path, help="the v1 int8 graph whose head v2's refit was anchored on")
    p.add_argument("--write", type=Path, help="artifact folder whose meta.json gets the chosen blend")
    args = p.parse_args()
    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text(encoding="utf-8"))
    scorer = OnnxSentiment(ARTIFACT_DIR, threads=2, head="brand")
    head = np.load(ARTIFACT_DIR / meta["brand_head"])
    val_texts = (args.data / "val_text.txt").read_text(encoding="utf-8").splitlines()
    val_gold = np.array([int(x) for x in (args.data / "val_labels.txt").read_text().split()])
    val_general, val_pooled = encode(scorer, val_texts)
    val_brand = brand_probs(val_pooled, head[:-1], head[-1])
    dev = complaint_rows()
    dev_gold = np.array(dev.labels)
    dev_general, dev_pooled = encode(scorer, dev.texts)
    texts, labels = extra_rows()
    _, extra_pooled = encode(scorer, texts)
    c = float(meta["metrics"]["brand_head"]["chosen"]["C"])
    dev_brand = out_of_fold_brand(dev_pooled, dev_gold, dev.ids, extra_pooled, np.array(labels), c)
    if args.features and args.anchor:
        dev_general = out_of_fold_general(args.features, args.anchor, dev.ids)
    grid = blend_grid((val_brand, val_general, val_gold), (dev_brand, dev_general, dev_gold),
                      np.array([i.startswith("twcs:") for i in dev.ids]))
    chosen = max((r for r in grid if r["tweeteval_val_macro_recall"] >= args.floor), key=lambda r: r["w"])
    report = {"chosen": chosen, "floor": args.floor, "grid": grid,
              "general_head_dev": "out of fold" if args.features and args.anchor else "in sample",
              "trained_by": "models/train/head_blend.py"}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"chosen": chosen}))
    if args.write:
        meta["blend"] = chosen["w"]
        meta["metrics"]["blend"] = report
        (args.write / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
