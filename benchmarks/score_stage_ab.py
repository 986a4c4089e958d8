"""The pipeline's score stage with and without the encoder token cap, alternated in one process; JSON out.

Why: on a shared, loaded machine two runs minutes apart see different loads; alternating the cap
(``models.transformer.BATCH_TOKENS``) with uncapped batches (the old batching) in one process compares them
under the same load.  Runs ``monitor.pipeline.scoring._score_all`` (sentiment, signals, the sentence encoder on
its own thread) on 500-mention chunks, no database; the least CPU of the repeats counts.

    nice python benchmarks/score_stage_ab.py --texts ../shared/data/twcs-sample/twcs_head5000.csv [--rows 2000]
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

import models.transformer as transformer  # noqa: E402
from benchmarks.pipeline_throughput import NOW, bench_settings, real_texts, synthetic_rows  # noqa: E402
from monitor.pipeline import scoring  # noqa: E402
from monitor.runtime import Runtime  # noqa: E402
from monitor.storage.tables import Mention  # noqa: E402

UNCAPPED = 10**9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, help="CSV of real posts (text column); default: the templates")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.texts and not args.texts.is_file():
        parser.error(f"--texts {args.texts}: no such file")
    rows = synthetic_rows(args.rows, texts=real_texts(args.texts) if args.texts else None)
    folder = Path(tempfile.mkdtemp(prefix="gs-ab-"))
    settings = bench_settings(f"sqlite:///{folder / 'ab.db'}", folder / "rows.jsonl", "bundled", folder)
    runtime = Runtime(settings)
    router, embedder = scoring.sentiment_router(settings, runtime.model), scoring.story_embedder(settings)
    pending = [Mention(id=i, brand_id="brightwave", source_id="bench", platform="replay", external_id=r["id"],
                       author_id=r["author_id"], text=r["text"], posted_at=NOW) for i, r in enumerate(rows)]
    brands = scoring.brand_terms(settings)
    best = {transformer.BATCH_TOKENS: float("inf"), UNCAPPED: float("inf")}
    for _ in range(args.repeats):
        for budget in best:
            transformer.run_batches.__defaults__ = (budget,)  # what every encoder call uses by default
            began = time.process_time()
            for start in range(0, len(pending), 500):
                scoring._score_all(pending[start:start + 500], router, embedder, brands, NOW)
            best[budget] = min(best[budget], 1000 * (time.process_time() - began) / len(pending))
    print(json.dumps({"texts": args.texts.name if args.texts else "synthetic", "rows": len(pending),
                      "score_cpu_ms_per_mention": {("uncapped" if b == UNCAPPED else f"cap {b}"): round(v, 2)
                                                   for b, v in best.items()}}, indent=2))


if __name__ == "__main__":
    main()
