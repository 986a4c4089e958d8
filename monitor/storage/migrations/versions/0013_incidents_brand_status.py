"""index incidents by (brand_id, status)

Every detection pass checks a brand's watched, paged, snoozed and quiet incidents, one query each
(``monitor.detection.pass_queries``). With only the brand_id index each query read every incident the brand
ever had, resolved ones included, so a pass cost more as history grew (a backtest week resolves ~1,000).
With (brand_id, status) each is an index range over the incidents in that state.

Revision ID: 0013_incidents_brand_status
Revises: 0012_mention_local_id
Create Date: 2026-12-07
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0013_incidents_brand_status"
down_revision: Union[str, None] = "0012_mention_local_id"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_incidents_brand_status", "incidents", ["brand_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_incidents_brand_status", table_name="incidents")
