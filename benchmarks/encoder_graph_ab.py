"""Two or more ONNX encoder graphs over the same real posts, alternated in one process; JSON out.

Why: a rebuilt graph (e.g. ``models/train/fuse_onnx.py``'s fused one) must be compared with the shipped one
under the same load on a shared machine.  Each graph gets its own one-thread session with the settings the
pipeline uses (``models.ort_memory``, ORT_ENABLE_ALL) and scores the posts with the pipeline's batching
(``models.transformer.run_batches``: length-sorted, 512 padded tokens a call); the least CPU of the repeats
counts.  Outputs are compared with the first graph's of the same width: label agreement and largest logit
difference for a 3-wide output, cosine (min / mean) for a vector.

    nice python benchmarks/encoder_graph_ab.py models/artifacts/sentiment-minilm/model.int8.onnx \
        /tmp/gs-fuse/out.int8.onnx --texts ../shared/data/twcs-sample/twcs_head5000.csv [--rows 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline_throughput import real_texts  # noqa: E402
from models.ort_memory import session_options, shrink_options  # noqa: E402
from models.transformer import ARTIFACT_DIR, run_batches  # noqa: E402


def session(path: Path, profile: bool = False) -> Any:
    import onnxruntime as ort

    options = session_options(ort, 1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_profiling = profile
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def compare(ref: np.ndarray, out: np.ndarray) -> dict[str, float]:
    if ref.shape[1] == 3:
        return {"label_agreement": round(float((ref.argmax(1) == out.argmax(1)).mean()), 4),
                "max_abs_logit_diff": round(float(np.abs(ref - out).max()), 4)}
    cos = (ref * out).sum(1) / np.maximum(np.linalg.norm(ref, axis=1) * np.linalg.norm(out, axis=1), 1e-12)
    return {"cos_min": round(float(cos.min()), 4), "cos_mean": round(float(cos.mean()), 5)}


def main() -> None:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="+", type=Path)
    parser.add_argument("--texts", type=Path, required=True, help="CSV of real posts (text column)")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts = real_texts(args.texts)[:args.rows]
    tokenizer = Tokenizer.from_file(str(ARTIFACT_DIR / "tokenizer.json"))  # both artifacts ship the same one
    tokenizer.enable_truncation(64)
    tokenizer.no_padding()
    sessions = {str(g): session(g) for g in args.graphs}
    best = dict.fromkeys(sessions, float("inf"))
    outputs: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, s in sessions.items():
            out = s.get_outputs()[0]
            width = out.shape[-1] if isinstance(out.shape[-1], int) else 384
            began = time.process_time()
            outputs[name] = run_batches(s, tokenizer, texts, 64, [(out.name, width)], shrink_options(ort))[0]
            best[name] = min(best[name], 1000 * (time.process_time() - began) / len(texts))
    firsts: dict[int, str] = {}  # output width -> the first graph with that output: what the others compare with
    for name, out in outputs.items():
        firsts.setdefault(out.shape[1], name)
    print(json.dumps({"texts": len(texts), "cpu_ms_per_text_one_thread": {k: round(v, 3) for k, v in best.items()},
                      "vs_first": {k: {"first": firsts[v.shape[1]], **compare(outputs[firsts[v.shape[1]]], v)}
                                   for k, v in outputs.items() if firsts[v.shape[1]] != k}}, indent=2))


if __name__ == "__main__":
    main()
