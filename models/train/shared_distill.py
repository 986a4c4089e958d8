"""Train the sentiment model's top 6-k layers over the story encoder's layers 0..k-1 (issue #17), by distillation.

The story encoder (plain all-MiniLM-L6-v2) and the sentiment model (the same network, fine-tuned) each cost
~5 CPU-ms a post.  Sharing layers 0..k-1 costs k + 2 (6 - k) layers instead of 12, but the fine-tuned top
layers then read untuned states (TweetEval val macro-recall 0.7345 -> 0.7062 with k = 1 and nothing
retrained).  Here layers k..5 (starting from the shipped sentiment model's) learn to reproduce the shipped
model over the cached states of ``shared_cache.py``: KL to its general-head probabilities, KL to its
brand-head probabilities and the squared error of the pooled vector (the brand head's input).  Both heads stay
the shipped ones, frozen, so the ``blend`` of ``meta.json`` keeps its meaning.

Training texts: the TweetEval train sample, the unlabelled twcs tweets, the written extra posts; no labels are
read.  Choosing (``--report``): TweetEval val half A (even lines) and the English complaint DEV posts, which no
student trains on (the teacher's heads did).  Val half B is printed as untuned; the complaint TEST split is
never read here (``benchmarks/complaint_eval.py`` reads it once, on the exported model).

    nice -n 5 python -m models.train.shared_distill --cache /tmp/gs-shared-cache --shared 5 --lr 1e-4 \
        --report /tmp/sd5.json --checkpoint /tmp/sd5/model.pt
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from models.train.partial_finetune import Ragged, batches, initial_top
from models.train.refit_head import accuracy, macro_recall
from models.transformer import ARTIFACT_DIR

TRAIN_SETS = ("tweeteval_train", "twcs_unlabelled", "sentiment_extra")


class Distilled(Ragged):
    """A cached set with the teacher's general logits and pooled vectors."""

    def __init__(self, cache: Path, name: str, layer: int) -> None:
        super().__init__(cache, name, layer)
        self.logits = np.load(cache / f"{name}.teacher_logits.npy")
        self.pooled = np.load(cache / f"{name}.teacher_pooled.npy")

    def subset(self, keep: list[int]) -> Distilled:
        part = super().subset(keep)
        assert isinstance(part, Distilled)
        part.logits, part.pooled = self.logits[keep], self.pooled[keep]
        return part


class Student(nn.Module):
    """Layers k..5 (trained) + mean pooling + the shipped general and brand heads (frozen)."""

    def __init__(self, layers: nn.ModuleList, general: nn.Linear, brand: nn.Linear) -> None:
        super().__init__()
        self.layers = layers
        self.general = general
        self.brand = brand
        for p in (*general.parameters(), *brand.parameters()):
            p.requires_grad_(False)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        hidden = states
        for layer in self.layers:
            out = layer(hidden, attention_mask=additive)
            hidden = out[0] if isinstance(out, tuple) else out
        pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return pooled, self.general(pooled), self.brand(pooled)


def brand_linear(meta: dict[str, Any]) -> nn.Linear:
    packed = np.load(ARTIFACT_DIR / str(meta["brand_head"])).astype(np.float32)
    layer = nn.Linear(384, 3)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(packed[:-1].T.copy()))
        layer.bias.copy_(torch.from_numpy(packed[-1].copy()))
    return layer


def pad(data: list[Distilled], rows: list[tuple[int, int]]) -> tuple[torch.Tensor, ...]:
    """One padded batch (rows from any set) + the teacher's logits and pooled vectors."""
    spans = [(int(data[s].offsets[i]), int(data[s].offsets[i + 1])) for s, i in rows]
    width = max(end - start for start, end in spans)
    states = np.zeros((len(rows), width, 384), dtype=np.float32)
    mask = np.zeros((len(rows), width), dtype=np.float32)
    for row, ((s, _), (start, end)) in enumerate(zip(rows, spans, strict=True)):
        states[row, : end - start] = data[s].states[start:end]
        mask[row, : end - start] = 1.0
    logits = np.stack([data[s].logits[i] for s, i in rows])
    pooled = np.stack([data[s].pooled[i] for s, i in rows])
    return tuple(torch.from_numpy(a) for a in (states, mask, logits, pooled))


