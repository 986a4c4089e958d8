"""Two stories at once: does the story detector keep different grievances apart and join one told twice?  JSON.

For every pair of the split's grievance families (benchmarks/paraphrases.py and spread_text.FAMILIES), two fast
cascades start within ten minutes of each other on one brand (no background). Different grievances should page
twice (one story each); the same grievance started twice by different people (two families drawn from one)
should page once. Reported with and without sentence vectors: the over-merge rate (different grievances paged as
one) and the split rate (one grievance paged as two).

    nice python benchmarks/story_merge.py --split report
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.paraphrases import PARAPHRASES  # noqa: E402
from benchmarks.spread_text import FAMILIES, embeddings, make_cascade  # noqa: E402
from benchmarks.synthetic_spreads import START, judge, replay  # noqa: E402
from monitor.detection.brand_detector import BrandConfig  # noqa: E402


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


def run(split: str, vectors: bool, knobs: dict[str, Any] | None = None) -> dict[str, Any]:
    families = PARAPHRASES[split] + FAMILIES[split]
    knobs = knobs or {}
    different = [pages_for(a, b, f"{split}-{i}-{j}", vectors, knobs)
                 for (i, a), (j, b) in itertools.combinations(enumerate(families), 2)]
    same = []
    for i, family in enumerate(families):  # one grievance, two disjoint halves of its wordings
        half = len(family) // 2 or 1
        same.append(pages_for(family[:half], family[half:] or family, f"{split}-same-{i}", vectors, knobs))
    return {"different_pairs": len(different),
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
    args = parser.parse_args(argv)
    join = {"embed_similarity": args.embed_similarity} if args.embed_similarity else {}
    join |= {"merge_growth": args.merge_growth} if args.merge_growth is not None else {}
    result: dict[str, Any] = {"split": args.split, **join}
    if not args.no_words:
        result["words_only"] = run(args.split, False)
    for merge in args.embed_merge:
        result[f"with_vectors_merge_{merge:g}"] = run(args.split, True, {"embed_merge": merge, **join})
    if not args.embed_merge:
        result["with_vectors"] = run(args.split, True, join)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
