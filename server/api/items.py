"""Inspection items (随机抽查事项清单) with versioned checklist forms."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ActiveSchema, list_of, listed, page_of
from schemas.registries import (
    ItemCreateSchema,
    ItemPatchSchema,
    ItemQuery,
    ItemSchema,
    ItemVersionSchema,
)
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.imports import import_view
from server.request_scope import session
from server.services import items

blp = Blueprint("items", __name__, description="Inspection items and checklist forms")


def _out(item):
    return {"id": item.id, "code": item.code, "department_id": item.department_id,
            "active": item.active, "current_version": item.current_version,
            "current": items.current(item), "updated_at": item.updated_at}


@blp.route("/items")
class Items(MethodView):
    @blp.arguments(ItemQuery, location="query", as_kwargs=True)
    @blp.response(200, page_of(ItemSchema))
    def get(self, **query):
        """List inspection items (current versions)"""
        page = items.list_(session(), actor(), **query)
        page.items = [_out(i) for i in page.items]
        return page

    @blp.arguments(ItemCreateSchema)
    @blp.response(201, ItemSchema)
    def post(self, data):
        """Create an item with its checklist form (admin, own department's supervisor)"""
        return _out(items.create(session(), actor(), data))


@blp.route("/items/<int:item_id>")
class ItemById(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, item_id):
        """One item with its current version"""
        return _out(items.get_or_raise(session(), actor(), item_id))

    @blp.arguments(ItemPatchSchema)
    @blp.response(200, ItemSchema)
    def patch(self, changes, item_id):
        """Change an item: any content change makes a new version; old ones are kept"""
        return _out(items.update(session(), actor(), item_id, changes))


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


@blp.route("/items/<int:item_id>/active")
class ItemActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, ItemSchema)
    def put(self, data, item_id):
        """Deactivate or reactivate an item"""
        return _out(items.set_active_state(session(), actor(), item_id, data["active"]))


import_view(blp, "/items/import", "items", "ItemImport")
