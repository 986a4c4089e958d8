"""Sentence vectors of the stories' representative posts, in one matrix: which story is a new post closest to?

Why: a new wording of the same grievance shares few words with its story but lands close to it in a sentence
encoder's space (models/embedding.py, all-MiniLM-L6-v2).  Each story keeps a few representative vectors
(int8 bytes, as stored per mention); this index holds them as unit float32 rows so one matrix product finds
the nearest story.  Rows of dropped stories are zeroed and reused.  Rebuilt from the stories, never saved.
"""

from __future__ import annotations

import numpy as np

from monitor.detection.story_text import TextCache

DIM = 384


def as_vector(blob: bytes | None) -> np.ndarray | None:
    """The unit float32 vector of an int8 blob (None when there is none or it is malformed)."""
    if not blob or len(blob) != DIM:
        return None
    vector = np.frombuffer(blob, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def cosines(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` on this thread only.  Why not ``@``: past ~2,000 rows OpenBLAS hands a float32
    matrix-vector product to its other threads, which spin while they wait; on two shared cores that cost
    4x the CPU of one thread (0.85 vs 0.21 CPU-ms at 4,000 rows), 0.3-0.8 CPU-ms a mention of detection on
    real posts (issue #17).  einsum's own loop never leaves the thread, at the same speed as one BLAS thread."""
    result: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return result


@TextCache  # reposts repeat a text, and so its vector: one decode per text while it is around
def cached_vector(blob: bytes) -> np.ndarray | None:
    """``as_vector`` of a blob, kept for the next mention with the same one (read-only)."""
    vector = as_vector(blob)
    if vector is not None:
        vector.flags.writeable = False
    return vector


class VectorRows:
    """Story id per row of a growing matrix of unit vectors."""

    def __init__(self) -> None:
        self.matrix = np.zeros((64, DIM), dtype=np.float32)
        self.owner: list[str | None] = []
        self.rows: dict[str, list[int]] = {}
        self.free: list[int] = []

    def add(self, sid: str, vector: np.ndarray) -> None:
        if self.free:
            row = self.free.pop()
        else:
            row = len(self.owner)
            self.owner.append(None)
            if row >= len(self.matrix):
                self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
        self.matrix[row] = vector
        self.owner[row] = sid
        self.rows.setdefault(sid, []).append(row)

    def drop(self, sid: str) -> None:
        for row in self.rows.pop(sid, []):
            self.matrix[row] = 0.0
            self.owner[row] = None
            self.free.append(row)

    def nearest(self, vector: np.ndarray, exclude: str | None = None) -> tuple[str | None, float]:
        """(story, cosine) of the closest representative; (None, 0.0) when there is none."""
        if not self.rows:
            return None, 0.0
        sims = cosines(self.matrix[: len(self.owner)], vector)
        if exclude is not None:
            sims[self.rows.get(exclude, [])] = -1.0
        row = int(sims.argmax())
        owner = self.owner[row]
        return (owner, float(sims[row])) if owner is not None else (None, 0.0)

    def centroid(self, sid: str) -> np.ndarray | None:
        """The unit mean of a story's representatives: closer to its grievance than any one wording."""
        rows = self.rows.get(sid)
        if not rows:
            return None
        total = self.matrix[rows].sum(axis=0)
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else None

    def similar(self, sid: str, min_cos: float) -> list[str]:
        """Other stories whose centroid is at least ``min_cos`` from this story's centroid (merge candidates)."""
        mine = self.centroid(sid)
        if mine is None:
            return []
        sims = cosines(self.matrix[: len(self.owner)], mine)
        # a centroid can be closer than its closest row, but not by much: look only at stories with a row nearby
        near = {self.owner[row] for row in np.flatnonzero(sims >= min_cos - 0.25)} - {None, sid}
        out = []
        for other in sorted(s for s in near if s is not None):
            theirs = self.centroid(other)
            if theirs is not None and float(theirs @ mine) >= min_cos:
                out.append(other)
        return out
