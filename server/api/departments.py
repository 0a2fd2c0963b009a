"""Departments (部门)."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ActiveSchema, page_of
from schemas.registries import DepartmentPatchSchema, DepartmentQuery, DepartmentSchema
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.imports import import_view
from server.request_scope import session
from server.services import departments

blp = Blueprint("departments", __name__, description="Departments")


@blp.route("/departments")
class Departments(MethodView):
    @blp.arguments(DepartmentQuery, location="query", as_kwargs=True)
    @blp.response(200, page_of(DepartmentSchema))
    def get(self, **query):
        """List departments"""
        return departments.list_(session(), actor(), **query)

    @blp.arguments(DepartmentSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, data):
        """Create a department (admin)"""
        return departments.create(session(), actor(), data)


@blp.route("/departments/<int:department_id>")
class DepartmentById(MethodView):
    @blp.response(200, DepartmentSchema)
    def get(self, department_id):
        """One department"""
        return departments.get_or_raise(session(), actor(), department_id)

    @blp.arguments(DepartmentPatchSchema)
    @blp.response(200, DepartmentSchema)
    def patch(self, changes, department_id):
        """Change a department (admin)"""
        return departments.update(session(), actor(), department_id, changes)


@blp.route("/departments/<int:department_id>/active")
class DepartmentActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, DepartmentSchema)
    def put(self, data, department_id):
        """Deactivate or reactivate a department (admin)"""
        return departments.set_active_state(session(), actor(), department_id, data["active"])


import_view(blp, "/departments/import", "departments", "DepartmentImport")
