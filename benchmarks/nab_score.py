"""NAB scoring, faithful to NAB v1.1's official scorer (``nab/sweeper.py`` + ``runner.normalize``), on any
data folder with NAB-format label files, for our own detector's decisions or for a folder of result CSVs.

The rules, as the official code applies them (read line by line in numenta/NAB, and checked against a local
transcription of it on random detections over all 53 series: largest difference 1e-14):
* the probationary period is ``min(floor(0.15 * rows), 0.15 * 5000)`` rows; rows before it are ignored,
  and a window lying wholly inside it is neither a hit nor a miss;
* a window rewards only its *first* detection, with ``scaledSigmoid(-(right - i + 1) / width) * A_TP / maxTP``
  (``width`` = rows in the window, ``maxTP = scaledSigmoid(-1)``, so the first row of a window earns A_TP);
* a missed window costs ``A_FN``;
* a detection outside every window costs ``A_FP * scaledSigmoid(|prevRight - i| / (prevWidth - 1))`` after a
  window (almost free right after it, the full A_FP three window-widths later) and ``-A_FP`` before any;
* ``scaledSigmoid(x) = 2 / (1 + exp(5x)) - 1`` and exactly ``-1`` for ``x >= 3``;
* the corpus score is ``100 * (raw - null) / (perfect - null)``: ``null`` is what the null detector scores
  (``-A_FN`` per scorable window), ``perfect`` is ``A_TP`` per labelled window (all of them, as NAB counts).
Our detector runs as ``groundswell backtest --series`` does (``monitor.replay.series.series_config``): the live
preset plus record lows and a shorter episode memory (``--highs-only``: the live spike channel exactly).
A detection is a row whose ``anomaly_score >= threshold`` (0.5: our detector marks its alerts 1.0 and
everything else below 0.5, so the threshold is the detector's own, never fitted to the labels). NAB's own
``optimize`` step instead picks, per detector, the threshold that maximises the score on the whole corpus
(fitted on the labels); we never do that.

Usage: ``nice python benchmarks/nab_score.py [DATA_DIR] [--sensitivity default] [--profile standard]``
``[--highs-only] [--results RESULTS_DIR]`` (score CSVs with an ``anomaly_score`` column, laid out like the data).
DATA_DIR holds ``combined_windows.json`` and the series (``category/name.csv`` or ``name.csv``); realTweets
series are counts and run with the preset's people floor, every other category without one.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detection.seasonal import SeriesConfig, SeriesDetector  # noqa: E402
from monitor.replay.series import parse_timestamp, read_series, series_config  # noqa: E402

PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_DATA = SHARED / "nab-realtweets"
PROBATION = 0.15
COUNT_CATEGORY = "realTweets/"  # mention counts; the other NAB categories measure machines, money and traffic


class Series(NamedTuple):
    """One labelled NAB file: its key in the label file, timestamps, values and label windows."""

    key: str
    times: list[datetime]
    values: list[float]
    windows: list[tuple[datetime, datetime]]


def scaled_sigmoid(position: float) -> float:
    """NAB's reward curve: ~+1 at the start of a window, 0 at its end, -1 from three widths past it."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_length(rows: int, percent: float = PROBATION) -> float:
    return min(math.floor(percent * rows), percent * 5000)


