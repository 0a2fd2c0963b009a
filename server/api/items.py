"""Inspection items (随机抽查事项清单) with versioned checklist forms."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import list_of, listed
from schemas.registries import (
    ItemCreateSchema,
    ItemPatchSchema,
    ItemQuery,
    ItemSchema,
    ItemVersionSchema,
)
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.registry import Registry, registry_views
from server.request_scope import session
from server.services import items

blp = Blueprint("items", __name__, description="Inspection items and checklist forms")


def _out(item):
    return {"id": item.id, "code": item.code, "department_id": item.department_id,
            "active": item.active, "current_version": item.current_version,
            "current": items.current(item), "updated_at": item.updated_at}


# supervisors manage their own department's items: "(admin)" would say too little
registry_views(blp, items, Registry(
    "item", "items", ItemQuery, ItemSchema, ItemPatchSchema, create=ItemCreateSchema,
    admin_only=False, summaries={
        "list": "List inspection items (current versions)",
        "create": "Create an item with its checklist form (admin, own department's supervisor)",
        "one": "One item with its current version",
        "change": "Change an item: any content change makes a new version; old ones are kept",
    }), view=_out)


@blp.route("/items/<int:item_id>/versions")
class ItemVersions(MethodView):
    @blp.response(200, list_of(ItemVersionSchema))
    def get(self, item_id):
        """Every version of an item, oldest first"""
        return listed(items.get_or_raise(session(), actor(), item_id).versions)


@blp.route("/items/<int:item_id>/versions/<int:version>")
class ItemVersion(MethodView):
    @blp.response(200, ItemVersionSchema)
    def get(self, item_id, version):
        """One version of an item"""
        return items.get_version_or_raise(session(), actor(), item_id, version)
