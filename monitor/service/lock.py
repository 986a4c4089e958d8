"""One running service per database, so two schedulers never poll and alert twice.

SQLite: an OS file lock beside the database file (``groundswell.db.lock``) with the holder's pid
in ``groundswell.db.pid``.  PostgreSQL: a session advisory lock, keyed by database schema, held on
a connection of its own for as long as the service runs; the holder is found in pg_stat_activity.
Both locks vanish with the process, so a ``kill -9`` never leaves a stale lock behind.

A PostgreSQL lock also vanishes with its connection (a database restart, a network cut).  The
``LockWatch`` notices, pauses the service's jobs, and takes the lock again once the database is
back; if another instance took it meanwhile, this one stops.  Never two at work on one database.
"""

from __future__ import annotations

import contextlib
import logging
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

log = logging.getLogger("groundswell.lock")
# a dead peer is noticed within seconds, not after the kernel's two-hour keepalive default
_CONNECT_ARGS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                 "keepalives_count": 3, "tcp_user_timeout": 10_000}


class AlreadyRunning(GroundswellError):
    """Another instance holds the lock: the CLI prints this and exits non-zero."""


class InstanceLock(Protocol):
    def alive(self) -> bool: ...

    def reacquire(self) -> None: ...

    def release(self) -> None: ...


def acquire(url: str) -> InstanceLock:
    """Take the lock for the database at ``url`` or raise AlreadyRunning naming the holder."""
    if url.startswith("sqlite:///"):
        return SqliteLock(Path(url.removeprefix("sqlite:///")))
    return PostgresLock(url)  # unreachable: the DBAPIError becomes one line in monitor/cli/guard.py


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

    def reacquire(self) -> None:
        """An OS file lock is never lost while the process lives; taking it again is a no-op."""
        if not self.lock.is_locked:
            try:
                self.lock.acquire()
            except Timeout:
                raise AlreadyRunning(f"another groundswell instance (pid {self._holder()}) took the lock") from None

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
        self.url = url
        self.engine: Engine = create_engine(url, poolclass=_single_pool(),
                                            connect_args={"application_name": self.label, **_CONNECT_ARGS})
        self.connection: Connection = self._take()

    def _take(self) -> Connection:
        """A new connection holding the advisory lock, or AlreadyRunning naming the holder."""
        connection = self.engine.connect()
        try:
            schema = connection.execute(text("select current_database() || '.' || current_schema()")).scalar()
            self.key = zlib.crc32(f"groundswell:{schema}".encode()) & 0x7FFFFFFF
            got = connection.execute(text("select pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            connection.commit()
            if not got:
                holder = self._holder(connection)
                raise AlreadyRunning(f"another groundswell instance is running against {_described(self.url)} "
                                     f"({holder}); stop it first, or point this one at another database")
        except BaseException:
            connection.close()
            if not hasattr(self, "connection"):
                self.engine.dispose()
            raise
        return connection

    def _holder(self, connection: Connection) -> str:
        row = connection.execute(text(
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

    def reacquire(self) -> None:
        """After the lock connection dropped: a new connection, the lock again (AlreadyRunning if taken)."""
        with self._guard:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = self._take()

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


class LockWatch:
    """Checked every second by the service: is the lock still ours?  If not, take it again.

    ``check`` returns False while the lock is lost and cannot be taken yet (jobs must pause), True
    while held, and raises AlreadyRunning when another instance took it meanwhile (the service stops).
    Each change is logged once.
    """

    def __init__(self, lock: InstanceLock) -> None:
        self.lock = lock
        self.held = True

    def check(self) -> bool:
        if self.held and self.lock.alive():
            return True
        if self.held:
            self.held = False
            log.warning("instance lock lost (its database connection dropped); jobs paused until it is taken again")
        try:
            self.lock.reacquire()
        except AlreadyRunning as exc:
            log.error("instance lock taken by another instance while the database was away; stopping this one: %s",
                      exc)
            raise
        except Exception as exc:  # the database is still away: try again at the next check
            log.debug("instance lock not re-acquired yet: %s", exc)
            return False
        self.held = True
        log.warning("instance lock re-acquired; jobs resume")
        return True


def _single_pool() -> type:
    from sqlalchemy.pool import NullPool

    return NullPool
