"""results, follow-ups, the working-day calendar and report targets

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 09:00:00

Seeds the national spot-check result categories (抽查结果类型), the default working days
of each kind of deadline, and the monthly report's targets of the 2024 and 2025 seeds
(2026 keeps 2025's until an admin says otherwise).
"""
from alembic import op
import sqlalchemy as sa
import server.clock
import server.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_targets',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('min_percent', sa.Float(), nullable=False),
    sa.CheckConstraint("key IN ('joint_tasks', 'joint_companies', 'credit_based', 'coverage')", name=op.f('ck_report_targets_key')),
    sa.CheckConstraint('min_percent BETWEEN 0 AND 100', name=op.f('ck_report_targets_min_percent')),
    sa.PrimaryKeyConstraint('year', 'key', name=op.f('pk_report_targets'))
    )
    op.create_table('result_categories',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('problem', sa.Boolean(), nullable=False),
    sa.Column('needs_follow_up', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_result_categories'))
    )
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', server.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_calendar_overrides_created_by_users')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('declared_by', sa.Integer(), nullable=True),
    sa.Column('declared_at', server.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declared_by'], ['users.id'], name=op.f('fk_calendar_years_declared_by_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('deadline_rules',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', server.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('result_entry', 'publication', 'follow_up')", name=op.f('ck_deadline_rules_kind')),
    sa.CheckConstraint('working_days BETWEEN 1 AND 250', name=op.f('ck_deadline_rules_working_days')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_deadline_rules_updated_by_users')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_deadline_rules'))
    )
    op.create_table('report_manual_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('row', sa.String(length=20), nullable=False),
    sa.Column('tasks', sa.Integer(), nullable=False),
    sa.Column('companies_drawn', sa.Integer(), nullable=False),
    sa.Column('companies_checked', sa.Integer(), nullable=False),
    sa.Column('companies_with_problems', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('entered_at', server.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("row IN ('internal', 'enterprise', 'credit_based')", name=op.f('ck_report_manual_figures_row')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_report_manual_figures_month')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_report_manual_figures_department_id_departments')),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_report_manual_figures_entered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_manual_figures')),
    sa.UniqueConstraint('department_id', 'year', 'month', 'row', name='one_entry')
    )
    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('problem', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', server.db.UTCDateTime(), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('entry_due', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', server.db.UTCDateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('approved_at', server.db.UTCDateTime(), nullable=True),
    sa.Column('publication_due', sa.Date(), nullable=True),
    sa.Column('published_at', server.db.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('record_sha256', sa.String(length=64), nullable=True),
    sa.Column('record_at', server.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("state IN ('submitted', 'approved', 'returned')", name=op.f('ck_results_state')),
    sa.ForeignKeyConstraint(['category_code'], ['result_categories.code'], name=op.f('fk_results_category_code_result_categories')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_results_company_id_companies')),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_results_published_by_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_results_reviewed_by_users')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_results_submitted_by_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_results_task_id_tasks')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_results_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_results_visit_id'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_published_at'), ['published_at'], unique=False)
        batch_op.create_index('ix_results_state_approved', ['state', 'approved_at'], unique=False)
        batch_op.create_index('ix_results_task_company', ['task_id', 'company_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=True),
    sa.Column('authority', sa.String(length=200), nullable=True),
    sa.Column('recheck_visit_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('resolved', sa.Boolean(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', server.db.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', server.db.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', server.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('rectify', 'transfer', 'case', 'referral')", name=op.f('ck_follow_ups_kind')),
    sa.CheckConstraint("state IN ('open', 'pending_acceptance', 'accepted', 'declined', 'closed')", name=op.f('ck_follow_ups_state')),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_follow_ups_closed_by_users')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_follow_ups_company_id_companies')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_follow_ups_created_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_follow_ups_decided_by_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_follow_ups_department_id_departments')),
    sa.ForeignKeyConstraint(['from_department_id'], ['departments.id'], name=op.f('fk_follow_ups_from_department_id_departments')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_follow_ups_owner_user_id_users')),
    sa.ForeignKeyConstraint(['recheck_visit_id'], ['visits.id'], name=op.f('fk_follow_ups_recheck_visit_id_visits')),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], name=op.f('fk_follow_ups_result_id_results')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_follow_ups_department_state', ['department_id', 'state', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_result_id'), ['result_id'], unique=False)

    op.create_table('result_items',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('item_version_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('problem', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['result_categories.code'], name=op.f('fk_result_items_category_code_result_categories')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_result_items_department_id_departments')),
    sa.ForeignKeyConstraint(['item_id'], ['inspection_items.id'], name=op.f('fk_result_items_item_id_inspection_items')),
    sa.ForeignKeyConstraint(['item_version_id'], ['inspection_item_versions.id'], name=op.f('fk_result_items_item_version_id_inspection_item_versions')),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], name=op.f('fk_result_items_result_id_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'item_version_id', name=op.f('pk_result_items'))
    )
    seed()


CATEGORIES = [  # code, name, problem, needs follow-up
    ("no_problem", "未发现问题", False, False),
    ("corrected", "发现问题已责令改正", True, False),
    ("pending", "发现问题待后续处理", True, True),
    ("unreachable", "通过登记的住所或经营场所无法联系", True, True),
    ("not_published", "未按规定公示应当公示的信息", True, True),
    ("false_information", "公示信息隐瞒真实情况弄虚作假", True, True),
    ("obstructed", "不配合检查情节严重", True, True),
    ("closed_or_liquidating", "已关闭停业或正在组织清算", False, False),
    ("deregistered", "已注销、被吊销、被撤销", False, False),
    ("no_activity", "未发现开展本次抽查涉及的经营活动", False, False),
]
TARGETS = {2024: {"joint_tasks": 20, "joint_companies": 25, "credit_based": 85, "coverage": 5},
           2025: {"joint_tasks": 60, "joint_companies": 50, "credit_based": 95, "coverage": 5},
           2026: {"joint_tasks": 60, "joint_companies": 50, "credit_based": 95, "coverage": 5}}


def seed() -> None:
    categories = sa.table("result_categories", sa.column("code"), sa.column("name"),
                          sa.column("problem"), sa.column("needs_follow_up"),
                          sa.column("position"), sa.column("active"))
    op.bulk_insert(categories, [
        {"code": c, "name": n, "problem": p, "needs_follow_up": f, "position": i + 1,
         "active": True} for i, (c, n, p, f) in enumerate(CATEGORIES)])
    rules = sa.table("deadline_rules", sa.column("kind"), sa.column("working_days"),
                     sa.column("updated_at", server.db.UTCDateTime()))
    now = server.clock.now()
    op.bulk_insert(rules, [{"kind": k, "working_days": d, "updated_at": now}
                           for k, d in (("result_entry", 10), ("publication", 20),
                                        ("follow_up", 20))])
    targets = sa.table("report_targets", sa.column("year"), sa.column("key"),
                       sa.column("min_percent"))
    op.bulk_insert(targets, [{"year": y, "key": k, "min_percent": v}
                             for y, row in TARGETS.items() for k, v in row.items()])


def downgrade() -> None:
    op.drop_table('result_items')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_result_id'))
        batch_op.drop_index('ix_follow_ups_department_state')
        batch_op.drop_index(batch_op.f('ix_follow_ups_company_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index('ix_results_task_company')
        batch_op.drop_index('ix_results_state_approved')
        batch_op.drop_index(batch_op.f('ix_results_published_at'))
        batch_op.drop_index(batch_op.f('ix_results_company_id'))

    op.drop_table('results')
    op.drop_table('report_manual_figures')
    op.drop_table('deadline_rules')
    op.drop_table('calendar_years')
    op.drop_table('calendar_overrides')
    op.drop_table('result_categories')
    op.drop_table('report_targets')
