"""Language identification on the complaint set: accuracy overall, per language and on short posts.

Prints JSON for dev and test separately.  Gold labels: ``benchmarks/data/complaints`` (every twcs
post and the 635 project-written posts in 15 languages).  "short" = at most 4 words once handles,
links, hashtags and numbers are removed.  The detector was tuned on dev only.

    python benchmarks/language_id.py [--source all|twcs|written]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.complaint_data import Post, load_posts  # noqa: E402
from models.language import clean_for_language, detect_language  # noqa: E402


def _rate(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def evaluate(posts: list[Post]) -> dict[str, object]:
    detect_language("warm up")
    started, cpu = time.perf_counter(), time.process_time()
    predicted = [detect_language(p.text) for p in posts]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    hits = [p.language == q for p, q in zip(posts, predicted, strict=True)]
    per: dict[str, list[bool]] = defaultdict(list)
    short: list[bool] = []
    for post, hit in zip(posts, hits, strict=True):
        per[post.language].append(hit)
        if len(clean_for_language(post.text).split()) <= 4:
            short.append(hit)
    non_en = [h for p, h in zip(posts, hits, strict=True) if p.language not in ("en", "und")]
    errors = [{"id": p.id, "gold": p.language, "predicted": q} for p, q, h in zip(posts, predicted, hits, strict=True)
              if not h]
    return {"posts": len(posts), "accuracy": _rate(hits), "accuracy_non_english": _rate(non_en),
            "non_english_posts": len(non_en), "languages": len(per),
            "short_posts": len(short), "accuracy_short": _rate(short),
            "per_language": {code: {"n": len(v), "accuracy": _rate(v)} for code, v in sorted(per.items())},
            "errors": errors[:60], "cpu_ms_per_post": round(1000 * cpu / max(1, len(posts)), 4),
            "wall_s": round(wall, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("all", "twcs", "written"), default="all")
    args = parser.parse_args()
    out: dict[str, object] = {split: evaluate(load_posts(split, args.source)) for split in ("dev", "test")}
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
