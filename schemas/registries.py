"""Request and response schemas of the registries ("一单两库"): departments, tags,
inspection items with their checklist forms, companies and inspectors."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from schemas.common import PageQuery, sort_field
from schemas.fields import (
    CreditCode,
    Date,
    DateTime,
    Id,
    IdNumber,
    QueryId,
    Text,
    code_field,
    tag_list,
)
from schemas.plans import RatiosSchema
from sync import field_types

FOUNDED_EARLIEST = dt.date(1900, 1, 1)  # companies founded long before 2000 are common

SUBJECT_TYPES = ("enterprise", "individual_business", "farmer_cooperative", "other")
CREDIT_RISK_CLASSES = ("A", "B", "C", "D")
COMPANY_STATUSES = ("operating", "deregistered", "unreachable")
TAG_KINDS = ("industry", "risk_domain", "expertise", "scale", "other")
METHODS = ("on_site", "written_review", "online_monitoring", "video")
ITEM_CLASSES = ("key", "general")
FIELD_TYPES = field_types.NAMES
ITEM_SUBJECT_TYPES = SUBJECT_TYPES + ("product", "project", "place")

_region = Text(max_length=12, validate=validate.Regexp(r"^[0-9]{2,12}$", error="digits only"),
               metadata={"example": "350102"})
_PHONE = validate.Regexp(r"^[0-9+\-() ]{5,30}$", error="digits, +, -, (, ), space only")
_phone = Text(max_length=30, validate=_PHONE, metadata={"example": "0591-87654321"})
_mobile = Text(max_length=20, validate=validate.Regexp(r"^1[3-9][0-9]{9}$",
                                                        error="an 11-digit mainland mobile number"),
               metadata={"example": "13800138000"})


class PatchSchema(Schema):
    """A PATCH body: any top-level field may be left out, and one left out is left alone
    (no ``load_default`` fills it in). marshmallow has no ``Meta.partial``; ``partial`` is
    a load argument, given here by field name rather than ``True`` so that nested objects
    (a checklist form) must still be complete."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", tuple(self._declared_fields))
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # this instance's copies: nor documented as defaults
            field.load_default = missing


# --- departments ---------------------------------------------------------------------------
class DepartmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field(max_length=32, required=True)
    name = Text(max_length=100, required=True)
    short_name = Text(max_length=30, allow_none=True)
    region = _region
    phone = Text(max_length=30, allow_none=True, validate=_PHONE, metadata={
        "example": "0311-84210001",
        "description": "the office number companies call (shown on the premises code's page)"})
    default_ratios = fields.Nested(RatiosSchema, allow_none=True, metadata={
        "description": "percent per credit-risk class that new tasks start with"})
    active = fields.Boolean(dump_only=True)
    created_at = DateTime(dump_only=True)
    updated_at = DateTime(dump_only=True)


class DepartmentPatchSchema(Schema):
    name = Text(max_length=100)
    short_name = Text(max_length=30, allow_none=True)
    region = _region
    phone = Text(max_length=30, allow_none=True, validate=_PHONE)
    default_ratios = fields.Nested(RatiosSchema, allow_none=True)


class DepartmentQuery(PageQuery):
    q = Text(max_length=100)
    sort = sort_field("code", "name", "id")


# --- tags ----------------------------------------------------------------------------------
class TagSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field(required=True)
    name = Text(max_length=100, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TAG_KINDS))
    active = fields.Boolean(dump_only=True)


class TagPatchSchema(Schema):
    name = Text(max_length=100)
    kind = fields.String(validate=validate.OneOf(TAG_KINDS))


class TagQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(TAG_KINDS))
    q = Text(max_length=100)
    sort = sort_field("code", "name", "kind", "id")


# --- checklist forms -----------------------------------------------------------------------
class ChoiceSchema(Schema):
    value = code_field(required=True)
    label = Text(max_length=200, required=True)


