"""Alembic environment: our tables are SQLModel.metadata; SQLite needs batch mode for ALTERs."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import monitor.storage.tables  # noqa: F401  (registers the tables on the metadata)
from monitor.storage.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


SEARCH_OBJECTS = ("ix_mentions_author_lower", "ix_mentions_text_trgm")  # made by 0006 in SQL, not in the models


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate leaves the search objects alone (the FTS5 table and its shadow tables, two indexes)."""
    return not (str(name).startswith("mentions_fts") or name in SEARCH_OBJECTS)


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
