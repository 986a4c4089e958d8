"""The complaint cue lists, kept under their first name: they live in ``models.cues`` (one module per
language group), which says how they are written and read."""

from __future__ import annotations

from models.cues import CUES, SAME_CUES, SUBSTRING_LANGUAGES

__all__ = ["CUES", "SAME_CUES", "SUBSTRING_LANGUAGES"]
