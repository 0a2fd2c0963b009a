"""Login, tokens and accounts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import PageQuery, sort_field
from schemas.fields import Id, QueryId, Text

ROLES = ("admin", "coordinator", "supervisor", "inspector")


class LoginSchema(Schema):
    username = Text(max_length=64, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    user = fields.Nested("UserSchema")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = Text(max_length=64, required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$", error="3-64 letters, digits, '.', '-', '_'"))
    display_name = Text(max_length=100, allow_none=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    department_id = Id(allow_none=True)
    inspector_id = Id(allow_none=True)
    active = fields.Boolean(dump_only=True)
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=10, max=200))


class UserPatchSchema(Schema):
    display_name = Text(max_length=100, allow_none=True)
    role = fields.String(validate=validate.OneOf(ROLES))
    department_id = Id(allow_none=True)
    inspector_id = Id(allow_none=True)
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=200))


class UserQuery(PageQuery):
    role = fields.String(validate=validate.OneOf(ROLES))
    department_id = QueryId()
    q = Text(max_length=64)
    sort = sort_field("username", "id", "role")
