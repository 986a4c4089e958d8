"""tune_real (issue #14 round 7): real twcs tweets labelled for the churn classifier, ids + labels only.

The set must never hold a tweet of the evaluation set, its check part is fixed by a CRC-32 of the id (so a
next round measures on the same tweets), and it is exactly the seeded draw of ``models/train/tune_real.py``.
The cue candidate built on it (commit 6b6aa4d, not shipped) is described in models/train/README.md.
"""

from __future__ import annotations

import csv

import pytest

from benchmarks.complaint_data import DATA_DIR, TWCS_CSV
from models.train.tune_real import LABELS, draw, is_check, labelled


def test_tune_real_holds_no_evaluation_tweet_and_a_fixed_check_part() -> None:
    with (DATA_DIR / "labels.csv").open(encoding="utf-8", newline="") as handle:
        evaluated = {row["id"] for row in csv.DictReader(handle)}
    rows = labelled()
    assert len(rows) == 600 and not {i for i, _, _ in rows} & evaluated
    check = [y for _, y, part in rows if part]
    assert (len(check), sum(check)) == (263, 11)  # the split is a CRC-32 of the id: it never moves
    assert is_check("5558") and not is_check("7078")
    assert LABELS.read_text(encoding="utf-8").splitlines()[0] == "id,churn_threat,note"


@pytest.mark.skipif(not TWCS_CSV.exists(), reason="needs the twcs sample in ../shared/data")
def test_tune_real_is_the_seeded_draw() -> None:
    assert [f"twcs:{i}" for i in draw()] == [i for i, _, _ in labelled()]
