"""alerts about one person: a big customer who joined an open incident is told once per person

An incident's alerts were unique per (incident, event, severity): the same news is never told twice. A churn
threat from a key or influential customer joining an open story is news about that person (issue #12): one
``joined`` update per person, so ``about`` (``platform:author_id``; '' for news about the whole incident) joins
the unique key.

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


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("about", sa.String(), nullable=False, server_default=""))
        batch.drop_constraint("uq_alert_event", type_="unique")
        batch.create_unique_constraint("uq_alert_event", ["incident_id", "event", "severity", "about"])


def downgrade() -> None:
    op.execute("delete from outbox where alert_id in (select id from alerts where about <> '')")
    op.execute("delete from alerts where about <> ''")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alert_event", type_="unique")
        batch.create_unique_constraint("uq_alert_event", ["incident_id", "event", "severity"])
        batch.drop_column("about")
