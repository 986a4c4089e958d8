"""SQLite's memory in the long-running service stays bounded (issue #17): each pooled connection keeps a page cache
and up to 128 prepared statements, and every distinct row count of a multi-row INSERT or id list is a statement of
its own (a 720-row catch-up insert alone ~2 MB).  The two-hour soak saw SQLite's share grow 3.8 -> 13.3 MB."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, text
from sqlmodel import Session, col, select

from connectors.base import Author, Mention
from monitor import heap
from monitor.detection.findings import mark_examined
from monitor.storage.engine import SQLITE_SOFT_HEAP_BYTES, open_database, transaction
from monitor.storage.mentions import pieces, store_mentions
from monitor.storage.tables import Mention as MentionRow

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)
SIZES = [*range(1, 101), 720]  # every poll size up to 100, then a catch-up after a rate-limit window


def mention(number: int) -> Mention:
    return Mention(platform="x", external_id=str(number), text=f"Acme is down again, day {number}",
                   author=Author(id=f"u{number}", handle=f"user{number}", followers=number),
                   posted_at=NOW + timedelta(seconds=number))


def sqlite_bytes() -> int:
    used = heap.sqlite_memory()
    assert used is not None
    return used


def test_each_connection_has_a_bounded_page_cache(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cache.db'}")
    with engine.connect() as first, engine.connect() as second:  # two pooled connections, each set on connect
        sizes = [c.execute(text("PRAGMA cache_size")).scalar() for c in (first, second)]
    assert sizes == [-1024, -1024]  # KiB; SQLite's default is -2000


def test_storing_polls_of_every_size_keeps_sqlite_memory_bounded(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    number, stored = 0, 0
    before = sqlite_bytes()
    for size in SIZES:  # one pooled connection, reused by each transaction
        with transaction(engine) as session:
            batch = [mention(number + i) for i in range(size)]
            stored += len(store_mentions(session, batch + batch[:1], brand_id="acme", source_id="s", now=NOW))
        number += size
    grown = sqlite_bytes() - before
    assert stored == sum(SIZES)  # every new row once, the duplicate skipped
    assert grown < 3_000_000, grown  # 1 MiB page cache, 7 statements a table: 1.3 MB (before: 17.0 MB)


def test_marking_rows_examined_in_every_count_keeps_sqlite_memory_bounded(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'mark.db'}")
    with transaction(engine) as session:
        store_mentions(session, [mention(i) for i in range(sum(SIZES))], brand_id="acme", source_id="s", now=NOW)
    statements: set[str] = set()
    event.listen(engine, "before_cursor_execute", lambda *args: statements.add(args[2]))
    with Session(engine) as session:
        rows = list(session.exec(select(MentionRow).order_by(col(MentionRow.id))))
        before = sqlite_bytes()
        start = 0
        for size in SIZES:
            mark_examined(session, rows[start:start + size], NOW)
            start += size
        session.commit()
        grown = sqlite_bytes() - before
        unmarked = session.exec(select(MentionRow).where(col(MentionRow.detected_at).is_(None))).all()
    updates = {sql for sql in statements if sql.startswith("UPDATE")}
    assert unmarked == []
    assert len(updates) == 10  # one per power of two up to 512 (before: 101, one per count, each cached)
    # the statements take ~0.23 MB; the rest is the connection's page cache (at most 1 MiB) filling with the
    # updated pages, which varies with what the run read before (CI saw 1.2 MB; before: 1.5 MB of statements alone)
    assert grown < 1_000_000 + 1_048_576, grown


def test_pieces_are_powers_of_two_in_order() -> None:
    rows = [{"n": n} for n in range(1000)]
    split = pieces(rows)
    assert [len(p) for p in split] == [64] * 15 + [32, 8]
    assert [row for piece in split for row in piece] == rows
    assert {len(p) for n in range(1, 300) for p in pieces(rows[:n])} == {1, 2, 4, 8, 16, 32, 64}
    assert pieces([]) == []


def test_stored_in_pieces_every_new_row_comes_back_once(database_url: str) -> None:
    engine = open_database(database_url)
    with transaction(engine) as session:
        first = store_mentions(session, [mention(i) for i in range(50)], brand_id="acme", source_id="s", now=NOW)
    with transaction(engine) as session:
        again = store_mentions(session, [mention(i) for i in range(200)], brand_id="acme", source_id="s", now=NOW)
    assert len(first) == 50 and len(again) == 150 and len(set(first) | set(again)) == 200


def test_the_pools_connections_share_one_bounded_sqlite_heap(tmp_path: Path) -> None:
    """Jobs at once hold several pooled connections; each filled its own 1 MiB page cache in the two-hour soak
    (SQLite 3 -> 10 MB).  The process-wide soft heap limit recycles their pages instead."""
    engine = open_database(f"sqlite:///{tmp_path / 'pool.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) "
                                "INSERT INTO filler (body) SELECT printf('%0200d', i) FROM n"))  # ~10 MB of pages
    before = sqlite_bytes()  # other tests' engines may hold statements and schemas that no limit frees
    with contextlib.ExitStack() as jobs:
        connections = [jobs.enter_context(engine.connect()) for _ in range(10)]
        sums = [c.execute(text("SELECT count(*), sum(length(body)) FROM filler")).one() for c in connections]
        held = sqlite_bytes()
    assert sums == [(40000, 8_000_000)] * 10
    # a schema and statements each above the limit (~0.13 MB); before: 1 MiB more a connection, 10.5 MB in all
    assert held < max(before, SQLITE_SOFT_HEAP_BYTES) + 2_500_000, (before, held)
