"""The NAB scorer gives the official rules' exact scores on tiny hand-made series (values worked out by hand from
NAB's published reward curve: scaledSigmoid(-1) = 0.98661, scaledSigmoid(-0.5) = 0.84828, scaledSigmoid(1) = -0.98661).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("nab_score_rules", ROOT / "benchmarks" / "nab_score.py")
assert _spec and _spec.loader
nab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nab)

T0 = datetime(2015, 3, 2, tzinfo=UTC)
TIMES = [T0 + timedelta(minutes=5 * i) for i in range(1000)]  # probation: 150 rows
WINDOW = [(TIMES[400], TIMES[499])]  # 100 rows


def raw(*rows: int, windows: list[tuple[datetime, datetime]] = WINDOW, profile: str = "standard") -> float:
    detections = [False] * len(TIMES)
    for i in rows:
        detections[i] = True
    return float(nab.score_file(TIMES, detections, windows, profile)["raw"])


def test_reward_curve_matches_nabs_published_values() -> None:
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert nab.scaled_sigmoid(0.0) == 0.0
    assert nab.scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(3.0) == -1.0
    assert nab.probation_length(1000) == 150 and nab.probation_length(20000) == 750


def test_hits_are_rewarded_by_how_early_they_come() -> None:
    assert raw() == -1.0  # a miss
    assert raw(400) == pytest.approx(1.0)  # the first row of the window earns A_TP
    assert raw(450) == pytest.approx(0.84828 / 0.98661, abs=1e-5)  # half way: -(499 - 450 + 1) / 100 = -0.5
    assert raw(499) == pytest.approx((2 / (1 + math.exp(-0.05)) - 1) / nab.scaled_sigmoid(-1.0))  # the last row
    assert raw(450, 400, 480) == pytest.approx(1.0)  # only the first detection in a window counts


def test_false_alerts_cost_by_distance_from_the_previous_window() -> None:
    base = raw(400)
    assert raw(400, 300) - base == pytest.approx(-0.11)  # before any window: the full A_FP
    assert raw(400, 598) - base == pytest.approx(0.11 * -0.98661, abs=1e-5)  # one window width past: (598-499)/99
    assert raw(400, 549) - base == pytest.approx(0.11 * (2 / (1 + math.exp(5 * 50 / 99)) - 1))  # half a width
    assert raw(400, 900) - base == pytest.approx(-0.11)  # three widths or more past: the full A_FP
    assert raw(400, 100) == raw(400)  # the probationary period is ignored
    assert raw(400, 300, profile="reward_low_FP_rate") - 1.0 == pytest.approx(-0.22)
    assert raw(profile="reward_low_FN_rate") == -2.0


def test_a_window_inside_the_probationary_period_neither_hits_nor_misses() -> None:
    early = [(TIMES[20], TIMES[60])]
    res = nab.score_file(TIMES, [False] * 1000, early + WINDOW, "standard")
    assert (res["windows"], res["labelled"], res["raw"]) == (1, 2, -1.0)
    # NAB normalises with perfect = A_TP for every labelled window, null = A_FN for every scorable one
    assert nab.normalised(res["raw"], res["windows"], res["labelled"], "standard") == pytest.approx(0.0)
    assert nab.normalised(1.0, 1, 2, "standard") == pytest.approx(100 * 2 / 3)


def write(path: Path, column: str, values: list[float]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", column])
        for t, v in zip(TIMES, values, strict=True):
            writer.writerow([t.strftime("%Y-%m-%d %H:%M:%S"), v])


def test_corpus_score_of_result_files_is_normalised_over_all_files(tmp_path: Path) -> None:
    data, results = tmp_path / "data", tmp_path / "results"
    for folder in (data / "cat", results / "cat"):
        folder.mkdir(parents=True)
    label = [[TIMES[400].strftime("%Y-%m-%d %H:%M:%S.%f"), TIMES[499].strftime("%Y-%m-%d %H:%M:%S.%f")]]
    (data / "combined_windows.json").write_text(json.dumps({"cat/a.csv": label, "cat/b.csv": label}))
    for name in ("a", "b"):
        write(data / "cat" / f"{name}.csv", "value", [1.0] * 1000)
    hit = [0.0] * 1000
    hit[400] = 0.9  # a detection at the window's first row
    write(results / "cat" / "a.csv", "anomaly_score", hit)
    write(results / "cat" / "b.csv", "anomaly_score", [0.3] * 1000)  # never above the threshold: a miss
    out = nab.evaluate(data, results_dir=results)
    assert out["score"] == pytest.approx(50.0)  # (1 - 1) raw; null -2, perfect 2
    assert out["files"]["cat/a.csv"]["normalized"] == pytest.approx(100.0)
    assert nab.evaluate(data, results_dir=results, threshold=0.95)["score"] == pytest.approx(0.0)
