"""Volume-series backtest (NAB CSV format) and our NAB scoring rules, on series generated here."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.main import cli
from monitor.detection.seasonal import SeriesConfig
from monitor.replay.series import backtest_file, main, parse_timestamp, series_config

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("nab_score", ROOT / "benchmarks" / "nab_score.py")
assert _spec and _spec.loader
nab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nab)

T0 = datetime(2026, 2, 2, tzinfo=UTC)


def write_series(path: Path, days: int = 6, spike_at: int | None = None, seed: int = 4,
                 gap_at: int | None = None, second: tuple[int, int] | None = None) -> list[str]:
    rng = random.Random(seed)
    stamps = []
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        for i in range(days * 288):
            hour = (i / 12) % 24
            value = rng.randint(5, 15) + int(10 * (1 + math.sin(hour / 24 * 2 * math.pi)))
            if spike_at is not None and spike_at <= i < spike_at + 4:
                value += 600
            if second is not None and second[0] <= i < second[0] + 4:  # a later, smaller spike: (start, size)
                value += second[1]
            if gap_at is not None and gap_at <= i < gap_at + 72:  # the feed stops for six hours
                value = 0
            stamp = (T0 + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S")
            stamps.append(stamp)
            writer.writerow([stamp, value])
    return stamps


def read_out(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_backtest_writes_scores_and_alerts_the_spike(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    stamps = write_series(src, spike_at=5 * 288)
    assert main([str(src), str(dst)]) == 0
    rows = read_out(dst)
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score", "alert"]
    assert [r["timestamp"] for r in rows] == stamps
    assert all((float(r["anomaly_score"]) >= 0.5) == (r["alert"] == "1") for r in rows)
    alerts = [i for i, r in enumerate(rows) if r["alert"] == "1"]
    assert 5 * 288 in alerts and len(alerts) <= 3


def test_sensitivity_presets_order_alert_counts(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    write_series(src, days=8, seed=8)
    counts = {s: backtest_file(src, tmp_path / f"{s}.csv", s)["alerts"] for s in ("low", "default", "high")}
    assert counts["low"] <= counts["default"] <= counts["high"]


def test_bad_rows_blank_values_and_missing_columns(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("timestamp,value\n2026-01-01 00:00:00,3\n2026-01-01 00:05:00,\n,7\n"
                   "2026-01-01 00:10:00,abc\n2026-01-01 00:05:00,9\n2026-01-01T00:20:00+01:00,1\n")
    assert backtest_file(src, dst) == {"rows": 5, "alerts": 0}
    bad = tmp_path / "bad.csv"
    bad.write_text("time,count\n2026-01-01 00:00:00,3\n")
    with pytest.raises(ValueError):
        backtest_file(bad, dst)
    assert parse_timestamp("2015-03-03 04:37:53.000000") == datetime(2015, 3, 3, 4, 37, 53, tzinfo=UTC)


def test_nab_scoring_rules_on_a_tiny_file() -> None:
    times = [T0 + timedelta(minutes=5 * i) for i in range(1000)]
    window = [(times[400], times[499])]
    none = [False] * 1000
    assert nab.score_file(times, none, window, "standard")["raw"] == -1.0
    early = list(none)
    early[400] = True
    assert nab.score_file(times, early, window, "standard")["raw"] == pytest.approx(1.0, abs=1e-9)
    late = list(none)
    late[499], late[450] = True, True  # only the first detection in the window counts
    mid = nab.score_file(times, late, window, "standard")
    assert 0.0 < mid["raw"] < 1.0 and mid["tp"] == 1
    noisy = list(early)
    noisy[900] = True  # far past the window: almost the full A_FP penalty
    noisy[100] = True  # in the probationary period: ignored
    res = nab.score_file(times, noisy, window, "standard")
    assert res["fp"] == 1 and -0.11 < res["raw"] - 1.0 < -0.1
    assert nab.scaled_sigmoid(-1.0) > 0.98 and nab.scaled_sigmoid(4.0) == -1.0


def test_nab_evaluate_normalises_null_to_zero(tmp_path: Path) -> None:
    stamps = write_series(tmp_path / "flat.csv", days=4, seed=1)
    labels = {"realTweets/flat.csv": [[stamps[900] + ".000000", stamps[950] + ".000000"]]}
    (tmp_path / "combined_windows.json").write_text(json.dumps(labels))
    result = nab.evaluate(tmp_path, "default", "standard")
    assert result["files"]["realTweets/flat.csv"]["fn"] == 1
    assert result["score"] <= 0.0


def test_series_mode_reports_a_collapse_and_highs_only_is_the_live_channel(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    write_series(src, days=8, seed=5, gap_at=6 * 288 + 100)
    with_lows, highs = tmp_path / "lows.csv", tmp_path / "highs.csv"
    assert main([str(src), str(with_lows)]) == 0
    assert main([str(src), str(highs), "--highs-only"]) == 0
    gap = range(6 * 288 + 100, 6 * 288 + 172)
    lows_alerts = [i for i, r in enumerate(read_out(with_lows)) if r["alert"] == "1"]
    high_alerts = [i for i, r in enumerate(read_out(highs)) if r["alert"] == "1"]
    assert any(i in gap for i in lows_alerts)  # the collapse is reported in series mode
    assert not any(i in gap for i in high_alerts)  # the live channel never pages on fewer mentions
    assert len(high_alerts) < len(lows_alerts)


def test_live_defaults_stay_highs_only() -> None:
    assert SeriesConfig().two_sided is False and SeriesConfig.for_sensitivity("default").two_sided is False
    assert series_config(lows=False) == SeriesConfig.for_sensitivity("default")
    assert series_config().two_sided is True
    assert series_config(people=False).min_count == 0.0 and series_config().min_count == 5.0
    series, live = series_config(), series_config(lows=False)  # series mode's knobs were chosen on NAB's 48
    assert (series.margin, series.memory_days, series.episode_memory) == (2.0, 14.0, 1.5)
    assert (live.margin, live.memory_days, live.episode_memory) == (1.0, 28.0, 4.0)
    assert series_config("high").margin < series.margin < series_config("low").margin


@pytest.mark.parametrize("seed", [4, 5])
def test_series_mode_catches_a_second_smaller_anomaly_after_a_big_one(tmp_path: Path, seed: int) -> None:
    """One big spike (+600) must not hide a later one of +100 two days on: in series mode an episode raises the
    remembered high at most 1.5 times. The live channel (4 times: a second surge is the same story) stays deaf."""
    src = tmp_path / "in.csv"
    write_series(src, days=8, seed=seed, spike_at=4 * 288, second=(6 * 288, 100))
    assert main([str(src), str(tmp_path / "series.csv")]) == 0
    assert main([str(src), str(tmp_path / "live.csv"), "--highs-only"]) == 0
    second = range(6 * 288, 6 * 288 + 4)
    series_alerts = [i for i, r in enumerate(read_out(tmp_path / "series.csv")) if r["alert"] == "1"]
    live_alerts = [i for i, r in enumerate(read_out(tmp_path / "live.csv")) if r["alert"] == "1"]
    assert 4 * 288 in series_alerts and any(i in second for i in series_alerts)
    assert 4 * 288 in live_alerts and not any(i in second for i in live_alerts)
    assert series_config().episode_memory == 1.5 < series_config(lows=False).episode_memory == 4.0


def test_cli_series_highs_only_and_bad_input(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_series(src, days=8, seed=5, gap_at=6 * 288 + 100)
    runner = CliRunner()
    both = runner.invoke(cli, ["backtest", "--series", str(src), "--out", str(out)])
    lows_alerts = sum(r["alert"] == "1" for r in read_out(out))
    highs = runner.invoke(cli, ["backtest", "--series", "--highs-only", str(src), "--out", str(out)])
    assert both.exit_code == 0 and highs.exit_code == 0, both.output + highs.output
    assert sum(r["alert"] == "1" for r in read_out(out)) < lows_alerts
    bad = tmp_path / "bad.csv"
    bad.write_text("time,count\n2026-01-01 00:00:00,3\n")
    result = runner.invoke(cli, ["backtest", "--series", str(bad), "--out", str(out)])
    assert result.exit_code == 1 and "timestamp" in result.output and "Traceback" not in result.output
