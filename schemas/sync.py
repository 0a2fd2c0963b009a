"""The sync protocol's contract: devices, operations, push results."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.fields import Id, Text

MAX_BATCH_OPS = 500
OP_KINDS = ("set_answer", "resolve")
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class DeviceCreateSchema(Schema):
    name = Text(max_length=100, required=True)
    platform = Text(max_length=40, allow_none=True)


class DeviceSchema(Schema):
    id = fields.String()
    name = fields.String()
    platform = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_push_at = fields.DateTime(allow_none=True)
    credential = fields.String(metadata={"description": "shown once, at registration"})


class OpSchema(Schema):
    """One edit made on a device."""

    op_id = fields.String(required=True, validate=validate.Regexp(UUID_RE),
                          metadata={"description": "UUIDv7 made on the device"})
    kind = fields.String(required=True, validate=validate.OneOf(OP_KINDS))
    visit_id = Id(required=True)
    item_version_id = Id(required=True)
    field = Text(max_length=64, required=True)
    value = fields.Raw(required=True, allow_none=True)
    note = Text(max_length=5000, multiline=True, allow_none=True)
    base = fields.List(fields.String(validate=validate.Regexp(UUID_RE)), load_default=list,
                       validate=validate.Length(max=50),
                       metadata={"description": "the revisions (op ids) this edit was based "
                                                "on; for resolve: the siblings it supersedes"})
    hlc = Text(max_length=60, required=True,
               validate=validate.Regexp(r"^[0-9]{13}-[0-9]{6}-[A-Za-z0-9._-]{1,36}$"))
    device_time = fields.AwareDateTime(allow_none=True)


class PushSchema(Schema):
    device_id = fields.String(required=True, validate=validate.Length(max=36))
    ops = fields.List(fields.Nested(OpSchema), required=True,
                      validate=validate.Length(min=1, max=MAX_BATCH_OPS))


class PullQuery(Schema):
    device_id = fields.String(required=True, validate=validate.Length(max=36))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 2000))


class MissingBlobsSchema(Schema):
    hashes = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$")),
                         required=True, validate=validate.Length(max=1000),
                         metadata={"description": "SHA-256 of the photos the phone holds"})
