"""detector checkpoints

Each brand's detector state as of its last committed pass, so any worker can run the brand next
without rebuilding 28 days of baselines from raw mentions.

Revision ID: 0008_scale_checkpoints
Revises: 0007_embedding
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_scale_checkpoints"
down_revision: Union[str, None] = "0007_embedding"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "detector_checkpoints",
        sa.Column("brand_id", sa.String(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings_hash", sa.String(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("brand_id"),
    )


def downgrade() -> None:
    op.drop_table("detector_checkpoints")
