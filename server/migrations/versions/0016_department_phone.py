"""departments' phone: the office number shown on a premises code's page

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:40:00

A premises poster's code opens a page for whoever scans it (``/p/<token>``); it names
the department that issued the code and the number to call about it. Existing
departments start without one (the page then says to ask the department).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments') as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('departments') as batch_op:
        batch_op.drop_column('phone')
