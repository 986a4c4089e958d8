"""Encoder batches: length-sorted and capped by padded tokens, so real tweets run in cache-sized calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from models.transformer import ARTIFACT_DIR, BATCH_TOKENS, OnnxSentiment, run_batches, token_batches


def test_batches_cover_every_text_once_sorted_and_within_the_budget() -> None:
    lengths = [30, 5, 12, 64, 8, 30, 29, 1, 40] * 20
    batches = token_batches(lengths, batch_size=64, budget=128)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    for batch in batches:
        assert len(batch) <= 64 and len(batch) * max(lengths[i] for i in batch) <= 128


def test_text_count_cap_still_holds_for_short_texts() -> None:
    batches = token_batches([2] * 100, batch_size=16, budget=BATCH_TOKENS)
    assert [len(b) for b in batches] == [16] * 6 + [4]


def test_a_text_longer_than_the_budget_goes_alone_and_nothing_is_empty() -> None:
    assert token_batches([300, 10, 10], batch_size=64, budget=100) == [[1, 2], [0]]
    assert token_batches([], batch_size=64) == []


def test_default_budget_splits_a_64_tweet_batch() -> None:
    # 64 real tweets of ~30 tokens were one call (64 x 30 = 1920 padded tokens): now a few cache-sized ones
    assert len(token_batches([30] * 64, batch_size=64)) == 4


def test_budgeted_batches_give_the_unbudgeted_scores_in_input_order() -> None:
    model = OnnxSentiment(ARTIFACT_DIR, threads=1)
    texts = [f"my router has been down {'for days ' * (i % 9)}and nobody calls back #{i}" for i in range(80)]
    args = (model._session, model._tokenizer, texts, 64, [("logits", 3)])
    small, = run_batches(*args, budget=64)
    large, = run_batches(*args, budget=10**9)
    # int8 activation scales are per batch: values move a little with batch-mates, labels stay
    np.testing.assert_allclose(small, large, atol=0.35)
    assert (small.argmax(axis=1) == large.argmax(axis=1)).mean() >= 0.95


def test_budget_benchmark_rejects_a_missing_file_in_one_line(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "batch_tokens.py"
    done = subprocess.run([sys.executable, str(script), "--texts", str(tmp_path / "none.txt")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no such file" in done.stderr and "Traceback" not in done.stderr
