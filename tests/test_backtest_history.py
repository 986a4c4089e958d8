"""`groundswell backtest --history-hours N`: the file's first N hours are the brand's past, as a live first poll's.

A live brand's first poll reads 6-24 hours back and its first detection pass learns them; a replay without a
past judges a file that starts mid-week as a brand's first minutes (issue 12: a complaint-heavy airline paged
"34 negative mentions from 26 people; expected 0" because its data simply began). Through the real command
line, on real SQLite, with the lexicon model (no model download).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from monitor.cli.main import cli

START = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # the file's first post (a Tuesday morning, mid-week)
STEP = timedelta(minutes=5)
HISTORY = 72  # buckets: six hours
BURST = HISTORY + 24  # two hours after the history: a real burst of 35 more people for a quarter hour
WORDS = ["billing", "router", "refund", "support", "login", "wifi", "fibre", "modem", "app", "flight", "gate"]
ANGRY = ["terrible", "awful", "slow", "broken", "useless", "worst", "rude", "pathetic"]


def complaint_heavy_file(path: Path, seed: int = 4, brands: tuple[str, ...] = ("",)) -> int:
    """A busy airline-like brand: a silent first quarter hour, then ~80 % complaints every 5 minutes for ten
    hours, each from a different person, with a burst after the first eight (each of ``brands``, named in a
    brand column). Returns the rows of the first six hours."""
    rng, rows = random.Random(seed), []
    for brand in brands:
        for i in range(HISTORY + 48):
            negative = 0 if i < 3 else rng.randint(7, 11) + (35 if BURST <= i < BURST + 3 else 0)
            for n in range(negative + 2):
                rows.append(_row(rng, len(rows), START + i * STEP, n < negative) | ({"brand": brand} if brand else {}))
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return sum(1 for r in rows if r["posted_at"] < (START + HISTORY * STEP).isoformat())


def _row(rng: random.Random, seq: int, bucket: datetime, negative: bool) -> dict[str, Any]:
    posted = bucket + timedelta(seconds=rng.randint(0, 299))
    words = [f"{rng.choice(WORDS)}{rng.randint(0, 999)}" for _ in range(7)]  # no two alike: no story
    text = " ".join([rng.choice(ANGRY) if negative else "today", *words])
    return {"id": f"p{seq}", "text": text, "posted_at": posted.isoformat(), "author_id": f"u{seq}",
            "author_handle": f"someone{seq}", "author_followers": 50}


def backtest(tmp_path: Path, mentions: Path, *extra: str) -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path / f"timeline{len(extra)}.jsonl"
    result = CliRunner().invoke(cli, ["backtest", str(mentions), "--out", str(out), "--model", "lexicon", *extra])
    events = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result, events


def spikes(events: list[dict[str, Any]]) -> list[datetime]:
    return [datetime.fromisoformat(e["time"]) for e in events if e["event"] == "opened" and "spike" in e["facets"]]


def test_a_complaint_heavy_file_pages_only_its_real_burst_when_its_first_hours_are_history(tmp_path: Path) -> None:
    mentions = tmp_path / "data" / "airline.jsonl"
    mentions.parent.mkdir()
    history_rows = complaint_heavy_file(mentions)
    cold, cold_events = backtest(tmp_path, mentions)
    assert cold.exit_code == 0, cold.output
    early = [t for t in spikes(cold_events) if t < START + HISTORY * STEP]
    assert early, cold_events  # without a past, the file's busy start pages as a new brand's first minutes
    kept, events = backtest(tmp_path, mentions, "--history-hours", "6")
    assert kept.exit_code == 0, kept.output
    assert f"{history_rows} of them were history (the first 6 hours" in kept.output, kept.output
    assert all(datetime.fromisoformat(e["time"]) >= START + HISTORY * STEP for e in events), events
    paged = spikes(events)
    burst = START + BURST * STEP
    assert paged and all(burst <= t <= burst + 4 * STEP for t in paged), (paged, events)


def test_every_brand_of_a_file_learns_its_own_rows_of_the_first_hours(tmp_path: Path) -> None:
    mentions = tmp_path / "data" / "two.jsonl"
    mentions.parent.mkdir()
    history_rows = complaint_heavy_file(mentions, seed=5, brands=("Airline", "Railway"))
    result, events = backtest(tmp_path, mentions, "--history-hours", "6")
    assert result.exit_code == 0, result.output
    assert f"{history_rows} of them were history" in result.output, result.output
    opened = {e["brand"]: datetime.fromisoformat(e["time"]) for e in events if e["event"] == "opened"}
    burst = START + BURST * STEP
    assert set(opened) == {"airline", "railway"}, events
    assert all(burst <= t <= burst + 4 * STEP for t in opened.values()), events


def test_history_hours_out_of_range_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    mentions = tmp_path / "data" / "airline.jsonl"
    mentions.parent.mkdir()
    complaint_heavy_file(mentions)
    negative, _ = backtest(tmp_path, mentions, "--history-hours", "-1")
    assert negative.exit_code == 2 and "--history-hours must be 0 or more hours" in negative.output
    assert len(negative.output.strip().splitlines()) == 1, negative.output
    too_long, events = backtest(tmp_path, mentions, "--history-hours", "11")
    assert too_long.exit_code == 2, too_long.output
    assert too_long.output.strip().splitlines() == [
        "Error: --history-hours 11 is longer than the file, which spans 10.0 hours from its first post to its last"]
    assert events == []  # nothing replayed
    series, _ = backtest(tmp_path, mentions, "--series", "--history-hours", "6")
    assert series.exit_code == 2 and series.output.strip().splitlines() == [
        "Error: --history-hours is for mentions files, not --series"]


def test_no_history_is_todays_replay(tmp_path: Path) -> None:
    mentions = tmp_path / "data" / "airline.jsonl"
    mentions.parent.mkdir()
    complaint_heavy_file(mentions)
    default, events = backtest(tmp_path, mentions)
    zero, same = backtest(tmp_path, mentions, "--history-hours", "0", "--step-minutes", "5")
    assert default.exit_code == zero.exit_code == 0, (default.output, zero.output)
    assert events == same and "were history" not in zero.output
