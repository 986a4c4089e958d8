"""One running service per database, so two schedulers never poll and alert twice.

SQLite: an OS file lock beside the database file (``groundswell.db.lock``) with the holder's pid
in ``groundswell.db.pid``.  PostgreSQL: a session advisory lock, keyed by database schema, held on
a connection of its own for as long as the service runs; the holder is found in pg_stat_activity.
Both locks vanish with the process, so a ``kill -9`` never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import socket
import threading
import zlib
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

from monitor.errors import GroundswellError


class AlreadyRunning(GroundswellError):
    """Another instance holds the lock: the CLI prints this and exits non-zero."""


class InstanceLock(Protocol):
    def alive(self) -> bool: ...

    def release(self) -> None: ...


def acquire(url: str) -> InstanceLock:
    """Take the lock for the database at ``url`` or raise AlreadyRunning naming the holder."""
    if url.startswith("sqlite:///"):
        return SqliteLock(Path(url.removeprefix("sqlite:///")))
    return PostgresLock(url)


def _described(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class SqliteLock:
    def __init__(self, database: Path) -> None:
        database = database.resolve()
        database.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file = database.with_name(database.name + ".pid")
        self.lock = FileLock(str(database) + ".lock", timeout=0, thread_local=False)
        try:
            self.lock.acquire()
        except Timeout:
            holder = self._holder()
            raise AlreadyRunning(f"another groundswell instance is running against {database} "
                                 f"(pid {holder}); stop it first, or point this one at another database"
                                 ) from None
        self.pid_file.write_text(f"{os.getpid()}\n", encoding="utf-8")

    def _holder(self) -> str:
        try:
            return self.pid_file.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def alive(self) -> bool:
        return self.lock.is_locked

    def release(self) -> None:
        if self.lock.is_locked:
            self.pid_file.unlink(missing_ok=True)
            self.lock.release()


class PostgresLock:
    """A session-level advisory lock on a dedicated connection (not one from the pool)."""

    def __init__(self, url: str) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self._guard = threading.Lock()  # readiness probes may call alive() from several threads
        self.label = f"groundswell pid {os.getpid()} on {socket.gethostname()}"[:63]
        self.engine: Engine = create_engine(url, poolclass=_single_pool(),
                                            connect_args={"application_name": self.label})
        self.connection: Connection = self.engine.connect()
        schema = self.connection.execute(text("select current_database() || '.' || current_schema()")).scalar()
        self.key = zlib.crc32(f"groundswell:{schema}".encode()) & 0x7FFFFFFF
        got = self.connection.execute(text("select pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        self.connection.commit()
        if not got:
            holder = self._holder()
            self.connection.close()
            self.engine.dispose()
            raise AlreadyRunning(f"another groundswell instance is running against {_described(url)} "
                                 f"({holder}); stop it first, or point this one at another database")

    def _holder(self) -> str:
        row = self.connection.execute(text(
            "select a.application_name, a.client_addr from pg_locks l join pg_stat_activity a on a.pid = l.pid "
            "where l.locktype = 'advisory' and l.objid = :k and l.granted limit 1"), {"k": self.key}).first()
        if row is None:
            return "pid unknown"
        name = str(row[0] or "")
        return name.removeprefix("groundswell ") if name.startswith("groundswell pid") else f"client {row[1]}"

    def alive(self) -> bool:
        """Whether the lock connection still stands (a dropped connection drops the lock)."""
        with self._guard:
            try:
                self.connection.execute(text("select 1"))
                self.connection.commit()
                return True
            except Exception:
                return False

    def release(self) -> None:
        """Unlock; a connection that already died took the lock with it, which is fine here."""
        try:
            with self._guard:
                self.connection.execute(text("select pg_advisory_unlock(:k)"), {"k": self.key})
                self.connection.commit()
        except Exception:
            pass
        finally:
            self.connection.close()
            self.engine.dispose()


def _single_pool() -> type:
    from sqlalchemy.pool import NullPool

    return NullPool
