"""The public check of a printed on-site record (现场检查笔录) by its SHA-256."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.fields import Date, DateTime


class RecordCheckSchema(Schema):
    """Nothing personal: no inspectors, no answers."""

    sha256 = fields.String()
    genuine = fields.Boolean()
    status = fields.String(metadata={
        "description": "current; returned (sent back for correction); superseded (submitted "
                       "again since)"})
    current = fields.Boolean()
    visit_id = fields.Integer()
    company = fields.String()
    credit_code = fields.String()
    task = fields.String()
    departments = fields.List(fields.String(allow_none=True))
    checked_on = Date()
    submitted_at = DateTime()
    generated_at = DateTime()
