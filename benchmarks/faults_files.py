"""Hostile replay files (issue 13): each is polled by a real `groundswell poll` process and judged.

Handled means: the right exit code (0, or 1 with one "failed" line for a file that cannot be read at
all), no traceback, no hang, every good row stored, and one "skipped" line per bad row (nothing else
on stderr).  Each case is (file maker, good ids, bad-row lines expected, exit code).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.faults_common import Maker, case_folders, crash, file_maker, monitor_command, own_lines

PAST = "2026-01-02T03:04:05+00:00"


def row(ident: str, **fields: Any) -> str:
    return json.dumps({"id": ident, "text": f"Acme router {ident}", "posted_at": PAST, **fields}) + "\n"


def jsonl(*lines: str | bytes) -> Maker:
    return file_maker("feed.jsonl", b"".join(x if isinstance(x, bytes) else x.encode("utf-8", "surrogatepass")
                                             for x in lines))


def csv_file(text: bytes) -> Maker:
    return file_maker("feed.csv", text)


def fifo(folder: Path) -> Path:
    path = folder / "feed.jsonl"
    os.mkfifo(path)
    return path


def folder_path(folder: Path) -> Path:
    path = folder / "feed.jsonl"
    path.mkdir()
    return path


def sparse(size: int) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / "feed.jsonl"
        with path.open("wb") as out:
            out.write(row("g1").encode())
            out.seek(size)
            out.write(b"\n" + row("g2").encode())
        return path
    return make


def symlink_loop(folder: Path) -> Path:
    path = folder / "feed.jsonl"
    path.symlink_to(path)
    return path


HEADER = b"id,text,posted_at\n"
GOOD_CSV = f"g1,Acme router one,{PAST}\n".encode()
GOOD_CSV2 = f"g2,Acme router two,{PAST}\n".encode()
G = ("g1", "g2")
CASES: dict[str, tuple[Maker, tuple[str, ...], int, int]] = {
    "bom_jsonl": (jsonl(b"\xef\xbb\xbf", row("g1"), row("g2")), G, 0, 0),
    "bom_csv": (csv_file(b"\xef\xbb\xbf" + HEADER + GOOD_CSV + GOOD_CSV2), G, 0, 0),
    "csv_unclosed_quote": (csv_file(HEADER + GOOD_CSV + f'b1,"Acme broken,{PAST}\n'.encode() + GOOD_CSV2), G, 1, 0),
    "csv_1mb_field": (csv_file(HEADER + GOOD_CSV + f'b1,"{"x" * 1_000_000}",{PAST}\n'.encode() + GOOD_CSV2),
                      (*G, "b1"), 0, 0),
    "csv_missing_columns": (csv_file(b"id,text\n" + b"g1,Acme router\n"), (), 1, 0),
    "huge_int_followers": (jsonl(row("g1"), row("g2", author_followers=10**30)), G, 0, 0),
    "int_23_digits_likes": (jsonl(row("g1"), row("g2", likes=12345678901234567890123)), G, 0, 0),
    "int_3e9_reposts": (jsonl(row("g1"), row("g2", reposts=3_000_000_000)), G, 0, 0),
    "float_1e30": (jsonl(row("g1"), row("g2", author_followers=1e30)), G, 0, 0),
    "negative_counts": (jsonl(row("g1"), row("g2", likes=-5)), G, 0, 0),
    "nul_escaped_in_text": (jsonl(row("g1"), row("g2", text="Acme \u0000 router")), G, 0, 0),
    "nul_escaped_in_id": (jsonl(row("g1"), row("g2\u0000x"), row("g2")), G, 0, 0),
    "raw_nul_bytes": (jsonl(row("g1"), b"\x00\x00\x00\n", row("g2")), G, 1, 0),
    "year_1_with_offset": (jsonl(row("g1"), row("b1", posted_at="0001-01-01T00:00:00+14:00"), row("g2")), G, 1, 0),
    "year_9999_with_offset": (jsonl(row("g1"), row("b1", posted_at="9999-12-31T23:59:59-12:00"), row("g2")),
                              G, 1, 0),
    "row_in_2099_waits_alone": (jsonl(row("g1"), row("f1", posted_at="2099-01-01T00:00:00+00:00"), row("g2")),
                                G, 0, 0),
    "date_in_words": (jsonl(row("g1"), row("b1", posted_at="yesterday"), row("g2")), G, 1, 0),
    "id_20k_chars": (jsonl(row("g1"), row("i" * 20_000), row("g2")), (*G, "i" * 20_000), 0, 0),
    "nested_brackets_200k": (jsonl(row("g1"), "[" * 200_000 + "\n", row("g2")), G, 1, 0),
    "nested_objects_100k": (jsonl(row("g1"), '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n", row("g2")), G, 1, 0),
    "line_over_4mb": (jsonl(row("g1"), row("b1", text="x" * 5_000_000), row("g2")), G, 1, 0),
    "invalid_utf8": (jsonl(row("g1"), b'{"id": "b1", "text": "\xff\xfe Acme", "posted_at": "' + PAST.encode()
                           + b'"}\n', row("g2")), (*G, "b1"), 0, 0),
    "lone_surrogate": (jsonl(row("g1"), row("g2", text="Acme \ud800 router")), G, 0, 0),
    "ansi_and_bidi_text": (jsonl(row("g1"), row("g2", text="Acme \x1b]8;;http://evil\x07 \u202e router")), G, 0, 0),
    "not_json_garbage": (jsonl(row("g1"), b"\x89PNG\r\n\x1a\n", row("g2")), G, 2, 0),
    "top_level_array_and_scalar": (jsonl(row("g1"), "[1, 2]\n", "42\n", row("g2")), G, 2, 0),
    "missing_text_and_wrong_type": (jsonl(row("g1"), json.dumps({"id": "b1", "posted_at": PAST}) + "\n",
                                          row("b2", text=17), row("g2")), G, 2, 0),
    "crlf_and_blank_lines": (jsonl(row("g1").replace("\n", "\r\n"), "\r\n\n   \n", row("g2")), G, 0, 0),
    "duplicate_ids": (jsonl(row("g1"), row("g1"), row("g2")), G, 0, 0),
    "last_line_unfinished": (jsonl(row("g1"), row("g2"), '{"id": "w1", "text": "Acme'), G, 0, 0),
    "empty_file": (jsonl(""), (), 0, 0),
    "sparse_512mb_hole": (sparse(512 * 2**20), G, 1, 0),
    "fifo": (fifo, (), 0, 1),
    "folder_not_file": (folder_path, (), 0, 1),
    "symlink_loop": (symlink_loop, (), 0, 1),
}


def poll(folder: Path, path: Path, timeout: float) -> subprocess.CompletedProcess[str] | None:
    config = folder / "settings.toml"
    config.write_text(f'[app]\ndata_dir = "{folder / "data"}"\n[model]\nsentiment = "lexicon"\n'
                      f'[[brands]]\nid = "acme"\nname = "Acme"\n'
                      f'[[sources]]\nid = "feed"\nkind = "replay"\nbrand = "acme"\nlimit = 1000\npath = "{path}"\n')
    return monitor_command(config, ["poll", "feed", "--once"], timeout)


def stored_ids(folder: Path) -> set[str]:
    database = folder / "data" / "groundswell.db"
    if not database.exists():
        return set()
    with sqlite3.connect(database) as db:
        return {r[0] for r in db.execute("select external_id from mentions")}


def judge(done: subprocess.CompletedProcess[str] | None, stored: set[str], good: tuple[str, ...], bad: int,
          code: int) -> str:
    if (verdict := crash(done)) is not None or done is None:
        return verdict or "hang"
    if done.returncode != code:
        return f"exit {done.returncode}, expected {code}"
    if not {g if len(g) < 100 else "" for g in good} - {""} <= stored or len(stored) < len(good):
        return f"good rows lost ({len(stored)} of {len(good)} stored)"
    lines = [ln for ln in own_lines(done.stderr) if not ln.startswith("polling ")]
    expected = 1 if code else bad
    if len(lines) != expected or not all(ln.startswith(("skipped", "feed failed")) for ln in lines):
        return f"{len(lines)} problem lines, expected {expected}"
    return "handled"


def rotation_case(folder: Path, timeout: float) -> dict[str, Any]:
    """A rotated file (replaced by a shorter one) is read again from the start: its new rows go in."""
    path = jsonl(row("g1"), row("g2"), row("g3"))(folder)
    first = poll(folder, path, timeout)
    jsonl(row("r1"))(folder)
    second = poll(folder, path, timeout)
    verdict = judge(second, stored_ids(folder), ("g1", "g2", "g3", "r1"), 1, 0) if first else "hang"
    return _result("rotation_shorter_file", verdict, second)


def _result(name: str, verdict: str, done: subprocess.CompletedProcess[str] | None) -> dict[str, Any]:
    tail = "" if done is None else (done.stderr.strip().splitlines() or [""])[-1][:200]
    return {"case": name, "verdict": verdict, "exit": None if done is None else done.returncode, "last_line": tail}


def run_files(workdir: Path, limit: int, timeout: float) -> dict[str, Any]:
    results = []
    for name, (make, good, bad, code), folder in case_folders(workdir, "file", CASES, limit - 1):
        done = poll(folder, make(folder), timeout)
        results.append(_result(name, judge(done, stored_ids(folder), good, bad, code), done))
    if limit:
        (workdir / "rotation").mkdir(parents=True)
        results.append(rotation_case(workdir / "rotation", timeout))
    verdicts = [r["verdict"] for r in results]
    return {"cases": len(results), "handled": verdicts.count("handled"), "traceback": verdicts.count("traceback"),
            "hang": verdicts.count("hang"), "other_failures": [r for r in results if r["verdict"] != "handled"],
            "results": results}
