"""Fold each self-attention block of an exported MiniLM graph into one com.microsoft MultiHeadAttention node.

onnxruntime's own BERT fuser (``onnxruntime.transformers.optimizer``) does not recognise the attention that
recent transformers export (a boolean mask expanded to [batch, 1, seq, seq], ``Where`` to -inf, and a
``IsNaN``/``Where`` after the softmax for fully masked rows), so each layer kept ~20 small ops: reshapes,
four transposes, two scale multiplies, two batched MatMuls, the mask add and the softmax.  This rewrites
the pattern from the softmax outwards:

    Softmax(MatMul(Mul(T(R(q + bq))), Mul(T(R(k + bk)))) + mask) -> [IsNaN/Where] -> MatMul(., T(R(v + bv)))
        -> Transpose -> Reshape   ==>   MultiHeadAttention(q, k, v, [bq bk bv], key_padding_mask)

``q``, ``k`` and ``v`` stay the outputs of their own projection MatMuls, so after quantization each keeps its
own int8 weight and scale, exactly as before (a fused QKV weight would share one per-tensor scale).  The
scale is the default 1/sqrt(head size), which the pattern's two multiplies (sqrt of it each) must equal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MASK_INT32 = "attention_mask_int32"


class Graph:
    """Producer/consumer lookups and constants of an ONNX graph, as they were before any edit."""

    def __init__(self, model: Any) -> None:
        from onnx import numpy_helper

        self.model, self.graph = model, model.graph
        self.producer = {out: node for node in self.graph.node for out in node.output}
        self.consumers: dict[str, list[Any]] = {}
        for node in self.graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        self.consts = {i.name: numpy_helper.to_array(i) for i in self.graph.initializer}
        for node in self.graph.node:
            if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
                self.consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)

    def parent(self, node: Any, index: int, op: str) -> Any:
        found = self.producer.get(node.input[index])
        if found is None or found.op_type != op:
            raise PatternError(f"{node.name}: input {index} is {found.op_type if found else 'a graph input'}, "
                               f"not {op}")
        return found

    def only_child(self, node: Any, op: str) -> Any:
        children = [c for c in self.consumers.get(node.output[0], []) if c.op_type == op]
        if not children:
            raise PatternError(f"{node.name}: no {op} reads it")
        return children[0]


class PatternError(ValueError):
    """The graph does not hold the attention pattern this module rewrites."""


def fuse_attention(model: Any, num_heads: int, hidden: int, op: str = "MultiHeadAttention") -> int:
    """Replace every attention block; returns how many (the dead nodes are left for the caller to prune).
    ``op="Attention"``: one node with the three projections' weights side by side instead (QAttention once
    quantized: one int8 GEMM for q, k and v, under one shared weight scale)."""
    from onnx import helper, numpy_helper

    g = Graph(model)
    softmaxes = [n for n in g.graph.node if n.op_type == "Softmax"]
    for number, softmax in enumerate(softmaxes):
        q, k, v, biases, reshape = _match(g, softmax, hidden // num_heads)
        out = reshape.output[0]
        g.graph.node.remove(reshape)  # the block's last node: its output now comes from the new node
        name = f"{op}_{number}"
        g.graph.initializer.append(numpy_helper.from_array(np.concatenate(biases).astype(np.float32), f"{name}_bias"))
        if op == "Attention":
            matmuls = [g.producer[x] for x in (q, k, v)]
            weight = np.concatenate([g.consts[m.input[1]] for m in matmuls], axis=1).astype(np.float32)
            g.graph.initializer.append(numpy_helper.from_array(weight, f"{name}_weight"))
            inputs = [matmuls[0].input[0], f"{name}_weight", f"{name}_bias", MASK_INT32]
        else:
            inputs = [q, k, v, f"{name}_bias", MASK_INT32]
        g.graph.node.append(helper.make_node(op, inputs, [out], name=name, domain="com.microsoft",
                                             num_heads=num_heads))
    if softmaxes:
        g.graph.node.append(helper.make_node("Cast", ["attention_mask"], [MASK_INT32], name="MaskToInt32",
                                             to=6))  # 6: INT32
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(softmaxes)


def _match(g: Graph, softmax: Any, head_size: int) -> tuple[str, str, str, list[np.ndarray], Any]:
    """(q, k, v MatMul outputs, [bq, bk, bv], the block's last node) of the block around ``softmax``."""
    scores = g.parent(g.parent(softmax, 0, "Add"), 0, "MatMul")
    scale = 1.0
    projections = []
    for index in (0, 1):
        mul = g.parent(scores, index, "Mul")
        scale *= float(g.consts[mul.input[1]])
        projections.append(g.parent(g.parent(mul, 0, "Transpose"), 0, "Reshape"))
    if not math.isclose(scale, 1.0 / math.sqrt(head_size), rel_tol=1e-4):
        raise PatternError(f"{softmax.name}: attention scale {scale} is not 1/sqrt({head_size})")
    probs = softmax
    nan_guard = [c for c in g.consumers.get(softmax.output[0], []) if c.op_type == "Where"]
    if nan_guard:
        probs = nan_guard[0]
    context = g.only_child(probs, "MatMul")
    projections.append(g.parent(g.parent(context, 1, "Transpose"), 0, "Reshape"))
    out = g.only_child(g.only_child(context, "Transpose"), "Reshape")
    inputs, biases = [], []
    for reshape in projections:
        add = g.parent(reshape, 0, "Add")
        bias_at = 0 if add.input[0] in g.consts else 1
        biases.append(np.asarray(g.consts[add.input[bias_at]], dtype=np.float32).ravel())
        inputs.append(add.input[1 - bias_at])
    return inputs[0], inputs[1], inputs[2], biases, out
