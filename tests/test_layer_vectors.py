"""models/train/layer_graph.py and story_projection.py on the real artifacts: the story-vector candidates of issue
#17 (a layer's mean-pooled states as an extra graph output, a cut encoder, a centred projection) compute what
they claim, checked against the same numbers computed another way (numpy over the graph's raw token states)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")  # the `train` extra (a test dependency); the runtime never needs it

import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

from models.embedding import ARTIFACT_DIR as EMBED_DIR  # noqa: E402
from models.embedding import OnnxEmbedder  # noqa: E402
from models.train.head_graph import POOLED  # noqa: E402
from models.train.layer_graph import add_layer_pooling, layer_output, pooled_name, truncated  # noqa: E402
from models.train.story_projection import OUTPUT, add_projection, fit  # noqa: E402
from models.transformer import ARTIFACT_DIR  # noqa: E402

TEXTS = ["my internet has been down since 8am", "Thanks so much, fixed in minutes!", "DM sent",
         "been on hold for two hours and nobody answers, cancelling my contract"]


def _tokens() -> tuple[np.ndarray, np.ndarray]:
    """Padded ids and mask of TEXTS in one batch (so the raw states below line up with them)."""
    tokenizer = OnnxEmbedder(EMBED_DIR, threads=1)._tokenizer
    rows = [e.ids for e in tokenizer.encode_batch(TEXTS)]
    ids = np.zeros((len(rows), max(map(len, rows))), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    return ids, mask


def _run(model: onnx.ModelProto, names: list[str]) -> list[np.ndarray]:
    ids, mask = _tokens()
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return list(session.run(names, {"input_ids": ids, "attention_mask": mask}))


def test_pooled_layer_output_is_the_masked_mean_of_that_layers_token_states() -> None:
    model = add_layer_pooling(onnx.load(str(ARTIFACT_DIR / "model.int8.onnx")), [3, 6])
    for k in (3, 6):  # the raw token states too, to pool them in numpy
        model.graph.output.append(helper.make_tensor_value_info(layer_output(k), TensorProto.FLOAT, None))
    three, six, states3, states6, pooled = _run(model, [pooled_name(3), pooled_name(6), layer_output(3),
                                                        layer_output(6), POOLED])
    mask = _tokens()[1][:, :, None].astype(np.float32)
    np.testing.assert_allclose(three, (states3 * mask).sum(1) / mask.sum(1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(six, (states6 * mask).sum(1) / mask.sum(1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(six, pooled, rtol=1e-6, atol=1e-6)  # layer 6 = the head's own input
    assert np.abs(three - six).max() > 0.1  # a different layer is a different vector


def test_a_cut_encoder_keeps_k_of_six_layers_and_gives_the_same_vector() -> None:
    full = add_layer_pooling(onnx.load(str(EMBED_DIR / "model.int8.onnx")), [4])
    cut = onnx.load_from_string(truncated(EMBED_DIR / "model.int8.onnx", 4))
    matmuls = [sum(n.op_type == "MatMulInteger" for n in m.graph.node) for m in (full, cut)]
    assert matmuls[1] * 6 == matmuls[0] * 4  # layers 5 and 6 are gone
    assert [o.name for o in cut.graph.output] == [pooled_name(4)]
    np.testing.assert_allclose(_run(cut, [pooled_name(4)])[0], _run(full, [pooled_name(4)])[0], atol=1e-6)


def test_story_projection_centres_and_removes_the_top_directions() -> None:
    rng = np.random.default_rng(17)
    pooled = rng.normal(size=(500, 384)) + 3.0 * rng.normal(size=(1, 384))  # a shared offset, as in fine-tuning
    mean, projection = fit(pooled, 10)
    unit = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    top = np.linalg.svd(unit - unit.mean(0), full_matrices=False)[2][:10]
    np.testing.assert_allclose(mean, unit.mean(0), atol=1e-6)
    np.testing.assert_allclose(top @ projection, 0.0, atol=1e-5)  # the removed directions map to zero
    np.testing.assert_allclose(projection @ projection, projection, atol=1e-5)  # a projection
    graph = add_projection((ARTIFACT_DIR / "model.int8.onnx").read_bytes(), POOLED, mean, projection)
    story, pooled_out, logits = _run(onnx.load_from_string(graph), [OUTPUT, POOLED, "logits"])
    expected = (pooled_out / np.linalg.norm(pooled_out, axis=1, keepdims=True) - mean) @ projection
    np.testing.assert_allclose(story, expected, atol=1e-5)
    shipped = _run(onnx.load(str(ARTIFACT_DIR / "model.int8.onnx")), ["logits"])[0]
    np.testing.assert_array_equal(logits, shipped)  # the sentiment output is untouched
