"""The working-day calendar (工作日) and the deadline rules counted in it."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Date, DateTime, Text

# Mirrors server.models.calendar.DEADLINE_KINDS (schemas/ imports no server code).
DEADLINE_KINDS = ("result_entry", "publication", "follow_up")
MAX_WORKING_DAYS = 250
MIN_DATE, MAX_DATE = "2000-01-01", "2100-12-31"

_working_days = validate.Range(min=1, max=MAX_WORKING_DAYS)


def _date(**kwargs):
    return Date(validate=validate.Range(
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


SOURCES = ("official", "override", "entered", "provisional")  # mirrors server.services.workdays
_SOURCE_DESCRIPTION = (
    "official (the State Council's notice, as the calendar package carries it), override "
    "(an admin's correction), entered (a notice an admin entered before the package "
    "carries it) or provisional (no notice yet: weekends and the statutory holidays of "
    "全国年节及纪念日放假办法, no make-up days)")


class WorkdaysAddSchema(Schema):
    from_ = Date(required=True, data_key="from")
    days = fields.Integer(required=True)
    kind = fields.String(allow_none=True)
    date = Date(required=True, metadata={"description": "the days-th working day after from"})
    source = fields.String(required=True, validate=validate.OneOf(SOURCES), metadata={
        "description": "the least settled source among the days counted: " + _SOURCE_DESCRIPTION})
    provisional = fields.Boolean(required=True, metadata={
        "description": "a day counted is provisional: the date may move when the notice "
                       "is entered (预计)"})


class WorkdayCheckQuery(Schema):
    date = _date(required=True)


class WorkdayCheckSchema(Schema):
    date = Date(required=True)
    workday = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.OneOf(SOURCES),
                           metadata={"description": _SOURCE_DESCRIPTION})
    provisional = fields.Boolean(required=True, metadata={"description": "source is provisional"})
    note = fields.String(allow_none=True, metadata={"description": "the override's note"})
    official = fields.Boolean(allow_none=True, metadata={
        "description": "the official calendar's answer; null beyond its data"})
    holiday = fields.String(allow_none=True, metadata={
        "description": "the holiday the day belongs to (e.g. 春节), from the day's source"})
    makeup_day = fields.Boolean(metadata={"description": "a Saturday or Sunday worked (调休)"})


class DeadlineRuleSchema(Schema):
    kind = fields.String(dump_only=True)
    working_days = fields.Integer(required=True, strict=True, validate=_working_days)
    updated_by = fields.Integer(dump_only=True, allow_none=True)
    updated_at = DateTime(dump_only=True)


class OverrideSchema(Schema):
    day = Date(dump_only=True)
    workday = fields.Boolean(required=True, metadata={
        "description": "true: a working day (e.g. a make-up day); false: a day off"})
    note = Text(max_length=200, required=True, metadata={"description": "e.g. 2027年春节"})
    created_by = fields.Integer(dump_only=True, allow_none=True)
    created_at = DateTime(dump_only=True)


class OverrideQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


YEAR_STATUSES = ("official", "entered", "provisional")


class YearStatusSchema(Schema):
    year = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(YEAR_STATUSES), metadata={
        "description": "official (the package has the notice), entered (an admin entered "
                       "it) or provisional (no notice yet: counted from the law)"})
    notice_title = fields.String(allow_none=True)
    notice_entered_at = DateTime(allow_none=True)
    notice_superseded = fields.Boolean(metadata={
        "description": "an entered notice the package now carries: the package's days count"})


class CalendarYearsSchema(Schema):
    official_first = fields.Integer(required=True, metadata={
        "description": "first year of the official calendar data"})
    official_last = fields.Integer(required=True, metadata={
        "description": "last year of the official calendar data"})
    years = fields.List(fields.Nested(YearStatusSchema), required=True, metadata={
        "description": "from official_first to next year, and any later year with a notice"})


class HolidayRangeSchema(Schema):
    name = Text(max_length=40, required=True, metadata={
        "description": "the holiday, as the notice names it (e.g. 春节; 国庆节、中秋节 for a "
                       "break that holds both)"})
    start = Date(required=True)
    end = Date(required=True)


class NoticeSchema(Schema):
    """A year's notice (国务院办公厅关于XXXX年部分节假日安排的通知) as it lists the days."""

    title = Text(max_length=200, allow_none=True, load_default=None,
                 metadata={"description": "e.g. 国办发明电〔2026〕7号"})
    holidays = fields.List(fields.Nested(HolidayRangeSchema), required=True,
                           validate=validate.Length(min=1, max=20))
    makeup_days = fields.List(Date(), required=True, validate=validate.Length(max=20),
                              metadata={"description": "Saturdays or Sundays worked (调休上班)"})


class CalendarYearSchema(Schema):
    year = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(YEAR_STATUSES))
    holidays = fields.List(fields.Nested(HolidayRangeSchema), required=True, metadata={
        "description": "the days off as the year's source has them (provisional: the "
                       "statutory days only)"})
    makeup_days = fields.List(Date(), required=True)
    notice_title = fields.String(allow_none=True)
    notice_entered_at = DateTime(allow_none=True)
    notice_entered_by = fields.Integer(allow_none=True)


class MovedDeadlineSchema(Schema):
    kind = fields.String(required=True, metadata={
        "description": "entry_due, publication_due (results) or due_on (follow-ups)"})
    object_type = fields.String(required=True, metadata={"description": "result or follow_up"})
    object_id = fields.Integer(required=True)
    before = Date(required=True)
    after = Date(required=True)
    moved_days = fields.Integer(required=True, metadata={"description": "calendar days"})
    provisional = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))


class NoticeEnteredSchema(CalendarYearSchema):
    moved = fields.List(fields.Nested(MovedDeadlineSchema), required=True, metadata={
        "description": "open deadlines counted again, and what moved"})
