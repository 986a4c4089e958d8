from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from monitor.clock import ManualClock


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
    assert batch.cursor == {"position": 5}


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
    assert len(batch.mentions) == 4 and batch.cursor == {"position": 4}
