"""Scan-to-enter: what the phone sends."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import AwareDateTime, DateTime, Text


class EntrySchema(Schema):
    premises_token = Text(max_length=2000, allow_none=True,
                          metadata={"description": "the scanned premises code: the token, "
                                                   "or the poster's URL <public url>/p/<token>"})
    reason = Text(max_length=2000, multiline=True, allow_none=True,
                  metadata={"description": "without a code: why (damaged, missing, system down)"})
    photo_sha256 = Text(max_length=64, allow_none=True,
                        validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    device_time = AwareDateTime(allow_none=True)
    latitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-180, 180))
    device_id = Text(max_length=64, allow_none=True)

    @validates_schema
    def _position(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("give latitude and longitude together", "latitude")


class EntryOutSchema(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    inspector_id = fields.Integer()
    method = fields.String()
    device_time = DateTime(allow_none=True)
    server_time = DateTime()
    distance_m = fields.Float(allow_none=True)
    premises_version = fields.Integer(allow_none=True)
    flags = fields.List(fields.String())
