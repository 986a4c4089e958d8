"""when each incident next needs the detection pass (incidents.next_check_at, indexed)

Every pass loaded every paged incident (reminders, unanswered escalation, quiet resolution) and every watched one
(the watch review) of every brand with one open, though almost none was due (issue #17).  ``next_check_at`` is the
earliest time any of those checks may act on the incident (``monitor.detection.due``); the pass reads only the
incidents whose time has come, across brands by this index.  Existing unresolved incidents are due at once (their
opening time), so the first pass after the upgrade checks each of them and sets its real time: nothing is skipped.

Revision ID: 0015_incident_next_check
Revises: 0014_mention_reaction_indexes
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015_incident_next_check"
down_revision: Union[str, None] = "0014_mention_reaction_indexes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE incidents SET next_check_at = opened_at WHERE status <> 'resolved'")
    op.create_index("ix_incidents_next_check_at", "incidents", ["next_check_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_next_check_at", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("next_check_at")
