"""Today's two encoder passes vs one shared pass (issue #17), over the same real posts, alternated; JSON out.

Today each post runs the sentiment graph and the story encoder's graph (6 int8 layers each).  The shared
split (``models/train/shared_export.py --split``) runs the story encoder's layers 0..k-1 once, then the
sentiment model's top layers and the story encoder's own top layers over the same states.  Both sides use one
thread, the pipeline's session settings and batching (length-sorted, 512 padded tokens a call) and score every
post with both models; the least CPU of the repeats counts.  The story vectors of the shared pass are compared
with the shipped encoder's (cosine), its sentiment labels with the shipped model's (general head).

    nice python benchmarks/shared_encoder_ab.py /tmp/sd4/split --texts ../shared/data/twcs-sample/twcs_head5000.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.encoder_graph_ab import compare, session  # noqa: E402
from benchmarks.pipeline_throughput import real_texts  # noqa: E402
from models.embedding import ARTIFACT_DIR as EMBED_DIR  # noqa: E402
from models.textprep import normalize  # noqa: E402
from models.transformer import ARTIFACT_DIR, run_batches, token_batches  # noqa: E402


def padded(encodings: list[list[int]]) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
    """The pipeline's batches: (text indices, input_ids, attention_mask)."""
    out = []
    for idx in token_batches([len(e) for e in encodings], 64):
        longest = max(len(encodings[i]) for i in idx)
        ids = np.zeros((len(idx), longest), dtype=np.int64)
        mask = np.zeros((len(idx), longest), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : len(encodings[i])] = encodings[i]
            mask[row, : len(encodings[i])] = 1
        out.append((idx, ids, mask))
    return out


def shared_pass(split: Path, tokenizer: Any, texts: list[str]) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    lower, top, embed = (session(split / f"{n}.int8.onnx") for n in ("lower", "sentiment_top", "embed_top"))

    def run() -> tuple[np.ndarray, np.ndarray]:
        encodings = [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]
        logits = np.zeros((len(texts), 3), dtype=np.float32)
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for idx, ids, mask in padded(encodings):
            hidden = lower.run(["hidden"], {"input_ids": ids, "attention_mask": mask})[0]
            logits[idx] = top.run(["logits"], {"hidden": hidden, "attention_mask": mask})[0]
            vectors[idx] = embed.run(["embedding"], {"hidden": hidden, "attention_mask": mask})[0]
        return logits, vectors
    return run


def two_passes(tokenizer: Any, texts: list[str]) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    sentiment, embed = session(ARTIFACT_DIR / "model.int8.onnx"), session(EMBED_DIR / "model.int8.onnx")

    def run() -> tuple[np.ndarray, np.ndarray]:
        logits = run_batches(sentiment, tokenizer, texts, 64, [("logits", 3)])[0]
        vectors = run_batches(embed, tokenizer, texts, 64, [("embedding", 384)])[0]
        return logits, vectors
    return run


def main() -> None:
    from tokenizers import Tokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path, help="folder of shared_export.py --split")
    parser.add_argument("--texts", type=Path, required=True, help="CSV of real posts (text column)")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    texts = real_texts(args.texts)[:args.rows]
    tokenizer = Tokenizer.from_file(str(ARTIFACT_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(64)
    tokenizer.no_padding()
    runs = {"two_passes": two_passes(tokenizer, texts), "shared": shared_pass(args.split, tokenizer, texts)}
    best = dict.fromkeys(runs, float("inf"))
    rounds: list[dict[str, float]] = []
    outputs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for _ in range(args.repeats):
        cpu = {}
        for name, run in runs.items():
            began = time.process_time()
            outputs[name] = run()
            cpu[name] = round(1000 * (time.process_time() - began) / len(texts), 3)
            best[name] = min(best[name], cpu[name])
        rounds.append(cpu)
    meta = json.loads((args.split / "meta.json").read_text())
    print(json.dumps({"texts": len(texts), "shared_layers": meta.get("shared_layers"),
                      "cpu_ms_per_text_both_models_one_thread": best, "rounds": rounds,
                      "story_vectors_vs_shipped": compare(outputs["two_passes"][1], outputs["shared"][1]),
                      "sentiment_general_vs_shipped": compare(outputs["two_passes"][0], outputs["shared"][0])},
                     indent=2))


if __name__ == "__main__":
    main()
