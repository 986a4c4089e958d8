from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from monitor.clock import ManualClock
from monitor.errors import SourceUnavailable
from tests.fakes.settings_files import service_settings_toml

REPO = Path(__file__).resolve().parent.parent  # subprocesses import this checkout, not an installed copy


def connector(path: Path, clock: ManualClock, follow: bool = True) -> ReplayConnector:
    context = ConnectorContext("replay", BrandTerms(id="acme", name="Acme"), clock)
    return ReplayConnector(ReplayOptions(path=path, follow_clock=follow), context)


def test_malformed_rows_are_reported_with_line_numbers_and_good_rows_go_in(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "1", "text": "fine", "posted_at": "2026-11-01T10:00:00Z", "author_id": "a"}),
        "{not json",
        json.dumps({"id": "2", "posted_at": "2026-11-01T10:01:00Z"}),
        json.dumps({"id": "3", "text": "bad date", "posted_at": "yesterday"}),
        json.dumps({"id": "4", "text": "also fine", "posted_at": "2026-11-01T10:02:00+01:00"}),
    ]) + "\n")
    batch = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC))).fetch(None, limit=100)
    assert [m.external_id for m in batch.mentions] == ["1", "4"]
    assert batch.mentions[1].posted_at == datetime(2026, 11, 1, 9, 2, tzinfo=UTC)
    assert [p.split(":")[0] for p in batch.problems] == ["m.jsonl line 2", "m.jsonl line 3", "m.jsonl line 4"]
    assert "missing field 'text'" in batch.problems[1]
    assert batch.cursor is not None and batch.cursor["line"] == 6 and "waiting" not in batch.cursor


def test_csv_rows_follow_the_clock_and_the_cursor(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,text,posted_at,author_followers\n1,a,2026-11-01T10:00:00Z,5\n"
                    "2,b,2026-11-01T11:00:00Z,\n3,c,2026-11-01T12:00:00Z,7\n")
    clock = ManualClock(datetime(2026, 11, 1, 11, 30, tzinfo=UTC))
    source = connector(path, clock)
    first = source.fetch(None, limit=100)
    assert [m.external_id for m in first.mentions] == ["1", "2"]
    assert first.mentions[0].author.followers == 5 and first.mentions[1].author.followers is None
    assert source.fetch(first.cursor, limit=100).mentions == []
    clock.advance(datetime(2026, 11, 1, 13, tzinfo=UTC) - clock())
    assert [m.external_id for m in source.fetch(first.cursor, limit=100).mentions] == ["3"]


def test_limit_bounds_each_fetch(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": "t", "posted_at": "2026-11-01T10:00:00Z"}) + "\n"
                            for i in range(10)))
    source = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
    batch = source.fetch(None, limit=4)
    assert len(batch.mentions) == 4 and batch.cursor is not None and batch.cursor["line"] == 5


def rows(ids: list[str], day: str = "2026-11-01") -> str:
    return "".join(json.dumps({"id": i, "text": f"post {i}", "posted_at": f"{day}T10:00:00Z"}) + "\n" for i in ids)


def test_a_rotated_shorter_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(rows([f"old{i}" for i in range(10)]))
    source = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
    first = source.fetch(None, limit=100)
    path.write_text(rows(["new0", "new1"]))  # logrotate: a fresh, shorter file under the same name
    second = source.fetch(first.cursor, limit=100)
    assert [m.external_id for m in second.mentions] == ["new0", "new1"]
    assert any("replaced or truncated" in p for p in second.problems)
    path.write_text(rows(["new0", "new1", "new2"]))  # rewritten in place, now longer: same head, goes on
    assert [m.external_id for m in source.fetch(second.cursor, limit=100).mentions] == ["new2"]


def test_a_replaced_file_of_the_same_length_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(rows(["a1", "a2"]))
    source = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
    first = source.fetch(None, limit=100)
    path.write_text(rows(["b1", "b2", "b3"]))
    assert [m.external_id for m in source.fetch(first.cursor, limit=100).mentions] == ["b1", "b2", "b3"]


def test_one_row_dated_2099_does_not_hold_back_the_rows_after_it(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(rows(["1"]) + rows(["future"], day="2099-01-01") + rows(["2", "3"]))
    clock = ManualClock(datetime(2026, 11, 2, tzinfo=UTC))
    source = connector(path, clock)
    first = source.fetch(None, limit=100)
    assert [m.external_id for m in first.mentions] == ["1", "2", "3"] and not first.problems
    assert source.fetch(first.cursor, limit=100).mentions == []  # it waits, and is not lost
    with path.open("a") as handle:
        handle.write(rows(["4"]))
    second = source.fetch(first.cursor, limit=100)
    assert [m.external_id for m in second.mentions] == ["4"]
    clock.advance(datetime(2099, 1, 2, tzinfo=UTC) - clock())
    assert [m.external_id for m in source.fetch(second.cursor, limit=100).mentions] == ["future"]


def test_a_sorted_file_stops_at_the_clock_without_setting_rows_aside(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": "t", "posted_at": f"2026-11-01T10:{i:02d}:00Z"}) + "\n"
                            for i in range(60)))
    clock = ManualClock(datetime(2026, 11, 1, 10, 9, 30, tzinfo=UTC))
    source = connector(path, clock)
    batch = source.fetch(None, limit=100)
    assert len(batch.mentions) == 10 and batch.cursor is not None and "waiting" not in batch.cursor
    clock.advance(datetime(2026, 11, 1, 11, tzinfo=UTC) - clock())
    assert [m.external_id for m in source.fetch(batch.cursor, limit=100).mentions] == [str(i) for i in range(10, 60)]


