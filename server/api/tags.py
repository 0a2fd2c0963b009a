"""The classification library (分类标签库)."""

from __future__ import annotations

from schemas.registries import TagPatchSchema, TagQuery, TagSchema
from server.api.blueprint import Blueprint
from server.api.registry import Registry, registry_views
from server.services import tags

blp = Blueprint("tags", __name__, description="Tags for companies and inspectors")
registry_views(blp, tags, Registry("tag", "tags", TagQuery, TagSchema, TagPatchSchema))
