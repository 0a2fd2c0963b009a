"""Visits and merges into joint visits."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import PageQuery, WindowSchema, sort_field
from schemas.fields import Date, DateTime, Id, QueryId, Text
from schemas.states import VisitState, values


class VisitItemSchema(Schema):
    item_version_id = fields.Integer()
    department_id = fields.Integer()


class VisitMemberSchema(Schema):
    inspector_id = fields.Integer()
    department_id = fields.Integer()


class VisitSchema(Schema):
    id = fields.Integer()
    overdue = fields.Boolean(metadata={"description": "past its window, not submitted"})
    task_id = fields.Integer()
    draw_id = fields.Integer(allow_none=True)
    company_id = fields.Integer()
    state = fields.String()
    window_start = Date()
    window_end = Date()
    counts_for_caps = fields.Boolean()
    merged_into = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(VisitItemSchema))
    members = fields.List(fields.Nested(VisitMemberSchema))


class VisitQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    task_id = QueryId()
    state = fields.String(validate=validate.OneOf(values(VisitState)))
    inspector_id = QueryId(metadata={"description": "visits this inspector is on the team of"})
    company_id = QueryId()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "visits whose window starts in this year"})
    overdue = fields.Boolean(metadata={"description": "past its window, not submitted"})
    sort = sort_field("window_start", "window_end", "id")


class MergeRequestSchema(Schema):
    other_visit_id = Id(required=True)


class MergeSchema(Schema):
    id = fields.Integer()
    host_visit_id = fields.Integer()
    other_visit_id = fields.Integer()
    requested_department_id = fields.Integer(allow_none=True)
    state = fields.String()
    created_at = DateTime()
    decided_at = DateTime(allow_none=True)


class PremisesCodeSchema(Schema):
    company_id = fields.Integer()
    version = fields.Integer()
    issued_at = DateTime()


class RatingSchema(Schema):
    visit_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = DateTime()


class RecusalSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    inspector_id = fields.Integer()
    reason = fields.String()
    state = fields.String()
    created_at = DateTime()


class CancelSchema(Schema):
    reason = Text(max_length=2000, multiline=True, required=True)


class RescheduleSchema(WindowSchema):
    reason = Text(max_length=2000, multiline=True, required=True)


class YearQuery(Schema):
    year = fields.Integer(validate=validate.Range(2000, 2100))


class ProgressQuery(Schema):
    task_id = QueryId()
    department_id = QueryId()
    region = Text(max_length=12)
    date_from = Date()
    date_to = Date()



class MyVisitSchema(Schema):
    """One of an inspector's open visits, with its pack's ETag: a phone re-downloads the
    packs whose ETag changed."""

    id = fields.Integer()
    state = fields.String()
    company_id = fields.Integer()
    company_name = fields.String()
    company_address = fields.String(allow_none=True)
    task_id = fields.Integer()
    task = fields.String(metadata={"description": "the task's name"})
    team = fields.List(fields.String(), metadata={"description": "the members' names"})
    window_start = Date()
    window_end = Date()
    pack_etag = fields.String()


class DepartmentRatingSchema(Schema):
    department_id = fields.Integer()
    ratings = fields.Integer()
    average = fields.Float()


class InspectorRatingSchema(Schema):
    inspector_id = fields.Integer()
    department_id = fields.Integer()
    ratings = fields.Integer()
    average = fields.Float()


class RatingSummarySchema(Schema):
    min_ratings = fields.Integer(metadata={
        "description": "groups with fewer ratings are left out (their average would name them)"})
    departments = fields.List(fields.Nested(DepartmentRatingSchema))
    inspectors = fields.List(fields.Nested(InspectorRatingSchema))


class CompanyInspectionSchema(Schema):
    """A visit to the company this year, as shown at the door."""

    visit_id = fields.Integer()
    state = fields.String()
    window_start = Date()
    window_end = Date()
    departments = fields.List(fields.String())
    items = fields.List(fields.String())
    inspectors = fields.List(fields.String())
    counts_for_caps = fields.Boolean()


class _ProgressCounts(Schema):
    name = fields.String(allow_none=True)
    visits = fields.Integer()
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    entered_not_submitted = fields.Integer()
    overdue = fields.Integer()
    flagged_entries = fields.Integer()


class TaskProgressSchema(_ProgressCounts):
    task_id = fields.Integer()


class DepartmentProgressSchema(_ProgressCounts):
    department_id = fields.Integer()


class InspectorProgressSchema(_ProgressCounts):
    inspector_id = fields.Integer()


class DeviceProgressSchema(Schema):
    device_id = fields.String()
    name = fields.String()
    user = fields.String()
    last_sync_at = DateTime(allow_none=True)
    revoked = fields.Boolean()
    ops_known = fields.Integer()


class ProgressSchema(Schema):
    as_of = Date(metadata={"description": "today in China"})
    visits = fields.Integer()
    overdue_visit_ids = fields.List(fields.Integer())
    tasks = fields.List(fields.Nested(TaskProgressSchema))
    departments = fields.List(fields.Nested(DepartmentProgressSchema))
    inspectors = fields.List(fields.Nested(InspectorProgressSchema))
    devices = fields.List(fields.Nested(DeviceProgressSchema))
