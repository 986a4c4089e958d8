"""index for the brand's own replies

"Are the brand's replies collected?" (asked by every detection pass that reviews watched complaints) read a
week of the brand's mentions to find none when a source collects no replies: a cost that grew with the
brand's volume (a fifth of a cached backtest replay's detection). With (brand_id, is_brand_reply, posted_at)
it is one index probe; reply look-ups (``first_reply``) narrow by it too.

Revision ID: 0010_replay_speed_brand_replies
Revises: 0009_recover_tidy_channel_health
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0010_replay_speed_brand_replies"
down_revision: Union[str, None] = "0009_recover_tidy_channel_health"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_mentions_brand_reply_posted", "mentions", ["brand_id", "is_brand_reply", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_mentions_brand_reply_posted", table_name="mentions")
