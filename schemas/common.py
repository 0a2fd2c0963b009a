"""Shapes every endpoint shares: the error body, paging arguments, the page envelope and the
list envelope (every list answer is an object, so a field can be added beside the items
without breaking a client)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Date, Text

MAX_PAGE_SIZE = 500


class ErrorSchema(Schema):
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "field errors, by location and field"})


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    sort = Text(max_length=40, metadata={"description": "field name, prefix '-' for descending"})
    active = fields.Boolean(
        load_default=True, allow_none=True,
        metadata={"description": "true (default): active rows; false: deactivated ones"})


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A ``{items, total, page, page_size}`` envelope schema for ``item_schema``."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "page_size": fields.Integer(required=True),
        })
    return _page_schemas[name]


_list_schemas: dict[str, type[Schema]] = {}


def list_of(item_schema: type[Schema]) -> type[Schema]:
    """A ``{items, total}`` envelope schema for a list answered whole (no paging); views
    wrap their list with ``listed``."""
    name = item_schema.__name__.removesuffix("Schema") + "ListSchema"
    if name not in _list_schemas:
        _list_schemas[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
        })
    return _list_schemas[name]


def listed(items) -> dict:
    """The ``list_of`` envelope of ``items`` (any iterable)."""
    items = list(items)
    return {"items": items, "total": len(items)}


def sort_field(*names: str) -> fields.String:
    """A list's ``sort`` parameter: one of the fields it sorts by, ``-`` in front for
    descending. The service holds the column of each name; a test asks for every one."""
    return fields.String(validate=validate.OneOf([*names, *(f"-{n}" for n in names)]),
                         metadata={"description": "field name, prefix '-' for descending"})


class ActiveSchema(Schema):
    active = fields.Boolean(required=True)


class WindowSchema(Schema):
    """A visit window: two dates, the end not before the start."""

    window_start = Date(required=True)
    window_end = Date(required=True)

    @validates_schema
    def _window(self, data, **kwargs):
        if data["window_end"] < data["window_start"]:
            raise ValidationError("before window_start", "window_end")