def distill_loss(student: Student, out: tuple[torch.Tensor, ...], logits: torch.Tensor, pooled: torch.Tensor,
                 pooled_weight: float) -> torch.Tensor:
    """KL to both heads' teacher probabilities + weighted mean squared error of the pooled vector."""
    s_pooled, s_general, s_brand = out
    with torch.no_grad():
        t_brand = student.brand(pooled)
    kl = nn.functional.kl_div
    loss = (kl(torch.log_softmax(s_general, 1), torch.log_softmax(logits, 1), log_target=True, reduction="batchmean")
            + kl(torch.log_softmax(s_brand, 1), torch.log_softmax(t_brand, 1), log_target=True, reduction="batchmean"))
    return loss + pooled_weight * nn.functional.mse_loss(s_pooled, pooled) * 384


def train(student: Student, data: list[Distilled], cfg: argparse.Namespace) -> None:
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    rows = [(s, i) for s, d in enumerate(data) for i in range(len(d))]
    lengths = [int(data[s].offsets[i + 1] - data[s].offsets[i]) for s, i in rows]
    plan = [b for _ in range(math.ceil(cfg.epochs)) for b in batches(rows, lengths, 32, rng)]
    plan = plan[: int(len(plan) / math.ceil(cfg.epochs) * cfg.epochs)]
    params = [p for p in student.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    warmup = max(1, int(0.06 * len(plan)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (len(plan) - s) / max(1, len(plan) - warmup))))
    known_labels = np.concatenate([d.labels[d.labels >= 0] for d in data])
    counts = np.maximum(np.bincount(known_labels, minlength=3), 1).astype(np.float64)  # a class may be absent
    weights = (counts / counts.sum()) ** -0.5
    ce = nn.CrossEntropyLoss(weight=torch.tensor(weights / weights.mean(), dtype=torch.float32))
    student.eval()  # no dropout: the targets are the teacher's outputs, not noisy labels
    started = time.process_time()
    for step, pick in enumerate(plan, start=1):
        states, mask, logits, pooled = pad(data, [rows[k] for k in pick])
        out = student(states, mask)
        loss = distill_loss(student, out, logits, pooled, cfg.pooled_weight)
        gold = torch.tensor([int(data[s].labels[i]) for s, i in (rows[k] for k in pick)])
        if cfg.label_weight and bool((gold >= 0).any()):
            known = gold >= 0
            loss = loss + cfg.label_weight * ce(out[1][known], gold[known])
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        if step % 50 == 0 or step == len(plan):
            spent = time.process_time() - started
            print(f"step {step}/{len(plan)} loss {loss.item():.4f} {spent:.0f} CPU-s", flush=True)


@torch.no_grad()
def predict(student: Student, data: Distilled) -> tuple[np.ndarray, np.ndarray]:
    """(general logits, brand logits) for every text of a set."""
    order = sorted(range(len(data)), key=lambda i: int(data.offsets[i + 1] - data.offsets[i]))
    general = np.zeros((len(data), 3), dtype=np.float32)
    brand = np.zeros((len(data), 3), dtype=np.float32)
    for start in range(0, len(order), 128):
        idx = order[start:start + 128]
        states, mask, _, _ = pad([data], [(0, i) for i in idx])
        _, g, b = student(states, mask)
        general[idx], brand[idx] = g.numpy(), b.numpy()
    return general, brand


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(1, keepdims=True))
    result: np.ndarray = e / e.sum(1, keepdims=True)
    return result


