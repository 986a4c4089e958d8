"""Would the bundled sentence vector help the churn classifier?  A probe on dev and the fresh sets, never test.

Trains the shipped recipe (``models/train/train_churn.py``: words, pairs, cues, same data) with the
384-d MiniLM vector (``models/embedding.py``) appended at ``scale`` (0 = the shipped features only), and
prints JSON per (scale, C): the dev out-of-fold figures at the training script's threshold rule (5 folds,
3 shuffles averaged, runtime guards applied) and, for the model fitted on everything at that threshold,
the ``tune2`` and ``check`` sets (``benchmarks/churn_eval.py --fresh``).  The runtime classifier gets only
the text and brand, so this is a probe, not a shipped path (issue #14 round 4).  Needs ../shared (twcs)
and about 10 CPU-s.

    python benchmarks/churn_embedding_probe.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.churn_eval import check_posts  # noqa: E402
from benchmarks.complaint_data import TUNE2, load_posts  # noqa: E402
from benchmarks.complaint_eval import brand_of  # noqa: E402
from models.churn import guarded  # noqa: E402
from models.churn_features import features, find_cues, prepare  # noqa: E402
from models.embedding import OnnxEmbedder  # noqa: E402
from models.train import train_churn as tc  # noqa: E402

Docs = list[list[str]]


def _inputs(texts: list[str], brands: bool, embedder: OnnxEmbedder) -> tuple[Docs, np.ndarray, np.ndarray]:
    prepared = [prepare(t, brand_of(t) if brands else None) for t in texts]
    return ([features(p) for p in prepared], np.asarray([guarded(find_cues(p), p) for p in prepared]),
            embedder.embed(texts))


def _x(docs: Docs, vocab: dict[str, int], vectors: np.ndarray, scale: float) -> csr_matrix:
    words = tc.matrix(docs, vocab)
    return hstack([words, csr_matrix(vectors * scale)]).tocsr() if scale else words


def _fit(docs: Docs, vectors: np.ndarray, y: np.ndarray, c: float,
         scale: float) -> tuple[LogisticRegression, dict[str, int]]:
    vocab = tc.vocabulary(docs)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, solver="liblinear")
    return model.fit(_x(docs, vocab, vectors, scale), y), vocab


def _oof(docs: Docs, vectors: np.ndarray, y: np.ndarray, blocked: np.ndarray, c: float, scale: float) -> np.ndarray:
    runs = []
    for seed in (14, 15, 16):
        probs = np.zeros(len(y))
        for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
            model, vocab = _fit([docs[i] for i in train], vectors[train], y[train], c, scale)
            probs[held] = model.predict_proba(_x([docs[i] for i in held], vocab, vectors[held], scale))[:, 1]
        runs.append(np.where(blocked, 0.0, probs))
    return np.asarray(np.mean(runs, axis=0))


def main() -> None:
    embedder = OnnxEmbedder()
    texts, labels, is_dev = tc.training_posts()
    y, dev = np.asarray(labels), np.asarray(is_dev)
    docs, blocked, vectors = _inputs(texts, False, embedder)
    fresh = {name: (_inputs([p.text for p in posts], True, embedder), np.asarray([p.churn_threat for p in posts]))
             for name, posts in ((TUNE2, load_posts(TUNE2)), ("check", check_posts()))}
    out = []
    for scale in (0.0, 1.0, 2.0, 4.0):
        for c in (0.3, 1.0, 3.0):
            probs = _oof(docs, vectors, y, blocked, c, scale)
            threshold, precision, recall = tc.threshold_for(probs[dev], y[dev], 0.95)
            model, vocab = _fit(docs, vectors, y, c, scale)
            row = {"scale": scale, "C": c, "threshold": threshold,
                   "dev_oof": {"precision": round(precision, 3), "recall": round(recall, 3)}}
            for name, ((fdocs, fblocked, fvectors), fy) in fresh.items():
                probs = model.predict_proba(_x(fdocs, vocab, fvectors, scale))[:, 1]
                pred = np.where(fblocked, 0.0, probs) >= threshold
                tp = int((pred & fy).sum())
                row[name] = {"precision": round(tp / max(1, int(pred.sum())), 3),
                             "recall": round(tp / int(fy.sum()), 3)}
            out.append(row)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
