"""Pooled sentence vectors from the bundled int8 encoder, cached as .npy (the head refit's input).

    python -m models.train.head_features --out /tmp/head-features [--train-sample 12000]

Writes tweeteval_train.npy (a seeded sample of TweetEval train), tweeteval_val.npy, complaints_dev.npy
plus the matching labels/ids files.  Only the complaint DEV split is read (English posts).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from models.train.complaint_mix import complaint_rows
from models.train.head_graph import POOLED, with_pooled_output
from models.transformer import ARTIFACT_DIR, OnnxSentiment, run_sorted_batches


class PooledEncoder(OnnxSentiment):
    """The bundled scorer, but its session returns the pooled vector next to the logits."""

    def __init__(self, folder: Path = ARTIFACT_DIR, threads: int = 2) -> None:
        super().__init__(folder, threads=threads, batch_size=64)
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph = with_pooled_output(folder / "model.int8.onnx")
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def pooled(self, texts: list[str]) -> np.ndarray:
        return run_sorted_batches(self._session, self._tokenizer, texts, self.batch_size, POOLED, 384)


def _tweeteval(data: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (data / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    return texts, [int(x) for x in (data / f"{split}_labels.txt").read_text().split()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--train-sample", type=int, default=12000)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = PooledEncoder(threads=args.threads)
    train_texts, train_labels = _tweeteval(args.data, "train")
    pick = sorted(random.Random(14).sample(range(len(train_texts)), min(args.train_sample, len(train_texts))))
    val_texts, val_labels = _tweeteval(args.data, "val")
    dev = complaint_rows()
    sets = {"tweeteval_train": ([train_texts[i] for i in pick], [train_labels[i] for i in pick]),
            "tweeteval_val": (val_texts, val_labels), "complaints_dev": (dev.texts, dev.labels)}
    for name, (texts, labels) in sets.items():
        started = time.process_time()
        np.save(args.out / f"{name}.npy", encoder.pooled(texts))
        np.save(args.out / f"{name}_labels.npy", np.array(labels))
        print(f"{name}: {len(texts)} texts, {time.process_time() - started:.0f} CPU-s", flush=True)
    (args.out / "complaints_dev_ids.json").write_text(json.dumps(dev.ids))


if __name__ == "__main__":
    main()
