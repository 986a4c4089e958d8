"""alerts about one person: a big customer who joined an open incident is told once per person

An incident's alerts were unique per (incident, event, severity): the same news is never told twice. A churn
threat from a key or influential customer joining an open story is news about that person (issue #12): one
``joined`` update per person, so ``about`` (``platform:author_id``; '' for news about the whole incident) joins
the unique key.

SQLite cannot change a table's unique constraint in place, and alembic's batch copy (copy, drop, rename) fails
on a database with deliveries: dropping ``alerts`` orphans the outbox rows that point at it, and a rename does
not bring them back. So on SQLite the rows are kept aside, ``alerts`` is dropped and created again, and the rows
go back in, with the foreign keys checked at commit (``defer_foreign_keys``): every outbox row finds its alert
again, with the same id.

Revision ID: 0011_alert_about_person
Revises: 0010_replay_speed_brand_replies
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_alert_about_person"
down_revision: Union[str, None] = "0010_replay_speed_brand_replies"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = "id, incident_id, event, severity, created_at, summary, paged"


def _alerts_table(unique: list[str], about: bool) -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("paged", sa.Boolean(), nullable=False, server_default=sa.true()),
        *([sa.Column("about", sa.String(), nullable=False, server_default="")] if about else []),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique, name="uq_alert_event"),
    )
    op.create_index("ix_alerts_incident_id", "alerts", ["incident_id"], unique=False)


def _sqlite_rebuild(unique: list[str], about: bool) -> None:
    """Drop and create ``alerts`` again around its rows, in one transaction, foreign keys checked at commit."""
    raw = op.get_bind().connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        op.execute("BEGIN")  # deferred foreign keys need a transaction around the drop and the refill
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TABLE _alerts_0011 AS SELECT {COLUMNS} FROM alerts")
    op.drop_index("ix_alerts_incident_id", table_name="alerts")
    op.drop_table("alerts")
    _alerts_table(unique, about)
    op.execute(f"INSERT INTO alerts ({COLUMNS}) SELECT {COLUMNS} FROM _alerts_0011")
    op.execute("DROP TABLE _alerts_0011")


def upgrade() -> None:
    unique = ["incident_id", "event", "severity", "about"]
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(unique, about=True)
        return
    op.add_column("alerts", sa.Column("about", sa.String(), nullable=False, server_default=""))
    op.drop_constraint("uq_alert_event", "alerts", type_="unique")
    op.create_unique_constraint("uq_alert_event", "alerts", unique)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE alert_id IN (SELECT id FROM alerts WHERE about <> '')")
    op.execute("DELETE FROM alerts WHERE about <> ''")
    unique = ["incident_id", "event", "severity"]
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(unique, about=False)
        return
    op.drop_constraint("uq_alert_event", "alerts", type_="unique")
    op.create_unique_constraint("uq_alert_event", "alerts", unique)
    op.drop_column("alerts", "about")
