"""Converting an existing, populated ``mentions`` table to day partitions (``groundswell db partition``).

``partitions.partition_by_day`` only switches an empty table.  Here a table with rows is converted in
three resumable steps, so a crash or Ctrl-C at any point is finished by running the command again:

1. one short transaction renames ``mentions`` (with its keys and indexes) to ``mentions_plain`` and
   creates the partitioned ``mentions`` in its place: the same columns, defaults and id sequence, the
   partitioned keys, the same indexes and a default partition; then a partition per day to keep;
2. rows move in batches (``DELETE ... RETURNING`` into an ``INSERT``, one transaction each): every row
   keeps its id and values, and a batch is either moved whole or not at all;
3. the emptied ``mentions_plain`` is dropped and the new table analysed.

A foreign key pointing at ``mentions`` cannot follow (the partitioned key is ``(id, posted_at)``): the
conversion refuses before changing anything.  Run it with the service and workers stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from monitor.errors import GroundswellError
from monitor.storage import partitions

PLAIN = "mentions_plain"
BATCH = 10_000


class CannotConvert(GroundswellError):
    """The database cannot be converted as it is (SQLite, a foreign key to mentions)."""


@dataclass
class Converted:
    moved: int = 0  # rows moved by this run
    skipped: int = 0  # rows already in the partitioned table (written there while converting)
    already: bool = False  # nothing to do: partitioned before this run


def state(engine: Engine) -> str:
    """``plain``, ``converting`` (a run stopped half-way: rows left in mentions_plain) or ``partitioned``."""
    if engine.dialect.name != "postgresql":
        raise CannotConvert("db partition: day partitions need PostgreSQL; SQLite keeps its batched retention "
                            "deletes (nothing to convert)")
    with engine.connect() as connection:
        plain = connection.execute(text("select to_regclass(:name)"), {"name": PLAIN}).scalar()
    if plain is not None:
        return "converting"
    return "partitioned" if partitions.is_partitioned(engine) else "plain"


def remaining(engine: Engine) -> int:
    """Rows still to move (all of them before the first step)."""
    table = PLAIN if state(engine) == "converting" else "mentions"
    with engine.connect() as connection:
        return int(connection.execute(text(f"select count(*) from {table}")).scalar() or 0)


def convert(engine: Engine, *, now: datetime, keep_days: int, batch: int = BATCH, lock_wait_s: float = 30,
            progress: Callable[[int], None] = lambda _moved: None) -> Converted:
    """Convert ``mentions`` to day partitions (or finish a stopped conversion); ``progress`` gets each
    batch's row count.  Days older than ``keep_days`` get no partition: their rows go to the default one,
    where retention deletes them."""
    current = state(engine)
    if current == "partitioned":
        return Converted(already=True)
    if current == "plain":
        try:
            with engine.begin() as connection:
                connection.execute(text(f"set local lock_timeout = '{int(lock_wait_s * 1000)}ms'"))
                _swap(connection)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", "") != "55P03":  # lock_not_available
                raise
            raise CannotConvert(f"db partition: mentions stayed in use for {lock_wait_s:g} s (workers or a web "
                                "server still running? stop them and run it again); nothing was changed") from None
    _make_days(engine, now, keep_days)
    done, after = Converted(), 0
    while True:
        with engine.begin() as connection:
            moved, skipped, after = _move(connection, batch, after)
        done.moved, done.skipped = done.moved + moved, done.skipped + skipped
        if not moved + skipped:
            break
        progress(moved + skipped)
    with engine.begin() as connection:
        connection.execute(text(f"drop table {PLAIN}"))
    with engine.begin() as connection:  # committed: statistics analysed in a rolled-back transaction are lost
        connection.execute(text("analyze mentions"))
    return done


def _swap(connection: Connection) -> None:
    """Step 1: the plain table steps aside (names and all) and the partitioned one takes its place."""
    connection.execute(text("lock table mentions in access exclusive mode"))
    referencing = connection.execute(text(
        "select conrelid::regclass::text from pg_constraint where contype = 'f' "
        "and confrelid = 'mentions'::regclass")).scalars().all()
    if referencing:
        raise CannotConvert(f"db partition: {', '.join(referencing)} has a foreign key to mentions, which a "
                            "partitioned table (key: id, posted_at) cannot keep; drop it first")
    indexes = connection.execute(text(
        "select indexname, indexdef from pg_indexes where tablename = 'mentions' "
        "and schemaname = current_schema()")).all()
    constraints = set(connection.execute(text(
        "select conname from pg_constraint where conrelid = 'mentions'::regclass")).scalars())
    connection.execute(text(f"alter table mentions rename to {PLAIN}"))
    for name, _ in indexes:  # index names are per schema: free them for the new table
        what = f'table {PLAIN} rename constraint "{name}"' if name in constraints else f'index "{name}" rename'
        connection.execute(text(f'alter {what} to "{name[:50]}_plain"'))
    connection.execute(text(f"create table mentions (like {PLAIN} including defaults) partition by range (posted_at)"))
    connection.execute(text("alter sequence mentions_id_seq owned by mentions.id"))
    connection.execute(text("alter table mentions add primary key (id, posted_at)"))
    connection.execute(text("alter table mentions add constraint uq_mention_brand_platform_id "
                            "unique (brand_id, platform, external_id, posted_at)"))
    for name, definition in indexes:
        if name not in constraints:
            connection.execute(text(definition))  # captured before the rename: "... ON schema.mentions ..."
    connection.execute(text(f"create table {partitions.DEFAULT} partition of mentions default"))


def _make_days(engine: Engine, now: datetime, keep_days: int) -> None:
    """A partition for every day from the oldest row still kept to a few days ahead."""
    with engine.connect() as connection:
        oldest = connection.execute(text(f"select min(posted_at) from {PLAIN}")).scalar()
    first = (now - timedelta(days=keep_days + 1)).date()
    if oldest is not None:
        first = max(first, oldest.date())
    partitions.ensure_days(engine, min(first, now.date()), now.date() + timedelta(days=partitions.AHEAD_DAYS))


def _move(connection: Connection, batch: int, after: int) -> tuple[int, int, int]:
    """Step 2, one batch: the lowest ids above ``after`` leave mentions_plain and land in their day's
    partition; returns (moved, skipped, the highest id taken).  Starting above the last batch keeps each
    batch from wading through the index entries of the rows already moved (dead until a vacuum)."""
    row = connection.execute(text(
        f"with picked as (select id from {PLAIN} where id > :after order by id limit :n), "
        f"gone as (delete from {PLAIN} p using picked where p.id = picked.id returning p.*), "
        "landed as (insert into mentions select * from gone on conflict do nothing returning 1) "
        "select (select count(*) from gone), (select count(*) from landed), (select max(id) from gone)"),
        {"n": batch, "after": after}).one()
    return int(row[1]), int(row[0]) - int(row[1]), int(row[2] or after)
