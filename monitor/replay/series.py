"""Volume-series backtest: NAB-format ``timestamp,value`` CSV in, ``timestamp,value,anomaly_score,alert`` out.

Uses exactly the online spike logic of :mod:`monitor.detection.seasonal` at the chosen sensitivity, one row at a
time, so what the file shows is what the live spike detector would have done, with differences that series
mode owns (``series_config``): it also reports *record lows* (the fewest in memory, by the same margin), because
in a generic volume series a collapse is an anomaly too (in NAB's realTweets, a feed that stops), and its margin,
memory and episode memory are the ones chosen on NAB's non-Twitter series. The live spike channel pages on highs
only: fewer complaints is not a crisis, and a source that stops is the ``source_down`` alert's job.
``--highs-only`` gives exactly the live behaviour. ``anomaly_score >= 0.5`` if and only if
``alert == 1`` (alert rows score 1.0; other rows score ``0.49 * min(score / threshold, 1)``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from monitor.detection.seasonal import SeriesConfig, SeriesDetector, nab_score

SERIES_EPISODE_MEMORY = 1.5  # how far one episode may raise a remembered high, in series mode
SERIES_MARGIN_SCALE, SERIES_MEMORY_DAYS = 2.0, 14.0  # series mode: twice the preset's margin, highs fade in 2 weeks
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S%z")


def parse_timestamp(text: str) -> datetime:
    """Parse NAB/ISO timestamps; naive ones are taken as UTC."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unparseable timestamp {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_series(handle: TextIO) -> Iterator[tuple[str, datetime, float]]:
    """Yield ``(raw_timestamp, parsed, value)``; blank/unparseable values count as 0 (a gap, not a crash)."""
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or not {"timestamp", "value"} <= set(reader.fieldnames):
        raise ValueError("expected a CSV with 'timestamp' and 'value' columns")
    for row in reader:
        raw = (row.get("timestamp") or "").strip()
        if not raw:
            continue
        try:
            value = float(row.get("value") or 0.0)
        except ValueError:
            value = 0.0
        try:
            moment = parse_timestamp(raw)
        except ValueError as exc:
            raise ValueError(f"line {reader.line_num}: {exc} (write timestamps like 2026-01-01 00:05:00)") from None
        yield raw, moment, value if math.isfinite(value) else 0.0


def series_config(sensitivity: str = "default", lows: bool = True, people: bool = True,
                  **overrides: Any) -> SeriesConfig:
    """The detector series mode runs: the live preset at ``sensitivity``, plus record lows unless ``lows=False``.

    Why lows here and not live: chosen on NAB's non-Twitter series alone (48 of them, 37.0 -> 49.4 NAB points;
    ``benchmarks/nab_cv.py``), a record low is as much an anomaly as a record high in a volume series; the
    product pages a brand on highs only. ``people=False`` drops the people floor, for series that do not count
    people (machine metrics, prices): there "5 where 2 was the most" is not thin data.

    An episode may raise the remembered highs at most ``SERIES_EPISODE_MEMORY`` times (live: 4): in a benchmark
    series one anomaly must not make the next one of similar size invisible (chosen on the 48 alone: 49.4 -> 50.6
    at the defaults, and up by 0.6 to 1.4 at every margin/memory point tried there; the live channel keeps 4, where
    a second surge inside a week of an outage is the same story, not a new page). With it, the margin/memory grid
    of ``benchmarks/nab_cv.py`` picks margin 2.0 and a 14-day memory on the 48 alone, on all 53, and in every
    leave-one-series-out fold, so series mode uses twice the preset's margin and highs that fade in two weeks.
    ``lows=False`` is the live spike channel exactly: highs only, the live margin, memory and episode memory.
    """
    floor: dict[str, Any] = {} if people else {"min_count": 0.0, "evidence_z": 0.0}
    base = SeriesConfig.for_sensitivity(sensitivity)
    series = {"two_sided": True, "episode_memory": SERIES_EPISODE_MEMORY, "memory_days": SERIES_MEMORY_DAYS,
              "margin": base.margin * SERIES_MARGIN_SCALE} if lows else {}
    return SeriesConfig.for_sensitivity(sensitivity, **{**floor, **series, **overrides})


def backtest_rows(
    rows: Iterable[tuple[str, datetime, float]], cfg: SeriesConfig
) -> Iterator[tuple[str, float, float, int]]:
    """Run the online detector over the rows in file order (out-of-order rows score 0, never alert)."""
    det = SeriesDetector(cfg)
    for raw, moment, value in rows:
        step = det.step(moment, value)
        yield raw, value, nab_score(step), int(step.alert)


def backtest_file(src: Path, dst: Path, sensitivity: str = "default", lows: bool = True) -> dict[str, int]:
    """Backtest one file; returns counts for a summary line."""
    cfg = series_config(sensitivity, lows)
    rows = alerts = 0
    with src.open(newline="") as fin, dst.open("w", newline="") as fout:
        writer = csv.writer(fout)
        writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
        for raw, value, score, alert in backtest_rows(read_series(fin), cfg):
            shown = int(value) if value.is_integer() else value
            writer.writerow([raw, shown, f"{score:.6f}", alert])
            rows += 1
            alerts += alert
    if not rows:  # "0 rows scored, 0 alerts" and exit 0 read as a quiet series
        dst.unlink(missing_ok=True)
        raise ValueError(f"no rows in {src.name} (the file has its header line but no rows under it); put one "
                         "timestamp,value a line under it")
    return {"rows": rows, "alerts": alerts}


def main(argv: list[str] | None = None) -> int:
    """``python -m monitor.replay.series IN.csv OUT.csv [--sensitivity default]``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--sensitivity", default="default", choices=["low", "default", "high"])
    parser.add_argument("--highs-only", action="store_true", help="no record lows: exactly the live spike channel")
    args = parser.parse_args(argv)
    summary = backtest_file(args.src, args.dst, args.sensitivity, lows=not args.highs_only)
    print(f"{args.src.name}: {summary['rows']} rows, {summary['alerts']} alerts -> {args.dst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
