"""benchmarks/story_merge.py --show: a pair paged wrongly is named with what a merge rule could tell it apart by."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import spread_text, story_merge


def test_describe_gives_the_mean_vector_cosine_and_the_shared_content_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spread_text, "CACHE", tmp_path)  # the real encoder; its cache kept out of the checkout
    train = [
        "the train was cancelled again and there was no replacement bus",
        "another cancelled train tonight, no bus laid on instead",
    ]
    same = story_merge.describe(train, ["train cancelled once more and nobody arranged a replacement bus"])
    other = story_merge.describe(train, ["the gym charged my card after I cancelled my membership"])
    assert same["a"] == train[0] and other["b"].startswith("the gym charged")
    assert same["mean_vector_cosine"] > 0.7 > other["mean_vector_cosine"]
    assert {"train", "bus"} <= set(same["shared_words"]) and "train" not in other["shared_words"]
