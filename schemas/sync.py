"""The sync protocol's contract: what a phone sends (devices, ops, pull queries) and every
answer it gets back (push results, changes, conflicts, history, the visit pack)."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from schemas.errors import SubmissionProblem
from schemas.fields import AwareDateTime, Id, Text
from schemas.flat import FlatSchema
from schemas.states import CapStatus, ResultState
from sync.ops import ANSWER_KINDS, KINDS, value_problem

MAX_BATCH_OPS = 500
# An outbox backup (导出备份) holds up to twenty pushes' worth of ops: days offline, several
# visits a day, a few dozen answers, notes and photos each come to hundreds or a few
# thousand; a file beyond this is not a phone's outbox.
MAX_BACKUP_OPS = 20 * MAX_BATCH_OPS
BACKUP_FORMAT, BACKUP_VERSION = "fieldinspect-outbox", 1
OUTCOMES = ("applied", "duplicate", "conflict", "rejected")
SHA256_RE = r"^[0-9a-f]{64}$"
# What each kind must carry besides the common fields (op id, kind, visit, HLC).
REQUIRED = {**{k: ("item_version_id", "field", "value") for k in ANSWER_KINDS},
            "set_note": ("note_id", "value"), "attach_photo": ("sha256",),
            "detach_photo": ("sha256",), "sign": ("sha256", "state_hash"),
            "set_result": ("category",), "company_sign": ("state_hash",), "entry_scan": (),
            "submit": ()}
# company_sign: what a signature needs, and what a refusal needs (``_company_sign``).
COMPANY_SIGNED, COMPANY_REFUSED = ("representative", "sha256"), ("reason",)
MAX_REPRESENTATIVE, MAX_STATEMENT = 50, 1000
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


class StrictBoolean(fields.Boolean):
    """true or false, nothing else (marshmallow's Boolean also reads 1, "yes", "on")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


class OpSchema(FlatSchema):
    """One thing done on a device: an answer, a note, a photo link, a signature (an
    inspector's or the company's), an entry scan or the submission (see ``sync.ops``)."""

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
        "description": "photos: the photo; sign, company_sign: the signature image; "
                       "entry_scan without a code: the photo of the premises"})
    state_hash = fields.String(validate=validate.Regexp(SHA256_RE), metadata={
        "description": "sign, company_sign: sync.ops.checklist_hash of the answers the "
                       "signer saw"})
    representative = Text(max_length=MAX_REPRESENTATIVE, metadata={
        "description": "company_sign: the name of the company's representative who signs "
                       "(当事人); required unless refused"})
    statement = Text(max_length=MAX_STATEMENT, multiline=True, allow_none=True, metadata={
        "description": "company_sign: the representative's statement (当事人意见), or null"})
    refused = StrictBoolean(allow_none=True, metadata={
        "description": "company_sign: true when the representative refused to sign "
                       "(当事人拒绝签字): then `reason` (the inspectors' note) is required "
                       "and `sha256` is not given"})
    category = fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"), metadata={
        "description": "set_result: a result category's code (GET /result-categories); "
                       "with item_version_id the item's result, without it the company's"})
    premises_token = Text(max_length=2000, metadata={"description": "entry_scan: the code "
                                                                    "scanned at the premises"})
    visit_token = Text(max_length=2000, metadata={"description": "entry_scan: the visit's "
                                                                 "own code, checked too"})
    reason = Text(max_length=500, metadata={
        "description": "entry_scan without a code: why; company_sign refused: the "
                       "inspectors' note of the refusal"})
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
        if kind == "company_sign":
            _company_sign(data)


def _company_sign(data: dict) -> None:
    """A company's signature names who signed and the image; a refusal says what happened
    (the inspectors' note) and carries no image."""
    refused = data.get("refused") is True
    problems = {name: ["required for company_sign" if not refused else
                       "required for a refusal"]
                for name in (COMPANY_REFUSED if refused else COMPANY_SIGNED)
                if not data.get(name)}
    if refused and data.get("sha256") is not None:
        problems["sha256"] = ["not with a refusal"]
    if problems:
        raise ValidationError(problems)


class PushSchema(Schema):
    device_id = fields.String(required=True, validate=validate.Length(max=36))
    ops = fields.List(fields.Nested(OpSchema), required=True,
                      validate=validate.Length(min=1, max=MAX_BATCH_OPS))


class BackupUserSchema(Schema):
    id = Id(required=True, metadata={"description": "the account that exported the file"})
    username = Text(max_length=64, required=True)


