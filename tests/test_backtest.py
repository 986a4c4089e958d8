"""`groundswell backtest` in both modes, through the command line and the replay API, on real SQLite."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sqlite3
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli.main import cli
from monitor.replay.backtest import BacktestResult, backtest_settings, run_backtest
from monitor.replay.demo_data import DEMO_FILE


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    """A copy of the demo week, so score caches land in the test's folder."""
    path = tmp_path / "data" / DEMO_FILE.name
    path.parent.mkdir()
    shutil.copy(DEMO_FILE, path)
    return path


@pytest.fixture()
def short(demo: Path) -> Path:
    """Two days of the demo week around its outage (the slower replays use it)."""
    path = demo.with_name("short.jsonl")
    rows = [line for line in demo.read_text().splitlines()
            if "2026-11-06T06" <= json.loads(line)["posted_at"] < "2026-11-08T06"]
    path.write_text("\n".join(rows) + "\n")
    return path


def replay(tmp_path: Path, mentions: Path, name: str, *, reminders: bool = False,
           exact: bool = False) -> tuple[list[dict[str, Any]], BacktestResult]:
    work = tmp_path / name
    work.mkdir()
    settings = backtest_settings(work, mentions, "lexicon", "default", "adaptive", reminders=reminders)
    result = run_backtest(settings, work / "timeline.jsonl", input_file=mentions, exact=exact)
    events = [json.loads(line) for line in (work / "timeline.jsonl").read_text().splitlines()]
    return events, result


