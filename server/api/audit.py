"""The audit log (全程留痕): read and verified by admins."""

from __future__ import annotations

from flask.views import MethodView

from schemas.audit import AuditEntrySchema, AuditQuery, AuditVerificationSchema
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.request_scope import session
from server.services import audit

blp = Blueprint("audit", __name__, description="Audit log")


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.paged(AuditQuery, AuditEntrySchema)
    def get(self, actor=None, **query):
        """Audit entries, newest first (admin)"""
        return audit.list_(session(), _admin(), actor_name=actor, **query)


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, AuditVerificationSchema)
    def get(self):
        """Recompute the hash chain (admin)"""
        _admin()
        return audit.verify(session())


def _admin():
    return actor("admin")
