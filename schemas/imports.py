"""Bulk import: the upload and the report."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "validate everything, write nothing"})
    mode = fields.String(load_default="all_or_nothing",
                         validate=validate.OneOf(("all_or_nothing", "valid_rows")))


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": ".csv (UTF-8 or GB18030) or .xlsx"})


class RowErrorSchema(Schema):
    row = fields.Integer(metadata={"description": "row number as the spreadsheet shows it"})
    column = fields.String(allow_none=True, metadata={"description": "column as the file names it"})
    message = fields.String()


class ImportReportSchema(Schema):
    registry = fields.String()
    dry_run = fields.Boolean()
    mode = fields.String()
    applied = fields.Boolean()
    file_sha256 = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))
