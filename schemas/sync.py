"""The sync protocol's contract: devices, operations, push results."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import AwareDateTime, Id, Text
from schemas.flat import FlatSchema
from sync.ops import ANSWER_KINDS, KINDS, value_problem

MAX_BATCH_OPS = 500
SHA256_RE = r"^[0-9a-f]{64}$"
# What each kind must carry besides the common fields (op id, kind, visit, HLC).
REQUIRED = {**{k: ("item_version_id", "field", "value") for k in ANSWER_KINDS},
            "set_note": ("note_id", "value"), "attach_photo": ("sha256",),
            "detach_photo": ("sha256",), "sign": ("sha256", "state_hash"),
            "set_result": ("category",), "entry_scan": (), "submit": ()}
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class OpValue(fields.Raw):
    """An op's value within the caps of any value a form field or a note can hold
    (``sync.ops.value_problem``). Checked for every op before anything is stored, whether
    the op is then applied or refused; what a form field accepts (``bad_value``) is judged
    later, against the item's form."""

    def _deserialize(self, value, attr, data, **kwargs):
        problem = value_problem(value)
        if problem:
            raise ValidationError(problem)
        return value


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


class OpSchema(FlatSchema):
    """One thing done on a device: an answer, a note, a photo link, a signature, an
    entry scan or the submission (see ``sync.ops``)."""

    op_id = fields.String(required=True, validate=validate.Regexp(UUID_RE),
                          metadata={"description": "UUIDv7 made on the device"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    visit_id = Id(required=True)
    item_version_id = Id(allow_none=True, metadata={
        "description": "answers: the item; notes and photos: the item, or none for the "
                       "visit as a whole"})
    field = Text(max_length=64)
    value = OpValue(allow_none=True, metadata={
        "description": "answers: the value; set_note: the text (null deletes the note)"})
    note = Text(max_length=5000, multiline=True, allow_none=True)
    note_id = fields.String(validate=validate.Regexp(UUID_RE),
                            metadata={"description": "set_note: the note, made on the device"})
    sha256 = fields.String(validate=validate.Regexp(SHA256_RE), metadata={
        "description": "photos: the photo; sign: the signature image; entry_scan without "
                       "a code: the photo of the premises"})
    state_hash = fields.String(validate=validate.Regexp(SHA256_RE), metadata={
        "description": "sign: sync.ops.checklist_hash of the answers the signer saw"})
    category = fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"), metadata={
        "description": "set_result: a result category's code (GET /result-categories); "
                       "with item_version_id the item's result, without it the company's"})
    premises_token = Text(max_length=2000, metadata={"description": "entry_scan: the code "
                                                                    "scanned at the premises"})
    visit_token = Text(max_length=2000, metadata={"description": "entry_scan: the visit's "
                                                                 "own code, checked too"})
    reason = Text(max_length=500, metadata={"description": "entry_scan without a code"})
    latitude = fields.Float(validate=validate.Range(-90, 90), allow_none=True)
    longitude = fields.Float(validate=validate.Range(-180, 180), allow_none=True)
    base = fields.List(fields.String(validate=validate.Regexp(UUID_RE)), load_default=list,
                       validate=validate.Length(max=50),
                       metadata={"description": "the revisions (op ids) this edit was based "
                                                "on; naming the siblings resolves them"})
    hlc = Text(max_length=60, required=True,
               validate=validate.Regexp(r"^[0-9]{13}-[0-9]{6}-[A-Za-z0-9._-]{1,36}$"))
    device_time = AwareDateTime(allow_none=True)

    @validates_schema
    def _kind_fields(self, data, **kwargs):
        kind = data.get("kind")
        missing = [name for name in REQUIRED.get(kind, ()) if name not in data or (
            name != "value" and data[name] is None)]
        if missing:
            raise ValidationError({name: [f"required for {kind}"] for name in missing})


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
