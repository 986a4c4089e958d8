"""Export a ``shared_distill.py`` checkpoint: a standalone sentiment artifact and the split shared-encoder graphs.

``--artifact``: the usual sentiment folder (one int8 graph, 6 layers: the story encoder's 0..k-1 + the trained
k..5, the shipped fp32 general head, ``brand-head.npy`` and the shipped ``blend``), so the quality benchmarks
(``sentiment_quality.py --model FOLDER``, ``complaint_eval.py --model FOLDER``) measure exactly what would ship.

``--split``: the three int8 graphs of one shared pass, for ``benchmarks/shared_encoder_ab.py``:
``lower.int8.onnx`` (embeddings + layers 0..k-1 of the story encoder: input_ids, attention_mask -> hidden),
``sentiment_top.int8.onnx`` (hidden, attention_mask -> logits, pooled) and ``embed_top.int8.onnx``
(the story encoder's own layers k..5 + mean pooling + L2 norm -> embedding).

    python -m models.train.shared_export --checkpoint /tmp/sd4/model.pt --shared 4 \
        --artifact /tmp/sd4/artifact --split /tmp/sd4/split
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.train.export_onnx import export_fp32, quantize
from models.train.train_sentiment import MeanPoolClassifier, base_model_dir
from models.transformer import ARTIFACT_DIR

AXES = {0: "batch", 1: "seq"}


def bert_layers(bert: nn.Module) -> list[nn.Module]:
    layers = bert.get_submodule("encoder").get_submodule("layer")
    assert isinstance(layers, nn.ModuleList)
    return list(layers)


def additive(mask: torch.Tensor) -> torch.Tensor:
    return (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class Lower(nn.Module):
    """Embeddings + the first k layers: the part both encoders share."""

    def __init__(self, bert: nn.Module, shared: int) -> None:
        super().__init__()
        self.embeddings = bert.get_submodule("embeddings")
        self.layers = nn.ModuleList(bert_layers(bert)[:shared])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden: torch.Tensor = self.embeddings(input_ids=input_ids)
        for layer in self.layers:
            out = layer(hidden, attention_mask=additive(attention_mask))
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden


class Top(nn.Module):
    """Layers k..5 + mean pooling, then the sentiment head (logits, pooled) or the L2 norm (embedding)."""

    def __init__(self, bert: nn.Module, shared: int, head: nn.Linear | None) -> None:
        super().__init__()
        self.layers = nn.ModuleList(bert_layers(bert)[shared:])
        self.head = head

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        for layer in self.layers:
            out = layer(hidden, attention_mask=additive(attention_mask))
            hidden = out[0] if isinstance(out, tuple) else out
        pooled = mean_pool(hidden, attention_mask)
        if self.head is None:
            return (nn.functional.normalize(pooled, p=2.0, dim=1),)
        return self.head(pooled), pooled


def export(module: nn.Module, inputs: tuple[torch.Tensor, ...], names: tuple[list[str], list[str]],
           target: Path) -> None:
    """fp32 export to a temporary file, then int8 dynamic quantization (as every bundled graph)."""
    module.eval()
    inputs_names, output_names = names
    axes = {n: AXES for n in inputs_names} | {n: AXES if n == "hidden" else {0: "batch"} for n in output_names}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(module, inputs, str(fp32), input_names=inputs_names, output_names=output_names,
                          opset_version=17, dynamo=False, dynamic_axes=axes)
        quantize(fp32, target)


def write_split(checkpoint: Path, shared: int, folder: Path) -> None:
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(base_model_dir()))
    tuned = MeanPoolClassifier(AutoModel.from_pretrained(str(base_model_dir())))
    tuned.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102]])
    mask = torch.ones_like(ids)
    hidden = torch.zeros((1, 6, 384))
    folder.mkdir(parents=True, exist_ok=True)
    export(Lower(base, shared), (ids, mask), (["input_ids", "attention_mask"], ["hidden"]), folder / "lower.int8.onnx")
    export(Top(base, shared, None), (hidden, mask), (["hidden", "attention_mask"], ["embedding"]),
           folder / "embed_top.int8.onnx")
    head = tuned.head
    export(Top(tuned.get_submodule("encoder"), shared, head), (hidden, mask),
           (["hidden", "attention_mask"], ["logits", "pooled"]), folder / "sentiment_top.int8.onnx")
    shutil.copy(base_model_dir() / "tokenizer.json", folder / "tokenizer.json")
    (folder / "meta.json").write_text(json.dumps({"shared_layers": shared, "made_by": "models/train/shared_export.py"}))


def write_artifact(checkpoint: Path, shared: int, folder: Path) -> None:
    """A sentiment folder like the shipped one: int8 graph with an fp32 head, the shipped brand head and blend."""
    from models.train.head_graph import replace_head, with_pooled_output

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        export_fp32(checkpoint, Path(tmp) / "model.fp32.onnx")
        quantize(Path(tmp) / "model.fp32.onnx", folder / "model.int8.onnx")
    state = torch.load(checkpoint, map_location="cpu")
    int8 = folder / "model.int8.onnx"
    replace_head(int8, state["head.weight"].numpy().T, state["head.bias"].numpy(), int8)
    int8.write_bytes(with_pooled_output(int8))  # the brand head's input, as in the shipped graph
    meta = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    shutil.copy(ARTIFACT_DIR / "tokenizer.json", folder / "tokenizer.json")
    shutil.copy(ARTIFACT_DIR / str(meta["brand_head"]), folder / str(meta["brand_head"]))
    meta.update(name=meta["name"] + f"-shared{shared}", version=str(meta["version"]) + f"-shared{shared}",
                trained_by="models/train/shared_distill.py", shared_layers=shared)
    meta.pop("metrics", None)
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    size = np.round(int8.stat().st_size / 1e6, 1)
    print(f"wrote {folder}: {size} MB int8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--shared", type=int, required=True)
    p.add_argument("--artifact", type=Path)
    p.add_argument("--split", type=Path)
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(1)
    if args.artifact:
        write_artifact(args.checkpoint, args.shared, args.artifact)
    if args.split:
        write_split(args.checkpoint, args.shared, args.split)


if __name__ == "__main__":
    main()
