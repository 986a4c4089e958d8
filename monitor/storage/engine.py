"""Engine, sessions, retries and migrations.  SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from monitor.errors import ConfigError, StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^(down_)?revision\b[^=\n]*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)


def sqlite_folder(url: str) -> None:
    """Create the SQLite file's folder; one that cannot be made (``app.data_dir = "/proc/x"``, a read-only disk) is a
    settings problem naming the keys, not "No such file or directory" with exit code 1."""
    folder = Path(url.removeprefix("sqlite:///")).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("app.data_dir", f"cannot create the folder {folder} for the database ({exc.strerror}): "
                          "point app.data_dir, or database.url, at a folder you can write") from None


def make_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine with SQLite in WAL mode and a busy timeout, or PostgreSQL through psycopg 3."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///"):
        sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


# SQLite's page cache per connection, in KiB (its default is 2,000): the pool's connections filled theirs for
# hours in the soak (issue #17), and the operating system caches the file anyway.
SQLITE_CACHE_KIB = 1024
# All of the process's SQLite memory, page caches recycled above it (statements and schemas cannot be): five pooled
# connections filled 1 MiB each over two hours of the soak, 3 -> 10 MB (issue #17).  Process-wide in SQLite.
SQLITE_SOFT_HEAP_BYTES = 6 * 2**20


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA soft_heap_limit={SQLITE_SOFT_HEAP_BYTES}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_transient(exc: BaseException) -> bool:
    """Locked SQLite files and dropped PostgreSQL connections are worth another try."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def with_retries(work: Callable[[], T], *, attempts: int = 5, base_delay: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Run a whole transaction again when the database was briefly locked or unreachable."""
    for attempt in range(attempts + 1):
        try:
            return work()
        except (OperationalError, DBAPIError) as exc:
            if not is_transient(exc) or attempt == attempts:
                raise StorageError(f"database unavailable after {attempt + 1} attempts: {exc.orig}") from exc
            delay = base_delay * 2**attempt * (0.5 + random.random())
            log.warning("database busy or unreachable (%s); retrying in %.1fs", type(exc.orig).__name__, delay)
            sleep(delay)
    raise AssertionError("unreachable")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed together, or rolled back together (nothing half-written)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (also run on every start, so an upgrade of the package is one restart)."""
    from alembic import command

    if url.startswith("sqlite:///"):
        sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def refresh_statistics(engine: Engine) -> None:
    """Give the query planner fresh statistics (after migrations and large loads).

    Without them SQLite's planner walked each brand's whole history instead of the detection index, and
    PostgreSQL picked the unique index for reply look-ups (a 290 s digest; 22 s after ANALYZE).  PostgreSQL
    analyzes only when mentions changed size by a tenth since its last statistics (autovacuum keeps them
    fresh between); SQLite's sampled ``PRAGMA optimize`` is cheap enough for every start.
    """
    from sqlalchemy import text

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA analysis_limit=1000"))  # sampled: fast on a large file
            known = connection.execute(text(
                "select 1 from sqlite_master where name = 'sqlite_stat1'")).first() is not None
            analyzed = known and connection.execute(text(
                "select 1 from sqlite_stat1 where tbl = 'mentions'")).first() is not None
            connection.execute(text("PRAGMA optimize=0x10002" if analyzed else "ANALYZE"))
        elif engine.dialect.name == "postgresql" and connection.execute(text(_PG_STALE)).scalar():
            connection.execute(text("ANALYZE mentions"))


# The statistics of mentions (every leaf partition) are missing, or its size moved by more than a tenth since they
# were taken: ANALYZE reads ~30,000 rows (about 1 s at 1 M mentions), which every command and start used to pay.
# Sizes, not pg_stat counters: those reach other sessions up to seconds late, right after a bulk load.
_PG_STALE = """
select bool_or(c.reltuples < 0)
       or abs(sum(pg_relation_size(c.oid)) / current_setting('block_size')::int - sum(c.relpages))
          > greatest(sum(c.relpages), 8) * 0.1
from pg_class as c
where (c.oid = 'mentions'::regclass and c.relkind = 'r')
   or c.oid in (select relid from pg_partition_tree('mentions') where isleaf)
"""


def open_database(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine on a migrated database: migrations run unless it is at the newest revision already (then
    alembic would do nothing but cost its import and environment, ~0.4 CPU-s: a backtest's new database from
    its template, every start of an up-to-date service)."""
    engine = make_engine(url, busy_timeout=busy_timeout)
    if stored_revisions(engine) != schema_heads():
        upgrade(url)
    refresh_statistics(engine)
    return engine


def schema_heads() -> set[str]:
    """The newest migration revision(s), read from the version files' ``revision``/``down_revision`` lines
    (importing alembic and running its environment costs a command more than its query does)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, revision in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(revision)
    return revisions - parents


def stored_revisions(engine: Engine) -> set[str]:
    """The revision(s) the database says it is at; empty when it has no version table (a new database)."""
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            return {str(row[0]) for row in connection.execute(text("select version_num from alembic_version"))}
    except DBAPIError:  # no such table yet, or unreachable: open_database says which
        return set()


def open_for_reading(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for a command that only reads (``incidents list``, ``sources``, ``check``): when the schema
    is at the newest revision, no migration run and no statistics refresh (a running service does both);
    a new, older or unknown database is opened as :func:`open_database` does (migrated, or refused)."""
    engine = make_engine(url, busy_timeout=busy_timeout)
    if stored_revisions(engine) == schema_heads():
        return engine
    engine.dispose()
    return open_database(url, busy_timeout=busy_timeout)
