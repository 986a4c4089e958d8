"""Sentiment quality on TweetEval val: macro-recall (official), accuracy, macro-F1, confusion matrix.

Prints JSON.  ``--model`` is any loader spec (default "bundled:general": TweetEval is general tweets, so
the bundled model's general head; ``--model bundled`` scores them with the default blend of the
two heads, ``--model bundled:brand`` with the brand-directed head alone, to show what it does to
general tweets); ``--fp32`` also scores
an fp32 ONNX export of the same network (kept outside the repo) to show what int8 quantization costs.

    python benchmarks/sentiment_quality.py --data /work/shared/data/tweeteval-sentiment \
        [--model bundled:general] [--fp32 /tmp/sentiment-run/model.fp32.onnx]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.base import LABELS  # noqa: E402
from models.loader import load_sentiment_model  # noqa: E402


def metrics(gold: list[int], pred: list[int]) -> dict[str, object]:
    matrix = [[0] * 3 for _ in range(3)]
    for g, p in zip(gold, pred, strict=True):
        matrix[g][p] += 1
    recall = [matrix[c][c] / max(1, sum(matrix[c])) for c in range(3)]
    precision = [matrix[c][c] / max(1, sum(row[c] for row in matrix)) for c in range(3)]
    f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(precision, recall, strict=True)]
    return {"macro_recall": round(sum(recall) / 3, 4),
            "accuracy": round(sum(matrix[c][c] for c in range(3)) / len(gold), 4),
            "macro_f1": round(sum(f1) / 3, 4),
            "recall_per_class": dict(zip(LABELS, (round(r, 4) for r in recall), strict=True)),
            "confusion_matrix": {"rows_gold_cols_pred": list(LABELS), "matrix": matrix}}


def evaluate(spec: str, texts: list[str], gold: list[int]) -> dict[str, object]:
    model = load_sentiment_model(spec, threads=2, batch_size=64)
    started = time.perf_counter()
    scores = model.score(texts)
    seconds = time.perf_counter() - started
    pred = [LABELS.index(s.label) for s in scores]
    return {"model": model.name, "version": model.version, "texts": len(texts),
            "seconds": round(seconds, 2), **metrics(gold, pred)}


def fp32_folder(fp32: Path, like: Path) -> Path:
    """A temporary model folder holding the fp32 graph with the bundled tokenizer and meta."""
    folder = Path(tempfile.mkdtemp(prefix="gs-fp32-"))
    shutil.copy(like / "tokenizer.json", folder / "tokenizer.json")
    meta = json.loads((like / "meta.json").read_text())
    meta.update(onnx=fp32.name, name=meta["name"] + "-fp32")
    meta.pop("brand_head", None)  # the fp32 export is compared on the general head
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / fp32.name).symlink_to(fp32.resolve())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    parser.add_argument("--split", default="val")
    parser.add_argument("--model", default="bundled:general")
    parser.add_argument("--fp32", type=Path, help="fp32 ONNX export to compare against the int8 default")
    args = parser.parse_args()
    texts = (args.data / f"{args.split}_text.txt").read_text(encoding="utf-8").splitlines()
    gold = [int(x) for x in (args.data / f"{args.split}_labels.txt").read_text().split()]
    report: dict[str, object] = {"split": args.split, "main": evaluate(args.model, texts, gold)}
    if args.fp32:
        from models.transformer import ARTIFACT_DIR

        fp32 = evaluate(str(fp32_folder(args.fp32, ARTIFACT_DIR)), texts, gold)
        main_recall = report["main"]["macro_recall"]  # type: ignore[index]
        report["fp32"] = fp32
        report["int8_minus_fp32_macro_recall_points"] = round(100 * (main_recall - fp32["macro_recall"]), 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