def test_an_excel_csv_with_a_byte_order_mark_reads_every_row(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,text,posted_at\r\n1,héllo,2026-11-01T10:00:00Z\r\n2,b,2026-11-01T10:01:00Z\r\n"
                     .encode("utf-8-sig"))
    batch = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC))).fetch(None, limit=100)
    assert [m.external_id for m in batch.mentions] == ["1", "2"] and not batch.problems
    assert batch.mentions[0].text == "héllo"


def test_an_unclosed_csv_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('id,text,posted_at\n1,fine,2026-11-01T10:00:00Z\n2,"oops never closed,2026-11-01T10:01:00Z\n'
                    '3,good,2026-11-01T10:02:00Z\n4,"quoted, with comma",2026-11-01T10:03:00Z\n'
                    '5,"two\nlines",2026-11-01T10:04:00Z\n6,last,2026-11-01T10:05:00Z\n')
    batch = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC))).fetch(None, limit=100)
    assert [m.external_id for m in batch.mentions] == ["1", "3", "4", "5", "6"]
    assert batch.mentions[3].text == "two\nlines"
    assert batch.problems == ["m.csv line 3: a quoted field is never closed"]


def test_a_one_megabyte_csv_field_is_kept_and_capped(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f'id,text,posted_at\n1,"{"x" * 1_000_000}",2026-11-01T10:00:00Z\n2,ok,2026-11-01T10:01:00Z\n')
    batch = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC))).fetch(None, limit=100)
    assert [m.external_id for m in batch.mentions] == ["1", "2"] and not batch.problems
    assert 0 < len(batch.mentions[0].text) <= 20_000


def test_200000_nested_brackets_are_one_reported_row(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(rows(["1"]) + "[" * 200_000 + "\n" + rows(["2"]))
    batch = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC))).fetch(None, limit=100)
    assert [m.external_id for m in batch.mentions] == ["1", "2"]
    assert len(batch.problems) == 1 and batch.problems[0].startswith("m.jsonl line 2: ")


def test_a_last_line_without_newline_waits_for_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    whole = rows(["1", "2"])
    path.write_text(whole[:-20])  # the writer is half-way through row 2
    source = connector(path, ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
    first = source.fetch(None, limit=100)
    assert [m.external_id for m in first.mentions] == ["1"] and not first.problems
    path.write_text(whole)
    assert [m.external_id for m in source.fetch(first.cursor, limit=100).mentions] == ["2"]


def test_a_fifo_is_refused_with_one_line_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    source = connector(fifo, ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
    outcomes: list[str] = []

    def attempt() -> None:
        for call in (source.check, lambda: source.fetch(None, limit=10)):
            try:
                call()
                outcomes.append("returned")
            except SourceUnavailable as exc:
                outcomes.append(str(exc))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # unblock the hung open() so the test process can finish
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO hung")
    assert len(outcomes) == 2 and all("is a FIFO, not a regular file" in o for o in outcomes)


def test_poll_and_check_commands_refuse_a_fifo_in_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    config = tmp_path / "settings.toml"
    config.write_text(service_settings_toml(tmp_path / "data", body=f'[[sources]]\nid = "pipe"\nkind = "replay"\n'
                                                                    f'brand = "acme"\npath = "{fifo}"\n'))
    for args in (["poll", "pipe", "--once"], ["check"]):
        done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
        output = done.stdout + done.stderr
        assert done.returncode == 1 and "is a FIFO, not a regular file" in output, output
        assert "Traceback" not in output


SPARSE_SCRIPT = """
import resource, sys
from datetime import UTC, datetime
from pathlib import Path
from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from monitor.clock import ManualClock
context = ConnectorContext("r", BrandTerms(id="acme", name="Acme"), ManualClock(datetime(2030, 1, 1, tzinfo=UTC)))
source = ReplayConnector(ReplayOptions(path=Path(sys.argv[1])), context)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
batch = source.fetch(None, limit=100)
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print([m.external_id for m in batch.mentions], len(batch.problems), grew // 1024)
"""


def test_a_huge_sparse_file_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "sparse.jsonl"
    with path.open("wb") as handle:
        handle.write(rows(["first"]).encode())
        handle.seek(512 * 2**20, os.SEEK_CUR)  # a 512 MB hole of NUL bytes and no newline
        handle.write(b"\n" + rows(["after"]).encode())
    done = subprocess.run([sys.executable, "-c", SPARSE_SCRIPT, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    ids, problems, grew_mb = done.stdout.rsplit("]", 1)[0] + "]", *done.stdout.rsplit("]", 1)[1].split()
    assert ids == "['first', 'after']" and problems == "1"
    assert int(grew_mb) < 64, f"peak memory grew by {grew_mb} MB"
