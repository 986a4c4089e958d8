"""incident facets, alert summaries and paged flag

One real-world event is one incident with several facets (spike, story, individual triggers);
every alert says what changed, and whether it paged or went to the digest (alert budget).

Revision ID: 0002_incident_facets
Revises: 0002_web
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_incident_facets"
down_revision: Union[str, None] = "0002_web"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("facets", sa.JSON(), nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch.add_column(sa.Column("paged", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("paged")
        batch.drop_column("summary")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("facets")