class OutboxBackupSchema(Schema):
    """An outbox backup as the app writes it (导出备份): the ops it had not pushed yet,
    each exactly as a push sends it, in outbox order."""

    format = fields.String(required=True, validate=validate.Equal(BACKUP_FORMAT))
    version = fields.Integer(required=True, strict=True, validate=validate.Equal(BACKUP_VERSION))
    exported_at = AwareDateTime(required=True)
    user = fields.Nested(BackupUserSchema, required=True)
    device_id = fields.String(required=True, validate=validate.Length(max=36), metadata={
        "description": "the device that recorded the ops (the ops are stored under the "
                       "importing device)"})
    ops = fields.List(fields.Nested(OpSchema), required=True,
                      validate=validate.Length(min=1, max=MAX_BACKUP_OPS))


class PullQuery(Schema):
    device_id = fields.String(required=True, validate=validate.Length(max=36))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 2000))


class MissingBlobsSchema(Schema):
    hashes = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$")),
                         required=True, validate=validate.Length(max=1000),
                         metadata={"description": "SHA-256 of the photos the phone holds"})


# --- answers -------------------------------------------------------------------------------
class AnswerSchema(Schema):
    """An answer's shape, held strictly: dumping a key the schema does not declare is an
    error, so a service that adds a field to a sync answer fails loudly (in the tests)
    instead of the field silently dropping off the wire (``unknown = RAISE`` guards only
    loading)."""

    @pre_dump
    def _declared_only(self, data, **kwargs):
        if isinstance(data, Mapping):
            declared = {field.attribute or name for name, field in self.dump_fields.items()}
            undeclared = sorted(data.keys() - declared)
            if undeclared:
                raise ValueError(f"{type(self).__name__} does not declare {undeclared}")
        return data


class DeviceSchema(AnswerSchema):
    id = fields.String()
    name = fields.String()
    platform = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_push_at = fields.DateTime(allow_none=True)
    credential = fields.String(metadata={"description": "shown once, at registration"})


class SyncLimitsSchema(AnswerSchema):
    max_ops = fields.Integer(metadata={"description": "ops in one push at most"})
    max_bytes = fields.Integer(metadata={"description": "a request body's size at most"})


class MissingBlobsAnswerSchema(AnswerSchema):
    missing = fields.List(fields.String(), metadata={
        "description": "the asked-for SHA-256 the server holds no photo of: upload these"})


class BlobMetaSchema(AnswerSchema):
    sha256 = fields.String()
    size = fields.Integer()
    media_type = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    taken_at = fields.String(allow_none=True, metadata={
        "description": "EXIF DateTimeOriginal: the camera's local time, no time zone"})
    gps_lat = fields.Float(allow_none=True)
    gps_lon = fields.Float(allow_none=True)
    has_thumbnail = fields.Boolean()
    uploaded_by_device = fields.String(allow_none=True)
    created_at = fields.DateTime()


class SiblingSchema(AnswerSchema):
    """One of a register's concurrent values."""

    op_id = fields.String()
    value = fields.Raw(allow_none=True)
    hlc = fields.String()
    device_id = fields.String()


class FieldStateSchema(AnswerSchema):
    """A register's merged state (``sync.merge``): its value, and when concurrent values
    are held, all of them with the provisional winner."""

    value = fields.Raw(allow_none=True)
    conflicted = fields.Boolean()
    winner_op_id = fields.String(allow_none=True)
    siblings = fields.List(fields.Nested(SiblingSchema))


class RegisterPartsSchema(AnswerSchema):
    """A register's key and its parts, named by its type (``register`` null for an op
    that writes none)."""

    register = fields.String(allow_none=True)
    type = fields.String(validate=validate.OneOf(
        ("answer", "photo", "note", "result", "signature", "company_signature")))
    item_version_id = fields.Integer(allow_none=True)
    field = fields.String(metadata={"description": "answer: the form field's key"})
    sha256 = fields.String(metadata={"description": "photo: the photo"})
    note_id = fields.String(metadata={"description": "note: the note"})
    inspector_id = fields.Integer(metadata={"description": "signature: the signer"})


class ProblemSchema(AnswerSchema):
    """Why a visit cannot be submitted yet (``services.submission``)."""

    problem = fields.String(validate=validate.OneOf(tuple(SubmissionProblem)))
    register = fields.String(metadata={"description": "conflicted"})
    item_version_id = fields.Integer(metadata={"description": "unanswered"})
    field = fields.String(metadata={"description": "unanswered"})
    inspector_id = fields.Integer(metadata={"description": "signature_stale"})
    signed = fields.Integer(metadata={"description": "signatures_missing"})
    needed = fields.Integer(metadata={"description": "signatures_missing"})
    department_id = fields.Integer(metadata={"description": "department_unsigned"})


