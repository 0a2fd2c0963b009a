"""calendar notices, provisional deadlines: working days never fail

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:00:00

A year the official package does not cover is no longer an error: it is counted
provisionally from the statutory holidays until its notice is entered.

- ``calendar_notices`` holds a year's notice as an admin entered it (holiday ranges and
  make-up working days); it replaces ``calendar_years`` (a year "declared" to be
  weekdays-plus-overrides), whose overrides stay and keep winning;
- each stored deadline counted in working days keeps how many it counted and the least
  settled source of its days (official, override, entered, provisional), so entering a
  notice counts it again. Existing publication deadlines get the publication rule's current
  days (what they were counted with unless an admin changed the rule since) and
  ``official`` (an undeclared year was an error until now); the others are left as dates
  set by hand.
"""
from alembic import op
import sqlalchemy as sa

import server.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_notices',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('makeup_days', sa.JSON(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('entered_at', server.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_calendar_notices_entered_by_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_notices'))
    )
    op.drop_table('calendar_years')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_due_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entry_due_source', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('publication_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('publication_due_source', sa.String(length=12),
                                      nullable=True))
    op.execute("UPDATE results SET publication_days = (SELECT working_days FROM deadline_rules "
               "WHERE kind = 'publication'), publication_due_source = 'official' "
               "WHERE publication_due IS NOT NULL")
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_source', sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('due_source')
        batch_op.drop_column('due_days')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('publication_due_source')
        batch_op.drop_column('publication_days')
        batch_op.drop_column('entry_due_source')
        batch_op.drop_column('entry_due_days')
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('declared_by', sa.Integer(), nullable=True),
    sa.Column('declared_at', server.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declared_by'], ['users.id'], name=op.f('fk_calendar_years_declared_by_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.drop_table('calendar_notices')