def _spans(times: Sequence[datetime], windows: Sequence[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Row index spans of the windows (NAB's windows start and end on data timestamps)."""
    spans, i = [], 0
    for start, end in sorted(windows):
        while i < len(times) and times[i] < start:
            i += 1
        j = i
        while j < len(times) and times[j] <= end:
            j += 1
        if j > i:
            spans.append((i, j - 1))
    return spans


def score_file(times: Sequence[datetime], detections: Sequence[bool], windows: Sequence[tuple[datetime, datetime]],
               profile: str | dict[str, float]) -> dict[str, float]:
    """Raw NAB score of one file, with the windows hit and missed and the scored false alerts."""
    w = PROFILES[profile] if isinstance(profile, str) else profile
    spans = _spans(times, windows)
    probation = probation_length(len(times))
    max_tp = scaled_sigmoid(-1.0)
    scorable = [hi >= probation for _, hi in spans]
    best: dict[int, float] = {}
    fp_total, fp_count, k = 0.0, 0, 0
    prev: tuple[int, int] | None = None
    for i, detected in enumerate(detections):
        while k < len(spans) and i > spans[k][1]:
            prev, k = spans[k], k + 1
        inside = k < len(spans) and spans[k][0] <= i
        if not detected or i < probation:
            continue
        if inside:
            lo, hi = spans[k]
            best.setdefault(k, scaled_sigmoid(-(hi - i + 1) / (hi - lo + 1)) * w["tp"] / max_tp)
        else:
            distance = 3.0 if prev is None else abs(prev[1] - i) / max(prev[1] - prev[0], 1)
            fp_total += scaled_sigmoid(distance) * w["fp"]
            fp_count += 1
    missed = sum(scorable) - len(best)
    raw = sum(best.values()) + fp_total - missed * w["fn"]
    return {"raw": raw, "tp": len(best), "fp": fp_count, "fn": missed, "windows": sum(scorable),
            "labelled": len(spans)}


def normalised(raw: float, scorable: float, labelled: float, profile: str | dict[str, float]) -> float:
    """NAB's normalisation: the null detector scores 0, a perfect one 100."""
    w = PROFILES[profile] if isinstance(profile, str) else profile
    null, perfect = -w["fn"] * scorable, w["tp"] * labelled
    return 100.0 * (raw - null) / (perfect - null) if perfect > null else 0.0


def total(results: Sequence[dict[str, float]], profile: str | dict[str, float]) -> float:
    raw = sum(r["raw"] for r in results)
    return round(normalised(raw, sum(r["windows"] for r in results), sum(r["labelled"] for r in results), profile), 2)


def _series_path(data_dir: Path, key: str) -> Path | None:
    for path in (data_dir / key, data_dir / Path(key).name):
        if path.is_file():
            return path
    return None


def load_corpus(data_dir: Path) -> list[Series]:
    """Every labelled series of a NAB-format folder that is present on disk, in label-file order."""
    labels_path = data_dir / "combined_windows.json"
    if not labels_path.is_file():
        raise SystemExit(f"{data_dir}: no combined_windows.json; give a folder in NAB format")
    corpus = []
    for key, spans in sorted(json.loads(labels_path.read_text()).items()):
        path = _series_path(data_dir, key)
        if path is None:
            continue
        with path.open(newline="") as handle:
            rows = list(read_series(handle))
        windows = [(parse_timestamp(a), parse_timestamp(b)) for a, b in spans]
        corpus.append(Series(key, [r[1] for r in rows], [r[2] for r in rows], windows))
    return corpus


def config_for(series: Series, sensitivity: str = "default", lows: bool = True, **overrides: Any) -> SeriesConfig:
    """Series mode's preset; series that are not counts of people (all of NAB but realTweets) get no people floor."""
    return series_config(sensitivity, lows, series.key.startswith(COUNT_CATEGORY), **overrides)


def detect(series: Series, cfg: SeriesConfig) -> list[bool]:
    """Run the online detector over a series, one row at a time; the alert column is the decision."""
    det = SeriesDetector(cfg)
    return [det.step(t, v).alert for t, v in zip(series.times, series.values, strict=True)]


def score_corpus(corpus: Sequence[Series], decide: Callable[[Series], Sequence[bool]],
                 profile: str = "standard") -> dict[str, object]:
    """Score every series with the decisions ``decide`` makes; per file and the normalised total."""
    per_file: dict[str, dict[str, float]] = {}
    for s in corpus:
        res = score_file(s.times, decide(s), s.windows, profile)
        per_file[s.key] = {**res, "raw": round(res["raw"], 4),
                           "normalized": round(normalised(res["raw"], res["windows"], res["labelled"], profile), 2)}
    return {"profile": profile, "files": per_file, "score": total(list(per_file.values()), profile)}


def _results_scores(results_dir: Path, s: Series) -> list[float]:
    name = Path(s.key)
    candidates = [results_dir / s.key, results_dir / name.name]
    candidates += list(results_dir.glob(f"**/*_{name.name}"))
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise SystemExit(f"{results_dir}: no results file for {s.key}")
    with path.open(newline="") as handle:
        return [float(row["anomaly_score"]) for row in csv.DictReader(handle)]


def evaluate(data_dir: Path, sensitivity: str = "default", profile: str = "standard",
             results_dir: Path | None = None, threshold: float = 0.5, lows: bool = True) -> dict[str, object]:
    """Score our detector (or a folder of result CSVs) on every labelled file of ``data_dir``."""
    corpus = load_corpus(data_dir)
    if results_dir is not None:
        scores = {s.key: _results_scores(results_dir, s) for s in corpus}
        out = score_corpus(corpus, lambda s: [v >= threshold for v in scores[s.key]], profile)
        out["threshold"] = threshold
        return out
    out = score_corpus(corpus, lambda s: detect(s, config_for(s, sensitivity, lows)), profile)
    out["sensitivity"], out["lows"] = sensitivity, lows
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NAB score (official rules) of the Groundswell series detector")
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sensitivity", default="default", choices=["low", "default", "high"])
    parser.add_argument("--profile", default="standard", choices=sorted(PROFILES))
    parser.add_argument("--results", type=Path, help="score these anomaly_score CSVs instead of running ours")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--highs-only", action="store_true", help="no record lows: the live spike channel exactly")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    result = evaluate(args.data_dir, args.sensitivity, args.profile, args.results, args.threshold,
                      lows=not args.highs_only)
    result["wall_s"], result["cpu_s"] = round(time.perf_counter() - started, 2), round(time.process_time() - cpu, 2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
