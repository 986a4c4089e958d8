"""Which sentence vectors tell a paraphrased grievance from the rest of a complaint stream?  Prints JSON.

Compares the shipped story encoder (models/artifacts/embed-minilm, plain all-MiniLM-L6-v2, int8) with the
pooled vector of the sentiment model's fine-tuned encoder (what it would cost nothing to reuse; needs the
``onnx`` package from the ``train`` extra) and, with ``--fp32``, the unquantised export.  Texts: the split's
grievance families (benchmarks/paraphrases.py and spread_text.FAMILIES) against real customer tweets of the
same split's author half (../shared/data/twcs-sample).  Reported: ROC AUC of same-grievance pairs against
background pairs, and the share of same-grievance pairs above the cosine that only 1 in 1,000 (and 1 in
10,000) background pairs reach: how much a story can join before quiet chatter clusters.

    nice python benchmarks/embedding_quality.py --split tune [--background 800] [--fp32 /tmp/embed.fp32.onnx]
    nice python benchmarks/embedding_quality.py --split tune --layers 1,2,3,4,5,6 --max-length 32,48
    nice python benchmarks/embedding_quality.py --split tune --encoder /tmp/v0   # a story_projection.py folder

``--layers``: the mean-pooled output of layer k of the sentiment graph (zero extra pass) and of the story encoder
(a cut encoder costs k / 6), from ``models/train/layer_graph.py``; ``--max-length``: the story encoder on fewer
tokens.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.paraphrases import PARAPHRASES  # noqa: E402
from benchmarks.spread_text import FAMILIES, load_background  # noqa: E402
from models.embedding import ARTIFACT_DIR, OnnxEmbedder, unit  # noqa: E402


def layer_encoders(layers: list[int], max_lengths: list[int]) -> dict[str, Any]:
    """Mean-pooled intermediate layers of both bundled graphs (one pass each, shared by every k; needs onnx), and
    the story encoder cut to fewer tokens."""
    import onnxruntime as ort

    from models.train.layer_graph import pooled_name, with_layer_pooled
    from models.transformer import ARTIFACT_DIR as SENTIMENT_DIR
    from models.transformer import run_batches

    out: dict[str, Any] = {}
    tokenizer = OnnxEmbedder(ARTIFACT_DIR, threads=1)._tokenizer  # the same tokenizer.json in both folders
    graphs = (("sentiment", SENTIMENT_DIR, layers), ("embed", ARTIFACT_DIR, [k for k in layers if k < 6]))
    for label, folder, ks in graphs:
        if not ks:
            continue
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(with_layer_pooled(folder / "model.int8.onnx", ks), options,
                                       providers=["CPUExecutionProvider"])
        memo: dict[tuple[str, ...], list[np.ndarray]] = {}

        def run(texts: Any, k: int, session: Any = session, memo: Any = memo, tok: Any = tokenizer,
                ks: list[int] = ks) -> np.ndarray:
            key = tuple(texts)
            if key not in memo:
                memo[key] = run_batches(session, tok, list(texts), 64, [(pooled_name(j), 384) for j in ks])
            return unit(memo[key][ks.index(k)])

        for k in ks:
            out[f"{label}-layer{k}"] = lambda texts, k=k, run=run: run(texts, k)
    for length in max_lengths:
        short = OnnxEmbedder(ARTIFACT_DIR, threads=1)
        short._tokenizer.enable_truncation(length)
        out[f"embed-minilm-int8-max{length}"] = short.embed
    return out


def encoders(fp32: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {"embed-minilm-int8": OnnxEmbedder(ARTIFACT_DIR, threads=1).embed}
    try:
        from models.train.head_features import PooledEncoder

        pooled = PooledEncoder(threads=1)
        out["sentiment-encoder-pooled"] = lambda texts: unit(pooled.pooled(list(texts)))
    except ImportError as exc:
        print(f"skipping the sentiment encoder ({exc}; pip install onnx)", file=sys.stderr)
    if fp32 is not None:
        import shutil
        import tempfile

        folder = Path(tempfile.mkdtemp())
        for name in ("tokenizer.json", "meta.json"):
            shutil.copy(ARTIFACT_DIR / name, folder / name)
        meta = json.loads((folder / "meta.json").read_text())
        (folder / "meta.json").write_text(json.dumps({**meta, "onnx": str(fp32)}))
        out["embed-minilm-fp32"] = OnnxEmbedder(folder, threads=1).embed
    return out


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a random positive pair scores above a random negative pair), ties half."""
    ranks = np.concatenate([pos, neg]).argsort().argsort() + 1.0
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def measure(embed: Any, families: list[list[str]], background: list[str]) -> dict[str, Any]:
    texts = [t for f in families for t in f]
    family = np.array([i for i, f in enumerate(families) for _ in f])
    started = time.process_time()
    vecs, bg = embed(texts), embed(background)
    cpu = time.process_time() - started
    sims = vecs @ vecs.T
    upper = np.triu(np.ones_like(sims, dtype=bool), 1)
    same = sims[upper & (family[:, None] == family[None, :])]
    cross = sims[upper & (family[:, None] != family[None, :])]
    bg_bg = (bg @ bg.T)[np.triu(np.ones((len(bg), len(bg)), dtype=bool), 1)]
    fam_bg = (vecs @ bg.T).ravel()
    negatives = np.concatenate([cross, bg_bg, fam_bg])
    row: dict[str, Any] = {"auc_same_vs_all_other": round(auc(same, negatives), 4),
                           "auc_same_vs_other_grievance": round(auc(same, cross), 4),
                           "auc_same_vs_background": round(auc(same, bg_bg), 4),
                           "mean_cos_same": round(float(same.mean()), 3),
                           "mean_cos_other_grievance": round(float(cross.mean()), 3),
                           "mean_cos_background": round(float(bg_bg.mean()), 3),
                           "cpu_s_per_1000_texts": round(cpu / (len(texts) + len(bg)) * 1000, 2)}
    for rate in (1e-3, 1e-4):
        cut = float(np.quantile(bg_bg, 1 - rate))
        row[f"cos_at_bg_rate_{rate:g}"] = round(cut, 3)
        row[f"same_pairs_above_it_{rate:g}"] = round(float((same > cut).mean()), 3)
        row[f"story_bg_pairs_above_it_{rate:g}"] = round(float((fam_bg > cut).mean()), 4)
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=["tune", "report"], default="tune")
    p.add_argument("--background", type=int, default=800, help="real tweets sampled from the split's half")
    p.add_argument("--fp32", type=Path, help="an fp32 export of the same encoder, to see what int8 costs")
    p.add_argument("--layers", default="", help="comma-separated k: mean-pooled layer k of both graphs (needs onnx)")
    p.add_argument("--max-length", default="", help="comma-separated token limits for the story encoder")
    p.add_argument("--encoder", type=Path, action="append", default=[], help="another exported encoder folder")
    p.add_argument("--only-extra", action="store_true", help="skip the shipped encoders (with --layers/--max-length)")
    args = p.parse_args(argv)
    extra = layer_encoders([int(k) for k in args.layers.split(",") if k],
                           [int(n) for n in args.max_length.split(",") if n])
    chosen = ({} if args.only_extra else encoders(args.fp32)) | extra
    chosen |= {f"{folder}": OnnxEmbedder(folder, threads=1).embed for folder in args.encoder}
    families = PARAPHRASES[args.split] + FAMILIES[args.split]
    raw = sorted({t for _, t in load_background(args.split)})
    background = random.Random(7).sample(raw, min(args.background, len(raw)))
    result = {"split": args.split, "families": len(families), "wordings": sum(len(f) for f in families),
              "background": len(background),
              "encoders": {name: measure(fn, families, background) for name, fn in chosen.items()}}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
