"""web workspace: users, incident actions, alert feedback, incident owner, trends index

Revision ID: 0002_web
Revises: 0001
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0002_web'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('incident_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    op.create_index('ix_incident_actions_incident_id', 'incident_actions', ['incident_id'], unique=False)
    op.create_table('alert_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'actor', name='uq_feedback_alert_actor')
    )
    op.create_index('ix_alert_feedback_alert_id', 'alert_feedback', ['alert_id'], unique=False)
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_index('ix_mentions_brand_posted_sentiment', 'mentions', ['brand_id', 'posted_at', 'sentiment'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_mentions_brand_posted_sentiment', table_name='mentions')
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('owner')
    op.drop_index('ix_alert_feedback_alert_id', table_name='alert_feedback')
    op.drop_table('alert_feedback')
    op.drop_index('ix_incident_actions_incident_id', table_name='incident_actions')
    op.drop_table('incident_actions')
    op.drop_table('users')
