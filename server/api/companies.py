"""The company registry (检查对象名录库)."""

from __future__ import annotations

from schemas.registries import CompanyCreateSchema, CompanyPatchSchema, CompanyQuery, CompanySchema
from server.api.blueprint import Blueprint
from server.api.registry import Registry, registry_views
from server.services import companies

blp = Blueprint("companies", __name__, description="Company registry")
registry_views(blp, companies, Registry(
    "company", "companies", CompanyQuery, CompanySchema, CompanyPatchSchema,
    create=CompanyCreateSchema, summaries={
        "list": "List companies: filter by region prefix, industry, class, status, tags",
        "create": "Register a company (admin)",
        "change": "Change a company (admin); the credit code is its identity and cannot change",
    }), create_errors=(422, 409))
