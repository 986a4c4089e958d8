"""A repeated text is encoded once (issue #17): in one call, and across calls while it is remembered."""

from __future__ import annotations

import numpy as np
import pytest

from models.embedding import ARTIFACT_DIR as EMBED_DIR
from models.embedding import OnnxEmbedder
from models.text_memo import TextMemo, memo_size
from models.transformer import ARTIFACT_DIR, OnnxSentiment


def _lengths(seen: list[list[str]]):  # type: ignore[no-untyped-def]
    def compute(texts: list[str]) -> list[np.ndarray]:
        seen.append(list(texts))
        return [np.array([len(t) for t in texts], dtype=np.float32).reshape(-1, 1), np.ones((len(texts), 2))]
    return compute


def test_each_distinct_text_is_computed_once_and_rows_come_back_in_input_order() -> None:
    seen: list[list[str]] = []
    memo = TextMemo(size=3)
    lengths, pairs = memo.run(["aa", "b", "aa", "cccc", "b"], "out", _lengths(seen))
    assert seen == [["aa", "b", "cccc"]]
    assert lengths[:, 0].tolist() == [2, 1, 2, 4, 1] and pairs.shape == (5, 2)
    again, _ = memo.run(["b", "dd", "b"], "out", _lengths(seen))
    assert seen[1:] == [["dd"]] and again[:, 0].tolist() == [1, 2, 1] and memo.hits == 4
    memo.run(["aa"], "out", _lengths(seen))  # "aa" was least recently used when "dd" came: forgotten
    memo.run(["b"], "other outputs", _lengths(seen))  # other outputs, other rows
    assert seen[2:] == [["aa"], ["b"]]
    empty, _ = memo.run([], "out", _lengths(seen))
    assert empty.shape == (0, 1)


def test_size_zero_still_encodes_a_call_s_copies_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    memo = TextMemo(size=0)
    memo.run(["x", "x"], "out", _lengths(seen))
    memo.run(["x"], "out", _lengths(seen))
    assert seen == [["x"], ["x"]]
    monkeypatch.setenv("GROUNDSWELL_TEXT_MEMO", "0")
    assert memo_size() == 0 and TextMemo().size == 0
    monkeypatch.setenv("GROUNDSWELL_TEXT_MEMO", "junk")
    assert memo_size() == 1024


def test_the_bundled_encoders_give_a_repost_the_first_copy_s_values() -> None:
    texts = [f"acme router dead again since {h}am, no internet at all" for h in range(2, 9)]
    embedder, scorer = OnnxEmbedder(EMBED_DIR, threads=1), OnnxSentiment(ARTIFACT_DIR, threads=1)
    first, scores = embedder.embed(texts), scorer.score(texts)
    batch = [texts[3], "something else entirely about billing", texts[3], texts[0]]
    vectors = embedder.embed(batch)
    assert embedder._memo.hits == 3 and scorer._memo.hits == 0
    assert np.array_equal(vectors[0], first[3]) and np.array_equal(vectors[2], first[3])
    assert np.array_equal(vectors[3], first[0]) and float(vectors[1] @ first[3]) < 0.9
    assert scorer.score(batch)[0] == scores[3] and scorer._memo.hits == 3


def test_the_throughput_benchmark_s_reposts_copy_recent_texts_and_none_leaves_the_stream_as_it_was() -> None:
    from benchmarks.pipeline_throughput import synthetic_rows

    plain, copied = synthetic_rows(2000), synthetic_rows(2000, reposts=0.3)
    assert synthetic_rows(2000, reposts=0.0) == plain and len({r["text"] for r in plain}) == 2000
    assert [r["id"] for r in copied] == [r["id"] for r in plain]
    repeats = [i for i, r in enumerate(copied) if r["text"] != plain[i]["text"]]
    assert 0.25 < len(repeats) / 2000 < 0.35
    assert all(any(copied[i]["text"] == copied[j]["text"] for j in range(max(0, i - 200), i)) for i in repeats)
