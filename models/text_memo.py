"""Encoder output rows of recently seen texts: a repeated text is encoded once (issue #17).

Why: reposts without a link, copy-pasted complaints and bots repeat a text word for word, and each copy cost
both int8 encoders a full pass (~1.9 CPU-ms each on two cores).  Identical texts in one call are encoded
once, and the last ``MEMO_TEXTS`` distinct texts are remembered across calls (least recently used out).  The
rows are what the encoder gave the first copy: int8 activation scales are per batch, so a later copy scored
on its own could have moved by ~0.02 in probability; now every copy gets the same values.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import numpy as np

MEMO_TEXTS = 1024  # ~2 KB a text and encoder (384 + 3 float32, the key): 4.3 MB for both, full within minutes


def memo_size() -> int:
    """Texts to remember: ``GROUNDSWELL_TEXT_MEMO`` (dev only: 0 for encoder benchmarks that score the same
    texts again and again, and for side-by-side runs), else ``MEMO_TEXTS``."""
    value = os.environ.get("GROUNDSWELL_TEXT_MEMO", "").strip()
    return max(0, int(value)) if value.isdigit() else MEMO_TEXTS


class TextMemo:
    """Output rows per (outputs, text), least recently used out past ``size`` texts; thread-safe."""

    def __init__(self, size: int | None = None) -> None:
        self.size = memo_size() if size is None else size
        self._rows: OrderedDict[tuple[Hashable, str], tuple[np.ndarray, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def run(self, texts: Sequence[str], outputs: Hashable,
            compute: Callable[[list[str]], list[np.ndarray]]) -> list[np.ndarray]:
        """``compute(texts)`` (one array per output, one row per text) for the texts not remembered, each
        distinct text once; the arrays for all ``texts`` in input order."""
        if not texts:
            return compute([])
        known: dict[str, tuple[np.ndarray, ...]] = {}
        missing: list[str] = []
        with self._lock:
            for text in dict.fromkeys(texts):
                if (found := self._recall((outputs, text))) is not None:
                    known[text] = found
                else:
                    missing.append(text)
            self.hits += len(texts) - len(missing)
        if missing:
            arrays = compute(missing)
            with self._lock:
                for j, text in enumerate(missing):
                    known[text] = self._remember((outputs, text), tuple(a[j].copy() for a in arrays))
        ordered = [known[text] for text in texts]
        return [np.stack([row[k] for row in ordered]) for k in range(len(ordered[0]))]

    def _recall(self, key: tuple[Hashable, str]) -> tuple[np.ndarray, ...] | None:
        rows = self._rows.get(key)
        if rows is not None:
            self._rows.move_to_end(key)
        return rows

    def _remember(self, key: tuple[Hashable, str], rows: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        if self.size > 0:
            self._rows[key] = rows
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)
        return rows
