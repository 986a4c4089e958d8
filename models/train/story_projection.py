"""Story vectors from the sentiment model's own pooled vector: centred, top principal directions removed (#17).

Why: the plain story encoder is a second MiniLM pass per post (~40 % of a mention's CPU).  The sentiment
model's pooled vector costs nothing (the blend head reads it already) but fine-tuning packed complaints into a
few shared directions (mean cosine between different grievances 0.60).  Subtracting the mean pooled vector of
real customer tweets and projecting out their top ``--drop`` principal directions takes most of that shared
part away.  Fitted on the twcs **tune** author half only (``benchmarks/spread_text.load_background("tune")``).

Writes an encoder folder that ``model.embedding = FOLDER`` (and the benchmarks' ``GROUNDSWELL_BENCH_EMBEDDING``)
read like the plain encoder: the sentiment int8 graph with one more output, ``story_vector`` =
``(pooled - mean) @ (I - U^T U)`` (fp32 384 x 384), normalised by the reader.

    python -m models.train.story_projection --out /tmp/sentiment-story [--drop 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

OUTPUT = "story_vector"


def fit(pooled: np.ndarray, drop: int, also: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(mean [384], projection [384, 384]) removing the mean and the top ``drop`` principal directions (and the
    span of ``also``'s columns, e.g. the sentiment heads' weights)."""
    unit = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    mean = unit.mean(axis=0)
    top = np.linalg.svd(unit - mean, full_matrices=False)[2][:drop]
    if also is not None:
        top = np.linalg.qr(np.concatenate([top.T, also], axis=1))[0].T
    return mean.astype(np.float32), (np.eye(unit.shape[1]) - top.T @ top).astype(np.float32)


def add_projection(graph: bytes, pooled: str, mean: np.ndarray, projection: np.ndarray) -> bytes:
    """The graph with ``story_vector`` = ((pooled / |pooled|) - mean) @ projection."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load_from_string(graph)
    g = model.graph
    g.initializer.extend([numpy_helper.from_array(mean, "story.mean"),
                          numpy_helper.from_array(projection, "story.projection")])
    g.node.extend([
        helper.make_node("ReduceL2", [pooled], ["story.norm"], keepdims=1, axes=[1], name="story/ReduceL2"),
        helper.make_node("Div", [pooled, "story.norm"], ["story.unit"], name="story/Div"),
        helper.make_node("Sub", ["story.unit", "story.mean"], ["story.centred"], name="story/Sub"),
        helper.make_node("MatMul", ["story.centred", "story.projection"], [OUTPUT], name="story/MatMul"),
    ])
    g.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", 384]))
    data: bytes = model.SerializeToString()
    return data


def tune_texts() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.spread_text import load_background

    return sorted({t for _, t in load_background("tune")})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--drop", type=int, default=10, help="top principal directions projected out")
    p.add_argument("--version", default="1")
    p.add_argument("--source", choices=["sentiment", "embed"], default="sentiment")
    p.add_argument("--layer", type=int, default=6, help="mean-pool this layer (embed < 6: the graph is cut there)")
    p.add_argument("--heads", action="store_true", help="also project out the sentiment heads' weight vectors")
    args = p.parse_args(argv)
    import onnxruntime as ort

    from models.embedding import ARTIFACT_DIR as EMBED_DIR
    from models.train.layer_graph import keep_only, pooled_name, with_layer_pooled
    from models.transformer import ARTIFACT_DIR, OnnxSentiment, run_sorted_batches

    source = ARTIFACT_DIR if args.source == "sentiment" else EMBED_DIR
    graph = with_layer_pooled(source / "model.int8.onnx", [args.layer])
    reader = OnnxSentiment(ARTIFACT_DIR, threads=1)
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    texts = tune_texts()
    pooled = run_sorted_batches(session, reader._tokenizer, texts, 64, pooled_name(args.layer), 384)
    also = None
    if args.heads:
        from models.train.head_graph import head_of

        also = np.concatenate([head_of(ARTIFACT_DIR / "model.int8.onnx")[0],
                               np.load(ARTIFACT_DIR / "brand-head.npy")[:-1]], axis=1)
    mean, projection = fit(pooled, args.drop, also)
    args.out.mkdir(parents=True, exist_ok=True)
    graph = add_projection(graph, pooled_name(args.layer), mean, projection)
    if args.source == "embed":
        import onnx

        graph = keep_only(onnx.load_from_string(graph), [OUTPUT]).SerializeToString()
    (args.out / "model.int8.onnx").write_bytes(graph)
    shutil.copy(ARTIFACT_DIR / "tokenizer.json", args.out / "tokenizer.json")
    sentiment = json.loads((ARTIFACT_DIR / "meta.json").read_text())
    name = f"groundswell-story-{args.source}-l{args.layer}-d{args.drop}{'-heads' if args.heads else ''}"
    meta = {"name": name, "version": args.version, "output": OUTPUT, "dim": 384,
            "max_length": int(sentiment.get("max_length", 64)), "onnx": "model.int8.onnx",
            "base": f"{source.name} layer {args.layer} mean-pooled, centred, top {args.drop} principal directions"
                    f"{' and the heads' if args.heads else ''} removed ({len(texts)} twcs tune-half tweets)",
            "made_by": "models/train/story_projection.py"}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps({"out": str(args.out), "fit_texts": len(texts), "drop": args.drop}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
