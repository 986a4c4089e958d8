"""Complaints that stay apart: each its own made-up wording, read as English by language ID."""

from __future__ import annotations

import random

from models.language import detect_language


def complaint(rng: random.Random) -> str:
    """A negative post with its own wording (made-up words), so no two posts form a story or join.  Language ID
    reads some made-up wordings as another language despite the row's "en" (and such a post is not scored, so
    it opens no incident): only wordings it reads as English are used (benchmarks/faults.py found 3 in 199)."""
    while True:
        words = " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
                         for _ in range(8))
        text = f"Acme {words} is terrible"
        if detect_language(text, "en") == "en":
            return text
