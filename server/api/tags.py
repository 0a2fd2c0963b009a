"""The classification library (分类标签库)."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ActiveSchema, page_of
from schemas.registries import TagPatchSchema, TagQuery, TagSchema
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.imports import import_view
from server.request_scope import session
from server.services import tags

blp = Blueprint("tags", __name__, description="Tags for companies and inspectors")


@blp.route("/tags")
class Tags(MethodView):
    @blp.arguments(TagQuery, location="query", as_kwargs=True)
    @blp.response(200, page_of(TagSchema))
    def get(self, **query):
        """List tags"""
        return tags.list_(session(), actor(), **query)

    @blp.arguments(TagSchema)
    @blp.response(201, TagSchema)
    def post(self, data):
        """Create a tag (admin)"""
        return tags.create(session(), actor(), data)


@blp.route("/tags/<int:tag_id>")
class TagById(MethodView):
    @blp.response(200, TagSchema)
    def get(self, tag_id):
        """One tag"""
        return tags.get_or_raise(session(), actor(), tag_id)

    @blp.arguments(TagPatchSchema)
    @blp.response(200, TagSchema)
    def patch(self, changes, tag_id):
        """Change a tag (admin)"""
        return tags.update(session(), actor(), tag_id, changes)


@blp.route("/tags/<int:tag_id>/active")
class TagActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, TagSchema)
    def put(self, data, tag_id):
        """Deactivate or reactivate a tag (admin)"""
        return tags.set_active_state(session(), actor(), tag_id, data["active"])


import_view(blp, "/tags/import", "tags", "TagImport")
