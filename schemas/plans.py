"""Plans, tasks and draws: the API contract."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from schemas.common import PageQuery, WindowSchema, sort_field
from schemas.fields import Date, DateTime, Id, QueryId, Text, code_field
from schemas.states import PlanState, values

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
    state = fields.String(validate=validate.OneOf(values(PlanState)))
    sort = sort_field("year", "id")


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
    sort = sort_field("id", "window_start")


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


# --- a draw as published --------------------------------------------------------------------
class DrawStratumSchema(Schema):
    stratum = fields.String()
    eligible = fields.Integer()
    count = fields.Integer()
    ratio_bp = fields.Integer(allow_none=True, metadata={"description": "basis points"})


class DrawCompanySchema(Schema):
    stratum = fields.String()
    position = fields.Integer()
    credit_code = fields.String()
    role = fields.String(metadata={"description": "drawn, substitute or replaced"})
    replaced_by = fields.Integer(allow_none=True, metadata={
        "description": "position of the company that took a replaced one's place"})
    reason = fields.String(allow_none=True)
    name = fields.String()


class DrawCoverageSchema(Schema):
    """Whether the lead department's year is on course for its share of companies."""

    registered = fields.Integer()
    target_percent = fields.Integer()
    target = fields.Integer()
    inspected_or_drawn_this_year = fields.Integer()
    on_course = fields.Boolean()
    still_needed = fields.Integer()


class OverlappingVisitSchema(Schema):
    visit_id = fields.Integer()
    company_id = fields.Integer()
    task_id = fields.Integer()


class InspectorSubstitutionOutSchema(Schema):
    visit_id = fields.Integer()
    credit_code = fields.String()
    department_id = fields.Integer()
    replaced = fields.String(allow_none=True, metadata={"description": "inspector's name"})
    by = fields.String(allow_none=True, metadata={"description": "inspector's name"})
    reason = fields.String()
    at = fields.String(metadata={"description": "ISO 8601 moment, as recorded"})


class TeamMemberSchema(Schema):
    name = fields.String()
    department = fields.String(allow_none=True)


class DrawTeamSchema(Schema):
    credit_code = fields.String()
    inspectors = fields.List(fields.Nested(TeamMemberSchema))


class DrawSummarySchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    reason = fields.String(allow_none=True)
    current = fields.Boolean()
    created_at = DateTime()


class DrawSchema(DrawSummarySchema):
    """A draw as it is published: inputs' hashes, strata, companies, teams, exclusions;
    the seed once revealed."""

    task_id = fields.Integer()
    algorithm = fields.String(allow_none=True)
    seed_hash = fields.String()
    seed = fields.String(allow_none=True, metadata={"description": "hex, once revealed"})
    seed_revealed = fields.Boolean()
    eligible_hash = fields.String()
    eligible_count = fields.Integer()
    strata = fields.List(fields.Nested(DrawStratumSchema))
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                           metadata={"description": "companies left out, by exclusion rule"})
    coverage = fields.Nested(DrawCoverageSchema, allow_none=True)
    overlapping_visits = fields.List(fields.Nested(OverlappingVisitSchema), allow_none=True)
    inspector_substitutions = fields.List(fields.Nested(InspectorSubstitutionOutSchema),
                                          allow_none=True)
    companies = fields.List(fields.Nested(DrawCompanySchema), allow_none=True)
    teams = fields.List(fields.Nested(DrawTeamSchema), allow_none=True)


class PublicDrawSchema(DrawSchema):
    """Before the visit window opens (``details_from``) companies, teams, overlapping
    visits and inspector substitutions are null: a company told in advance could prepare."""

    details_from = Date()
