"""The mean sentence vector an incident keeps for joining (``details["join"]["vector"]``, int8 base64).

Why a weighted, capped mean: a new finding moves the incident's meaning towards its own examples, but no
one finding may outweigh everything the incident already holds (``MAX_VECTOR_WEIGHT`` examples at most).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from monitor.detection.story_vectors import as_vector

MAX_VECTOR_WEIGHT = 50  # an incident's vector is a weighted mean: no one finding outweighs the rest by far


def unit(vector: np.ndarray) -> np.ndarray | None:
    """The vector scaled to length 1 (float32); None for a zero vector."""
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else None


def incident_vector(data: dict[str, Any]) -> np.ndarray | None:
    """The unit mean vector an incident keeps in ``details["join"]["vector"]`` (int8, base64)."""
    try:
        return as_vector(base64.b64decode(str(data.get("vector") or "")))
    except ValueError:
        return None


def packed(vector: np.ndarray) -> str:
    """Int8 base64 of a unit vector (scaled so its largest component is 127; cosine ignores the scale)."""
    peak = max(float(np.abs(vector).max()), 1e-12)
    return base64.b64encode(np.rint(vector / peak * 127).astype(np.int8).tobytes()).decode()


def merged_vector(data: dict[str, Any], vector: np.ndarray | None, vectors: int) -> dict[str, Any]:
    """The incident's vector fields after absorbing a finding's ``vector`` (the mean of ``vectors`` examples)."""
    mine, weight = incident_vector(data), min(int(data.get("vectors", 0) or 0), MAX_VECTOR_WEIGHT)
    if vector is None:
        return {"vector": data["vector"], "vectors": weight} if mine is not None else {}
    if mine is None:
        return {"vector": packed(vector), "vectors": min(vectors, MAX_VECTOR_WEIGHT)}
    both = unit(mine * weight + vector * min(vectors, MAX_VECTOR_WEIGHT))
    return {"vector": packed(both if both is not None else vector), "vectors": min(weight + vectors, MAX_VECTOR_WEIGHT)}