class EntryMadeSchema(AnswerSchema):
    id = fields.Integer()
    method = fields.String()
    flags = fields.List(fields.String())


class ResultMadeSchema(AnswerSchema):
    id = fields.Integer()
    late = fields.Boolean()
    entry_due = fields.Date()


class OpResultSchema(AnswerSchema):
    """One op's outcome, in the order the ops were sent."""

    op_id = fields.String()
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    reason = fields.String(allow_none=True, metadata={"description": "rejected: why"})
    stored_outcome = fields.String(validate=validate.OneOf(OUTCOMES), metadata={
        "description": "duplicate: the outcome the op had when first pushed"})
    field = fields.Nested(FieldStateSchema, metadata={
        "description": "conflict: the register's state, siblings included"})
    entry = fields.Nested(EntryMadeSchema, metadata={"description": "an entry scan applied"})
    result = fields.Nested(ResultMadeSchema, metadata={"description": "a submission applied"})
    problems = fields.List(fields.Nested(ProblemSchema), metadata={
        "description": "a submission rejected as not_ready: what is missing"})
    message = fields.String(metadata={
        "description": "a submission rejected by a rule of the result: its words"})


class PushAnswerSchema(AnswerSchema):
    results = fields.List(fields.Nested(OpResultSchema))


class OutcomeCountsSchema(AnswerSchema):
    applied = fields.Integer()
    duplicate = fields.Integer()
    conflict = fields.Integer()
    rejected = fields.Integer()


class ImportAnswerSchema(AnswerSchema):
    """An imported backup's ops, pushed in batches of the push cap: every batch's
    results in the file's order, and how many ops had each outcome."""

    batches = fields.Integer(metadata={"description": "the pushes the file was cut into"})
    counts = fields.Nested(OutcomeCountsSchema)
    results = fields.List(fields.Nested(OpResultSchema))


class ChangeState(fields.Field):
    """A change's ``state``: the register's merged state for a field change, the visit's
    state (its name) for a visit change."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if value is None or isinstance(value, str) else \
            FieldStateSchema().dump(value)


class VisitReviewSchema(AnswerSchema):
    """The review of a visit's result (审核), as a phone is told it with the visit's state."""

    state = fields.String(validate=validate.OneOf(tuple(ResultState)), metadata={
        "description": "submitted (awaiting review), approved, or returned for correction"})
    reason = fields.String(allow_none=True, metadata={
        "description": "returned: why (退回原因); null otherwise"})
    reviewed_at = fields.DateTime(allow_none=True)
    returns = fields.Integer(metadata={"description": "how many times it was returned"})


class ChangeSchema(RegisterPartsSchema):
    """One change, in sequence order: a register's new revision (``kind`` field) or a
    visit's new state or window (``kind`` visit)."""

    seq = fields.Integer()
    kind = fields.String(validate=validate.OneOf(("field", "visit")))
    visit_id = fields.Integer()
    op_id = fields.String(metadata={"description": "field: the revision's op"})
    op_kind = fields.String(metadata={"description": "field: the op's kind"})
    value = fields.Raw(allow_none=True, metadata={"description": "field: the revision's value"})
    base = fields.List(fields.String(), metadata={"description": "field: what it was based on"})
    hlc = fields.String()
    device_id = fields.String()
    author_inspector_id = fields.Integer(allow_none=True, metadata={
        "description": "field: the inspector whose phone made the op (由谁填写)"})
    note = fields.String(allow_none=True)
    state = ChangeState(metadata={"oneOf": [
        {"$ref": "#/components/schemas/FieldState"}, {"type": "string"}]})
    window_start = fields.Date(metadata={"description": "visit"})
    window_end = fields.Date(metadata={"description": "visit"})
    review = fields.Nested(VisitReviewSchema, allow_none=True, metadata={
        "description": "visit: the review of its result, or null before the first submission"})


