"""The audit log, as admins read it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from schemas.common import PageQuery, sort_field
from schemas.fields import AwareDateTime, DateTime, QueryId, Text


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


def _sane_year(value) -> None:
    """Years the database can hold after conversion to UTC (0001 or 9999 overflow)."""
    if not 1900 <= value.year <= 9000:
        raise ValidationError("year must be between 1900 and 9000")


class AuditQuery(PageQuery):
    class Meta:
        exclude = ("active",)

    actor = Text(max_length=64)
    actor_id = QueryId()
    action = Text(max_length=40, metadata={"description": "exact action, or a prefix ending in '.'"})
    entity_type = Text(max_length=40)
    entity_id = Text(max_length=64)
    since = AwareDateTime(default_timezone=None, validate=_sane_year)
    until = AwareDateTime(default_timezone=None, validate=_sane_year)
    sort = sort_field("id", "at")


class AuditVerificationSchema(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    first_bad_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
