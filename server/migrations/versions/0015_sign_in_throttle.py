"""sign-in throttle: back-off per account name and client address instead of account locks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:00:00

Locking an account after N wrong passwords let anyone lock anyone; failed sign-ins now
slow down per name and per address (``services.sign_in_throttle``), counted in
``login_throttles`` so every host shares them. The users' lock columns go; a downgrade
brings them back empty (nobody locked).
"""
from alembic import op
import sqlalchemy as sa

import server.db


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', server.db.UTCDateTime(), nullable=True),
    sa.Column('last_failure_at', server.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('locked_until', server.db.UTCDateTime(), nullable=True))
    op.drop_table('login_throttles')
