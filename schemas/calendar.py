"""The working-day calendar (工作日) and the deadline rules counted in it."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Text

# Mirrors server.models.calendar.DEADLINE_KINDS (schemas/ imports no server code).
DEADLINE_KINDS = ("result_entry", "publication", "follow_up")
MAX_WORKING_DAYS = 250
MIN_DATE, MAX_DATE = "2000-01-01", "2100-12-31"

_working_days = validate.Range(min=1, max=MAX_WORKING_DAYS)


def _date(**kwargs):
    return fields.Date(validate=validate.Range(
        min=dt.date.fromisoformat(MIN_DATE), max=dt.date.fromisoformat(MAX_DATE),
        error=f"a date between {MIN_DATE} and {MAX_DATE}"), **kwargs)


class WorkdaysAddQuery(Schema):
    """Either ``days`` or ``kind`` (whose deadline rule gives the days), not both."""

    from_ = _date(required=True, data_key="from",
                  metadata={"description": "the day the clock starts; it is not counted"})
    days = fields.Integer(strict=False, validate=_working_days)
    kind = fields.String(validate=validate.OneOf(DEADLINE_KINDS))

    @validates_schema
    def _one_of(self, data, **kwargs):
        if ("days" in data) == ("kind" in data):
            raise ValidationError("give either days or kind", "days")


class WorkdaysAddSchema(Schema):
    from_ = fields.Date(required=True, data_key="from")
    days = fields.Integer(required=True)
    kind = fields.String(allow_none=True)
    date = fields.Date(required=True, metadata={"description": "the days-th working day after from"})


class WorkdayCheckQuery(Schema):
    date = _date(required=True)


class WorkdayCheckSchema(Schema):
    date = fields.Date(required=True)
    workday = fields.Boolean(required=True)
    source = fields.String(required=True, metadata={
        "description": "override (an admin's entry), official (the State Council's notice) "
                       "or declared_year (a year beyond the official data: weekdays work)"})
    note = fields.String(allow_none=True, metadata={"description": "the override's note"})
    official = fields.Boolean(allow_none=True, metadata={
        "description": "the official calendar's answer; null beyond its data"})
    holiday = fields.String(allow_none=True, metadata={"description": "official holiday name"})
    makeup_day = fields.Boolean(metadata={"description": "a Saturday or Sunday worked (调休)"})


class DeadlineRuleSchema(Schema):
    kind = fields.String(dump_only=True)
    working_days = fields.Integer(required=True, strict=True, validate=_working_days)
    updated_by = fields.Integer(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True)


class OverrideSchema(Schema):
    day = fields.Date(dump_only=True)
    workday = fields.Boolean(required=True, metadata={
        "description": "true: a working day (e.g. a make-up day); false: a day off"})
    note = Text(max_length=200, required=True, metadata={"description": "e.g. 2027年春节"})
    created_by = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class OverrideQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CalendarYearSchema(Schema):
    year = fields.Integer(dump_only=True)
    note = Text(max_length=1000, multiline=True, allow_none=True, load_default=None,
                metadata={"description": "e.g. the notice the overrides were taken from"})
    declared_by = fields.Integer(dump_only=True, allow_none=True)
    declared_at = fields.DateTime(dump_only=True)


class CalendarYearsSchema(Schema):
    official_first = fields.Integer(required=True, metadata={
        "description": "first year of the official calendar data"})
    official_last = fields.Integer(required=True, metadata={
        "description": "last year of the official calendar data; later years need declaring"})
    declared = fields.List(fields.Nested(CalendarYearSchema), required=True)
