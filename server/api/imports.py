"""One bulk-import endpoint per registry, all alike: multipart ``file``, ``dry_run``, ``mode``.

Endpoint names end in ``Import``: the app lets only those take bodies larger than the
JSON limit.
"""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ErrorSchema
from schemas.imports import ImportFileSchema, ImportQuery, ImportReportSchema
from server.api.blueprint import Blueprint
from server.api.context import actor, fi
from server.request_scope import session
from server.services import imports
from server.services.errors import RuleViolation
from server.services.tables import detect_format


def import_view(blp: Blueprint, path: str, registry: str, name: str) -> None:
    def post(self, file, dry_run, mode):
        """Upsert rows from a CSV or XLSX file; all-or-nothing unless mode=valid_rows"""
        data = file.read()
        settings = fi().settings
        report = imports.run(session(), actor(), registry, data,
                             detect_format(data, file.filename, file.mimetype),
                             dry_run=dry_run, mode=mode,
                             max_rows=settings.max_import_rows, pii_key=settings.secret_key)
        if report.errors and not report.dry_run and report.mode == "all_or_nothing":
            raise RuleViolation(
                f"{report.rejected} row(s) are invalid; nothing was imported." if report.rejected
                else "The file's columns are not right; nothing was imported.",
                code="import_rejected", report=ImportReportSchema().dump(report))
        return report

    post = blp.arguments(ImportQuery, location="query", as_kwargs=True)(post)
    post = blp.arguments(ImportFileSchema, location="files", as_kwargs=True)(post)
    post = blp.response(200, ImportReportSchema)(post)
    post = blp.alt_response(422, schema=ErrorSchema)(post)
    view = type(name, (MethodView,), {"post": post})
    blp.route(path)(view)
