"""Two stories at once: does the story detector keep different grievances apart and join one told twice?  JSON.

For every pair of the split's grievance families (benchmarks/paraphrases.py and spread_text.FAMILIES), two fast
cascades start within ten minutes of each other on one brand (no background). Different grievances should page
twice (one story each); the same grievance started twice by different people (two families drawn from one)
should page once. Reported with and without sentence vectors: the over-merge rate (different grievances paged as
one) and the split rate (one grievance paged as two). ``--show`` names the pairs that went wrong, with the cosine of
the two families' mean vectors and the content words they share (what a merge rule could tell them apart by).

    nice python benchmarks/story_merge.py --split report [--show]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.paraphrases import PARAPHRASES  # noqa: E402
from benchmarks.spread_text import FAMILIES, embeddings, make_cascade  # noqa: E402
from benchmarks.synthetic_spreads import START, judge, replay  # noqa: E402
from monitor.detection.brand_detector import BrandConfig  # noqa: E402
from monitor.detection.story_text import content_words  # noqa: E402
from monitor.detection.story_vectors import as_vector  # noqa: E402


def pages_for(first: list[str], second: list[str], seed: str, vectors: bool, knobs: dict[str, Any]) -> int:
    """How many of the two cascades paged as stories of their own (0, 1 or 2)."""
    rng = random.Random(seed)
    one = make_cascade("fast", START + 3600, rng, first, f"{seed}-a")
    two = make_cascade("fast", START + 3600 + rng.uniform(0, 600), rng, second, f"{seed}-b")
    posts = one.posts + two.posts
    table = embeddings(sorted({p.text for p in posts})) if vectors else None
    cfg = BrandConfig.for_sensitivity("default")
    pages, _, _ = replay(posts, replace(cfg, stories=replace(cfg.stories, **knobs)), 300.0, table)
    return sum(bool(r["detected"]) for r in judge([one, two], pages)["rows"])


def describe(first: list[str], second: list[str]) -> dict[str, Any]:
    """Two sets of wordings: their first wordings, the cosine of their mean vectors, the content words they share."""
    table = embeddings(sorted(set(first + second)))
    means = []
    for texts in (first, second):
        total = np.sum([v for t in texts if (v := as_vector(table[t])) is not None], axis=0)
        means.append(total / np.linalg.norm(total))
    shared = {w for t in first for w in content_words(t)} & {w for t in second for w in content_words(t)}
    return {"a": first[0][:70], "b": second[0][:70], "mean_vector_cosine": round(float(means[0] @ means[1]), 3),
            "shared_words": sorted(shared)}


def run(split: str, vectors: bool, knobs: dict[str, Any] | None = None, show: bool = False) -> dict[str, Any]:
    families = PARAPHRASES[split] + FAMILIES[split]
    knobs = knobs or {}
    pairs = list(itertools.combinations(enumerate(families), 2))
    different = [pages_for(a, b, f"{split}-{i}-{j}", vectors, knobs) for (i, a), (j, b) in pairs]
    same, halves = [], []
    for i, family in enumerate(families):  # one grievance, two disjoint halves of its wordings
        half = len(family) // 2 or 1
        halves.append((family[:half], family[half:] or family))
        same.append(pages_for(*halves[-1], f"{split}-same-{i}", vectors, knobs))
    shown = {"different_paged_as_one_pairs": [describe(a, b) for ((_, a), (_, b)), n in zip(pairs, different,
                                                                                               strict=True) if n == 1],
             "same_paged_as_two_pairs": [describe(*h) for h, n in zip(halves, same, strict=True) if n == 2]}
    return {**(shown if show else {}), "different_pairs": len(different),
            "different_paged_as_one": round(sum(n == 1 for n in different) / len(different), 3),
            "different_paged_as_two": round(sum(n == 2 for n in different) / len(different), 3),
            "same_pairs": len(same), "same_paged_as_one": round(sum(n == 1 for n in same) / len(same), 3),
            "same_paged_as_two": round(sum(n == 2 for n in same) / len(same), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "report"], default="report")
    parser.add_argument("--embed-merge", type=float, nargs="*", default=[], help="override StoryConfig.embed_merge")
    parser.add_argument("--embed-similarity", type=float, help="override StoryConfig.embed_similarity")
    parser.add_argument("--merge-growth", type=float, help="override StoryConfig.merge_growth (0: off)")
    parser.add_argument("--no-words", action="store_true", help="skip the words-only run")
    parser.add_argument("--show", action="store_true", help="name the pairs paged wrongly (mean-vector cosine, words)")
    parser.add_argument("--knobs", nargs="*", default=[], help="more StoryConfig override sets, each JSON")
    args = parser.parse_args(argv)
    join = {"embed_similarity": args.embed_similarity} if args.embed_similarity else {}
    join |= {"merge_growth": args.merge_growth} if args.merge_growth is not None else {}
    result: dict[str, Any] = {"split": args.split, **join}
    if not args.no_words:
        result["words_only"] = run(args.split, False, show=args.show)
    for merge in args.embed_merge:
        result[f"with_vectors_merge_{merge:g}"] = run(args.split, True, {"embed_merge": merge, **join}, args.show)
    for knobs in args.knobs:
        result[f"with_vectors_{knobs}"] = run(args.split, True, {**join, **json.loads(knobs)}, args.show)
    if not args.embed_merge and not args.knobs:
        result["with_vectors"] = run(args.split, True, join, args.show)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
