"""`groundswell db partition` on real PostgreSQL (a schema of its own): a populated plain ``mentions`` table
becomes day partitions with every row, id, value and index kept; a stopped run finishes when run again;
retention then drops whole days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from monitor.clock import NOW_ENV, ManualClock
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.service.lock import acquire
from monitor.storage import partition_convert, partitions
from monitor.storage.retention import purge
from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.settings_files import make_settings

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)  # rows of a day stay on it
# a run that began a second before midnight: `groundswell db partition` (a subprocess) runs on the next day
BEFORE_MIDNIGHT = NOW.replace(hour=23, minute=59, second=59) - timedelta(days=1)


def _rows(days: int, per_day: int, now: datetime = NOW) -> list[dict[str, Any]]:
    return [{"id": f"d{d}-{i}", "author_id": f"u{i}", "text": f"Acme post {i}",
             "posted_at": (now - timedelta(days=d, hours=i % 10)).isoformat()}
            for d in range(days) for i in range(per_day)] + [
        {"id": "ancient", "author_id": "old", "text": "Acme in 2020", "posted_at": "2020-01-01T00:00:00+00:00"}]


def _populated(url: str, tmp_path: Path, partition: bool = False, now: datetime = NOW) -> Runtime:
    """A plain mentions table with 121 rows over six days and 2020, some of them scored."""
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _rows(6, 20, now)))
    settings = make_settings(database={"url": url, "partition_by_day": partition},
                             service={"retention_mentions_days": 3},
                             sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}])
    runtime = Runtime(settings, clock=ManualClock(now))
    assert poll_source(runtime.engine, settings, runtime.connector("f"), now=now).new == 121
    with runtime.engine.begin() as connection:
        connection.execute(text("update mentions set sentiment = 'negative', p_negative = 0.9, "
                                "embedding = '\\x0102'::bytea, signals = '{\"outage\": 1}' where id % 3 = 0"))
    return runtime


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("select * from mentions order by id"))]


def _indexes(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(text(  # a partitioned table's indexes are listed for it too
            "select indexname, indexdef from pg_indexes where tablename = 'mentions' "
            "and schemaname = current_schema()")).all())


def _settings_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'[app]\ndata_dir = "{tmp_path / "data"}"\n[database]\nurl = "{url}"\n'
                    '[model]\nsentiment = "lexicon"\n[service]\nretention_mentions_days = 3\n'
                    '[[brands]]\nid = "acme"\nname = "Acme"\n')
    return path


@pytest.mark.parametrize("now", [NOW, BEFORE_MIDNIGHT], ids=["noon", "straddling-midnight"])
def test_db_partition_converts_a_populated_table_and_retention_then_drops_days(pg_url: str, tmp_path: Path,
                                                                                now: datetime) -> None:
    runtime = _populated(pg_url, tmp_path, now=now)
    before, indexes = _snapshot(runtime.engine), _indexes(runtime.engine)
    config = _settings_file(tmp_path, pg_url)
    clock = {NOW_ENV: now.isoformat()}  # the command names its day partitions from this test's clock
    done = groundswell("-c", str(config), "db", "partition", "--batch", "100", cwd=tmp_path, env=clock)
    assert done.returncode == 0, done.stderr
    assert "121/121" in done.stdout and "121 rows moved" in done.stdout, done.stdout
    assert "partition_by_day = true" in done.stdout  # not set in this file: the reminder
    engine = runtime.engine
    assert partition_convert.state(engine) == "partitioned"
    assert _snapshot(engine) == before  # every row, id and value
    after = _indexes(engine)
    assert set(after) == set(indexes)  # the same names (keys now include posted_at)
    assert all(after[name].replace(" ON ONLY ", " ON ") == definition for name, definition in indexes.items()
               if name not in ("mentions_pkey", "uq_mention_brand_platform_id"))
    days = partitions.partitions(engine)
    assert [partitions.day_name((now - timedelta(days=d)).date()) for d in (4, 0)] == [days[0], days[-4]]
    with engine.connect() as connection:  # 2020 and days past retention + 1 wait in the default partition
        assert connection.execute(text(f"select count(*) from {partitions.DEFAULT}")).scalar() == 21
    again = groundswell("-c", str(config), "db", "partition", cwd=tmp_path, env=clock)
    assert again.returncode == 0 and "already partitioned" in again.stdout, again.stderr

    later = _populated_again(runtime, tmp_path, now)
    assert later > max(row[0] for row in before)  # the id sequence carries on
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(" ".join(statement.split()).lower()))
    settings = runtime.settings.model_copy(update={"database": runtime.settings.database.model_copy(
        update={"partition_by_day": True})})
    purge(engine, settings, now=now)
    assert [s for s in statements if s.startswith("drop table")] == [
        f"drop table {partitions.day_name((now - timedelta(days=4)).date())}"]
    with engine.connect() as connection:
        oldest = connection.execute(text("select min(posted_at) from mentions")).scalar()
    assert oldest >= now - timedelta(days=3)


def _populated_again(runtime: Runtime, tmp_path: Path, now: datetime) -> int:
    """One new post through the pipeline; its id."""
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"id": "new", "author_id": "n", "text": "Acme again",
                                "posted_at": now.isoformat()}) + "\n")
    connector = runtime.connector("f").__class__(runtime.connector("f").options, runtime.connector("f").context)
    assert poll_source(runtime.engine, runtime.settings, connector, now=now).new == 1
    with runtime.engine.connect() as connection:
        return int(connection.execute(text("select id from mentions where external_id = 'new'")).scalar() or 0)


def test_a_stopped_conversion_finishes_when_run_again(pg_url: str, tmp_path: Path) -> None:
    runtime = _populated(pg_url, tmp_path)
    engine, before = runtime.engine, _snapshot(runtime.engine)
    batches: list[int] = []

    def stop_after_two(moved: int) -> None:
        batches.append(moved)
        if len(batches) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        partition_convert.convert(engine, now=NOW, keep_days=3, batch=25, progress=stop_after_two)
    assert partition_convert.state(engine) == "converting"
    assert partition_convert.remaining(engine) == 121 - 50
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from mentions")).scalar() == 50
    done = partition_convert.convert(engine, now=NOW, keep_days=3, batch=25)
    assert (done.moved, done.skipped, done.already) == (71, 0, False)
    assert _snapshot(engine) == before
    assert partition_convert.convert(engine, now=NOW, keep_days=3).already


def test_a_foreign_key_to_mentions_is_refused_before_anything_changes(pg_url: str, tmp_path: Path) -> None:
    runtime = _populated(pg_url, tmp_path)
    with runtime.engine.begin() as connection:
        connection.execute(text("create table notes (mention_id integer references mentions (id))"))
    with pytest.raises(partition_convert.CannotConvert, match="notes has a foreign key to mentions"):
        partition_convert.convert(runtime.engine, now=NOW, keep_days=3)
    assert partition_convert.state(runtime.engine) == "plain" and len(_snapshot(runtime.engine)) == 121


def test_a_table_in_use_is_refused_after_a_bounded_wait(pg_url: str, tmp_path: Path) -> None:
    runtime = _populated(pg_url, tmp_path)
    with runtime.engine.connect() as reader:  # an open transaction that read mentions (a worker, the web)
        reader.execute(text("select count(*) from mentions"))
        with pytest.raises(partition_convert.CannotConvert, match="mentions stayed in use for 0.5 s"):
            partition_convert.convert(runtime.engine, now=NOW, keep_days=3, lock_wait_s=0.5)
        reader.rollback()
    assert partition_convert.state(runtime.engine) == "plain" and len(_snapshot(runtime.engine)) == 121


def test_db_partition_refuses_sqlite_and_a_running_service_in_one_line(pg_url: str, tmp_path: Path) -> None:
    sqlite = groundswell("-c", str(_settings_file(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")), "db", "partition",
                         cwd=tmp_path)
    assert "day partitions need PostgreSQL" in one_line_failure(sqlite, 1)
    clockless = groundswell("-c", str(_settings_file(tmp_path, pg_url)), "db", "partition", cwd=tmp_path,
                            env={NOW_ENV: "tomorrow"})
    assert "GROUNDSWELL_NOW: 'tomorrow' is not an ISO 8601 time" in one_line_failure(clockless, 2)
    runtime = _populated(pg_url, tmp_path)
    lock = acquire(pg_url)  # what `groundswell run` and the Celery beat leader hold
    try:
        busy = groundswell("-c", str(_settings_file(tmp_path, pg_url)), "db", "partition", cwd=tmp_path)
    finally:
        lock.release()
    assert "another groundswell instance" in one_line_failure(busy, 1)
    assert partition_convert.state(runtime.engine) == "plain"
