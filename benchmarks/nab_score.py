"""Our own implementation of the NAB scoring rules (Lavin & Ahmad 2015), run on our series detector.

Rules as published: each labelled anomaly window rewards only its *first* detection, with a scaled
sigmoid of the detection's relative position in the window (start of window ~ A_TP, end ~ 0); a missed
window costs A_FN; each detection outside every window costs A_FP times a scaled sigmoid of its distance
past the preceding window (right after a window it is almost free, far away it costs the full A_FP; with
no preceding window it costs A_FP). Detections in the probationary period (first 15 %, at most 750 rows)
are ignored. The total over all files is normalised so the null detector scores 0 and a perfect one 100.

Usage: ``nice python benchmarks/nab_score.py [DATA_DIR] [--sensitivity default] [--profile standard]``
(prints JSON per series and the total). Detections are rows whose ``alert`` is 1 (NAB threshold 0.5 on
our anomaly_score column gives exactly the same rows).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection.seasonal import SeriesConfig  # noqa: E402
from monitor.replay.series import backtest_rows, parse_timestamp, read_series  # noqa: E402

PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab-realtweets"


def scaled_sigmoid(position: float) -> float:
    """NAB's reward curve: ~+1 at the start of a window, 0 at its end, toward -1 far past it."""
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_length(rows: int, percent: float = 0.15) -> int:
    return int(min(math.floor(percent * rows), percent * 5000))


def _window_indices(times: list[datetime], windows: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    spans = []
    for start, end in windows:
        inside = [i for i, t in enumerate(times) if start <= t <= end]
        if inside:
            spans.append((inside[0], inside[-1]))
    return spans


def _fp_penalty(prev: tuple[int, int] | None, i: int) -> float:
    """-1 with no preceding window, else the sigmoid of the distance past it (in window widths)."""
    if prev is None:
        return -1.0
    return scaled_sigmoid(abs(prev[1] - i) / float(max(prev[1] - prev[0], 1)))


def score_file(
    times: list[datetime], detections: list[bool], windows: list[tuple[datetime, datetime]], profile: str
) -> dict[str, float]:
    """Raw NAB score of one file plus its TP/FP/FN counts."""
    weights = PROFILES[profile]
    spans = _window_indices(times, windows)
    probation = probation_length(len(times))
    max_tp = scaled_sigmoid(-1.0)
    window_of = {}
    for w, (lo, hi) in enumerate(spans):
        for i in range(lo, hi + 1):
            window_of[i] = w
    best: dict[int, float] = {}
    fp_total, fp_count = 0.0, 0
    prev: tuple[int, int] | None = None
    for i, detected in enumerate(detections):
        w = window_of.get(i)
        if detected and i >= probation:
            if w is not None:
                lo, hi = spans[w]
                width = hi - lo + 1
                reward = scaled_sigmoid(-(hi - i + 1) / width) * weights["tp"] / max_tp
                best.setdefault(w, reward)  # only the first detection in a window counts
            else:
                fp_total += _fp_penalty(prev, i) * weights["fp"]
                fp_count += 1
        if w is not None and i == spans[w][1]:
            prev = spans[w]
    missed = len(spans) - len(best)
    raw = sum(best.values()) + fp_total - missed * weights["fn"]
    return {"raw": raw, "tp": len(best), "fp": fp_count, "fn": missed, "windows": len(spans)}


def evaluate(data_dir: Path, sensitivity: str, profile: str) -> dict[str, object]:
    """Run the online detector on every labelled file in ``data_dir`` and score it."""
    labels = json.loads((data_dir / "combined_windows.json").read_text())
    cfg = SeriesConfig.for_sensitivity(sensitivity)
    per_file: dict[str, dict[str, float]] = {}
    raw_total = windows_total = 0.0
    for key, spans in sorted(labels.items()):
        path = data_dir / Path(key).name
        if not path.exists():
            continue
        with path.open(newline="") as handle:
            rows = list(read_series(handle))
        results = list(backtest_rows(rows, cfg))
        times = [moment for _, moment, _ in rows]
        windows = [(parse_timestamp(a), parse_timestamp(b)) for a, b in spans]
        res = score_file(times, [alert == 1 for *_, alert in results], windows, profile)
        w = res["windows"]
        weights = PROFILES[profile]
        null, perfect = -weights["fn"] * w, weights["tp"] * w
        res["normalized"] = round(100.0 * (res["raw"] - null) / (perfect - null), 2) if w else 0.0
        res["raw"] = round(res["raw"], 4)
        per_file[Path(key).name] = res
        raw_total += res["raw"]
        windows_total += w
    weights = PROFILES[profile]
    null, perfect = -weights["fn"] * windows_total, weights["tp"] * windows_total
    total = 100.0 * (raw_total - null) / (perfect - null) if windows_total else 0.0
    return {"profile": profile, "sensitivity": sensitivity, "files": per_file, "score": round(total, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NAB-style score of the Groundswell series detector")
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sensitivity", default="default", choices=["low", "default", "high"])
    parser.add_argument("--profile", default="standard", choices=sorted(PROFILES))
    args = parser.parse_args(argv)
    print(json.dumps(evaluate(args.data_dir, args.sensitivity, args.profile), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
