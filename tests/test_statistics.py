"""The query planner gets fresh statistics on start (SQLite sqlite_stat1, PostgreSQL ANALYZE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from connectors.base import Author, Mention
from monitor.storage.engine import open_database, refresh_statistics, transaction
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
