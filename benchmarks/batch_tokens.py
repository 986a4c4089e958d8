"""CPU-ms a text of the bundled sentiment encoder for several per-call token budgets, printed as JSON.

Why: batches of 64 length-sorted tweets (~29 tokens each) spill the encoder's activations out of cache; a cap
on padded tokens per call (``models.transformer.BATCH_TOKENS``) keeps them small.  Tune on TweetEval train
(the default), never on the posts the pipeline benchmark reports.

    python benchmarks/batch_tokens.py [--texts /work/shared/data/tweeteval-sentiment/train_text.txt]
        [--count 1500] [--budgets 256,384,512,768,1024,0] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.transformer import OnnxSentiment, run_batches  # noqa: E402

UNBOUNDED = 10**9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=Path("/work/shared/data/tweeteval-sentiment/train_text.txt"),
                        help="one text a line")
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--budgets", default="256,384,512,768,1024,0", help="padded tokens a call; 0: no cap")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="the least CPU of the repeats counts (shared box)")
    args = parser.parse_args()
    if not args.texts.is_file():
        parser.error(f"--texts {args.texts}: no such file")
    try:
        budgets = [int(b) or UNBOUNDED for b in args.budgets.split(",")]
    except ValueError:
        parser.error(f"--budgets {args.budgets!r}: comma-separated whole numbers")
    texts = args.texts.read_text(encoding="utf-8").splitlines()[: args.count]
    model = OnnxSentiment(threads=1)
    outputs = [("logits", 3), (model._pooled, 384)]
    run_batches(model._session, model._tokenizer, texts[:200], args.batch_size, outputs)  # warm up
    best = {b: float("inf") for b in budgets}
    for _ in range(args.repeats):
        for budget in budgets:  # interleaved: a load change on the shared box hits every budget alike
            began = time.process_time()
            run_batches(model._session, model._tokenizer, texts, args.batch_size, outputs, budget=budget)
            best[budget] = min(best[budget], 1000 * (time.process_time() - began) / len(texts))
    print(json.dumps({"texts": args.texts.name, "count": len(texts), "batch_size": args.batch_size,
                      "cpu_ms_per_text": {("unbounded" if b == UNBOUNDED else str(b)): round(v, 3)
                                          for b, v in best.items()}}, indent=2))


if __name__ == "__main__":
    main()
