"""Departments (部门)."""

from __future__ import annotations

from schemas.registries import DepartmentPatchSchema, DepartmentQuery, DepartmentSchema
from server.api.blueprint import Blueprint
from server.api.registry import Registry, registry_views
from server.services import departments

blp = Blueprint("departments", __name__, description="Departments")
registry_views(blp, departments, Registry(
    "department", "departments", DepartmentQuery, DepartmentSchema, DepartmentPatchSchema))
