"""Graph surgery for story vectors from an encoder's intermediate layers (issue #17).

A MiniLM graph (sentiment or story encoder, as exported here) mean-pools its last layer with the attention mask
(``/Mul`` by ``/Cast_output_0``, ``/ReduceSum`` over tokens, ``/Div`` by ``/Clip_output_0``, the token count).
``with_layer_pooled`` adds the same pooling over the output of earlier layers as extra graph outputs
(``pooled_layer{k}``, k = 1..6 counts layers from the bottom): no retraining, and the encoder's own outputs do
not change.  ``truncated`` keeps only the nodes a chosen output needs, so a graph that ends at layer k costs
k / 6 of the full pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

MASK = "/Cast_output_0"  # attention mask as float, [batch, tokens, 1]
COUNT = "/Clip_output_0"  # tokens per text (at least 1e-9), [batch, 1]
SUM_AXES = "/ReduceSum"  # the exported pooling's ReduceSum node: its axes input is reused


def layer_output(k: int) -> str:
    """Name of the token states leaving layer k (1-based: k = 6 is the last MiniLM-L6 layer)."""
    return f"/encoder/encoder/layer.{k - 1}/output/LayerNorm/LayerNormalization_output_0"


def pooled_name(k: int) -> str:
    return f"pooled_layer{k}"


def add_layer_pooling(model: Any, layers: Sequence[int]) -> Any:
    """``model`` (an onnx ModelProto, changed in place) with ``pooled_layer{k}`` outputs, [batch, 384] float."""
    from onnx import TensorProto, helper

    graph = model.graph
    reduce = next(n for n in graph.node if n.name == SUM_AXES)
    for k in layers:
        name = pooled_name(k)
        graph.node.extend([
            helper.make_node("Mul", [layer_output(k), MASK], [f"{name}_masked"], name=f"{name}/Mul"),
            helper.make_node("ReduceSum", [f"{name}_masked", reduce.input[1]], [f"{name}_sum"], keepdims=0,
                             name=f"{name}/ReduceSum"),
            helper.make_node("Div", [f"{name}_sum", COUNT], [name], name=f"{name}/Div"),
        ])
        graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 384]))
    return model


def with_layer_pooled(path: Path, layers: Sequence[int]) -> bytes:
    """The serialized graph at ``path`` with pooled outputs for ``layers`` added."""
    import onnx

    data: bytes = add_layer_pooling(onnx.load(str(path)), layers).SerializeToString()
    return data


def keep_only(model: Any, outputs: Sequence[str]) -> Any:
    """``model`` (changed in place) with only ``outputs`` and the nodes and initializers they need."""
    producers = {out: n for n in model.graph.node for out in n.output}
    needed: set[str] = set()
    keep: set[int] = set()
    stack = list(outputs)
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        node = producers.get(name)
        if node is not None and id(node) not in keep:
            keep.add(id(node))
            stack.extend(i for i in node.input if i)
    graph = model.graph
    nodes = [n for n in graph.node if id(n) in keep]
    del graph.node[:]
    graph.node.extend(nodes)
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    kept = [o for o in graph.output if o.name in outputs]
    del graph.output[:]
    graph.output.extend(kept)
    values = [v for v in graph.value_info if v.name in needed]
    del graph.value_info[:]
    graph.value_info.extend(values)
    return model


def truncated(path: Path, k: int) -> bytes:
    """The graph at ``path`` cut after layer k, returning only ``pooled_layer{k}`` (mean-pooled, not normalized)."""
    import onnx

    model = keep_only(add_layer_pooling(onnx.load(str(path)), [k]), [pooled_name(k)])
    data: bytes = model.SerializeToString()
    return data
