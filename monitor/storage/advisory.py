"""PostgreSQL advisory locks that name one piece of work (a brand's detection, the beat's leadership).

Keys come from ``hashtext(schema || ':' || name)`` in the database, so every process agrees on them and two
schemas in one database never collide.  A lock goes with its connection: a worker killed with ``kill -9``
never leaves one behind.  SQLite has a single writer process, so there the work always goes ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

KEY = "hashtext(current_schema() || ':' || :name)"


@contextmanager
def try_xact_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Yield whether this process holds ``name`` for the block (False: another worker has it; skip the work).

    The lock lives in a transaction on a connection of its own, so the work inside may commit as it likes.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection, connection.begin():
        yield bool(connection.execute(text(f"select pg_try_advisory_xact_lock({KEY})"), {"name": name}).scalar())


def try_session_lock(connection: Connection, name: str) -> bool:
    """Take ``name`` for as long as ``connection`` stays open (a leader's lock); never waits."""
    got = bool(connection.execute(text(f"select pg_try_advisory_lock({KEY})"), {"name": name}).scalar())
    connection.commit()
    return got
