"""workspace search: author index and full-text search over mention text

The Mentions view filters by author (``lower(author_handle)``) and searches text (a case-insensitive
substring). At 1 M mentions both were full scans on SQLite (3.0 s and 1.6 s). Now:

- both databases: an expression index on ``lower(author_handle)``;
- SQLite: an FTS5 external-content table ``mentions_fts`` with the trigram tokenizer (substring matches,
  as before), kept in step with ``mentions`` by three triggers; skipped with a warning where this SQLite
  has no FTS5 trigram tokenizer (before 3.34), and the view falls back to the scan;
- PostgreSQL: a GIN trigram index (pg_trgm, created in schema public when missing), which ILIKE uses as is;
  skipped with a warning where the extension cannot be created.

Note for later migrations: a SQLite batch ALTER that recreates ``mentions`` drops its triggers; create
them again (``create_fts_triggers``) after such a step.

Revision ID: 0006_workspace_search
Revises: 0005_workspace_digests
Create Date: 2026-12-06
"""
import logging
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_workspace_search"
down_revision: Union[str, None] = "0005_workspace_digests"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
log = logging.getLogger("groundswell.migrations")

FTS_TRIGGERS = (
    """CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
         INSERT INTO mentions_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
         INSERT INTO mentions_fts(mentions_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER mentions_fts_update AFTER UPDATE OF text ON mentions BEGIN
         INSERT INTO mentions_fts(mentions_fts, rowid, text) VALUES ('delete', old.id, old.text);
         INSERT INTO mentions_fts(rowid, text) VALUES (new.id, new.text); END""",
)


def create_fts_triggers() -> None:
    for statement in FTS_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    op.execute("CREATE INDEX ix_mentions_author_lower ON mentions (lower(author_handle))")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts()
    elif op.get_bind().dialect.name == "postgresql":
        _postgres_trigram()


def _sqlite_fts() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE VIRTUAL TABLE mentions_fts USING fts5(text, content='mentions', "
                                 "content_rowid='id', tokenize='trigram')"))
    except sa.exc.OperationalError as exc:
        log.warning("text search stays a scan: this SQLite has no FTS5 trigram tokenizer (%s)", exc.orig)
        return
    create_fts_triggers()
    op.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")


def _postgres_trigram() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    except sa.exc.DBAPIError as exc:
        log.warning("text search stays a scan: cannot create the pg_trgm extension (%s)", exc.orig)
        return
    schema = bind.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  "WHERE extname = 'pg_trgm'")).scalar_one()
    op.execute(f'CREATE INDEX ix_mentions_text_trgm ON mentions USING gin (text "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("mentions_fts_insert", "mentions_fts_delete", "mentions_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS mentions_fts")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_mentions_text_trgm")
    op.execute("DROP INDEX ix_mentions_author_lower")
