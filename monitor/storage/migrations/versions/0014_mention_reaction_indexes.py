"""index mentions by the post they answer, quote or repost

Every detection pass counts the reactions to each watched high-reach post (``watchlist.reactions``): replies,
quotes and reposts we collected that name it.  Without an index on those ids each count read every mention of
the brand since the post, and a post stays watched for hours (``quiet_minutes``), so a pass cost grew with the
number of watched posts times their age: ~1 CPU-s a pass after 90 minutes of the soak's feed.  Partial indexes,
as most posts answer, quote and repost nothing.

Revision ID: 0014_mention_reaction_indexes
Revises: 0013_incidents_brand_status
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014_mention_reaction_indexes"
down_revision: Union[str, None] = "0013_incidents_brand_status"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
COLUMNS = ("parent_id", "quoted_id", "reposted_id")


def upgrade() -> None:
    for column in COLUMNS:
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_mentions_{column}", "mentions", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_mentions_{column}", table_name="mentions")
