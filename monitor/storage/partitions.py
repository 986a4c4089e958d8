"""Mentions partitioned by day on PostgreSQL (opt-in ``database.partition_by_day``, for a new database).

At 10 M mentions a day, retention by batched ``DELETE`` is the job that backs up the queue; with one
partition per day of ``posted_at`` it is a ``DROP TABLE`` of each day past retention, instant and without
dead rows to vacuum.  Partitions are made a few days ahead by the retention job; a default partition takes
anything outside them (a backfill of old posts, a clock far ahead), so an insert never fails, and its rows
go by the ordinary batched deletes.

PostgreSQL needs the partition key in every unique index: the table's keys become (id, posted_at) and
(brand, platform, external id, posted_at).  A post whose posted time changed between two fetches would then
be stored twice, which X, Reddit, Mastodon, Bluesky and Hacker News never do (an RSS entry's date can).
The switch is made here only while ``mentions`` is empty, so it never moves data; a populated table is
converted by ``groundswell db partition`` (``partition_convert.py``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("groundswell.partitions")
AHEAD_DAYS = 3
DEFAULT = "mentions_default"


def is_partitioned(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "select 1 from pg_partitioned_table p join pg_class c on c.oid = p.partrelid "
            "where c.relname = 'mentions' and c.relnamespace = current_schema()::regnamespace")).first())


def partition_by_day(engine: Engine, now: datetime) -> bool:
    """Make ``mentions`` partitioned by day if it is still empty; returns whether it is partitioned now."""
    if engine.dialect.name != "postgresql":
        return False
    if not is_partitioned(engine):
        with engine.begin() as connection:
            connection.execute(text("lock table mentions in access exclusive mode"))
            if connection.execute(text("select 1 from mentions limit 1")).first() is not None:
                log.warning("database.partition_by_day: mentions already holds rows; keeping the plain table "
                            "(retention deletes in batches) until `groundswell db partition` converts it")
                return False
            _convert(connection)
        log.info("mentions are now partitioned by day (retention drops whole days)")
    ensure_days(engine, now.date() - timedelta(days=1), now.date() + timedelta(days=AHEAD_DAYS))
    return True


def _convert(connection: Connection) -> None:
    """The empty plain table becomes a partitioned one with the same columns, defaults and indexes."""
    indexes = [row[0] for row in connection.execute(text(
        "select indexdef from pg_indexes where tablename = 'mentions' and schemaname = current_schema() "
        "and indexname not in ('mentions_pkey', 'uq_mention_brand_platform_id')"))]
    connection.execute(text("alter table mentions rename to mentions_plain"))
    connection.execute(text("create table mentions (like mentions_plain including defaults) "
                            "partition by range (posted_at)"))
    connection.execute(text("alter sequence mentions_id_seq owned by mentions.id"))
    connection.execute(text("drop table mentions_plain"))  # its key and index names are free again
    connection.execute(text("alter table mentions add primary key (id, posted_at)"))
    connection.execute(text("alter table mentions add constraint uq_mention_brand_platform_id "
                            "unique (brand_id, platform, external_id, posted_at)"))
    for definition in indexes:  # "create index ix ON schema.mentions_plain USING ..." -> on the new table
        connection.execute(text(definition.replace("mentions_plain", "mentions")))
    connection.execute(text(f"create table {DEFAULT} partition of mentions default"))


def day_name(day: date) -> str:
    return f"mentions_p{day:%Y%m%d}"


def ensure_days(engine: Engine, first: date, last: date) -> None:
    """A partition for every day from ``first`` to ``last``; rows of such a day already in the default
    partition move into it (in one transaction), so attaching it never fails."""
    existing = set(partitions(engine))
    day = first
    while day <= last:
        if day_name(day) not in existing:
            with engine.begin() as connection:
                _add_day(connection, day)
        day += timedelta(days=1)


def _add_day(connection: Connection, day: date) -> None:
    name, bounds = day_name(day), {"lo": f"{day.isoformat()} 00:00:00+00",
                                   "hi": f"{(day + timedelta(days=1)).isoformat()} 00:00:00+00"}
    connection.execute(text(f"create table {name} (like mentions including defaults)"))
    connection.execute(text(f"with moved as (delete from {DEFAULT} where posted_at >= cast(:lo as timestamptz) "
                            "and posted_at < cast(:hi as timestamptz) returning *) "
                            f"insert into {name} select * from moved"), bounds)
    connection.execute(text(f"alter table mentions attach partition {name} for values from "
                            f"('{bounds['lo']}') to ('{bounds['hi']}')"))


def partitions(engine: Engine) -> list[str]:
    """The day partitions, oldest first."""
    with engine.connect() as connection:
        names = [row[0] for row in connection.execute(text(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            "join pg_class p on p.oid = i.inhparent where p.relname = 'mentions' "
            "and p.relnamespace = current_schema()::regnamespace and c.relname like 'mentions_p%'"))]
    return sorted(names)


def drop_days_before(engine: Engine, cutoff: datetime) -> int:
    """Drop every day partition that ends at or before ``cutoff``; returns how many rows went with them."""
    gone = 0
    for name in partitions(engine):
        end = datetime.strptime(name.removeprefix("mentions_p"), "%Y%m%d").date() + timedelta(days=1)
        if end > cutoff.date():
            break
        with engine.begin() as connection:
            gone += int(connection.execute(text(f"select count(*) from {name}")).scalar() or 0)
            connection.execute(text(f"drop table {name}"))
        log.info("retention: dropped the partition %s", name)
    return gone
