"""Results, their review and publication, follow-ups, and the public view of results."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.calendar import SOURCES as DEADLINE_SOURCES
from schemas.common import PageQuery, sort_field
from schemas.fields import Date, DateTime, Id, QueryId, Text
from schemas.states import FollowUpState, ResultState, values

RESULT_STATES = values(ResultState)
FOLLOW_UP_STATES = values(FollowUpState)
# What follows a problem found (后续处置): rectification (责令整改), transfer to another
# department (移交), a case opened (立案), referral to the police (移送).
FOLLOW_UP_KINDS = ("rectify", "transfer", "case", "referral")


def _source():
    """Where a stored deadline's working days came from."""
    return fields.String(allow_none=True, validate=validate.OneOf(DEADLINE_SOURCES), metadata={
        "description": "the least settled source of the working days counted: official, "
                       "override, entered or provisional; null for a date set by hand"})


class CategorySchema(Schema):
    code = fields.String()
    name = fields.String()
    problem = fields.Boolean(metadata={"description": "counts as 发现问题"})
    needs_follow_up = fields.Boolean()
    position = fields.Integer()
    active = fields.Boolean()


class CategoryPutSchema(Schema):
    name = Text(max_length=100, required=True)
    problem = fields.Boolean(required=True)
    needs_follow_up = fields.Boolean(required=True)
    position = fields.Integer(validate=validate.Range(0, 10_000))
    active = fields.Boolean(load_default=True)


class ResultItemSchema(Schema):
    item_version_id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    department_id = fields.Integer()
    category = fields.String()
    category_name = fields.String()
    problem = fields.Boolean()


class FollowUpSchema(Schema):
    id = fields.Integer()
    result_id = fields.Integer()
    company_id = fields.Integer()
    kind = fields.String()
    state = fields.String(metadata={"description": " | ".join(FOLLOW_UP_STATES)})
    department_id = fields.Integer()
    department = fields.String()
    from_department_id = fields.Integer()
    due_on = Date()
    due_source = _source()
    due_provisional = fields.Boolean(metadata={
        "description": "due_on counted over days of a year without its holiday notice yet: "
                       "it may move when the notice is entered (预计)"})
    description = fields.String()
    case_number = fields.String(allow_none=True)
    authority = fields.String(allow_none=True)
    recheck_visit_id = fields.Integer(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    resolved = fields.Boolean(allow_none=True)
    owner_user_id = fields.Integer(allow_none=True, metadata={
        "description": "who answers for it: the opener, or for a transfer who accepted it"})
    created_at = DateTime()
    decided_at = DateTime(allow_none=True)
    closed_at = DateTime(allow_none=True)
    overdue = fields.Boolean()


class ResultSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    task_id = fields.Integer()
    task_name = fields.String()
    company_id = fields.Integer()
    company_name = fields.String()
    credit_code = fields.String()
    category = fields.String()
    category_name = fields.String()
    problem = fields.Boolean()
    state = fields.String(metadata={"description": " | ".join(RESULT_STATES)})
    checked_on = Date()
    submitted_at = DateTime()
    entry_due = Date()
    entry_due_source = _source()
    entry_due_provisional = fields.Boolean(metadata={
        "description": "entry_due counted over provisional days (预计)"})
    late = fields.Boolean(metadata={"description": "entered after the result deadline"})
    reviewed_at = DateTime(allow_none=True)
    return_reason = fields.String(allow_none=True)
    returns = fields.Integer()
    approved_at = DateTime(allow_none=True)
    publication_due = Date(allow_none=True)
    publication_due_source = _source()
    publication_due_provisional = fields.Boolean(metadata={
        "description": "publication_due counted over days of a year without its holiday "
                       "notice yet: it may move when the notice is entered (预计)"})
    published_at = DateTime(allow_none=True)
    record_sha256 = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ResultItemSchema))
    follow_ups = fields.List(fields.Nested(FollowUpSchema))
    loop = fields.String(metadata={"description": "the closed loop: none | open | closed"})


class ResultQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    state = fields.String(validate=validate.OneOf(RESULT_STATES))
    task_id = QueryId()
    company_id = QueryId()
    late = fields.Boolean()
    published = fields.Boolean()
    sort = sort_field("submitted_at", "publication_due")


