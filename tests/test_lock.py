"""One instance per database: a real file lock for SQLite, a real advisory lock for PostgreSQL."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from monitor.service.lock import AlreadyRunning, acquire


def test_second_instance_is_refused_with_the_holders_pid(database_url: str) -> None:
    first = acquire(database_url)
    try:
        with pytest.raises(AlreadyRunning) as refused:
            acquire(database_url)
        message = str(refused.value)
        assert message.startswith("another groundswell instance is running against")
        assert f"pid {os.getpid()}" in message
    finally:
        first.release()
    again = acquire(database_url)  # released: the next start gets it
    again.release()


def test_the_message_never_shows_a_password(postgres_url: str) -> None:
    url = postgres_url.replace("postgres@", "postgres:hunter2@")
    first = acquire(url)
    try:
        with pytest.raises(AlreadyRunning) as refused:
            acquire(url)
        assert "hunter2" not in str(refused.value) and "***" in str(refused.value)
    finally:
        first.release()


def test_different_sqlite_files_do_not_block_each_other(tmp_path: Path) -> None:
    one = acquire(f"sqlite:///{tmp_path / 'a' / 'one.db'}")
    two = acquire(f"sqlite:///{tmp_path / 'b' / 'two.db'}")
    seen: list[bool] = []
    probe = threading.Thread(target=lambda: seen.append(one.alive()))  # /readyz asks from its own thread
    probe.start()
    probe.join()
    assert seen == [True]
    assert (tmp_path / "a" / "one.db.pid").read_text().strip() == str(os.getpid())
    one.release()
    two.release()
    assert not (tmp_path / "a" / "one.db.pid").exists()


def test_postgres_schemas_are_separate_databases(postgres_url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        for schema in ("gs_lock_a", "gs_lock_b"):
            connection.execute(text(f"create schema if not exists {schema}"))
    try:
        one = acquire(f"{postgres_url}?options=-csearch_path%3Dgs_lock_a")
        two = acquire(f"{postgres_url}?options=-csearch_path%3Dgs_lock_b")
        assert one.alive()  # type: ignore[attr-defined]
        one.release()
        two.release()
    finally:
        with admin.begin() as connection:
            connection.execute(text("drop schema gs_lock_a cascade; drop schema gs_lock_b cascade"))
        admin.dispose()


def test_a_dropped_postgres_lock_connection_is_noticed_and_frees_the_lock(postgres_url: str) -> None:
    from sqlalchemy import create_engine, text

    held = acquire(postgres_url)
    assert held.alive()
    admin = create_engine(postgres_url)
    with admin.begin() as connection:  # what a database restart or a network cut does to the session
        connection.execute(text("select pg_terminate_backend(pid) from pg_stat_activity "
                                "where application_name = :name"), {"name": held.label})  # type: ignore[attr-defined]
    admin.dispose()
    assert not held.alive()  # /readyz turns 503 ("instance_lock": "lost")
    held.release()  # shutting down with a dead lock connection still exits cleanly
    again = acquire(postgres_url)  # the lock went with the session
    again.release()
