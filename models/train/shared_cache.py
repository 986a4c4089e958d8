"""Cache the *story encoder's* lower-layer token states and the shipped sentiment model's outputs (issue #17).

One shared encoder pass: the sentiment model would read the story encoder's (plain all-MiniLM-L6-v2) layers
0..k-1 and keep only its own top 6-k layers, so a post costs k + 2 (6 - k) layers instead of 12.  Those top
layers must learn to work over the *untuned* lower layers: ``shared_distill.py`` trains them to reproduce the
shipped model (its general logits, its brand head's input) over the states cached here, which are exactly what
the story encoder's int8 graph gives at scoring time (onnxruntime, same normalisation, 64 tokens).

Sets: a seeded TweetEval train sample, the twcs sample's tweets that are in neither complaint split (unlabelled:
only the teacher's outputs are used), the written extra posts, TweetEval val and the English complaint DEV posts
(the last two for choosing only).  The complaint TEST split is never read.

    nice -n 5 python -m models.train.shared_cache --out /tmp/gs-shared-cache      # ~3-4 CPU-min

Writes per set ``{set}.L{n}.npy`` (fp16 token states entering layer n, concatenated) + ``{set}.offsets.npy`` +
``{set}_labels.npy`` (-1: unlabelled) + ``{set}.teacher_logits.npy`` / ``{set}.teacher_pooled.npy`` (fp32), and
``init.pt`` (the shipped sentiment model recovered as a torch checkpoint: the top layers start from it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.embedding import ARTIFACT_DIR as EMBED_DIR
from models.textprep import normalize
from models.train.complaint_mix import complaint_rows
from models.train.layer_cache import cache_states, session_with_states, tweeteval, written_extra
from models.train.recover_checkpoint import recover
from models.transformer import ARTIFACT_DIR, run_batches

TWCS = Path("/work/shared/data/twcs-sample/twcs_head5000.csv")
LABELS_CSV = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "complaints" / "labels.csv"


def twcs_unlabelled(path: Path = TWCS) -> list[str]:
    """twcs sample tweets in neither split of the complaint set (test posts never enter training)."""
    with LABELS_CSV.open(encoding="utf-8", newline="") as handle:
        taken = {row["id"].removeprefix("twcs:") for row in csv.DictReader(handle)}
    with path.open(encoding="utf-8", newline="") as handle:
        return [r["text"] for r in csv.DictReader(handle) if r["tweet_id"] not in taken and (r["text"] or "").strip()]


def teacher(texts: list[str], threads: int) -> tuple[np.ndarray, np.ndarray]:
    """The shipped sentiment graph's general logits and pooled vector (the brand head's input) per text."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(ARTIFACT_DIR / meta["onnx"]), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(ARTIFACT_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(64)
    tokenizer.no_padding()
    logits, pooled = run_batches(session, tokenizer, texts, 64, [("logits", 3), (meta["pooled_output"], 384)])
    return logits, pooled


def sets(data: Path, sample: int) -> dict[str, tuple[list[str], list[int]]]:
    train_texts, train_labels = tweeteval(data, "train")
    pick = sorted(random.Random(14).sample(range(len(train_texts)), min(sample, len(train_texts))))
    dev = complaint_rows()
    twcs = twcs_unlabelled()
    return {"tweeteval_train": ([train_texts[i] for i in pick], [train_labels[i] for i in pick]),
            "twcs_unlabelled": (twcs, [-1] * len(twcs)), "sentiment_extra": written_extra(),
            "tweeteval_val": tweeteval(data, "val"), "complaints_dev": (dev.texts, dev.labels)}


def write_set(out: Path, name: str, texts: list[str], labels: list[int], session: Any, tokenizer: Any,
              keep: list[int], threads: int) -> None:
    started = time.process_time()
    encodings = [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]
    states, offsets = cache_states(session, encodings, keep)
    for n, array in states.items():
        np.save(out / f"{name}.L{n}.npy", array)
    np.save(out / f"{name}.offsets.npy", offsets)
    np.save(out / f"{name}_labels.npy", np.array(labels))
    logits, pooled = teacher(texts, threads)
    np.save(out / f"{name}.teacher_logits.npy", logits)
    np.save(out / f"{name}.teacher_pooled.npy", pooled)
    print(f"{name}: {len(texts)} texts, {offsets[-1]} tokens, {time.process_time() - started:.0f} CPU-s", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--train-sample", type=int, default=12000, help="seeded sample of TweetEval train")
    p.add_argument("--layers", default="4,5", help="cache the story encoder's states entering these layers")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    from tokenizers import Tokenizer

    if not (args.out / "init.pt").exists():
        torch.save(recover(ARTIFACT_DIR), args.out / "init.pt")
    keep = [int(n) for n in args.layers.split(",")]
    session = session_with_states(EMBED_DIR / "model.int8.onnx", keep, args.threads)
    tokenizer = Tokenizer.from_file(str(EMBED_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(64)
    tokenizer.no_padding()
    for name, (texts, labels) in sets(args.data, args.train_sample).items():
        write_set(args.out, name, texts, labels, session, tokenizer, keep, args.threads)


if __name__ == "__main__":
    main()