class ReturnSchema(Schema):
    reason = Text(max_length=2000, multiline=True, required=True,
                  validate=validate.Length(min=1))


class DueQuery(Schema):
    within = fields.Integer(load_default=5, validate=validate.Range(0, 60), metadata={
        "description": "working days ahead"})


class FollowUpCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_KINDS))
    description = Text(max_length=5000, multiline=True, required=True,
                       validate=validate.Length(min=1))
    due_on = Date(metadata={"description": "default: the follow-up rule's working days"})
    department_id = Id(metadata={"description": "transfer: the department with authority"})
    case_number = Text(max_length=60)
    authority = Text(max_length=200)
    recheck = fields.Boolean(load_default=False,
                             metadata={"description": "rectify: issue a re-check visit"})


class FollowUpQuery(Schema):
    state = fields.String(validate=validate.OneOf(FOLLOW_UP_STATES))
    queue = fields.Boolean(load_default=False,
                           metadata={"description": "what my department must act on"})
    overdue = fields.Boolean(load_default=False)
    company_id = QueryId()
    result_id = QueryId()


class DeclineSchema(Schema):
    reason = Text(max_length=2000, multiline=True, required=True,
                  validate=validate.Length(min=1))


class CloseSchema(Schema):
    outcome = Text(max_length=5000, multiline=True, required=True,
                   validate=validate.Length(min=1))
    resolved = fields.Boolean(required=True, metadata={
        "description": "the problem is remedied (rectified, penalty decided, case concluded)"})
    case_number = Text(max_length=60)


class PublicResultQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    task_id = QueryId()
    credit_code = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{18}$"),
                                metadata={"example": "91350100M000100Y43"})
    sort = sort_field("published_at", "checked_on")


class PublicItemSchema(Schema):
    name = fields.String()
    department = fields.String()
    category_name = fields.String()


class PublicResultSchema(Schema):
    """What the public sees (一公开): never inspectors, notes, photos or phones."""

    company_name = fields.String()
    credit_code = fields.String()
    task_id = fields.Integer()
    task_name = fields.String()
    departments = fields.List(fields.String())
    items = fields.List(fields.Nested(PublicItemSchema))
    category = fields.String()
    category_name = fields.String()
    checked_on = Date()
    published_at = DateTime()


class PublicationDueSchema(Schema):
    result_id = fields.Integer()
    company_name = fields.String()
    credit_code = fields.String()
    task_id = fields.Integer()
    publication_due = Date()
    publication_due_source = fields.String()
    publication_due_provisional = fields.Boolean()
    overdue = fields.Boolean()
    working_days_left = fields.Integer()


class WithoutFollowUpSchema(Schema):
    result_id = fields.Integer()
    company_id = fields.Integer()
    company_name = fields.String()
    credit_code = fields.String()
    category = fields.String()
    approved_at = DateTime()


class _RecordResult(fields.Field):
    """The result in full where the reader's department took part, else as the public
    sees it (``PublicResultSchema``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return (ResultSchema() if "id" in value else PublicResultSchema()).dump(value)


class InspectionSchema(Schema):
    visit_id = fields.Integer()
    task_id = fields.Integer()
    task_name = fields.String()
    state = fields.String()
    window_start = Date()
    window_end = Date()
    recheck = fields.Boolean(metadata={"description": "a re-check visit of a follow-up"})
    departments = fields.List(fields.String())
    result = _RecordResult(allow_none=True, metadata={
        "description": "ResultSchema, or PublicResultSchema for another department's "
                       "published result"})
    loop = fields.String(allow_none=True, metadata={"description": "none | open | closed"})


class YearCountSchema(Schema):
    department_id = fields.Integer()
    department = fields.String()
    inspections = fields.Integer()


class CompanyRecordSchema(Schema):
    company = fields.Dict(metadata={"description": "id, name, credit_code, "
                                                   "credit_risk_class, status"})
    inspections = fields.List(fields.Nested(InspectionSchema))
    this_year = fields.List(fields.Nested(YearCountSchema), metadata={
        "description": "inspections this year per department (what the yearly caps count)"})
    open_follow_ups = fields.List(fields.Nested(FollowUpSchema))
    follow_ups = fields.List(fields.Nested(FollowUpSchema))
