"""indexes for the monthly report's coverage base and the public record check

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 00:20:00

The monthly report counts companies registered and active before the year began (its
coverage base): without ``(active, created_at)`` that is a scan of the whole registry.
Anyone may check a printed on-site record by its SHA-256, so that lookup is indexed too.
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index('ix_companies_active_created', ['active', 'created_at'],
                              unique=False)
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_record_sha256'), ['record_sha256'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_record_sha256'))
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_active_created')