class PullAnswerSchema(AnswerSchema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String(metadata={"description": "keep it once the changes are applied"})
    more = fields.Boolean(metadata={"description": "more changes are waiting: pull again"})


class RegisterConflictSchema(RegisterPartsSchema, FieldStateSchema):
    """A register holding concurrent values, with its siblings and provisional winner."""


class HistoryEntrySchema(RegisterPartsSchema):
    """One op pushed for the visit, applied or refused."""

    op_id = fields.String()
    kind = fields.String()
    value = fields.Raw(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = fields.String(validate=validate.OneOf(("applied", "conflict", "rejected")))
    reason = fields.String(allow_none=True)
    user = fields.String(metadata={"description": "who pushed it (username)"})
    device_id = fields.String()
    hlc = fields.String()
    device_time = fields.DateTime(allow_none=True, metadata={"description": "the phone's clock"})
    received_at = fields.DateTime(metadata={"description": "the server's clock"})


class PackVisitSchema(AnswerSchema):
    id = fields.Integer()
    state = fields.String()
    task_id = fields.Integer()
    task = fields.String(metadata={"description": "the task's name"})
    window_start = fields.Date()
    window_end = fields.Date()
    merged_into = fields.Integer(allow_none=True)


class PackCompanySchema(AnswerSchema):
    id = fields.Integer()
    credit_code = fields.String()
    name = fields.String()
    address = fields.String(allow_none=True)
    legal_representative = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class PackMemberSchema(AnswerSchema):
    inspector_id = fields.Integer()
    name = fields.String()
    department_id = fields.Integer()
    department = fields.String(allow_none=True)
    certificate_number = fields.String(allow_none=True, metadata={"description": "masked"})
    certificate_valid_until = fields.Date(allow_none=True)


class PackItemSchema(AnswerSchema):
    item_version_id = fields.Integer()
    item_code = fields.String()
    version = fields.Integer()
    department_id = fields.Integer()
    name = fields.String()
    legal_basis = fields.String()
    method = fields.String()
    item_class = fields.String()
    form = fields.Dict(metadata={"description": "the checklist: its fields, in order"})
    work_guide = fields.String(allow_none=True)


class PackPremisesCodeSchema(AnswerSchema):
    company_id = fields.Integer()
    version = fields.Integer(allow_none=True, metadata={
        "description": "the premises code version expected at the door; null when none"})


class PackYearItemSchema(AnswerSchema):
    department_id = fields.Integer()
    department = fields.String()
    item_code = fields.String()
    name = fields.String()


class PackYearVisitSchema(AnswerSchema):
    """One inspection of the company this year (this visit included)."""

    visit_id = fields.Integer()
    this_visit = fields.Boolean()
    state = fields.String()
    window_start = fields.Date()
    window_end = fields.Date()
    entered_on = fields.Date(allow_none=True, metadata={
        "description": "the first entry's day (China time); null before anyone entered"})
    counts_for_caps = fields.Boolean(metadata={
        "description": "false for a complaint, referral or re-check: not counted"})
    items = fields.List(fields.Nested(PackYearItemSchema))


class PackYearDepartmentSchema(AnswerSchema):
    department_id = fields.Integer()
    department = fields.String()
    inspections = fields.Integer(metadata={"description": "this year's, counting for caps"})
    on_this_visit = fields.Boolean()
    status = fields.String(validate=validate.OneOf(tuple(CapStatus)), metadata={
        "description": "against cap_per_department, this visit counted: below, near "
                       "(one more allowed after it), at (it reaches the cap), over"})


class PackThisYearSchema(AnswerSchema):
    """Before the door (入企前提示): the company's inspections this year, by department and
    item, against the yearly caps of the visit's task."""

    year = fields.Integer(metadata={"description": "the year of the visit's window start"})
    cap_per_department = fields.Integer()
    cap_total = fields.Integer()
    inspections = fields.Integer(metadata={"description": "all departments', counting for caps"})
    total_status = fields.String(validate=validate.OneOf(tuple(CapStatus)))
    departments = fields.List(fields.Nested(PackYearDepartmentSchema))
    visits = fields.List(fields.Nested(PackYearVisitSchema))
    warning = fields.Boolean(metadata={
        "description": "a department on this visit, or the total, is at or over its cap"})


class VisitPackSchema(AnswerSchema):
    """All a phone needs to work on the visit offline."""

    visit = fields.Nested(PackVisitSchema)
    company = fields.Nested(PackCompanySchema)
    team = fields.List(fields.Nested(PackMemberSchema))
    items = fields.List(fields.Nested(PackItemSchema))
    visit_token = fields.String(metadata={"description": "the visit's signed code"})
    visit_url = fields.String()
    premises_code = fields.Nested(PackPremisesCodeSchema)
    public_keys = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "key id -> Ed25519 public key, base64url"})
    this_year = fields.Nested(PackThisYearSchema)
