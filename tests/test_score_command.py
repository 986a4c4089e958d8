"""``groundswell score`` round trips through CSV and JSONL with the bundled model (CliRunner)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli.score import ADDED, score

ROWS = [
    {"id": "1", "text": "Cancelling my contract, worst service ever. I hate you.", "author": "a"},
    {"id": "2", "text": "I love this, thank you so much! Best customer service ever.", "author": "b"},
    {"id": "3", "text": "", "author": "c"},
    {"id": "4", "text": "nul\x00byte and emoji 😡 https://t.co/x", "author": "d"},
]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_to_csv_keeps_columns_and_adds_scores(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(source, ROWS)
    result = CliRunner().invoke(score, [str(source), "-o", str(target), "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert [r["id"] for r in out] == ["1", "2", "3", "4"]
    assert list(out[0]) == ["id", "text", "author", *ADDED]
    assert out[0]["sentiment"] == "negative" and out[0]["churn_threat"] == "true"
    assert out[1]["sentiment"] == "positive" and out[1]["churn_threat"] == "false"
    assert abs(sum(float(out[1][k]) for k in ("p_negative", "p_neutral", "p_positive")) - 1) < 1e-3


def test_jsonl_to_jsonl_with_other_text_column(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.ndjson"
    rows = [{"body": r["text"], "meta": {"n": i}} for i, r in enumerate(ROWS)]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    result = CliRunner().invoke(score, [str(source), "-o", str(target), "--text-column", "body"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["meta"]["n"] for r in out] == [0, 1, 2, 3]
    assert out[0]["churn_threat"] is True and out[0]["sentiment"] == "negative"
    assert set(ADDED) <= set(out[2])


def test_jsonl_to_csv(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.csv"
    source.write_text(json.dumps({"text": "My bill doubled and nobody explains why"}) + "\n")
    result = CliRunner().invoke(score, [str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(target.open(newline="")))
    assert row["category"] == "billing" and row["sentiment"] in ("negative", "neutral")


def test_missing_text_column_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [{"id": "1", "message": "hello"}])
    result = CliRunner().invoke(score, [str(source), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "no 'text' column" in result.output and "--text-column" in result.output


def test_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, ROWS)
    result = CliRunner().invoke(score, [str(source), "-o", str(tmp_path / "out.parquet")])
    assert result.exit_code == 2 and "unknown extension" in result.output


def test_bad_jsonl_line_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "fine"}\nnot json\n')
    result = CliRunner().invoke(score, [str(source), "-o", str(tmp_path / "out.jsonl"), "--model", "lexicon"])
    assert result.exit_code == 1 and "line 2" in result.output
