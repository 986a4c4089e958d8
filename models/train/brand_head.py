"""Fit the bundled model's second, brand-directed head: posts aimed at a company (encoder unchanged).

TweetEval labels a calm "on hold, number 14 in the queue" neutral; for a reputation monitor it is a
complaint.  One head cannot follow both (``refit_head.py`` and ``partial_finetune.py`` both lost
TweetEval to gain complaints), so the general head stays as it is for general tweets and this
script fits a second 384 x 3 head (``OnnxSentiment(head="brand")``; the default blends it with the
general head, ``head_blend.py``).

Data: the English posts of the complaint DEV split (``complaint_mix.complaint_rows``), the extra
twcs tweets labelled for training only (``data/sentiment_twcs_train.csv``: ids + labels, text from
../shared, none in the evaluation set) and ``data/sentiment_extra.csv`` (written).  The complaint
TEST split is never read.  Model: multinomial logistic regression on the standardised pooled
vector; the standardisation is folded into the head, so runtime is one 384 x 3 product.  C is
chosen by 3-fold cross-validation over the dev posts (folds by post id; the extra rows are
always in training): the best out-of-fold accuracy on the dev twcs posts.

    python -m models.train.brand_head --report /tmp/brand-head.json [--write models/artifacts/sentiment-minilm]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from models.base import LABELS
from models.train.complaint_mix import complaint_rows, fold_of
from models.transformer import ARTIFACT_DIR

DATA = Path(__file__).parent / "data"
TWCS_TRAIN = DATA / "sentiment_twcs_train.csv"
WRITTEN = DATA / "sentiment_extra.csv"
GRID = (0.003, 0.01, 0.03)
FOLDS = 3
HEAD_FILE = "brand-head.npy"


def extra_rows() -> tuple[list[str], list[int]]:
    """The training-only rows: labelled twcs tweets (never in the evaluation set) and written posts."""
    from benchmarks.complaint_data import load_posts, twcs_texts

    evaluated = {p.id for p in load_posts(None, "twcs")}
    tweets = twcs_texts()
    texts, labels = [], []
    with TWCS_TRAIN.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["id"] in evaluated:
                raise SystemExit(f"{row['id']} is in the evaluation set: training tweets must be new")
            texts.append(tweets[row["id"].removeprefix("twcs:")])
            labels.append(LABELS.index(row["sentiment"]))
    with WRITTEN.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"])
            labels.append(LABELS.index(row["sentiment"]))
    return texts, labels


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """(weight [384, 3], bias [3]) over the raw pooled vector, the scaler folded in."""
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)
    weight = (model.coef_ / scaler.scale_).T
    bias = model.intercept_ - scaler.mean_ @ weight
    return weight.astype(np.float32), bias.astype(np.float32)


def accuracy(pred: np.ndarray, gold: np.ndarray) -> float:
    return round(float((pred == gold).mean()), 4)


def cross_validate(x: np.ndarray, y: np.ndarray, ids: list[str], x_extra: np.ndarray,
                   y_extra: np.ndarray) -> list[dict[str, float]]:
    """Out-of-fold accuracy on the dev posts for every C of the grid."""
    folds = np.array([fold_of(i, FOLDS) for i in ids])
    twcs = np.array([i.startswith("twcs:") for i in ids])
    rows = []
    for c in GRID:
        pred = np.zeros(len(y), dtype=np.int64)
        for k in range(FOLDS):
            train = folds != k
            weight, bias = fit(np.concatenate([x[train], x_extra]), np.concatenate([y[train], y_extra]), c)
            pred[~train] = (x[~train] @ weight + bias).argmax(1)
        rows.append({"C": c, "dev_twcs_out_of_fold_accuracy": accuracy(pred[twcs], y[twcs]),
                     "dev_en_out_of_fold_accuracy": accuracy(pred, y)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def write_artifact(folder: Path, weight: np.ndarray, bias: np.ndarray, report: dict[str, object]) -> None:
    """The head next to the graph (exposing the pooled vector if it does not yet), named in meta.json."""
    from models.train.head_graph import POOLED, with_pooled_output

    graph = folder / "model.int8.onnx"
    import onnx

    if POOLED not in {o.name for o in onnx.load(str(graph)).graph.output}:
        graph.write_bytes(with_pooled_output(graph))
    np.save(folder / HEAD_FILE, np.vstack([weight, bias[None, :]]).astype(np.float32))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.update(brand_head=HEAD_FILE, pooled_output=POOLED)
    meta.setdefault("metrics", {})["brand_head"] = report
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--write", type=Path, help="artifact folder to add the brand head to")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    from models.train.head_features import PooledEncoder

    encoder = PooledEncoder(ARTIFACT_DIR, threads=args.threads)
    dev = complaint_rows()
    texts, labels = extra_rows()
    x, y = encoder.pooled(dev.texts), np.array(dev.labels)
    x_extra, y_extra = encoder.pooled(texts), np.array(labels)
    grid = cross_validate(x, y, dev.ids, x_extra, y_extra)
    best = max(grid, key=lambda r: (r["dev_twcs_out_of_fold_accuracy"], -r["C"]))
    weight, bias = fit(np.concatenate([x, x_extra]), np.concatenate([y, y_extra]), best["C"])
    report: dict[str, object] = {"chosen": best, "grid": grid,
                                 "trained_on": {"complaint_dev_en": len(y), "extra_rows": len(texts)},
                                 "trained_by": "models/train/brand_head.py"}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["chosen"]))
    if args.write:
        write_artifact(args.write, weight, bias, report)


if __name__ == "__main__":
    main()
