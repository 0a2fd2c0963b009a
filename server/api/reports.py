"""The monthly report (月报表) as JSON and as the seed's XLSX form; its yearly targets and
the hand-entered figures of other platforms (其他平台)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask.views import MethodView

from schemas.common import list_of, listed
from schemas.reports import (
    MANUAL_ROWS,
    ManualFigureBodySchema,
    ManualFigureQuery,
    ManualFigureSchema,
    MonthlyQuery,
    MonthlyReportSchema,
    MonthlyXlsxQuery,
    TargetsSchema,
)
from server import clock, reports_xlsx
from server.api.blueprint import Blueprint, file_answer, path_param
from server.api.context import actor
from server.clock import CHINA
from server.request_scope import session
from server.services import reports

blp = Blueprint("reports", __name__, description="The monthly report (月报表), targets and "
                                                 "other platforms' figures")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/reports/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuery, location="query", as_kwargs=True)
    @blp.response(200, MonthlyReportSchema)
    def get(self, **query):
        """The monthly report, year to date: a department's, or the region's (coordinator, admin)"""
        return reports.monthly_for(session(), actor(), **query)


@blp.route("/reports/monthly.xlsx")
class MonthlyXlsx(MethodView):
    @blp.arguments(MonthlyXlsxQuery, location="query", as_kwargs=True)
    @blp.doc(responses={"200": file_answer("the workbook", XLSX)})
    def get(self, month, department=None, unit=None, contact="", phone="", mobile=""):
        """The monthly report as the seed's XLSX form, with a sheet of the targets"""
        report = reports.monthly_for(session(), actor(), month=month, department=department)
        body = reports_xlsx.render(report, unit=unit, contact=contact, phone=phone,
                                   mobile=mobile, filled_on=clock.now().astimezone(CHINA).date())
        who = report["department"]["code"] if report["department"] else "region"
        stem = f"{month[0]}-{month[1]:02d}-{who}"
        return Response(body, mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"monthly-report-{stem}.xlsx\"; "
                                   f"filename*=UTF-8''{quote(f'月报表-{stem}.xlsx')}",
            "Cache-Control": "no-store"})


@blp.route("/reports/targets")
class Targets(MethodView):
    @blp.response(200, list_of(TargetsSchema))
    def get(self):
        """Every year's targets (minimum percent each)"""
        return listed(reports.list_targets(session(), actor()))


@blp.route("/reports/targets/<int:year>")
class TargetsByYear(MethodView):
    @blp.arguments(TargetsSchema)
    @blp.response(200, TargetsSchema)
    def put(self, changes, year):
        """Set a year's targets (admin): the keys given are set, null removes one"""
        return reports.set_targets(session(), actor(), year, changes)


@blp.route("/reports/manual-figures")
class ManualFigures(MethodView):
    @blp.arguments(ManualFigureQuery, location="query", as_kwargs=True)
    @blp.response(200, list_of(ManualFigureSchema))
    def get(self, **query):
        """A year's hand-entered figures of other platforms (其他平台)"""
        return listed(reports.list_manual_figures(session(), actor(), **query))


@blp.route("/reports/manual-figures/<string:department>/<int:year>/<int:month>/<string:row>",
           parameters=[path_param("department", "the department's code",
                                  pattern="^[A-Za-z0-9][A-Za-z0-9._-]*$", example="A01"),
                       path_param("row", "the 其他平台 row", enum=list(MANUAL_ROWS))])
class ManualFigure(MethodView):
    @blp.arguments(ManualFigureBodySchema)
    @blp.response(200, ManualFigureSchema)
    def put(self, figures, department, year, month, row):
        """Enter a department's year-to-date figures of one 其他平台 row (internal, enterprise,
        credit_based) as of a month: its supervisors or an admin"""
        return reports.set_manual_figure(session(), actor(), department=department, year=year,
                                         month=month, row=row, figures=figures)
