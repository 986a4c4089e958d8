"""Rebuild a torch checkpoint from the bundled int8 ONNX graph, to continue fine-tuning it.

The fp32 checkpoint of the shipped model was not kept, so later training starts from the int8
artifact: int8 weights are dequantized ((q - zero_point) * scale, per tensor) and fp32 ones copied.
ONNX initializer names are matched to torch parameters through a fresh fp32 export of the same
network (same exporter, same names): each exported initializer equals a parameter or its transpose.
Dequantization costs a little (~the int8 cost); a short fine-tune recovers it.

    python -m models.train.recover_checkpoint --artifact models/artifacts/sentiment-minilm --out run/init.pt
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from models.train.export_onnx import export_fp32
from models.train.head_graph import head_of
from models.train.train_sentiment import MeanPoolClassifier, base_model_dir


def _initializers(path: Path) -> dict[str, np.ndarray]:
    import onnx
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}


def _dequantized(int8: dict[str, np.ndarray], name: str) -> np.ndarray | None:
    if name in int8:
        return int8[name].astype(np.float32)
    if f"{name}_quantized" in int8:
        q = int8[f"{name}_quantized"].astype(np.float32)
        return (q - int8[f"{name}_zero_point"].astype(np.float32)) * int8[f"{name}_scale"].astype(np.float32)
    return None


def value_2d(value: np.ndarray) -> bool:
    return value.ndim == 2


def onnx_to_param_names(model: MeanPoolClassifier, fp32: dict[str, np.ndarray]) -> dict[str, tuple[str, bool]]:
    """ONNX initializer name -> (torch parameter name, transposed?) by exact value match."""
    params = {n: p.detach().numpy() for n, p in model.state_dict().items() if p.dtype == torch.float32}
    mapping: dict[str, tuple[str, bool]] = {}
    for oname, value in fp32.items():
        if oname in params:
            mapping[oname] = (oname, False)
            continue
        for pname, pval in params.items():
            if pval.ndim == 2 and pval.T.shape == value.shape and np.array_equal(pval.T, value):
                mapping[oname] = (pname, True)
                break
    return mapping


def recover(artifact: Path) -> dict[str, torch.Tensor]:
    from transformers import AutoModel

    torch.manual_seed(0)
    model = MeanPoolClassifier(AutoModel.from_pretrained(str(base_model_dir())))
    with tempfile.TemporaryDirectory() as tmp:
        export_fp32(None, Path(tmp) / "base.onnx")
        fp32 = _initializers(Path(tmp) / "base.onnx")
    int8 = _initializers(artifact / "model.int8.onnx")
    state = model.state_dict()
    done: set[str] = set()
    for oname, (pname, transposed) in onnx_to_param_names(model, fp32).items():
        value = _dequantized(int8, oname)
        if value is None and pname == oname and value_2d(fp32[oname]):
            value, transposed = _dequantized(int8, f"{oname}_Transposed"), True  # a Gemm split by the quantizer
        if value is None and pname == "head.weight":
            value, transposed = head_of(artifact / "model.int8.onnx")[0], True  # v2+: an fp32 head, stored [384, 3]
        if value is None:
            raise SystemExit(f"{oname} ({pname}) not found in the int8 graph")
        state[pname] = torch.from_numpy(value.T.copy() if transposed else value)
        done.add(pname)
    # the BERT pooler is unused (mean pooling): it keeps the base weights
    missing = [n for n, p in state.items() if p.dtype == torch.float32 and n not in done and ".pooler." not in n]
    if missing:
        raise SystemExit(f"parameters not recovered: {missing[:5]} ({len(missing)})")
    return state


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--artifact", type=Path, default=Path("models/artifacts/sentiment-minilm"))
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    torch.set_num_threads(2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(recover(args.artifact), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
