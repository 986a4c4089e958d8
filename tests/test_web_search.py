"""Mention search at scale: the author index and full-text search (SQLite FTS5 kept in step by triggers,
PostgreSQL pg_trgm), with the old meaning (case-insensitive substring), on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.storage.engine import refresh_statistics, transaction
from monitor.storage.tables import Mention
from monitor.web.filters import MentionFilter
from monitor.web.queries import mentions
from tests.fakes.web_seed import NOW, seed


def found(engine: Engine, **filters: str) -> list[str]:
    with Session(engine) as session:
        return [m.external_id for m in mentions(session, MentionFilter.parse(filters), NOW)]


def test_text_search_finds_substrings_ignoring_case_and_follows_edits_and_deletes(database_url: str) -> None:
    engine = seed(database_url).engine
    assert found(engine, q="OUTAGE AGA") == ["m902"]  # "Acme outage again, third time"
    assert found(engine, q="<script>") == ["m900"] and found(engine, q="ut") == found(engine, q="UT")
    assert len(found(engine, q="ut")) > 10  # two letters: the scan, same meaning
    for hostile in ('"', 'a" OR "b', "NEAR(acme outage)", "acme*", "%", "_", "\\"):
        assert isinstance(found(engine, q=hostile), list)  # never an FTS syntax error
    assert found(engine, q="=HYPERLINK(") == ["m901"]
    with transaction(engine) as session:
        dana = session.exec(select(Mention).where(Mention.external_id == "m902")).one()
        dana.text = "Acme fixed it, thanks"
        session.add(dana)
        session.delete(session.exec(select(Mention).where(Mention.external_id == "m900")).one())
        session.add(Mention(brand_id="acme", source_id="acme-x", platform="x", external_id="new", text="Zebra outage",
                            posted_at=NOW, ingested_at=NOW))
    assert found(engine, q="outage again") == [] and found(engine, q="fixed it") == ["m902"]
    assert found(engine, q="<script>") == [] and found(engine, q="zebra") == ["new"]


def test_author_and_text_filters_use_their_indexes(database_url: str) -> None:
    engine = seed(database_url).engine
    with engine.begin() as connection:  # enough rows that an index beats a scan
        connection.execute(Mention.__table__.insert(), [  # type: ignore[attr-defined]
            {"brand_id": "acme", "source_id": "acme-x", "platform": "x", "external_id": f"bulk{i}",
             "author_handle": f"@user{i % 5000}", "text": f"bulk mention {i}", "posted_at": NOW - timedelta(
                 minutes=i), "ingested_at": NOW} for i in range(20_000)])
    refresh_statistics(engine)
    assert found(engine, author="USER42")[:2] == ["bulk15042", "bulk10042"]  # newest first, '@' optional
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM mentions" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    found(engine, author="user42")
    found(engine, q="mention 1999")
    event.remove(engine, "before_cursor_execute", record)
    sqlite = engine.dialect.name == "sqlite"
    plans = []
    with engine.connect() as connection:
        if not sqlite:
            # a small table: ask whether the index *can* serve (GIN is read by bitmap scans only)
            connection.execute(text("SET enable_seqscan = off"))
            connection.execute(text("SET enable_indexscan = off"))
        for statement, parameters in sent:
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            plans.append("\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement,
                                                                                      parameters)))
    author_plan, text_plan = plans
    assert "ix_mentions_author_lower" in author_plan, author_plan
    assert ("VIRTUAL TABLE INDEX" in text_plan and "mentions_fts" in text_plan) if sqlite else (
        "ix_mentions_text_trgm" in text_plan), text_plan
