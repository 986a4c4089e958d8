"""Churn-threat precision/recall on the complaint set's dev and test splits, for one or more artifacts side by side.

Same posts and brand rule as ``benchmarks/complaint_eval.py`` (no sentiment model is loaded, so it is quick).
``--artifact`` is repeatable: compare the shipped weights with another file in the same run, e.g. the
previous version from git::

    git show main:models/artifacts/churn/churn-lr.json > /tmp/churn-old.json
    python benchmarks/churn_eval.py --artifact /tmp/churn-old.json --artifact models/artifacts/churn/churn-lr.json

Prints JSON.  The model is trained on dev, so dev figures are in-sample; tune on the training script's
out-of-fold dev figures, report test.  ``--fresh`` adds two sets no version up to 3 was built on: ``tune2``
(462 written posts in 14 languages, 42 threats) and ``check`` (``churn_check.csv``: 40 English posts, 20 threats,
written for issue #14 round 4 before any change was tried) and ``check2`` (``churn_check2.csv``: 160 English
posts in real support-tweet style, 75 threats, written for round 5 before any change was tried), and
``real_check``, the check part of ``tune_real`` (263 real twcs tweets, 11 threats; ``models/train/tune_real.py``;
``--no-test`` leaves test out while tuning).  ``--general`` adds the false alarms on general tweets: TweetEval
half 1 (``complaint_data.general_tweets``, ~23,800 tweets that version 6 does not train on; almost none is a
threat), as the brand-less pipeline scores them.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.complaint_data import DATA_DIR, TUNE2, Post, general_tweets, load_posts, twcs_texts  # noqa: E402
from benchmarks.complaint_eval import binary_metrics, brand_of  # noqa: E402
from models.churn import ARTIFACT, ChurnModel, find_churn, load_churn_model  # noqa: E402
from models.train.tune_real import labelled  # noqa: E402
from monitor.errors import ModelError  # noqa: E402


def scores(posts: list[Post], model: ChurnModel) -> dict[str, object]:
    """Precision/recall for all posts and per source, with the CPU time per post."""
    started, wall = time.process_time(), time.perf_counter()
    pred = [find_churn(p.text, brand_of(p.text), model) is not None for p in posts]
    out: dict[str, object] = {"cpu_s": round(time.process_time() - started, 3),
                              "wall_s": round(time.perf_counter() - wall, 3)}
    for name, keep in {"all": {"twcs", "written"}, "twcs": {"twcs"}, "written": {"written"}}.items():
        pairs = [(p.churn_threat, y) for p, y in zip(posts, pred, strict=True) if p.source in keep]
        out[name] = binary_metrics([g for g, _ in pairs], [y for _, y in pairs])
    return out


def general_alarms(texts: list[str], model: ChurnModel) -> dict[str, object]:
    """How many general tweets are flagged, with a few of them to read."""
    flagged = [t for t in texts if find_churn(t, None, model) is not None]
    return {"tweets": len(texts), "flagged": len(flagged), "rate": round(len(flagged) / max(1, len(texts)), 4),
            "examples": [t[:100] for t in flagged[:5]]}


def check_posts(name: str = "churn_check.csv") -> list[Post]:
    """A fresh English check set (written, text included); churn labels only."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [Post(id=row["id"], text=row["text"], sentiment="", churn_threat=row["churn_threat"] == "true",
                     category="", language="en", split="check", source="written") for row in csv.DictReader(handle)]


def real_check_posts() -> list[Post]:
    """tune_real's check part: real twcs tweets, never trained on (text joined from ../shared)."""
    tweets = twcs_texts()
    return [Post(id=i, text=tweets[i.removeprefix("twcs:")], sentiment="", churn_threat=y, category="",
                 language="", split="real_check", source="twcs") for i, y, check in labelled() if check]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, action="append", help="churn-lr.json (repeatable; default shipped)")
    parser.add_argument("--source", choices=("all", "twcs", "written"), default="all")
    parser.add_argument("--fresh", action="store_true", help="also the tune2 and check sets (written posts)")
    parser.add_argument("--general", action="store_true", help="also false alarms on held-out general tweets")
    parser.add_argument("--no-test", action="store_true", help="leave the test split out (while tuning)")
    args = parser.parse_args()
    general = general_tweets(1) if args.general else []
    splits = {split: load_posts(split, args.source) for split in (("dev",) if args.no_test else ("dev", "test"))}
    if args.fresh and args.source != "twcs":
        splits |= {TUNE2: load_posts(TUNE2), "check": check_posts(), "check2": check_posts("churn_check2.csv")}
    if args.fresh and args.source != "written":
        splits["real_check"] = real_check_posts()
    result: dict[str, object] = {}
    for path in args.artifact or [ARTIFACT]:
        try:
            model = load_churn_model(path)
        except ModelError as exc:
            print(f"churn_eval: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        entry: dict[str, object] = {"version": model.version, "threshold": model.threshold,
                                    **{split: scores(posts, model) for split, posts in splits.items()}}
        if general:
            entry["general"] = general_alarms(general, model)
        result[str(path)] = entry
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
