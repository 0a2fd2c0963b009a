"""Visits and merges into joint visits."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.fields import Id


class VisitItemSchema(Schema):
    item_version_id = fields.Integer()
    department_id = fields.Integer()


class VisitMemberSchema(Schema):
    inspector_id = fields.Integer()
    department_id = fields.Integer()


class VisitSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    draw_id = fields.Integer(allow_none=True)
    company_id = fields.Integer()
    state = fields.String()
    window_start = fields.Date()
    window_end = fields.Date()
    counts_for_caps = fields.Boolean()
    merged_into = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(VisitItemSchema))
    members = fields.List(fields.Nested(VisitMemberSchema))


class MergeRequestSchema(Schema):
    other_visit_id = Id(required=True)


class MergeSchema(Schema):
    id = fields.Integer()
    host_visit_id = fields.Integer()
    other_visit_id = fields.Integer()
    requested_department_id = fields.Integer(allow_none=True)
    state = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class PremisesCodeSchema(Schema):
    company_id = fields.Integer()
    version = fields.Integer()
    issued_at = fields.DateTime()


class RatingSchema(Schema):
    visit_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


class RecusalSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    inspector_id = fields.Integer()
    reason = fields.String()
    state = fields.String()
    created_at = fields.DateTime()
