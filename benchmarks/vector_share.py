"""What would sentence vectors for negative posts only save?  The encoder's CPU on real posts, both ways; JSON.

Issue #17 asked whether the story encoder could run only on the posts the sentiment model scores negative.
The story index reads every story-material post's vector (``monitor/detection/story_index.py``: a neutral or
sarcastic wording of a grievance joins its story by its vector), so this is a trade, not a free cut; this
measures its CPU side on real posts (``benchmarks/synthetic_spreads.py --vectors --vectors-for negative``
measures its detection side).  Runs ``monitor.pipeline.scoring.embed_texts`` (the pipeline's encoder call, one
thread) on 500-post chunks, every story-material post vs the negative ones only, alternated; least CPU counts.

    nice python benchmarks/vector_share.py --texts ../shared/data/twcs-sample/twcs_head5000.csv [--rows 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GROUNDSWELL_TEXT_MEMO", "0")  # the repeats score the same texts: encode them every time

from benchmarks.pipeline_throughput import bench_settings, real_texts, synthetic_rows  # noqa: E402
from models.language import detect_language  # noqa: E402
from monitor.pipeline import scoring  # noqa: E402
from monitor.runtime import Runtime  # noqa: E402

CHUNK = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, required=True, help="CSV of real posts (text column)")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    texts = [r["text"] for r in synthetic_rows(args.rows, texts=real_texts(args.texts))]
    folder = Path(tempfile.mkdtemp(prefix="gs-vshare-"))
    settings = bench_settings(f"sqlite:///{folder / 'v.db'}", folder / "rows.jsonl", "bundled", folder)
    runtime = Runtime(settings)
    router, embedder = scoring.sentiment_router(settings, runtime.model), scoring.story_embedder(settings)
    languages = [detect_language(t, None) for t in texts]
    labels = [r.label for r in router.score(texts, languages)]
    best = {"every_story_post": float("inf"), "negative_only": float("inf")}
    vectors = dict.fromkeys(best, 0)
    for _ in range(args.repeats):
        for mode in best:
            keep = [mode == "every_story_post" or label == "negative" for label in labels]
            began, made = time.process_time(), 0
            for start in range(0, len(texts), CHUNK):
                part = range(start, min(start + CHUNK, len(texts)))
                blobs = scoring.embed_texts(embedder, [texts[i] for i in part],
                                            [languages[i] if keep[i] else "-" for i in part])
                made += sum(b is not None for b in blobs)
            best[mode] = min(best[mode], 1000 * (time.process_time() - began) / len(texts))
            vectors[mode] = made
    print(json.dumps({"texts": args.texts.name, "mentions": len(texts),
                      "labels": {k: labels.count(k) for k in sorted(set(labels))}, "vectors": vectors,
                      "encoder_cpu_ms_per_mention": {k: round(v, 2) for k, v in best.items()}}, indent=2))


if __name__ == "__main__":
    main()
