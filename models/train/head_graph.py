"""Graph surgery on the bundled int8 ONNX model: expose the pooled sentence vector, swap the head.

The encoder stays exactly as shipped; only the last linear layer (384 -> 3) changes.  The new head
is stored in fp32 (1,152 weights: no measurable size or speed cost, and no int8 error on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

POOLED = "/Div_output_0"  # mean-pooled sentence vector: the head's input in the exported graph
HEAD_BIAS = "head.bias"


def _load(path: Path) -> Any:
    import onnx

    return onnx.load(str(path))


def with_pooled_output(int8: Path) -> bytes:
    """The graph with the pooled vector as a second output (for feature extraction)."""
    from onnx import TensorProto, helper

    model = _load(int8)
    model.graph.output.append(helper.make_tensor_value_info(POOLED, TensorProto.FLOAT, ["batch", 384]))
    data: bytes = model.SerializeToString()
    return data


def head_of(int8: Path) -> tuple[np.ndarray, np.ndarray]:
    """(weight [384, 3], bias [3]) of the shipped head, dequantized when it is int8."""
    from onnx import numpy_helper

    inits = {i.name: numpy_helper.to_array(i) for i in _load(int8).graph.initializer}
    if "head.weight_T" in inits:
        return inits["head.weight_T"].astype(np.float32), inits[HEAD_BIAS].astype(np.float32)
    q = inits["head.weight_Transposed_quantized"].astype(np.float32)
    zero = inits["head.weight_Transposed_zero_point"].astype(np.float32)
    weight = (q - zero) * inits["head.weight_Transposed_scale"].astype(np.float32)
    return weight, inits[HEAD_BIAS].astype(np.float32)


def replace_head(int8: Path, weight: np.ndarray, bias: np.ndarray, target: Path) -> None:
    """Write the graph with an fp32 head ``pooled @ weight + bias`` in place of the old one."""
    from onnx import helper, numpy_helper

    model = _load(int8)
    graph = model.graph
    add = next(n for n in graph.node if n.op_type == "Add" and HEAD_BIAS in n.input)
    head_input = next(i for i in add.input if i != HEAD_BIAS)
    # Drop every node between the pooled vector and the bias Add (quantize, MatMulInteger, casts).
    producers = {out: n for n in graph.node for out in n.output}
    drop: list[Any] = []
    stack = [head_input]
    while stack:
        name = stack.pop()
        if name == POOLED or name not in producers:
            continue
        node = producers[name]
        if node not in drop:
            drop.append(node)
            stack += list(node.input)
    keep = [n for n in graph.node if n not in drop]
    used = {i for n in keep for i in n.input}
    stale = [i for i in graph.initializer if i.name.startswith("head.weight") or
             (i.name not in used and i.name != HEAD_BIAS)]
    for init in stale:
        graph.initializer.remove(init)
    for init in list(graph.initializer):
        if init.name == HEAD_BIAS:
            graph.initializer.remove(init)
    graph.initializer.extend([numpy_helper.from_array(weight.astype(np.float32), "head.weight_T"),
                              numpy_helper.from_array(bias.astype(np.float32), HEAD_BIAS)])
    del graph.node[:]
    position = next(i for i, n in enumerate(keep) if n is add)
    keep.insert(position, helper.make_node("MatMul", [POOLED, "head.weight_T"], [head_input], name="/head/MatMul"))
    graph.node.extend(keep)
    import onnx

    onnx.checker.check_model(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(target))
