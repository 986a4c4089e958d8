"""Rebuild a shipped int8 MiniLM graph with fused attention (a measured dead end on AVX2: not shipped).

Idea (issue #17): after dynamic int8 quantization onnxruntime no longer fuses the attention blocks, so each
layer runs ~20 small ops (reshapes, transposes, a masked softmax built from Where/IsNaN) around its int8
MatMuls.  The fp32 checkpoints are not kept, but they are not needed: every int8 weight is
``(q - zero_point) * scale`` exactly, so the fp32 graph is recovered from the artifact itself
(``dequantized``), run through ``onnxruntime.transformers.optimizer`` (model type bert; MiniLM-L6: 12 heads,
hidden 384), its attention folded by ``attention_fusion`` (onnxruntime's fuser misses the pattern recent
transformers export) and quantized again as the artifact was made (dynamic, QInt8 weights, per tensor; the
sentiment graph's fp32 head stays fp32).  ``--op MultiHeadAttention`` keeps the q/k/v int8 weights bit for bit;
``--op Attention`` becomes QAttention (one QKV GEMM, one shared weight scale).

Measured (``benchmarks/encoder_graph_ab.py`` on 1,000-1,500 real posts, one thread, alternated, 2-core AMD EPYC
with AVX2 and no VNNI, load 10-13): onnxruntime's own session fusions already give the old graphs
DynamicQuantizeMatMul, SkipLayerNormalization and Gelu, and int8 GEMMs are ~70 % of their time, attention
~10 %.  The fused graphs were slower, not faster: MultiHeadAttention 5.38 vs 5.09 CPU-ms a post (sentiment),
5.31 vs 4.79 (encoder), outputs as close to the fp32 graph as before (cosine to fp32 0.99074 vs 0.99073);
QAttention 5.27 vs 4.79 and 4.93 vs 4.71, and further from the old outputs (encoder cosine mean 0.988).  So the
artifacts stay as they are; this is kept to re-measure on a CPU with VNNI/AVX-512, where the GEMMs are cheaper
and the rest weighs more.

    python -m models.train.fuse_onnx --artifact models/artifacts/embed-minilm --out /tmp/fused.int8.onnx
    python benchmarks/encoder_graph_ab.py models/artifacts/embed-minilm/model.int8.onnx /tmp/fused.int8.onnx \
        --texts ../shared/data/twcs-sample/twcs_head5000.csv

Without ``--out`` the artifact's graph is replaced in place and ``meta.json`` records how (``fused_by``,
version + 1): do that only where the A/B above shows a gain and the quality benchmarks hold.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from models.train.attention_fusion import fuse_attention

NUM_HEADS = 12  # all-MiniLM-L6-v2: 12 heads of 32 over a hidden size of 384 (its config.json)
HIDDEN = 384
KEEP_FP32 = ("head.weight_T",)  # MatMul weights that were fp32 in the artifact and stay so


def dequantized(model: Any) -> Any:
    """The fp32 graph of a dynamic-int8 one: each DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul chain
    becomes one MatMul over the dequantized weight, each Gather -> DequantizeLinear a Gather over fp32 rows."""
    from onnx import numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    drop: set[int] = set()
    new_inits: dict[str, np.ndarray] = {}
    for node in list(graph.node):
        if node.op_type == "MatMulInteger":
            _replace_matmul(graph, node, inits, producer, consumers, drop, new_inits)
        elif node.op_type == "DequantizeLinear" and node.input[0] in producer:
            _replace_gather(node, inits, producer, drop, new_inits)
    kept = [n for n in graph.node if id(n) not in drop]
    del graph.node[:]
    graph.node.extend(kept)
    for name, array in new_inits.items():
        graph.initializer.append(numpy_helper.from_array(array, name))
    _prune(model)
    return model


def _weight(inits: dict[str, Any], q: str, scale: str, zero: str) -> np.ndarray:
    from onnx import numpy_helper

    values = numpy_helper.to_array(inits[q]).astype(np.float32)
    offset = numpy_helper.to_array(inits[zero]).astype(np.float32)
    result: np.ndarray = ((values - offset) * numpy_helper.to_array(inits[scale]).astype(np.float32)).astype(np.float32)
    return result


def _replace_matmul(graph: Any, node: Any, inits: dict[str, Any], producer: dict[str, Any],
                    consumers: dict[str, list[Any]], drop: set[int], new_inits: dict[str, np.ndarray]) -> None:
    from onnx import helper

    quantize = producer[node.input[0]]
    assert quantize.op_type == "DynamicQuantizeLinear", quantize.op_type
    (cast,) = consumers[node.output[0]]
    (mul,) = consumers[cast.output[0]]
    assert (cast.op_type, mul.op_type) == ("Cast", "Mul"), (cast.op_type, mul.op_type)
    name = node.input[1].removesuffix("_quantized")
    new_inits[name] = _weight(inits, node.input[1], f"{name}_scale", node.input[3])
    drop.update({id(node), id(cast), id(mul)})
    graph.node.append(helper.make_node("MatMul", [quantize.input[0], name], [mul.output[0]],
                                       name=node.name.removesuffix("_quant")))


def _replace_gather(node: Any, inits: dict[str, Any], producer: dict[str, Any], drop: set[int],
                    new_inits: dict[str, np.ndarray]) -> None:
    gather = producer[node.input[0]]
    assert gather.op_type == "Gather", gather.op_type
    name = gather.input[0].removesuffix("_quantized")
    new_inits[name] = _weight(inits, gather.input[0], node.input[1], node.input[2])
    gather.input[0] = name
    gather.output[0] = node.output[0]
    drop.add(id(node))


def _prune(model: Any) -> None:
    """Drop nodes nothing reads (the orphaned quantize/scale nodes) and unused initializers; sort the graph."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    kept: list[Any] = []
    for node in reversed(_sorted(graph.node, {i.name for i in graph.input} | {i.name for i in graph.initializer})):
        if any(out in needed for out in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    unused = [i for i in graph.initializer if i.name not in needed]
    for init in unused:
        graph.initializer.remove(init)


def _sorted(nodes: Iterable[Any], known: set[str]) -> list[Any]:
    """Nodes in topological order (the replacements were appended at the end)."""
    pending, done, ready = list(nodes), [], set(known) | {""}
    while pending:
        left = []
        for node in pending:
            if all(i in ready for i in node.input):
                done.append(node)
                ready.update(node.output)
            else:
                left.append(node)
        if len(left) == len(pending):
            raise ValueError(f"graph has a cycle or a missing input near {left[0].name}")
        pending = left
    return done


def fuse(fp32: Path, fused: Path, op: str = "MultiHeadAttention") -> dict[str, int]:
    """Run onnxruntime's BERT fusions over the fp32 graph; returns the fused op counts."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(fp32), model_type="bert", num_heads=NUM_HEADS, hidden_size=HIDDEN,
                               opt_level=0, use_gpu=False)
    counts = {op: n for op, n in optimized.get_fused_operator_statistics().items() if n}
    counts[op] = fuse_attention(optimized.model, NUM_HEADS, HIDDEN, op)
    _prune(optimized.model)
    optimized.save_model_to_file(str(fused))
    return counts


def requantize(fused: Path, int8: Path) -> None:
    """Dynamic int8 as the artifact was made (``export_onnx.quantize``: QInt8 weights, per tensor), the fp32
    head excepted."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(fused))
    keep = [n.name for n in model.graph.node if n.op_type == "MatMul" and set(n.input) & set(KEEP_FP32)]
    quantize_dynamic(str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=False,
                     nodes_to_exclude=keep)


def op_counts(path: Path) -> dict[str, int]:
    import onnx

    counts: dict[str, int] = {}
    for node in onnx.load(str(path)).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


def main() -> None:
    import onnx

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--artifact", type=Path, required=True, help="folder with meta.json and the int8 graph")
    p.add_argument("--work", type=Path, default=Path("/tmp/gs-fuse"), help="fp32 intermediates (outside the repo)")
    p.add_argument("--out", type=Path, help="write the fused int8 graph here instead of in place")
    p.add_argument("--op", choices=["MultiHeadAttention", "Attention"], default="MultiHeadAttention")
    args = p.parse_args()
    meta_path = args.artifact / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    source = args.artifact / meta["onnx"]
    args.work.mkdir(parents=True, exist_ok=True)
    fp32, fused = args.work / f"{args.artifact.name}.fp32.onnx", args.work / f"{args.artifact.name}.fused.onnx"
    onnx.save(dequantized(onnx.load(str(source))), str(fp32))
    stats = fuse(fp32, fused, args.op)
    target = args.out or source
    requantize(fused, target)
    print(json.dumps({"fused": stats, "ops": op_counts(target), "mb": round(target.stat().st_size / 1e6, 1)}))
    if args.out is None:
        meta["version"] = str(int(meta.get("version", "0")) + 1)
        meta["fused_by"] = ("models/train/fuse_onnx.py: int8 dequantized to fp32, onnxruntime BERT fusions "
                            f"(12 heads, hidden 384), dynamic QInt8 per tensor again; fused ops {stats}")
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
