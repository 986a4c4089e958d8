"""Storage on real SQLite and real PostgreSQL: migrations, idempotent inserts, retries."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, func, select

from connectors.base import Author, Mention
from monitor.errors import StorageError
from monitor.storage.engine import open_database, transaction, with_retries
from monitor.storage.mentions import store_mentions
from monitor.storage.tables import Author as AuthorRow
from monitor.storage.tables import Mention as MentionRow

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def mention(external_id: str, followers: int = 10, text: str = "Acme is down") -> Mention:
    return Mention(platform="x", external_id=external_id, author=Author(id="u1", handle="ann", followers=followers),
                   text=text, posted_at=NOW)


def test_migrations_create_every_table(database_url: str) -> None:
    engine = open_database(database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"brands", "sources", "authors", "mentions", "incidents", "alerts", "outbox",
            "alembic_version"} <= tables
    open_database(database_url)  # upgrading twice is harmless


def test_inserting_a_mention_twice_is_a_no_op(database_url: str) -> None:
    engine = open_database(database_url)
    with transaction(engine) as session:
        first = store_mentions(session, [mention("1"), mention("2")], brand_id="acme", source_id="s", now=NOW)
    with transaction(engine) as session:
        again = store_mentions(session, [mention("2"), mention("3", followers=99)], brand_id="acme",
                               source_id="s", now=NOW)
    assert len(first) == 2 and len(again) == 1
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(MentionRow)).one() == 3
        author = session.exec(select(AuthorRow)).one()
        assert author.followers == 99  # the author row follows the newest data


def test_nul_characters_and_huge_text_are_stored(database_url: str) -> None:
    engine = open_database(database_url)
    with transaction(engine) as session:
        store_mentions(session, [mention("n", text="bad\x00text " + "x" * 50_000)], brand_id="acme",
                       source_id="s", now=NOW)
    with Session(engine) as session:
        stored = session.exec(select(MentionRow)).one()
        assert stored.text.startswith("badtext ") and len(stored.text) > 50_000


def test_failed_transaction_leaves_nothing_half_written(database_url: str) -> None:
    engine = open_database(database_url)
    with pytest.raises(RuntimeError), transaction(engine) as session:
        store_mentions(session, [mention("a")], brand_id="acme", source_id="s", now=NOW)
        raise RuntimeError("crash after the insert, before the commit")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(MentionRow)).one() == 0


def test_locked_sqlite_is_retried_then_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    engine = open_database(f"sqlite:///{path}", busy_timeout=0.05)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    sleeps: list[float] = []

    def release_after_first_wait(seconds: float) -> None:
        sleeps.append(seconds)
        blocker.rollback()

    def write() -> int:
        with transaction(engine) as session:
            return len(store_mentions(session, [mention("z")], brand_id="acme", source_id="s", now=NOW))

    assert with_retries(write, sleep=release_after_first_wait) == 1
    assert len(sleeps) == 1


def test_database_that_stays_locked_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    engine = open_database(f"sqlite:///{path}", busy_timeout=0.01)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")

    def write() -> None:
        with transaction(engine) as session:
            store_mentions(session, [mention("z")], brand_id="acme", source_id="s", now=NOW)

    with pytest.raises(StorageError, match="database unavailable after 3 attempts"):
        with_retries(write, attempts=2, sleep=lambda _s: None)
    blocker.rollback()


def test_migration_0011_keeps_alerts_and_deliveries_and_tells_each_person_once(database_url: str) -> None:
    """A database at 0010 with an alert and its delivery upgrades in place (SQLite rebuilds ``alerts`` around
    its rows: the outbox still points at them); afterwards one ``joined`` alert per person is allowed."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from monitor.storage.engine import make_engine, upgrade

    upgrade(database_url, "0010_replay_speed_brand_replies")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "insert into incidents (id, brand_id, key, trigger, status, severity, title, reason, opened_at, updated_at,"
            " last_activity_at, mention_count, author_count) values (1, 'acme', 'story:1', 'story', 'open', 2, 't',"
            " 'r', :t, :t, :t, 6, 6)"), {"t": NOW})
        connection.execute(text("insert into alerts (id, incident_id, event, severity, created_at, paged) "
                                "values (7, 1, 'opened', 2, :t, true)"), {"t": NOW})
        connection.execute(text("insert into outbox (alert_id, channel_id, idempotency_key, status, attempts, "
                                "next_attempt_at) values (7, 'slack', 'gs-7-slack', 'sent', 1, :t)"), {"t": NOW})
    engine.dispose()
    engine = open_database(database_url)
    with engine.begin() as connection:
        assert connection.execute(text("select id, about from alerts")).all() == [(7, "")]
        assert connection.execute(text("select alert_id from outbox")).all() == [(7,)]
        insert = text("insert into alerts (incident_id, event, severity, created_at, paged, about) "
                      "values (1, 'joined', 2, :t, true, :who)")
        connection.execute(insert, {"t": NOW, "who": "x:ann"})
        connection.execute(insert, {"t": NOW, "who": "x:bob"})  # another person: news of its own
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"t": NOW, "who": "x:ann"})  # the same person again: never


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migration_0012_adds_local_id_and_stored_mentions_keep_theirs(database_url: str) -> None:
    """A database at 0011 with a mention upgrades in place (the mention keeps no local id), then stores the local
    id Mastodon's replies name a post by; the downgrade drops it and keeps the mention."""
    from alembic import command
    from sqlalchemy import text

    from monitor.storage.engine import alembic_config, make_engine, upgrade

    upgrade(database_url, "0011_alert_about_person")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        assert "local_id" not in {c["name"] for c in inspect(connection).get_columns("mentions")}
    engine.dispose()
    engine = open_database(database_url)
    with transaction(engine) as session:
        store_mentions(session, [mention("old")], brand_id="acme", source_id="s", now=NOW)
        toot = replace(mention("https://one.example/users/ann/statuses/9"), platform="mastodon",
                       local_id="one.example/9")
        store_mentions(session, [toot], brand_id="acme", source_id="s", now=NOW)
    with engine.begin() as connection:
        rows = connection.execute(text("select external_id, local_id from mentions order by id")).all()
        toot_row = ("https://one.example/users/ann/statuses/9", "one.example/9")
        assert [tuple(r) for r in rows] == [("old", None), toot_row]
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0011_alert_about_person")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        assert "local_id" not in {c["name"] for c in inspect(connection).get_columns("mentions")}
        assert connection.execute(text("select count(*) from mentions")).scalar() == 2
        indexes = {i["name"] for i in inspect(connection).get_indexes("mentions")}
        assert "ix_mentions_brand_posted" in indexes
    engine.dispose()
