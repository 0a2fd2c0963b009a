"""Sign-in (token), sign-out, the current user, and account administration."""

from __future__ import annotations

from flask.views import MethodView

from schemas.accounts import LoginSchema, TokenSchema, UserPatchSchema, UserQuery, UserSchema
from schemas.common import ErrorSchema
from server import clock
from server.api.blueprint import Blueprint
from server.api.context import actor, bearer_token
from server.request_scope import session
from server.services import accounts
from server.services.errors import TooManyAttempts, Unauthorized
from server.sign_in import sign_in

blp = Blueprint("accounts", __name__, description="Sign-in and accounts")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema)
    @blp.alt_response(429, schema=ErrorSchema)
    def post(self, creds):
        """Exchange username and password for a bearer token"""
        result = sign_in(creds["username"], creds["password"])
        if result.failure == "throttled":
            raise TooManyAttempts("Too many failed sign-ins from here or for this name: wait "
                                  f"{result.retry_after} s before trying again.",
                                  code="login_throttled", retry_after_seconds=result.retry_after)
        if result.failure:
            raise Unauthorized("Wrong username or password.", code="invalid_credentials")
        return {"access_token": result.token, "token_type": "Bearer",
                "expires_at": result.expires_at, "user": result.user}


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """Revoke the token this request carries"""
        accounts.logout(session(), actor(), bearer_token(), now=clock.now())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user"""
        me = actor()
        return accounts.get_user_or_raise(session(), me, me.user_id)


@blp.route("/users")
class Users(MethodView):
    @blp.paged(UserQuery, UserSchema)
    def get(self, **query):
        """List accounts (admin)"""
        return accounts.list_users(session(), actor("admin"), **query)

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create an account (admin)"""
        return accounts.create_user(session(), actor("admin"), data)


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One account (admin, or yourself)"""
        return accounts.get_user_or_raise(session(), actor(), user_id)

    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes, user_id):
        """Change an account; a new password revokes its tokens (admin)"""
        return accounts.update_user(session(), actor("admin"), user_id, changes)
