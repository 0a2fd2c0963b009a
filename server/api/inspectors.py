"""The inspector registry (执法检查人员名录库)."""

from __future__ import annotations

from schemas.registries import (
    InspectorCreateSchema,
    InspectorPatchSchema,
    InspectorQuery,
    InspectorSchema,
)
from server.api.blueprint import Blueprint
from server.api.context import fi
from server.api.registry import Registry, registry_views
from server.services import inspectors

blp = Blueprint("inspectors", __name__, description="Inspector registry")


def _pii_key() -> dict:
    """ID numbers are kept as a keyed digest and a mask: create and update take the key."""
    return {"pii_key": fi().settings.secret_key}


# supervisors manage their own department's inspectors: "(admin)" would say too little
registry_views(blp, inspectors, Registry(
    "inspector", "inspectors", InspectorQuery, InspectorSchema, InspectorPatchSchema,
    create=InspectorCreateSchema, admin_only=False, summaries={
        "list": "List inspectors in your scope; ID numbers are shown masked",
        "create": "Register an inspector (admin, own department's supervisor)",
        "one": "One inspector (404 outside your department)",
    }), service_keys=_pii_key)