class FormFieldSchema(Schema):
    """One field of a checklist form."""

    key = code_field(required=True)
    label = Text(max_length=300, required=True)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = fields.Boolean(load_default=True)
    help = Text(max_length=2000, multiline=True, allow_none=True)
    options = fields.List(fields.Nested(ChoiceSchema), validate=validate.Length(max=100))
    unit = Text(max_length=20, allow_none=True)
    min = fields.Float(allow_none=True, allow_nan=False)
    max = fields.Float(allow_none=True, allow_nan=False)

    @validates_schema
    def _check_type_specifics(self, data, **kwargs):
        kind = field_types.TYPES[data["type"]]
        options = data.get("options")
        if kind.options:
            if not options or len(options) < 2:
                raise ValidationError("a choice field needs at least two options", "options")
            values = [o["value"] for o in options]
            if len(set(values)) != len(values):
                raise ValidationError("option values must be unique", "options")
        elif options:
            raise ValidationError("only choice fields have options", "options")
        if not kind.ranged and any(data.get(k) is not None for k in ("unit", "min", "max")):
            raise ValidationError("only number fields have unit, min and max", "type")
        lo, hi = data.get("min"), data.get("max")
        if lo is not None and hi is not None and lo > hi:
            raise ValidationError("min is greater than max", "min")


class FormSchema(Schema):
    """A checklist form (检查表单): base fields plus the ones the department adds."""

    fields_ = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields",
                          required=True, validate=validate.Length(min=1, max=200))

    @validates_schema
    def _unique_keys(self, data, **kwargs):
        keys = [f["key"] for f in data["fields"]]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValidationError(f"duplicate field keys: {', '.join(dupes)}", "fields")


def _two_decimals(value: float) -> None:
    """The column is NUMERIC(5, 2): PostgreSQL would round 12.345 to 12.35 while SQLite
    kept it, so a value would read back differently per backend (and every re-sent form
    would look like a change and make a new version)."""
    if round(value, 2) != value:
        raise ValidationError("at most two decimal places")


# --- inspection items ----------------------------------------------------------------------
class ItemContentSchema(Schema):
    name = Text(max_length=200, required=True)
    legal_basis = Text(max_length=5000, multiline=True, required=True)
    subject_type = fields.String(required=True, validate=validate.OneOf(ITEM_SUBJECT_TYPES))
    content = Text(max_length=5000, multiline=True, allow_none=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    item_class = fields.String(required=True, validate=validate.OneOf(ITEM_CLASSES),
                               metadata={"description": "key (重点, no ratio cap) or general (一般)"})
    ratio_cap = fields.Float(allow_none=True, allow_nan=False,
                             validate=[validate.Range(min=0, max=100, min_inclusive=False),
                                       _two_decimals],
                             metadata={"description": "percent; general items only"})
    frequency = Text(max_length=100, allow_none=True)
    required_expertise = tag_list(load_default=list)
    work_guide = Text(max_length=20000, multiline=True, allow_none=True,
                      metadata={"description": "抽查工作指引: how to check this item"})
    form = fields.Nested(FormSchema, required=True)


class ItemCreateSchema(ItemContentSchema):
    code = code_field(required=True)
    department_id = Id(required=True)


class ItemPatchSchema(PatchSchema, ItemContentSchema):
    pass


class ItemVersionSchema(ItemContentSchema):
    id = fields.Integer(metadata={"description": "the version's id: what tasks and visits cite"})
    version = fields.Integer()
    created_at = DateTime()
    created_by = fields.Integer(allow_none=True)


class ItemSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    department_id = fields.Integer()
    active = fields.Boolean()
    current_version = fields.Integer()
    current = fields.Nested(ItemVersionSchema)
    updated_at = DateTime()


class ItemQuery(PageQuery):
    q = Text(max_length=100)
    department_id = QueryId()
    method = fields.List(fields.String(validate=validate.OneOf(METHODS)))
    item_class = fields.String(validate=validate.OneOf(ITEM_CLASSES))
    sort = sort_field("code", "name", "id", "department_id")


# --- companies -----------------------------------------------------------------------------
class CompanyBaseSchema(Schema):
    name = Text(max_length=200, required=True)
    subject_type = fields.String(load_default="enterprise", validate=validate.OneOf(SUBJECT_TYPES))
    legal_representative = Text(max_length=100, allow_none=True)
    address = Text(max_length=300, allow_none=True)
    business_scope = Text(max_length=5000, multiline=True, allow_none=True)
    established_on = Date(allow_none=True, earliest=FOUNDED_EARLIEST)
    phone = _phone
    industry = Text(max_length=100, allow_none=True)
    region = _region
    credit_risk_class = fields.String(load_default="B", validate=validate.OneOf(CREDIT_RISK_CLASSES),
                                      metadata={"description": "企业信用风险分类: A (low) .. D (high)"})
    status = fields.String(load_default="operating", validate=validate.OneOf(COMPANY_STATUSES))
    tags = tag_list(load_default=list)
    latitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-180, 180))

    @validates_schema
    def _both_coordinates(self, data, **kwargs):
        lat, lon = data.get("latitude"), data.get("longitude")
        if ("latitude" in data) != ("longitude" in data) or (lat is None) != (lon is None):
            raise ValidationError("give latitude and longitude together (or both null)",
                                  "latitude")


