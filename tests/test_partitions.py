"""Mentions partitioned by day on PostgreSQL: retention drops whole days (a DROP, no row deletes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, func, select

from monitor.clock import ManualClock
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.storage import partitions
from monitor.storage.retention import purge
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)


def _runtime(url: str, tmp_path: Path, rows: list[dict[str, Any]]) -> Runtime:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    settings = make_settings(database={"url": url, "partition_by_day": True},
                             service={"retention_mentions_days": 3},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}])
    return Runtime(settings, clock=ManualClock(NOW))


def _day_rows(days: int, per_day: int) -> list[dict[str, Any]]:
    return [{"id": f"d{d}-{i}", "author_id": f"u{i}", "text": f"Acme post {i}",
             "posted_at": (NOW - timedelta(days=d, hours=i % 10)).isoformat()}
            for d in range(days) for i in range(per_day)]


def test_retention_drops_whole_days_of_a_partitioned_mentions_table(pg_url: str, tmp_path: Path) -> None:
    rows = _day_rows(6, 20) + [{"id": "ancient", "author_id": "old", "text": "Acme in 2020",
                                "posted_at": "2020-01-01T00:00:00+00:00"}]
    runtime = _runtime(pg_url, tmp_path, rows)
    engine = runtime.engine
    assert partitions.is_partitioned(engine)
    partitions.ensure_days(engine, (NOW - timedelta(days=6)).date(), NOW.date())
    result = poll_source(engine, runtime.settings, runtime.connector("f"), now=NOW)
    assert result.new == 121
    again = poll_source(engine, runtime.settings, runtime.connector("f").__class__(
        runtime.connector("f").options, runtime.connector("f").context), now=NOW)
    assert again.new == 0  # insert-or-ignore still holds on the partitioned key
    before = partitions.partitions(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(" ".join(statement.split()).lower()))
    purged = purge(engine, runtime.settings, now=NOW)
    cutoff = NOW - timedelta(days=3)
    dropped = [name for name in before if name not in partitions.partitions(engine)]
    assert dropped == [partitions.day_name((NOW - timedelta(days=d)).date()) for d in (6, 5, 4)]
    assert [s for s in statements if s.startswith("drop table")] == [f"drop table {n}" for n in dropped]
    deletes = [s for s in statements if s.startswith("delete from mentions")]
    assert len(deletes) <= 2  # only the partial day and the default partition's "ancient" row, by delete
    with Session(engine) as session:
        left = session.exec(select(func.count()).select_from(Mention)).one()
        oldest = session.exec(select(func.min(Mention.posted_at))).one()
        in_default = session.execute(text(f"select count(*) from {partitions.DEFAULT}")).scalar()
    assert purged.mentions == 121 - left and oldest >= cutoff and in_default == 0
    assert left == len([r for r in rows if datetime.fromisoformat(r["posted_at"]) >= cutoff])
    ahead = partitions.day_name((NOW + timedelta(days=partitions.AHEAD_DAYS)).date())
    assert ahead in partitions.partitions(engine)  # days ahead are made by the same job


def test_a_day_partition_added_late_takes_its_rows_from_the_default(pg_url: str, tmp_path: Path) -> None:
    runtime = _runtime(pg_url, tmp_path, _day_rows(8, 5))
    poll_source(runtime.engine, runtime.settings, runtime.connector("f"), now=NOW)  # 8 days
    with Session(runtime.engine) as session:
        assert session.execute(text(f"select count(*) from {partitions.DEFAULT}")).scalar() == 30  # 6 days x 5
    partitions.ensure_days(runtime.engine, (NOW - timedelta(days=7)).date(), NOW.date())
    with Session(runtime.engine) as session:
        assert session.execute(text(f"select count(*) from {partitions.DEFAULT}")).scalar() == 0
        assert session.exec(select(func.count()).select_from(Mention)).one() == 40


def test_a_database_that_already_holds_mentions_stays_a_plain_table(pg_url: str, tmp_path: Path) -> None:
    plain = make_settings(database={"url": pg_url},
                          sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(tmp_path / "m.jsonl")}])
    (tmp_path / "m.jsonl").write_text(json.dumps(_day_rows(1, 1)[0]) + "\n")
    first = Runtime(plain, clock=ManualClock(NOW))
    poll_source(first.engine, plain, first.connector("f"), now=NOW)
    later = _runtime(pg_url, tmp_path, _day_rows(1, 1))
    assert not partitions.is_partitioned(later.engine)
