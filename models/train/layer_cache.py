"""Run the frozen lower encoder layers once and cache their token states (fp16, outside the repo).

Partial fine-tuning (``partial_finetune.py``) trains only the top transformer layer(s) and the
head; everything below is fixed, so its output per text never changes and is computed here once:
a few CPU-minutes instead of a full forward pass at every step of every cross-validation fold.

The cached states come from the shipped int8 graph run by onnxruntime (exactly what the frozen
layers give at scoring time); the trained layers start from the same artifact
(``recover_checkpoint.recover``: int8 weights dequantized, the fp32 head copied) saved as
``init.pt``.  Texts are normalised and tokenized exactly as at scoring time (max 64 tokens).
Only the complaint DEV split is read (English posts), never test.

    nice -n 5 python -m models.train.layer_cache --out /tmp/gs-layer-cache

Writes ``init.pt`` (the recovered full checkpoint) and, per set and cached layer, ``{set}.L{n}.npy``
(token states of every text concatenated, fp16) + ``{set}.offsets.npy`` + ``{set}_labels.npy``.
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

from models.base import LABELS
from models.textprep import normalize
from models.train.complaint_mix import complaint_rows
from models.train.recover_checkpoint import recover
from models.transformer import ARTIFACT_DIR

LAYERS = 6  # all-MiniLM-L6-v2


def tweeteval(data: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (data / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    return texts, [int(x) for x in (data / f"{split}_labels.txt").read_text().split()]


def layer_output(n: int) -> str:
    """Name, in the exported graph, of the token states after layer ``n - 1`` (the input of layer n)."""
    return f"/encoder/encoder/layer.{n - 1}/output/LayerNorm/LayerNormalization_output_0"


def session_with_states(int8: Path, keep: list[int], threads: int) -> Any:
    """The shipped int8 graph with the chosen layers' token states as extra outputs.

    The cache holds exactly what the frozen int8 layers give at scoring time (not an fp32 copy).
    """
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    model = onnx.load(str(int8))
    for n in keep:
        model.graph.output.append(helper.make_tensor_value_info(layer_output(n), TensorProto.FLOAT,
                                                                ["batch", "seq", 384]))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def cache_states(session: Any, encodings: list[list[int]], keep: list[int],
                 batch_size: int = 64) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Token states entering layer ``n`` for each n in ``keep``: concatenated rows + per-text offsets."""
    lengths = np.array([len(e) for e in encodings])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    states = {n: np.zeros((int(offsets[-1]), 384), dtype=np.float16) for n in keep}
    order = sorted(range(len(encodings)), key=lambda i: lengths[i])
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        width = int(max(lengths[i] for i in idx))
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : lengths[i]] = encodings[i]
            mask[row, : lengths[i]] = 1
        outputs = session.run([layer_output(n) for n in keep], {"input_ids": ids, "attention_mask": mask})
        for n, layer in zip(keep, outputs, strict=True):
            for row, i in enumerate(idx):
                states[n][offsets[i]:offsets[i + 1]] = layer[row, : lengths[i]]
    return states, offsets


EXTRA = Path(__file__).parent / "data" / "sentiment_extra.csv"


def written_extra() -> tuple[list[str], list[int]]:
    """Posts the project wrote for the failure classes (calm outage reports, sarcasm, praise with a bad word)."""
    with EXTRA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [LABELS.index(r["sentiment"]) for r in rows]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--train-sample", type=int, default=16000, help="seeded sample of TweetEval train (0: all)")
    p.add_argument("--layers", default="4,5", help="cache the input of these layers (top 2 / top 1 trained)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sets", default="tweeteval_train,tweeteval_val,complaints_dev,sentiment_extra")
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    args.out.mkdir(parents=True, exist_ok=True)
    from tokenizers import Tokenizer
    if not (args.out / "init.pt").exists():
        torch.save(recover(ARTIFACT_DIR), args.out / "init.pt")
    keep = [int(n) for n in args.layers.split(",")]
    session = session_with_states(ARTIFACT_DIR / "model.int8.onnx", keep, args.threads)
    tokenizer = Tokenizer.from_file(str(ARTIFACT_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(64)
    tokenizer.no_padding()
    train_texts, train_labels = tweeteval(args.data, "train")
    size = args.train_sample or len(train_texts)
    pick = sorted(random.Random(14).sample(range(len(train_texts)), min(size, len(train_texts))))
    dev = complaint_rows()
    sets = {"tweeteval_train": ([train_texts[i] for i in pick], [train_labels[i] for i in pick]),
            "tweeteval_val": tweeteval(args.data, "val"), "complaints_dev": (dev.texts, dev.labels),
            "sentiment_extra": written_extra()}
    sets = {name: rows for name, rows in sets.items() if name in args.sets.split(",")}
    for name, (texts, labels) in sets.items():
        started = time.process_time()
        encodings = [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]
        states, offsets = cache_states(session, encodings, keep)
        for n, array in states.items():
            np.save(args.out / f"{name}.L{n}.npy", array)
        np.save(args.out / f"{name}.offsets.npy", offsets)
        np.save(args.out / f"{name}_labels.npy", np.array(labels))
        print(f"{name}: {len(texts)} texts, {offsets[-1]} tokens, {time.process_time() - started:.0f} CPU-s",
              flush=True)
    (args.out / "complaints_dev_ids.json").write_text(json.dumps(dev.ids))


if __name__ == "__main__":
    main()