class CompanyCreateSchema(CompanyBaseSchema):
    credit_code = CreditCode(required=True, metadata={"description": "GB 32100-2015, 18 characters"})


class CompanyPatchSchema(PatchSchema, CompanyBaseSchema):
    pass


class TaggedRecordSchema(Schema):
    """What every tagged registry row answers with besides its own fields."""

    id = fields.Integer()
    tags = fields.Method("_tag_codes")
    active = fields.Boolean()
    created_at = DateTime()
    updated_at = DateTime()

    def _tag_codes(self, obj):
        return [t.code for t in obj.tags]


class CompanySchema(TaggedRecordSchema, CompanyCreateSchema):
    credit_code = fields.String()


class CompanyQuery(PageQuery):
    q = Text(max_length=100, metadata={"description": "part of the name, or the full credit code"})
    region = _region
    industry = fields.List(Text(max_length=100))
    subject_type = fields.List(fields.String(validate=validate.OneOf(SUBJECT_TYPES)))
    credit_risk_class = fields.List(fields.String(validate=validate.OneOf(CREDIT_RISK_CLASSES)))
    status = fields.List(fields.String(validate=validate.OneOf(COMPANY_STATUSES)))
    tag = fields.List(code_field())
    sort = sort_field(
        "name", "credit_code", "id", "established_on", "credit_risk_class", "region",
        "industry", "updated_at")


# --- inspectors ----------------------------------------------------------------------------
class InspectorBaseSchema(Schema):
    name = Text(max_length=50, required=True)
    gender = fields.String(validate=validate.OneOf(("male", "female")),
                           metadata={"description": "checked against the ID number"})
    mobile = _mobile
    certificate_number = Text(max_length=40, required=True,
                              metadata={"description": "执法证号"})
    certificate_valid_from = Date(allow_none=True)
    certificate_valid_until = Date(allow_none=True)
    issuing_authority = Text(max_length=100, allow_none=True)
    department_id = Id(required=True)
    section = Text(max_length=100, allow_none=True)
    tags = tag_list(load_default=list, metadata={"description": "expertise tags"})

    @validates_schema
    def _certificate_dates(self, data, **kwargs):
        lo, hi = data.get("certificate_valid_from"), data.get("certificate_valid_until")
        if lo and hi and hi < lo:
            raise ValidationError("before certificate_valid_from", "certificate_valid_until")


class InspectorCreateSchema(InspectorBaseSchema):
    id_number = IdNumber(required=True, load_only=True,
                         metadata={"description": "GB 11643-1999; never returned, only masked"})


class InspectorPatchSchema(PatchSchema, InspectorCreateSchema):
    pass


class InspectorSchema(TaggedRecordSchema, InspectorBaseSchema):
    id_number_masked = fields.String()


class InspectorQuery(PageQuery):
    q = Text(max_length=100)
    department_id = QueryId()
    tag = fields.List(code_field())
    certified_on = Date(metadata={"description": "only certificates valid on this date"})
    sort = sort_field(
        "name", "id", "certificate_number", "certificate_valid_until", "department_id")
