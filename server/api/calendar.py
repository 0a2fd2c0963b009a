"""The working-day calendar (工作日) and deadline rules: every signed-in user reads them
(a deadline shown on a phone is counted here); only admins change them."""

from __future__ import annotations

import datetime as dt
import re

from flask.views import MethodView

from schemas.calendar import (
    DEADLINE_KINDS,
    CalendarYearSchema,
    CalendarYearsSchema,
    DeadlineRuleSchema,
    NoticeEnteredSchema,
    NoticeSchema,
    OverrideQuery,
    OverrideSchema,
    WorkdayCheckQuery,
    WorkdayCheckSchema,
    WorkdaysAddQuery,
    WorkdaysAddSchema,
)
from schemas.common import list_of, listed
from schemas.imports import ImportFileSchema
from server.api.blueprint import Blueprint, path_param
from server.api.context import actor
from server.request_scope import session
from server.services import calendar_notices, workdays
from server.services.errors import InvalidInput

blp = Blueprint("calendar", __name__, description="Working days and deadline rules")


def _day(value: str) -> dt.date:
    """A date in the path: a bad one is a 422 naming it, not a 404 of a route."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise InvalidInput(f"{value[:20]!r} is not a date (YYYY-MM-DD).",
                       errors={"path": {"day": ["not a date (YYYY-MM-DD)"]}})


@blp.route("/calendar/workdays/add")
class WorkdaysAdd(MethodView):
    @blp.arguments(WorkdaysAddQuery, location="query")
    @blp.response(200, WorkdaysAddSchema)
    def get(self, query):
        """The n-th working day after a date: by days, or by a kind's deadline rule.
        Give exactly one of days and kind"""
        actor()
        return workdays.count_from(session(), query["from_"], days=query.get("days"),
                                   kind=query.get("kind"))


@blp.route("/calendar/workdays/check")
class WorkdayCheck(MethodView):
    @blp.arguments(WorkdayCheckQuery, location="query")
    @blp.response(200, WorkdayCheckSchema)
    def get(self, query):
        """Whether a date is a working day, and why"""
        actor()
        return workdays.check(session(), query["date"])


@blp.route("/calendar/deadline-rules")
class DeadlineRules(MethodView):
    @blp.response(200, list_of(DeadlineRuleSchema))
    def get(self):
        """Working days per kind of deadline"""
        actor()
        return listed(workdays.rules(session()))


@blp.route("/calendar/deadline-rules/<string:kind>", parameters=[
    path_param("kind", "the kind of deadline", enum=list(DEADLINE_KINDS))])
class DeadlineRuleByKind(MethodView):
    @blp.response(200, DeadlineRuleSchema)
    def get(self, kind):
        """One deadline rule"""
        actor()
        return workdays.rule(session(), kind)

    @blp.arguments(DeadlineRuleSchema)
    @blp.response(200, DeadlineRuleSchema)
    def put(self, data, kind):
        """Set a deadline's working days (admin)"""
        return workdays.set_rule(session(), actor(), kind, data["working_days"])


@blp.route("/calendar/overrides")
class Overrides(MethodView):
    @blp.paged(OverrideQuery, OverrideSchema)
    def get(self, **query):
        """Dates an admin declared working days or days off, by date"""
        return workdays.list_overrides(session(), actor(), **query)


@blp.route("/calendar/overrides/<string:day>", parameters=[
    path_param("day", "the day, YYYY-MM-DD", format="date")])
class OverrideByDay(MethodView):
    @blp.response(200, OverrideSchema)
    def get(self, day):
        """One override"""
        actor()
        return workdays.get_override(session(), _day(day))

    @blp.arguments(OverrideSchema)
    @blp.response(200, OverrideSchema)
    def put(self, data, day):
        """Make a date a working day or a day off (admin); wins over the official calendar"""
        return workdays.put_override(session(), actor(), _day(day), data["workday"],
                                     data["note"])

    @blp.response(204)
    def delete(self, day):
        """Remove an override (admin)"""
        workdays.delete_override(session(), actor(), _day(day))


@blp.route("/calendar/years")
class Years(MethodView):
    @blp.response(200, CalendarYearsSchema)
    def get(self):
        """Each year's calendar: official, entered (a notice an admin entered) or provisional"""
        actor()
        return calendar_notices.years(session())


@blp.route("/calendar/years/<int:year>")
class YearByNumber(MethodView):
    @blp.response(200, CalendarYearSchema)
    def get(self, year):
        """One year's holidays and make-up days, and where they come from"""
        actor()
        return calendar_notices.get_year(session(), year)


@blp.route("/calendar/years/<int:year>/notice")
class YearNotice(MethodView):
    @blp.arguments(NoticeSchema)
    @blp.response(200, NoticeEnteredSchema)
    def put(self, data, year):
        """Enter or correct a year's holiday notice (admin); open deadlines are counted again"""
        return calendar_notices.enter(session(), actor(), year, **data)

    @blp.response(200, NoticeEnteredSchema)
    def delete(self, year):
        """Withdraw an entered notice (admin): the year is provisional again"""
        return calendar_notices.withdraw(session(), actor(), year)


@blp.route("/calendar/years/<int:year>/notice/file")
class CalendarNoticeImport(MethodView):
    @blp.arguments(ImportFileSchema, location="files", as_kwargs=True)
    @blp.response(200, NoticeEnteredSchema)
    def post(self, file, year):
        """Enter a year's notice from a CSV or XLSX file (admin): columns 类型 (放假 or 上班),
        名称, 开始日期, 结束日期"""
        who = actor()
        who.require_role("admin")
        notice = calendar_notices.read_file(file.read(), file.filename, file.mimetype)
        return calendar_notices.enter(session(), who, year, **notice)
