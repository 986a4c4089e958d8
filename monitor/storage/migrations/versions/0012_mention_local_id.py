"""mentions.local_id: the id a platform's replies and quotes name a post by, when not its external id

A reply or quote joins the incident of the post it answers (issue #12). Most platforms name the parent by the
id we store as ``external_id``; Mastodon names it by the instance's own status id (``in_reply_to_id``), while a
status is stored by its URI (the same everywhere). ``local_id`` (``instance/status id``) is what its replies'
``parent_id`` match; empty for every other platform and for rows stored before.

Revision ID: 0012_mention_local_id
Revises: 0011_alert_about_person
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012_mention_local_id"
down_revision: Union[str, None] = "0011_alert_about_person"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("mentions", sa.Column("local_id", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("mentions", "local_id")  # SQLite 3.35+ drops a column in place: no table copy, indexes kept
