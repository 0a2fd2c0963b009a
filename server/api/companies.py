"""The company registry (检查对象名录库)."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ActiveSchema, ErrorSchema, page_of
from schemas.registries import CompanyCreateSchema, CompanyPatchSchema, CompanyQuery, CompanySchema
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.imports import import_view
from server.request_scope import session
from server.services import companies

blp = Blueprint("companies", __name__, description="Company registry")


@blp.route("/companies")
class Companies(MethodView):
    @blp.arguments(CompanyQuery, location="query", as_kwargs=True)
    @blp.response(200, page_of(CompanySchema))
    def get(self, **query):
        """List companies: filter by region prefix, industry, class, status, tags"""
        return companies.list_(session(), actor(), **query)

    @blp.arguments(CompanyCreateSchema)
    @blp.response(201, CompanySchema)
    @blp.alt_response(422, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema)
    def post(self, data):
        """Register a company (admin)"""
        return companies.create(session(), actor(), data)


@blp.route("/companies/<int:company_id>")
class CompanyById(MethodView):
    @blp.response(200, CompanySchema)
    def get(self, company_id):
        """One company"""
        return companies.get_or_raise(session(), actor(), company_id)

    @blp.arguments(CompanyPatchSchema)
    @blp.response(200, CompanySchema)
    def patch(self, changes, company_id):
        """Change a company (admin); the credit code is its identity and cannot change"""
        return companies.update(session(), actor(), company_id, changes)


@blp.route("/companies/<int:company_id>/active")
class CompanyActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, CompanySchema)
    def put(self, data, company_id):
        """Deactivate or reactivate a company (admin)"""
        return companies.set_active_state(session(), actor(), company_id, data["active"])


import_view(blp, "/companies/import", "companies", "CompanyImport")
