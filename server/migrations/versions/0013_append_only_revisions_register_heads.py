"""append-only revisions: register heads in a table of their own, fewer pages per push

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 06:00:00

A push wrote about 64 database pages per batch of 25 ops on SQLite, most of them for
bookkeeping: clearing the head flag of the revisions an edit supersedes rewrote old rows
scattered through ``field_revisions`` and its register index, the bases had a rowid
table and two indexes, and the ops an index by device. Now:

- ``register_heads`` (visit, register, op id; no rowid on SQLite) holds the heads, and
  ``field_revisions`` is only appended to, indexed by visit;
- ``revision_bases`` is keyed by (base, op id) with no rowid on SQLite: one b-tree;
- each device counts the ops the server holds (``ops_known``), instead of
  ``sync_ops`` being indexed by device for that count.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_heads',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('register', sa.String(length=160), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['field_revisions.op_id'], name=op.f('fk_register_heads_op_id_field_revisions')),
    sa.PrimaryKeyConstraint('visit_id', 'register', 'op_id', name=op.f('pk_register_heads')),
    sqlite_with_rowid=False
    )
    op.execute("INSERT INTO register_heads (visit_id, register, op_id) "
               "SELECT visit_id, register, op_id FROM field_revisions WHERE is_head")
    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_field_revisions_register')
        batch_op.drop_column('is_head')
        batch_op.create_index('ix_field_revisions_visit', ['visit_id'], unique=False)

    _rekey_revision_bases(('base_op_id', 'op_id'), sqlite_with_rowid=False)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ops_known', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute("UPDATE devices SET ops_known = (SELECT count(*) FROM sync_ops "
               "WHERE sync_ops.device_id = devices.id)")
    with op.batch_alter_table('sync_ops', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_ops_device_id')


def _rekey_revision_bases(key: tuple[str, str], **kwargs) -> None:
    """``revision_bases`` made again with primary key ``key`` (and table options
    ``kwargs``), its rows carried over through a copy."""
    op.create_table('revision_bases_copy',
    sa.Column('base_op_id', sa.String(length=36), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False)
    )
    op.execute("INSERT INTO revision_bases_copy (base_op_id, op_id) "
               "SELECT base_op_id, op_id FROM revision_bases")
    op.drop_table('revision_bases')
    op.create_table('revision_bases',
    sa.Column('base_op_id', sa.String(length=36), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['field_revisions.op_id'], name=op.f('fk_revision_bases_op_id_field_revisions')),
    sa.PrimaryKeyConstraint(*key, name=op.f('pk_revision_bases')),
    **kwargs
    )
    op.execute("INSERT INTO revision_bases (base_op_id, op_id) "
               "SELECT base_op_id, op_id FROM revision_bases_copy")
    op.drop_table('revision_bases_copy')


def downgrade() -> None:
    with op.batch_alter_table('sync_ops', schema=None) as batch_op:
        batch_op.create_index('ix_sync_ops_device_id', ['device_id'], unique=False)
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('ops_known')

    _rekey_revision_bases(('op_id', 'base_op_id'))
    with op.batch_alter_table('revision_bases', schema=None) as batch_op:
        batch_op.create_index('ix_revision_bases_base_op_id', ['base_op_id'], unique=False)

    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_head', sa.Boolean(), nullable=True))
    op.execute("UPDATE field_revisions SET is_head = (op_id IN "
               "(SELECT op_id FROM register_heads))")
    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.alter_column('is_head', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_index('ix_field_revisions_visit')
        batch_op.create_index('ix_field_revisions_register', ['visit_id', 'register', 'is_head'],
                              unique=False)
    op.drop_table('register_heads')
