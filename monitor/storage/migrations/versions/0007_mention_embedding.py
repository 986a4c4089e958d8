"""mention sentence vector (story joining)

Each scored mention keeps its sentence vector (384 int8 bytes, models/embedding.py) so the story detector
can join a new wording of a grievance to its story, also after a restart (warm-up reads it back).

Revision ID: 0007_embedding
Revises: 0006_workspace_search
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_embedding"
down_revision: Union[str, None] = "0006_workspace_search"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("embedding")
