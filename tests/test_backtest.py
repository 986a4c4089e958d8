"""`groundswell backtest` in both modes, through the command line."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from monitor.cli.main import cli
from monitor.replay.demo_data import DEMO_FILE


def test_mentions_mode_writes_the_incident_timeline_of_the_demo_week(tmp_path: Path) -> None:
    out = tmp_path / "timeline.jsonl"
    result = CliRunner().invoke(cli, ["backtest", str(DEMO_FILE), "--out", str(out), "--model", "lexicon"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    spikes = [e for e in events if e["trigger"] == "spike" and e["event"] == "opened"]
    assert len(spikes) == 1 and spikes[0]["time"].startswith("2026-11-07T18:")
    assert any(e["event"] == "escalated" and e["severity"] == 4 for e in events)
    opened = {e["trigger"] for e in events if e["event"] == "opened"}
    assert not {"high_reach", "churn_threat", "repeat_complainer"} & opened  # watched, not paged
    assert all(e["resolved_at"] for e in events)  # the replay runs on until incidents go quiet


def test_series_mode_scores_every_row_and_flags_the_spike(tmp_path: Path) -> None:
    start = datetime(2015, 3, 1, tzinfo=UTC)
    rows = ["timestamp,value"]
    for i in range(14 * 288):
        value = 40 + 25 * math.sin(i / 288 * 2 * math.pi) + (i * 7919 % 13)
        if 12 * 288 <= i < 12 * 288 + 6:
            value *= 8
        rows.append(f"{(start + timedelta(minutes=5 * i)):%Y-%m-%d %H:%M:%S},{value:.0f}")
    series = tmp_path / "series.csv"
    series.write_text("\n".join(rows) + "\n")
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(cli, ["backtest", "--series", str(series), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "timestamp,value,anomaly_score,alert" and len(lines) == len(rows)
    alerts = [line for line in lines[1:] if line.endswith(",1")]
    assert alerts and alerts[0].startswith("2015-03-13")