def figures(general: tuple[np.ndarray, np.ndarray], brand: tuple[np.ndarray, np.ndarray], val: Distilled,
            dev: Distilled, blend: float) -> dict[str, float]:
    """Selection figures (val half A, dev) and the untuned val half B, general head and default blend."""
    half_a = np.arange(len(val)) % 2 == 0
    g_val, g_dev = general
    b_val, b_dev = brand
    mix_val = (1 - blend) * softmax(g_val) + blend * softmax(b_val)
    mix_dev = (1 - blend) * softmax(g_dev) + blend * softmax(b_dev)
    return {"val_a_general": round(macro_recall(g_val[half_a], val.labels[half_a]), 4),
            "val_a_blend": round(macro_recall(mix_val[half_a], val.labels[half_a]), 4),
            "dev_accuracy_blend": round(accuracy(mix_dev, dev.labels), 4),
            "dev_accuracy_general": round(accuracy(g_dev, dev.labels), 4),
            "val_b_general_untuned": round(macro_recall(g_val[~half_a], val.labels[~half_a]), 4),
            "val_b_blend_untuned": round(macro_recall(mix_val[~half_a], val.labels[~half_a]), 4),
            "val_general": round(macro_recall(g_val, val.labels), 4)}


def teacher_brand(data: Distilled, head: nn.Linear) -> np.ndarray:
    with torch.no_grad():
        result: np.ndarray = head(torch.from_numpy(data.pooled)).numpy()
    return result


def save_checkpoint(init: dict[str, torch.Tensor], student: Student, shared: int, target: Path) -> None:
    """A full MeanPoolClassifier state: the story encoder's embeddings + layers 0..k-1 (the untouched base
    weights, so int8 quantization gives them exactly the story encoder's int8 weights), the trained layers
    k..5 and the shipped general head."""
    from transformers import AutoModel

    from models.train.train_sentiment import base_model_dir

    state = dict(init)
    for name, value in AutoModel.from_pretrained(str(base_model_dir())).state_dict().items():
        layer = name.split(".")[2] if name.startswith("encoder.layer.") else None
        if (layer is None or int(layer) < shared) and f"encoder.{name}" in state:
            state[f"encoder.{name}"] = value.clone()
    for name, value in student.layers.state_dict().items():
        index, rest = name.split(".", 1)
        state[f"encoder.encoder.layer.{shared + int(index)}.{rest}"] = value.clone()
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, target)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--shared", type=int, default=5, help="k: layers 0..k-1 are the story encoder's")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--pooled-weight", type=float, default=1.0)
    p.add_argument("--label-weight", type=float, default=0.0,
                   help="also cross-entropy on the labelled training rows (TweetEval train, written posts)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--tweets", type=int, default=0, help="use only this many cached TweetEval train texts (0: all)")
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--checkpoint", type=Path)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    init = torch.load(args.cache / "init.pt", map_location="cpu")
    top = initial_top(init, args.shared)
    student = Student(top.layers, top.head, brand_linear(meta))
    data = [Distilled(args.cache, name, args.shared) for name in TRAIN_SETS]
    if 0 < args.tweets < len(data[0]):
        keep = sorted(random.Random(args.seed).sample(range(len(data[0])), args.tweets))
        data[0] = data[0].subset(keep)
    val, dev = (Distilled(args.cache, name, args.shared) for name in ("tweeteval_val", "complaints_dev"))
    blend = float(meta.get("blend", 0.0))
    shipped = figures((val.logits, dev.logits), (teacher_brand(val, student.brand), teacher_brand(dev, student.brand)),
                      val, dev, blend)
    before = [predict(student, s) for s in (val, dev)]
    untrained = figures((before[0][0], before[1][0]), (before[0][1], before[1][1]), val, dev, blend)
    print(json.dumps({"shipped": shipped, "untrained": untrained}), flush=True)
    started = time.process_time()
    train(student, data, args)
    after = [predict(student, s) for s in (val, dev)]
    trained = figures((after[0][0], after[1][0]), (after[0][1], after[1][1]), val, dev, blend)
    agree = float(np.mean(after[1][0].argmax(1) == dev.logits.argmax(1)))
    report = {"shared_layers": args.shared, "lr": args.lr, "epochs": args.epochs, "pooled_weight": args.pooled_weight,
              "label_weight": args.label_weight,
              "train_texts": sum(len(d) for d in data), "cpu_s": round(time.process_time() - started),
              "shipped": shipped, "untrained": untrained, "trained": trained,
              "dev_general_agreement_with_shipped": round(agree, 4)}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if args.checkpoint is not None:
        save_checkpoint(init, student, args.shared, args.checkpoint)


if __name__ == "__main__":
    main()
