"""Sentiment speed: cold-start load time, texts/s at batch 1/32/128, peak RSS.  Prints JSON.

Each measurement runs in a fresh subprocess so cold start and RSS are honest.  Texts are
tweet-length (TweetEval val when available, else a built-in sample).

    python benchmarks/sentiment_speed.py [--model bundled] [--threads 2] [--texts 1024]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = [
    "@user my internet has been down since 8am and support keeps hanging up on me",
    "Great, another update that breaks everything. Thanks a lot.",
    "Loving the new phone, battery lasts forever!",
    "Store opens at 9 tomorrow for the Black Friday sale",
    "Why does my bill say I owe $40 more than last month?? #fail",
    "Just landed in Boston, flight was smooth and the crew were lovely",
]

CHILD = r"""
import json, os, resource, sys, time
os.environ["GROUNDSWELL_TEXT_MEMO"] = "0"  # the same texts at every batch size: encode them every time
sys.path.insert(0, {root!r})
started = time.perf_counter()
from models.loader import load_sentiment_model
model = load_sentiment_model({model!r}, threads={threads}, batch_size=128)
model.score(["warm up"])
load_s = time.perf_counter() - started
texts = json.loads(sys.stdin.read())
result = {{"cold_start_s": round(load_s, 3)}}
for batch in (1, 32, 128):
    n = len(texts) if batch > 1 else min(len(texts), 256)
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        model.score(texts[i:i + batch])
    result[f"texts_per_s_batch_{{batch}}"] = round(n / (time.perf_counter() - t0), 1)
result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(result))
"""


def load_texts(data: Path, count: int) -> list[str]:
    path = data / "val_text.txt"
    texts = path.read_text(encoding="utf-8").splitlines() if path.exists() else SAMPLE
    return [texts[i % len(texts)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--texts", type=int, default=1024)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    args = parser.parse_args()
    texts = load_texts(args.data, args.texts)
    code = CHILD.format(root=str(ROOT), model=args.model, threads=args.threads)
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    mean_chars = sum(map(len, texts)) / len(texts)
    print(json.dumps({"model": args.model, "threads": args.threads, "texts": len(texts),
                      "mean_chars": round(mean_chars, 1), **result}, indent=2))


if __name__ == "__main__":
    main()
