"""Text search over mentions: the FTS5 trigram index on SQLite, pg_trgm's GIN index behind ILIKE on PostgreSQL.

Both keep the old meaning, a case-insensitive substring. On SQLite the query is driven from the FTS table
in rowid order (newest first), so a word in every post stops after one page and a rare one reads only its
matches; an ``IN (matches)`` form read every match of a common word first (0.95 s at 1 M). FTS5's trigram
tokenizer needs three characters; shorter queries, and databases without the index (migration 0006
skipped it), scan as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from weakref import WeakSet

from sqlalchemy import column, table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select
from sqlmodel import col

from monitor.storage.tables import Mention

FTS = table("mentions_fts", column("rowid"))
S = TypeVar("S", bound=Select[Any])


_WITH_FTS: WeakSet[Engine] = WeakSet()


def has_fts(engine: Engine) -> bool:
    """Whether this SQLite database has the mentions_fts table (a yes is remembered per engine; a no is looked
    up again, so a database migrated while the engine lives gets its index)."""
    if engine in _WITH_FTS:
        return True
    with engine.connect() as connection:
        found = connection.execute(text("select 1 from sqlite_master where name = 'mentions_fts'")).first()
    if found is not None:
        _WITH_FTS.add(engine)
    return found is not None


def text_search(query: S, bind: Engine | Connection, words: str) -> tuple[S, Any]:
    """``query`` narrowed to mentions whose text contains ``words`` (ignoring case), and the id column to
    order it by (newest first)."""
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "sqlite" and len(words) >= 3 and has_fts(engine):
        phrase = '"' + words.replace('"', '""') + '"'  # one FTS5 string: the user's text is never syntax
        narrowed = query.join(FTS, FTS.c.rowid == col(Mention.id)).where(
            text("mentions_fts MATCH :fts_phrase").bindparams(fts_phrase=phrase))
        return narrowed, FTS.c.rowid
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return query.where(col(Mention.text).ilike(pattern, escape="\\")), col(Mention.id)


@contextmanager
def search_index_deferred(engine: Engine, *, rebuild: bool) -> Iterator[None]:
    """Bulk loading into a scratch SQLite database (a backtest): no FTS trigger per inserted row.

    Why: the trigram index's insert trigger, and FTS5 merging a segment per small commit, cost more CPU than
    the whole detection of a replay (47 of 180 CPU-s profiled). The trigger is dropped for the load and put
    back after; ``rebuild`` then fills the index from the table in one pass (a database that is kept).
    """
    if engine.dialect.name != "sqlite" or not has_fts(engine):
        yield
        return
    with engine.begin() as connection:
        found = connection.execute(text("select sql from sqlite_master where type = 'trigger' "
                                        "and name = 'mentions_fts_insert'")).scalar()
        if found is not None:
            connection.execute(text("DROP TRIGGER mentions_fts_insert"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            if found is not None:
                connection.execute(text(found))
            if rebuild:
                connection.execute(text("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')"))
