"""incident snooze and "missed one" feedback (issue #16, actions from Slack and email)

Revision ID: 0004_snooze_missed
Revises: 0002_incident_facets
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_snooze_missed"
down_revision: Union[str, None] = "0002_incident_facets"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "missed_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.String(), nullable=False),
        sa.Column("link", sa.String(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("brand_id", "link", "actor", name="uq_missed_brand_link_actor"),
    )
    op.create_index("ix_missed_mentions_brand_id", "missed_mentions", ["brand_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_missed_mentions_brand_id", table_name="missed_mentions")
    op.drop_table("missed_mentions")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("snoozed_until")
