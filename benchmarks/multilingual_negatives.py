"""Complaints in languages no sentiment model covers: precision and recall of "negative" with and without
the complaint keywords (``model.keyword_fallback``), per language, on the written complaint posts.

The posts go through what the pipeline does: language detected from the text (``models.language``), then
the sentiment router with the bundled model for English (``model.sentiment_languages = ["en"]``).  ``old``
is the router without keywords (every non-English post unscored), ``new`` with them.  Besides precision
and recall of ``negative`` it counts how many positive and neutral posts were marked negative, and how
each post was read (model, keywords, unscored).  The cue lists were written looking at dev and, later, at
``tune2`` (462 fresh posts in 14 languages, ``written_tune2.csv``) and ``tune3`` (392 posts of new wording:
sarcasm, paraphrase, bill shock, plain faults, misdetected short posts, ``written_tune3.csv``) and ``tune4`` (384
everyday complaint forms and traps in 16 languages, ``written_tune4.csv``): report test.

    python benchmarks/multilingual_negatives.py --split dev     # tune here
    python benchmarks/multilingual_negatives.py --split tune2   # and here
    python benchmarks/multilingual_negatives.py --split tune3   # and here
    python benchmarks/multilingual_negatives.py --split tune4   # and here (16 languages, zh and hi too)
    python benchmarks/multilingual_negatives.py --split check   # fresh after tuning: never tune here
    python benchmarks/multilingual_negatives.py --split test    # report this, once
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.complaint_data import Post, load_posts  # noqa: E402
from models.language import detect_language  # noqa: E402
from models.loader import load_router  # noqa: E402
from models.routing import Routed  # noqa: E402


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def negatives(posts: Sequence[Post], routed: Sequence[Routed]) -> dict[str, object]:
    """Precision/recall of "negative"; positive and neutral posts marked negative; how posts were read."""
    pairs = list(zip(posts, routed, strict=True))
    tp = sum(p.sentiment == "negative" and r.label == "negative" for p, r in pairs)
    fp = sum(p.sentiment != "negative" and r.label == "negative" for p, r in pairs)
    gold = sum(p.sentiment == "negative" for p in posts)
    read = Counter("unscored" if r.model is None else ("keywords" if r.model.name == "keywords" else "model")
                   for _, r in pairs)
    return {"posts": len(posts), "negative_posts": gold, "tp": tp, "fp": fp, "fn": gold - tp,
            "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, gold),
            "positive_marked_negative": sum(p.sentiment == "positive" and r.label == "negative" for p, r in pairs),
            "neutral_marked_negative": sum(p.sentiment == "neutral" and r.label == "negative" for p, r in pairs),
            "read_by": dict(sorted(read.items()))}


def evaluate(posts: list[Post], model: str) -> dict[str, object]:
    languages = [detect_language(p.text) for p in posts]
    texts = [p.text for p in posts]
    out: dict[str, object] = {"posts": len(posts),
                              "language_detected_right": sum(p.language == d for p, d in zip(posts, languages,
                                                                                              strict=True))}
    for name, keywords in (("old", False), ("new", True)):
        router = load_router(model, languages=["en"], keywords=keywords)
        router.score(texts[:1], languages[:1])  # the model's first call (session start) is not the figure
        wall, cpu = time.perf_counter(), time.process_time()
        routed = router.score(texts, languages)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        by_language: dict[str, list[int]] = defaultdict(list)
        for i, post in enumerate(posts):
            by_language[post.language].append(i)
        out[name] = {
            "all": negatives(posts, routed),
            "per_language": {code: negatives([posts[i] for i in idx], [routed[i] for i in idx])
                             for code, idx in sorted(by_language.items())},
            "false_negatives_by_kind": dict(Counter(p.note for p, r in zip(posts, routed, strict=True)
                                                    if p.sentiment == "negative" and r.label != "negative")),
            "false_positives": [{"id": p.id, "language": p.language, "kind": p.note, "reason": r.reason}
                                for p, r in zip(posts, routed, strict=True)
                                if p.sentiment != "negative" and r.label == "negative"],
            "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "tune2", "tune3", "tune4", "check", "test"), default="dev")
    parser.add_argument("--model", default="bundled", help="the model for English posts (default: bundled)")
    args = parser.parse_args()
    posts = [p for p in load_posts(args.split, "written") if p.language != "en"]
    result: dict[str, object] = {"split": args.split, "model": args.model, **evaluate(posts, args.model)}
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
