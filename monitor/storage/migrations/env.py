"""Alembic environment: our tables are SQLModel.metadata; SQLite needs batch mode for ALTERs."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import monitor.storage.tables  # noqa: F401  (registers the tables on the metadata)
from monitor.storage.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
