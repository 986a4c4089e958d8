"""Complaint-domain training rows: the English posts of the complaint DEV split, in folds.

Never the test split (``load_posts("dev")`` only, checked again here).  Posts are put in folds by a
CRC of their id, so the same post always lands in the same fold; one fold can be held out of
training to tune and check on posts the model has not seen.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from models.base import LABELS
from models.textprep import normalize


@dataclass(frozen=True)
class ComplaintRows:
    texts: list[str]
    labels: list[int]
    ids: list[str]


def fold_of(post_id: str, folds: int) -> int:
    return zlib.crc32(post_id.encode()) % folds


def complaint_rows(*, folds: int = 3, holdout: int | None = None, want_holdout: bool = False) -> ComplaintRows:
    """English dev posts outside (or, with ``want_holdout``, inside) fold ``holdout``; all when holdout is None."""
    from benchmarks.complaint_data import load_posts

    rows = ComplaintRows([], [], [])
    for post in load_posts("dev"):
        if post.split != "dev":
            raise SystemExit(f"refusing {post.id}: only the dev split may be trained on")
        if post.language != "en":
            continue
        inside = holdout is not None and fold_of(post.id, folds) == holdout
        if holdout is not None and inside != want_holdout:
            continue
        rows.texts.append(normalize(post.text))
        rows.labels.append(LABELS.index(post.sentiment))
        rows.ids.append(post.id)
    return rows