def test_mentions_mode_writes_the_incident_timeline_of_the_demo_week(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "timeline.jsonl"
    result = CliRunner().invoke(cli, ["backtest", str(demo), "--out", str(out), "--model", "lexicon"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    spikes = [e for e in events if e["trigger"] == "spike" and e["event"] == "opened"]
    assert len(spikes) == 1 and spikes[0]["time"].startswith("2026-11-07T18:")
    assert any(e["event"] == "escalated" and e["severity"] == 4 for e in events)
    opened = {e["trigger"] for e in events if e["event"] == "opened"}
    assert not {"high_reach", "churn_threat", "repeat_complainer"} & opened  # watched, not paged
    assert all(e["resolved_at"] for e in events)  # the replay runs on until incidents go quiet
    ids = {json.loads(line)["id"] for line in demo.read_text().splitlines()}
    assert all(e["example_ids"] and set(e["example_ids"]) <= ids for e in events)  # the input's own ids
    assert all(e["trigger"] in e["facets"] for e in events)
    assert not any(e["event"] == "unacknowledged" for e in events)  # reminders are off by default


def test_reminders_can_be_switched_on(short: Path, tmp_path: Path) -> None:
    events, _ = replay(tmp_path, short, "on", reminders=True)
    assert any(e["event"] == "unacknowledged" for e in events)


def test_scores_are_cached_beside_the_input_and_the_replay_is_the_same(short: Path, tmp_path: Path) -> None:
    first, run1 = replay(tmp_path, short, "one")
    again, run2 = replay(tmp_path, short, "two")
    assert run1.scored > 0 and run2.scored == 0
    assert run1.cache is not None and run1.cache.parent == short.parent and run1.cache.exists()
    assert [(e["time"], e["event"], e["trigger"]) for e in first] == [
        (e["time"], e["event"], e["trigger"]) for e in again]


def test_the_fast_loop_opens_what_stepping_every_five_minutes_opens(short: Path, tmp_path: Path) -> None:
    fast, run_fast = replay(tmp_path, short, "fast")
    exact, run_exact = replay(tmp_path, short, "exact", exact=True)
    assert run_fast.detection_runs < run_exact.detection_runs / 2

    def opened(events: list[dict[str, Any]]) -> list[tuple[object, ...]]:
        return [(e["time"], e["trigger"], e["severity"], tuple(e["example_ids"])) for e in events
                if e["event"] in ("opened", "escalated", "resolved")]
    assert opened(fast) == opened(exact) and opened(fast)


def test_a_brand_column_replays_each_brand(short: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in short.read_text().splitlines()]
    mixed = tmp_path / "two_brands.jsonl"
    with mixed.open("w") as handle:
        for row in rows:  # the same week for two brands: each must page on its own
            for brand in ("Acme Corp", "Brightwave"):
                handle.write(json.dumps({**row, "id": f"{brand[:2]}-{row['id']}", "brand": brand}) + "\n")
    events, result = replay(tmp_path, mixed, "mixed")
    assert result.brands == ["acme-corp", "brightwave"]
    spikes = {e["brand"] for e in events if e["trigger"] == "spike" and e["event"] == "opened"}
    assert spikes == {"acme-corp", "brightwave"}
    assert all(str(i).startswith({"acme-corp": "Ac-", "brightwave": "Br-"}[str(e["brand"])])
               for e in events for i in e["example_ids"])


def test_the_temporary_database_is_removed_or_kept_on_request(short: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "t.jsonl"
    result = CliRunner().invoke(cli, ["backtest", str(short), "--out", str(out), "--model", "lexicon"])
    assert result.exit_code == 0, result.output
    assert list(scratch.iterdir()) == [] and "database kept" not in result.output
    result = CliRunner().invoke(cli, ["backtest", str(short), "--out", str(out), "--model", "lexicon", "--keep-db"])
    assert result.exit_code == 0, result.output
    kept = next(scratch.iterdir()) / "backtest.db"
    assert kept.exists() and "database kept:" in result.output and kept.name in result.output


def test_a_file_without_usable_rows_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no id or time"}\nnot json\n')
    result = CliRunner().invoke(cli, ["backtest", str(bad), "--out", str(tmp_path / "o.jsonl"), "--model", "lexicon"])
    assert result.exit_code != 0 and "no usable rows in" in result.output
    assert "Traceback" not in result.output


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


def _model_copies(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the bundled sentiment model and sentence encoder, so a test can take their weights away."""
    from models.embedding import ARTIFACT_DIR as EMBED_DIR
    from models.transformer import ARTIFACT_DIR as SENTIMENT_DIR

    sentiment, encoder = tmp_path / "sentiment", tmp_path / "encoder"
    shutil.copytree(SENTIMENT_DIR, sentiment)
    shutil.copytree(EMBED_DIR, encoder)
    return sentiment, encoder


def _replay_with(tmp_path: Path, mentions: Path, name: str, sentiment: Path, encoder: Path) -> tuple[str, int]:
    work = tmp_path / name
    work.mkdir()
    settings = backtest_settings(work, mentions, str(sentiment), "default", "adaptive")
    settings = settings.model_copy(update={"model": settings.model.model_copy(update={"embedding": str(encoder)})})
    result = run_backtest(settings, work / "timeline.jsonl", input_file=mentions)
    return (work / "timeline.jsonl").read_text(), result.scored


def test_a_cached_replay_loads_no_model_and_gives_the_same_timeline(short: Path, tmp_path: Path) -> None:
    from monitor.errors import ModelError

    sentiment, encoder = _model_copies(tmp_path)
    first, scored = _replay_with(tmp_path, short, "first", sentiment, encoder)
    assert scored > 0 and first.count("\n") > 0
    assert any(p.name.startswith(f"{short.name}.vectors-") for p in short.parent.iterdir())  # vectors cached too
    # the same models (same meta.json) in new folders without their weights: no loaded model is reused
    # (the loaders cache by folder) and none can be loaded, so only the caches can answer now
    bare = []
    for folder in (sentiment, encoder):
        bare.append(shutil.copytree(folder, tmp_path / f"bare-{folder.name}", ignore=shutil.ignore_patterns("*.onnx")))
    again, scored_again = _replay_with(tmp_path, short, "again", bare[0], bare[1])
    assert scored_again == 0
    assert again == first  # every alert, incident, facet and example id
    meta = json.loads((bare[0] / "meta.json").read_text())
    (bare[0] / "meta.json").write_text(json.dumps({**meta, "version": "another"}))
    with pytest.raises(ModelError):  # another model version has no cache: it must score, and cannot
        _replay_with(tmp_path, short, "other", bare[0], bare[1])


def test_a_kept_replay_database_can_be_searched(short: Path, tmp_path: Path) -> None:
    """The replay loads without the per-row search trigger; a kept database gets its index (and trigger) back."""
    import sqlite3

    out = tmp_path / "timeline.jsonl"
    result = CliRunner().invoke(cli, ["backtest", str(short), "--out", str(out), "--model", "lexicon", "--keep-db"])
    assert result.exit_code == 0, result.output
    kept = Path("".join(result.output.split("database kept:")[1].split()))
    try:
        with sqlite3.connect(kept) as db:
            like = db.execute("select count(*) from mentions where text like '%internet%'").fetchone()[0]
            match = """select count(*) from mentions_fts where mentions_fts match '"internet"'"""
            fts = db.execute(match).fetchone()[0]
            trigger = db.execute("select 1 from sqlite_master where name = 'mentions_fts_insert'").fetchone()
    finally:
        shutil.rmtree(kept.parent, ignore_errors=True)
    assert like > 0 and fts == like and trigger is not None


def test_the_demo_week_replays_to_the_same_incidents_as_before_the_one_detector_loop(demo: Path,
                                                                                    tmp_path: Path) -> None:
    """Pinned from the replay loop that ran a shadow detector beside the incident layer's (before issue 12's
    speed-up): the same incident ids, severities, counts and example ids, and every incident it stored. Re-pinned
    after churn v3, which no longer reads 37 of the week's posts as churn threats (38 -> 1 churn incidents)."""
    events, result = replay(tmp_path, demo, "pinned")
    assert result.events == 5 and result.detection_runs == 187  # 219 before churn v3 (37 fewer churn incidents)
    assert [(e["time"][11:16], e["event"], e["incident"], e["severity"], e["mentions"], e["authors"])
            for e in events] == [("18:30", "opened", 4, 2, 121, 153), ("18:40", "escalated", 4, 3, 121, 153),
                                 ("18:40", "updated", 4, 3, 121, 153), ("19:00", "escalated", 4, 4, 121, 153),
                                 ("22:25", "resolved", 4, 4, 121, 153)]
    examples = [f"bw00{n}" for n in (420, 421, 422, 423, 424, 429, 430, 431, 432, 415, 417, 438, 440, 425, 426,
                                     427, 445, 446, 447, 449)]
    assert all(e["example_ids"] == examples for e in events)
    with sqlite3.connect(tmp_path / "pinned" / "backtest.db") as db:
        stored = db.execute("SELECT id, trigger, status, severity, mention_count, author_count, example_mention_ids,"
                            " opened_at, resolved_at, last_activity_at, reason FROM incidents ORDER BY id").fetchall()
        unexamined = db.execute("SELECT count(*) FROM mentions WHERE detected_at IS NULL").fetchone()[0]
    assert Counter(row[1] for row in stored) == {"churn_threat": 1, "high_reach": 1, "repeat_complainer": 1,
                                                 "spike": 1}
    assert hashlib.sha256(repr(stored).encode()).hexdigest()[:16] == "d72c1a2a9b1793a7"
    assert unexamined == 1  # the one brand reply: detection never reads those


def test_examined_rows_go_in_once_per_incident_layer_run_and_none_is_lost_or_doubled(short: Path,
                                                                                    tmp_path: Path) -> None:
    """The replay holds examined rows until the incident layer runs (its only reader): one insert per run."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    inserts: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO MENTIONS"):
            inserts.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        _, result = replay(tmp_path, short, "held")
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    posted = {json.loads(line)["posted_at"][:15] for line in short.read_text().splitlines()}
    assert 0 < len(inserts) <= result.detection_runs + 1 < len(posted)  # not one per step (10 minutes here)
    with sqlite3.connect(tmp_path / "held" / "backtest.db") as db:
        stored = [e for e, in db.execute("select external_id from mentions order by id")]
    ids = [json.loads(line)["id"] for line in short.read_text().splitlines()]
    assert sorted(stored) == sorted(set(ids)) and len(stored) == len(set(stored))
