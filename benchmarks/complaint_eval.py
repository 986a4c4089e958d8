"""The complaint-domain evaluation: sentiment, churn threat, category and language on dev and test.

Prints JSON.  Sentiment runs through the same language routing as the pipeline (``--languages``
the model is trusted on, English by default): posts in other languages are read by complaint keywords
(negative when a cue is found; ``--no-keywords``: never) or "unscored", which counts as a miss in
``accuracy_all`` and is left out of the ``*_scored`` figures (``coverage`` says how many were scored).
``benchmarks/multilingual_negatives.py`` measures the keywords themselves.  Churn threat and category
come from ``models.signals.extract_signals`` with the post's addressed brand (its first @handle).
Figures are given for all posts and per source: ``twcs`` (real customer tweets) and ``written`` (posts
written for the rare cases and the 14 other languages).  Tune on dev; report test.

    python benchmarks/complaint_eval.py [--model bundled --model lexicon] [--languages en]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.complaint_data import SENTIMENTS, Post, load_posts  # noqa: E402
from connectors.base import BrandTerms  # noqa: E402
from models.loader import load_router  # noqa: E402
from models.signals import Signals, extract_signals  # noqa: E402

_HANDLE = re.compile(r"@(\w+)")


def brand_of(text: str) -> BrandTerms | None:
    """The brand a post is addressed to: its first @handle (None when it names none)."""
    found = _HANDLE.search(text)
    return BrandTerms(id="brand", name=found.group(1), handles=(f"@{found.group(1)}",)) if found else None


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def sentiment_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, object]:
    scored = [(g, p) for g, p in zip(gold, pred, strict=True) if p in SENTIMENTS]
    recall = {c: _ratio(sum(g == p == c for g, p in scored), sum(g == c for g, _ in scored)) for c in SENTIMENTS}
    present = [r for r in recall.values() if r is not None]
    return {"n": len(gold), "coverage": _ratio(len(scored), len(gold)),
            "accuracy_all": _ratio(sum(g == p for g, p in zip(gold, pred, strict=True)), len(gold)),
            "accuracy_scored": _ratio(sum(g == p for g, p in scored), len(scored)),
            "macro_recall_scored": round(sum(present) / len(present), 4) if present else None,
            "recall_scored": recall}


def binary_metrics(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, object]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
    return {"positives": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1}


def _subset(posts: list[Post], values: list[object], keep: set[str]) -> list[object]:
    return [v for p, v in zip(posts, values, strict=True) if p.source in keep]


def evaluate(posts: list[Post], models: Sequence[str], languages: Sequence[str],
             keywords: bool = True) -> dict[str, object]:
    started = time.process_time()
    signals: list[Signals] = [extract_signals(p.text, brand_of(p.text)) for p in posts]
    signal_cpu = time.process_time() - started
    churn = [s.churn_threat is not None for s in signals]
    category = [s.category.value if s.category else "none" for s in signals]
    out: dict[str, object] = {"posts": len(posts), "signals_cpu_ms_per_post": round(1000 * signal_cpu / len(posts), 3)}
    groups = {"all": {"twcs", "written"}, "twcs": {"twcs"}, "written": {"written"}}
    for name, keep in groups.items():
        part = [p for p in posts if p.source in keep]
        out[name] = {
            "churn_threat": binary_metrics([p.churn_threat for p in part], _subset(posts, churn, keep)),  # type: ignore[arg-type]
            "language_accuracy": _ratio(sum(p.language == s.language for p, s in zip(posts, signals, strict=True)
                                            if p.source in keep), len(part)),
            "category_accuracy": _ratio(sum(p.category == c for p, c in zip(posts, category, strict=True)
                                            if p.source in keep), len(part)),
        }
    for spec in models:
        router = load_router(spec, languages=languages, keywords=keywords)
        routed = router.score([p.text for p in posts], [s.language for s in signals])
        labels = [r.label for r in routed]
        out[f"sentiment[{spec}]"] = {name: sentiment_metrics(_subset(posts, [p.sentiment for p in posts], keep),  # type: ignore[arg-type]
                                                             _subset(posts, labels, keep))  # type: ignore[arg-type]
                                     for name, keep in groups.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help='sentiment model spec (repeatable; default "bundled")')
    parser.add_argument("--languages", default="en", help='languages the model scores, comma-separated, or "*"')
    parser.add_argument("--source", choices=("all", "twcs", "written"), default="all")
    parser.add_argument("--no-keywords", action="store_true", help="leave posts no model covers unscored")
    args = parser.parse_args()
    languages = [c.strip() for c in args.languages.split(",") if c.strip()]
    result: dict[str, object] = {split: evaluate(load_posts(split, args.source), args.model or ["bundled"], languages,
                                                 keywords=not args.no_keywords)
                                 for split in ("dev", "test")}
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
