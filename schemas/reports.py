"""The monthly report (月报表): its query, the figures it answers with, the yearly targets
and the hand-entered figures of other platforms (其他平台)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Date, DateTime, Text, code_field
from schemas.registries import _mobile, _phone

MANUAL_ROWS = ("internal", "enterprise", "credit_based")
TARGET_KEYS = ("joint_tasks", "joint_companies", "credit_based", "coverage")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_count = dict(strict=True, required=True, validate=validate.Range(0, 10_000_000))


def parse_month(value: str) -> tuple[int, int]:
    """``2026-10`` -> (2026, 10); anything else (2026-13, 2026-1, 10/2026) is refused."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError("a month as YYYY-MM, e.g. 2026-10")
    year, month = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValidationError("the year must be between 2000 and 2100")
    if not 1 <= month <= 12:
        raise ValidationError("the month must be between 01 and 12")
    return year, month


class Month(fields.String):
    """A report month, ``YYYY-MM``, loaded as (year, month)."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
                              "example": "2026-03", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_month(super()._deserialize(value, attr, data, **kwargs))


class MonthlyQuery(Schema):
    month = Month(required=True, metadata={"description": "the report month, YYYY-MM: "
                                                          "figures from 1 January through its "
                                                          "last day (China time)"})
    department = code_field(max_length=32, metadata={
        "description": "department code; left out: your own department (supervisors) or "
                       "the whole region (coordinator, admin)"})


class MonthlyXlsxQuery(MonthlyQuery):
    unit = Text(max_length=100, metadata={"description": "单位名称 (default: the department's "
                                                         "name)"})
    contact = Text(max_length=50, metadata={"description": "联系人"})
    phone = _phone
    mobile = _mobile


class FiguresSchema(Schema):
    tasks = fields.Integer(metadata={"description": "次数: spot-check tasks"})
    companies_drawn = fields.Integer(metadata={"description": "抽查总户数"})
    companies_checked = fields.Integer(metadata={"description": "完成检查户数"})
    companies_with_problems = fields.Integer(metadata={"description": "发现问题户数"})


class ThisPlatformSchema(Schema):
    total = fields.Nested(FiguresSchema)
    internal = fields.Nested(FiguresSchema, metadata={"description": "部门内部: one department"})
    joint = fields.Nested(FiguresSchema, metadata={"description": "部门联合: 2+ departments"})
    enterprise = fields.Nested(FiguresSchema, metadata={
        "description": "涉及企业: tasks that drew an enterprise; companies: enterprises only"})
    credit_based = fields.Nested(FiguresSchema, metadata={
        "description": "利用企业信用风险分级分类: draws stratified by credit-risk class"})


class OtherPlatformsSchema(Schema):
    internal = fields.Nested(FiguresSchema)
    enterprise = fields.Nested(FiguresSchema)
    credit_based = fields.Nested(FiguresSchema)


class TargetResultSchema(Schema):
    key = fields.String()
    name = fields.String()
    year = fields.Integer(metadata={"description": "the year the target was set for (a "
                                                   "year without its own keeps the last one)"})
    min_percent = fields.Float()
    numerator = fields.Integer()
    denominator = fields.Integer()
    actual_percent = fields.Float(allow_none=True)
    met = fields.Boolean(allow_none=True, metadata={"description": "null: nothing to measure"})
    shortfall_points = fields.Float(allow_none=True, metadata={
        "description": "percentage points below the target"})
    needed = fields.Integer(allow_none=True, metadata={
        "description": "more joint / credit-based tasks or companies (unit) to reach it; "
                       "null when no number of them can (a 100% target already missed)"})
    unit = fields.String(metadata={"description": "tasks or companies"})


class DepartmentRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class MonthlyReportSchema(Schema):
    year = fields.Integer()
    month = fields.Integer()
    through = Date(metadata={"description": "the last day counted (China time)"})
    due_on = Date(metadata={"description": "报送期限: the 23rd of the next month"})
    department = fields.Nested(DepartmentRefSchema, allow_none=True,
                               metadata={"description": "null: the whole region"})
    this_platform = fields.Nested(ThisPlatformSchema)
    other_platforms = fields.Nested(OtherPlatformsSchema)
    registered_companies = fields.Integer(metadata={
        "description": "active registry companies added before 1 January (coverage base)"})
    targets = fields.List(fields.Nested(TargetResultSchema))


# --- targets -------------------------------------------------------------------------------
_percent = dict(allow_none=True, allow_nan=False, validate=validate.Range(0, 100))


class TargetsSchema(Schema):
    """A year's targets, minimum percent each; null (or absent) means none set."""

    year = fields.Integer(dump_only=True)
    joint_tasks = fields.Float(**_percent, metadata={
        "description": "联合抽查次数占随机抽查总次数的比例 >="})
    joint_companies = fields.Float(**_percent, metadata={
        "description": "部门联合抽查户数占随机抽查总户数的比例 >="})
    credit_based = fields.Float(**_percent, metadata={
        "description": "运用信用风险分级分类开展的抽查次数占抽查总次数的比例 >="})
    coverage = fields.Float(**_percent, metadata={
        "description": "完成检查户数占上年底登记企业数的比例 >="})


# --- other platforms -------------------------------------------------------------------------
class ManualFigureBodySchema(Schema):
    tasks = fields.Integer(**_count)
    companies_drawn = fields.Integer(**_count)
    companies_checked = fields.Integer(**_count)
    companies_with_problems = fields.Integer(**_count)

    @validates_schema
    def _nested_counts(self, data, **kwargs):
        if data["companies_checked"] > data["companies_drawn"]:
            raise ValidationError("more than companies_drawn", "companies_checked")
        if data["companies_with_problems"] > data["companies_checked"]:
            raise ValidationError("more than companies_checked", "companies_with_problems")


class ManualFigureSchema(Schema):
    id = fields.Integer()
    department = fields.String(metadata={"description": "department code"})
    year = fields.Integer()
    month = fields.Integer()
    row = fields.String()
    tasks = fields.Integer()
    companies_drawn = fields.Integer()
    companies_checked = fields.Integer()
    companies_with_problems = fields.Integer()
    entered_by = fields.Integer(allow_none=True)
    entered_at = DateTime()


class ManualFigureQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    department = code_field(max_length=32)
