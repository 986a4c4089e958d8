"""The query planner gets fresh statistics on start (SQLite sqlite_stat1, PostgreSQL ANALYZE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from connectors.base import Author, Mention
from monitor.storage.engine import make_engine, open_database, refresh_statistics, transaction
from monitor.storage.mentions import store_mentions

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def _fill(url: str) -> None:
    engine = open_database(url)
    mentions = [Mention(platform="x", external_id=str(i), author=Author(id=f"u{i % 50}", handle="ann"),
                        text="Acme is down", posted_at=NOW - timedelta(minutes=i)) for i in range(600)]
    with transaction(engine) as session:
        assert len(store_mentions(session, mentions, brand_id="acme", source_id="s", now=NOW)) == 600
    engine.dispose()


def test_start_analyzes_the_mentions_table(database_url: str) -> None:
    _fill(database_url)
    engine = open_database(database_url)  # what every start does
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(text("select idx from sqlite_stat1 where tbl = 'mentions'")).all()
            assert rows, "no planner statistics for mentions"
        else:
            analyzed = connection.execute(text(
                "select coalesce(last_analyze, last_autoanalyze) from pg_stat_user_tables "
                "where relname = 'mentions' and schemaname = current_schema()")).scalar()
            assert analyzed is not None
    refresh_statistics(engine)  # again: harmless
    engine.dispose()


def test_postgres_analyzes_again_only_when_mentions_grew(pg_url: str) -> None:
    """ANALYZE costs about 1 s at 1 M mentions; every command and start paid it, on a table that had not changed."""
    _fill(pg_url)
    engine = make_engine(pg_url)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("ANALYZE"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    refresh_statistics(engine)  # the fill changed the table since the start's ANALYZE of the empty one
    refresh_statistics(engine)  # nothing changed since: no ANALYZE
    assert sent == ["ANALYZE mentions"]
    with engine.begin() as connection:  # a bulk load behind the service's back: rows without an ANALYZE
        connection.execute(text("insert into mentions (brand_id, source_id, platform, external_id, url, author_id, "
                                "author_handle, author_followers, text, posted_at, ingested_at, is_brand_reply, "
                                "reposts, likes, replies, quotes) select 'acme', 's', 'x', 'bulk' || i, '', 'u', 'h', "
                                "0, 'Acme is down', now(), now(), false, 0, 0, 0, 0 from generate_series(1, 3000) i"))
    refresh_statistics(engine)
    refresh_statistics(engine)
    assert sent == ["ANALYZE mentions"] * 2
    engine.dispose()
