"""The inspector registry (执法检查人员名录库)."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ActiveSchema, page_of
from schemas.registries import (
    InspectorCreateSchema,
    InspectorPatchSchema,
    InspectorQuery,
    InspectorSchema,
)
from server.api.blueprint import Blueprint
from server.api.context import actor, fi
from server.api.imports import import_view
from server.request_scope import session
from server.services import inspectors

blp = Blueprint("inspectors", __name__, description="Inspector registry")


def _key():
    return fi().settings.secret_key


@blp.route("/inspectors")
class Inspectors(MethodView):
    @blp.arguments(InspectorQuery, location="query", as_kwargs=True)
    @blp.response(200, page_of(InspectorSchema))
    def get(self, **query):
        """List inspectors in your scope; ID numbers are shown masked"""
        return inspectors.list_(session(), actor(), **query)

    @blp.arguments(InspectorCreateSchema)
    @blp.response(201, InspectorSchema)
    def post(self, data):
        """Register an inspector (admin, own department's supervisor)"""
        return inspectors.create(session(), actor(), data, pii_key=_key())


@blp.route("/inspectors/<int:inspector_id>")
class InspectorById(MethodView):
    @blp.response(200, InspectorSchema)
    def get(self, inspector_id):
        """One inspector (404 outside your department)"""
        return inspectors.get_or_raise(session(), actor(), inspector_id)

    @blp.arguments(InspectorPatchSchema)
    @blp.response(200, InspectorSchema)
    def patch(self, changes, inspector_id):
        """Change an inspector"""
        return inspectors.update(session(), actor(), inspector_id, changes, pii_key=_key())


@blp.route("/inspectors/<int:inspector_id>/active")
class InspectorActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, InspectorSchema)
    def put(self, data, inspector_id):
        """Deactivate or reactivate an inspector"""
        return inspectors.set_active_state(session(), actor(), inspector_id, data["active"])


import_view(blp, "/inspectors/import", "inspectors", "InspectorImport")
