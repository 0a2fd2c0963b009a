"""registers: notes, photo links and signatures beside answers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:30:00

Every revision now names its register (``a:<item version>:<field>``, ``n:<note>``,
``p:<item version|->:<sha256>``, ``s:<inspector>``) and the kind of op that wrote it;
existing rows are answers and get their register from their item and field. Heads
(revisions no other is based on) are flagged, and each revision's bases indexed, so a
push reads a register's heads only.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('is_head', sa.Boolean(), nullable=True))
    op.execute("UPDATE field_revisions SET register = 'a:' || CAST(item_version_id AS VARCHAR)"
               " || ':' || field_key, kind = 'set_answer', is_head = true")
    op.create_table('revision_bases',
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('base_op_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['field_revisions.op_id'], name=op.f('fk_revision_bases_op_id_field_revisions')),
    sa.PrimaryKeyConstraint('op_id', 'base_op_id', name=op.f('pk_revision_bases'))
    )
    with op.batch_alter_table('revision_bases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_bases_base_op_id'), ['base_op_id'], unique=False)
    conn = op.get_bind()
    revisions = sa.table('field_revisions', sa.column('op_id'), sa.column('base', sa.JSON()))
    bases = [{"op_id": op_id, "base_op_id": b}
             for op_id, base in conn.execute(sa.select(revisions.c.op_id, revisions.c.base))
             for b in base or ()]
    if bases:
        op.bulk_insert(sa.table('revision_bases', sa.column('op_id'), sa.column('base_op_id')),
                       bases)
        op.execute("UPDATE field_revisions SET is_head = false WHERE op_id IN "
                   "(SELECT base_op_id FROM revision_bases)")
    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.alter_column('register', existing_type=sa.String(length=160), nullable=False)
        batch_op.alter_column('kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('is_head', existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column('item_version_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('field_key', existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_index('ix_field_revisions_field')
        batch_op.create_index('ix_field_revisions_register', ['visit_id', 'register', 'is_head'],
                              unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM changes WHERE kind = 'field' AND ref IN "
               "(SELECT op_id FROM field_revisions WHERE register NOT LIKE 'a:%')")
    op.execute("DELETE FROM revision_bases WHERE op_id IN "
               "(SELECT op_id FROM field_revisions WHERE register NOT LIKE 'a:%')")
    op.execute("DELETE FROM field_revisions WHERE register NOT LIKE 'a:%'")
    with op.batch_alter_table('revision_bases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_bases_base_op_id'))
    op.drop_table('revision_bases')
    with op.batch_alter_table('field_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_field_revisions_register')
        batch_op.create_index('ix_field_revisions_field',
                              ['visit_id', 'item_version_id', 'field_key'], unique=False)
        batch_op.alter_column('field_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('item_version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('is_head')
        batch_op.drop_column('kind')
        batch_op.drop_column('register')
