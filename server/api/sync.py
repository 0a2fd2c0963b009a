"""Devices and the sync protocol's push, plus each visit's conflicts and field history."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from schemas.sync import (
    MAX_BATCH_OPS,
    DeviceCreateSchema,
    DeviceSchema,
    HistoryEntrySchema,
    ImportAnswerSchema,
    MissingBlobsAnswerSchema,
    MissingBlobsSchema,
    OutboxBackupSchema,
    PullAnswerSchema,
    PullQuery,
    PushAnswerSchema,
    PushSchema,
    RegisterConflictSchema,
    SyncLimitsSchema,
)
from server.api.blueprint import Blueprint
from server.api.context import actor, fi
from server.request_scope import commit_before_answering, session
from server.services import devices, field_history, outbox_import, pull, push, visits

blp = Blueprint("sync", __name__, description="Devices and offline sync")


@blp.route("/devices")
class Devices(MethodView):
    @blp.arguments(DeviceCreateSchema)
    @blp.response(201, DeviceSchema)
    def post(self, data):
        """Register this phone: the answer carries its credential, shown once"""
        device, credential = devices.register_device(session(), actor(), **data)
        return {"id": device.id, "name": device.name, "platform": device.platform,
                "created_at": device.created_at, "revoked_at": None, "last_push_at": None,
                "credential": credential}


@blp.route("/devices/<string:device_id>/revoke")
class DeviceRevoke(MethodView):
    @blp.response(200, DeviceSchema)
    def post(self, device_id):
        """Revoke a device: its pushes are refused from now on; its data stays"""
        return devices.revoke_device(session(), actor(), device_id)


@blp.route("/sync/limits")
class SyncLimits(MethodView):
    @blp.response(200, SyncLimitsSchema)
    def get(self):
        """The caps a push must respect"""
        actor()
        return {"max_ops": MAX_BATCH_OPS, "max_bytes": fi().settings.max_body_bytes}


@blp.route("/sync/push")
class SyncPush(MethodView):
    # An instance, not the class: webargs would build the schema (and its nested op
    # schema, deep-copying their fields) again on every push.
    @blp.arguments(PushSchema())
    @blp.response(200, PushAnswerSchema)
    def post(self, data):
        """Apply a batch of ops exactly once; per op: applied, duplicate, conflict, rejected.
        The device proves itself with the X-Device-Credential header."""
        results = push.push(session(), actor(), device_id=data["device_id"],
                            credential=request.headers.get("X-Device-Credential"),
                            ops=data["ops"], **_push_options())
        commit_before_answering()  # the write lock is held until commit, not while answering
        return {"results": results}


@blp.route("/sync/import")
class OutboxBackupImport(MethodView):
    @blp.arguments(OutboxBackupSchema())
    @blp.response(200, ImportAnswerSchema)
    def post(self, data):
        """Import an outbox backup (导出备份) of yours: its ops pushed from this device in
        batches, exactly once. The device proves itself with X-Device-Id and
        X-Device-Credential."""
        return outbox_import.import_backup(
            session(), actor(), backup=data, device_id=request.headers.get("X-Device-Id", ""),
            credential=request.headers.get("X-Device-Credential"),
            end_batch=commit_before_answering, **_push_options())


@blp.route("/visits/<int:visit_id>/conflicts")
class VisitConflicts(MethodView):
    @blp.response(200, RegisterConflictSchema(many=True))
    def get(self, visit_id):
        """Fields holding concurrent values: the siblings and the provisional winner"""
        return field_history.conflicts(session(), visits.get_or_raise(session(), actor(), visit_id))


@blp.route("/visits/<int:visit_id>/history")
class VisitHistory(MethodView):
    @blp.response(200, HistoryEntrySchema(many=True))
    def get(self, visit_id):
        """Every op pushed for the visit: who, device, when, value, outcome"""
        return field_history.history(session(), visits.get_or_raise(session(), actor(), visit_id))


@blp.route("/sync/pull")
class SyncPull(MethodView):
    @blp.arguments(PullQuery, location="query", as_kwargs=True)
    @blp.response(200, PullAnswerSchema)
    def get(self, device_id, cursor=None, limit=500):
        """Changes since the cursor to your visits, in order; keep the returned cursor only
        after applying them"""
        return pull.pull(session(), actor(), device_id=device_id,
                         credential=request.headers.get("X-Device-Credential"),
                         cursor=cursor, limit=limit)


@blp.route("/sync/blobs/missing")
class MissingBlobs(MethodView):
    @blp.arguments(MissingBlobsSchema)
    @blp.response(200, MissingBlobsAnswerSchema)
    def post(self, data):
        """Which of these photos (by SHA-256) the server does not hold yet"""
        actor("inspector")
        return {"missing": fi().blobs().missing(data["hashes"])}


def _push_options() -> dict:
    """What a push needs of the app: the public keys (entry scans), a reader outside the
    write transaction, and the entry rules of the settings."""
    s = fi().settings
    return {"public_keys": fi().public_keys, "reader": fi().db.read_connection,
            "entry_rules": {"grace_minutes": s.entry_grace_minutes,
                            "distance_flag_m": s.entry_distance_flag_m,
                            "manual_days": s.manual_entry_days}}
