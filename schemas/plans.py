"""Plans, tasks and draws: the API contract."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from schemas.common import PageQuery, WindowSchema
from schemas.fields import Date, DateTime, Id, QueryId, Text, code_field

CLASSES = ("A", "B", "C", "D")
TASK_KINDS = ("random", "special", "individual")
JOINT_MODES = ("comprehensive", "special_campaign", "industry")
CASE_REASONS = ("complaint", "referral", "recheck", "own_request")
SUBJECT_TYPES = ("enterprise", "individual_business", "farmer_cooperative", "other")


def _two_decimals(value: float) -> None:
    if round(value * 100) != value * 100:
        raise ValidationError("at most two decimals")


_percent = dict(allow_nan=False, validate=[validate.Range(min=0, max=100), _two_decimals])


class PlanCreateSchema(Schema):
    department_id = Id(required=True)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    title = Text(max_length=200, required=True)


class PlanSchema(Schema):
    id = fields.Integer()
    department_id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    state = fields.String(metadata={"description": "draft, published, or amended (changed "
                                                   "since publication: republish with a filing)"})
    version = fields.Integer()
    task_ids = fields.Method("_task_ids")
    created_at = DateTime()

    def _task_ids(self, plan):
        return [t.id for t in plan.tasks]


class PlanQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    department_id = QueryId()
    year = fields.Integer(validate=validate.Range(2000, 2100))
    state = fields.String(validate=validate.OneOf(("draft", "published", "amended")))


class PublishSchema(Schema):
    filing_reason = Text(max_length=2000, multiline=True, allow_none=True,
                         metadata={"description": "备案: why a published plan changed"})


class PlanVersionSchema(Schema):
    version = fields.Integer()
    published_at = DateTime()
    filing_reason = fields.String(allow_none=True)
    content = fields.Raw()


class ScopeSchema(Schema):
    regions = fields.List(Text(max_length=12, validate=validate.Regexp(r"^[0-9]{2,12}$")),
                          validate=validate.Length(max=100),
                          metadata={"description": "region code prefixes"})
    industries = fields.List(Text(max_length=100), validate=validate.Length(max=100))
    subject_types = fields.List(fields.String(validate=validate.OneOf(SUBJECT_TYPES)))
    tags = fields.List(code_field(), validate=validate.Length(max=20))
    credit_classes = fields.List(fields.String(validate=validate.OneOf(CLASSES)))


class RatiosSchema(Schema):
    """Percent of each credit-risk class's eligible companies to draw."""

    A = fields.Float(**_percent)
    B = fields.Float(**_percent)
    C = fields.Float(**_percent)
    D = fields.Float(**_percent)


class TaskCreateSchema(WindowSchema):
    name = Text(max_length=200, required=True)
    kind = fields.String(load_default="random", validate=validate.OneOf(TASK_KINDS))
    department_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=30),
                                 metadata={"description": "participating departments besides "
                                                          "the plan's own (the lead)"})
    joint_mode = fields.String(allow_none=True, validate=validate.OneOf(JOINT_MODES))
    item_versions = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    scope = fields.Nested(ScopeSchema, load_default=dict)
    ratios = fields.Nested(RatiosSchema, allow_none=True)
    fixed_count = fields.Integer(strict=True, allow_none=True,
                                 validate=validate.Range(1, 1_000_000))
    result_deadline = Date(required=True)
    exclusion_days = fields.Integer(strict=True, load_default=365, validate=validate.Range(0, 3650))
    cap_per_department = fields.Integer(strict=True, load_default=2, validate=validate.Range(1, 100))
    cap_total = fields.Integer(strict=True, load_default=4, validate=validate.Range(1, 100))
    inspector_cap = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 10_000))
    company_id = Id(allow_none=True)
    case_reason = fields.String(allow_none=True, validate=validate.OneOf(CASE_REASONS))
    case_note = Text(max_length=2000, multiline=True, allow_none=True)


class TaskSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    lead_department_id = fields.Integer()
    department_ids = fields.Method("_departments")
    joint_mode = fields.String(allow_none=True)
    item_versions = fields.Method("_items")
    scope = fields.Raw()
    ratios = fields.Raw(allow_none=True)
    fixed_count = fields.Integer(allow_none=True)
    window_start = Date()
    window_end = Date()
    result_deadline = Date()
    exclusion_days = fields.Integer()
    cap_per_department = fields.Integer()
    cap_total = fields.Integer()
    inspector_cap = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    case_reason = fields.String(allow_none=True)
    seed_hash = fields.String(allow_none=True,
                              metadata={"description": "SHA-256 of the draw seed, committed "
                                                       "when the plan version was published"})
    published_in_version = fields.Integer(allow_none=True)

    def _departments(self, task):
        return [d.id for d in task.departments]

    def _items(self, task):
        return sorted(i.item_version_id for i in task.items)


class TaskQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    plan_id = QueryId()
    department_id = QueryId()
    kind = fields.String(validate=validate.OneOf(TASK_KINDS))


class DrawRunSchema(Schema):
    reason = Text(max_length=2000, multiline=True, allow_none=True,
                  metadata={"description": "required for a redraw"})


class SubstitutionSchema(Schema):
    credit_code = Text(max_length=18, required=True)
    reason = fields.String(required=True, validate=validate.OneOf(("deregistered", "unreachable")))
    note = Text(max_length=2000, multiline=True, allow_none=True)


class InspectorSubstitutionSchema(Schema):
    visit_id = Id(required=True)
    inspector_id = Id(required=True)
    reason = Text(max_length=2000, multiline=True, required=True,
                  metadata={"description": "why the inspector cannot go (leave, illness, ...)"})


class VerificationSchema(Schema):
    draw_id = fields.Integer()
    match = fields.Boolean()
    checks = fields.Dict(keys=fields.String(), values=fields.Boolean())


class ConflictSchema(Schema):
    company_id = Id(required=True)
    reason = Text(max_length=2000, multiline=True, required=True)
    created_at = DateTime(dump_only=True)
