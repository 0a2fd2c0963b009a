"""The on-site inspection record (现场检查笔录) as PDF, and the public check of a printed
copy by its SHA-256."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import ErrorSchema
from schemas.records import RecordCheckSchema
from server.api.blueprint import Blueprint, file_answer, path_param
from server.api.context import actor, fi
from server.downloads import pdf_response
from server.request_scope import session
from server.services import records, visits

blp = Blueprint("records", __name__, description="On-site inspection records (现场检查笔录)")
public_blp = Blueprint("public_records", __name__,
                       description="Checking a printed on-site record; no sign-in")

PDF = file_answer("The record (application/pdf); its SHA-256 in X-Record-SHA256",
                  "application/pdf")


@blp.route("/visits/<int:visit_id>/record.pdf")
class VisitRecord(MethodView):
    @blp.doc(responses={"200": PDF})
    @blp.alt_response(409, schema=ErrorSchema,
                      description="not_submitted: the record is made on submission")
    def get(self, visit_id):
        """The visit's on-site record as PDF (team members; supervisors of its departments;
        coordinators, admins), once submitted"""
        me = actor()
        visits.get_or_raise(session(), me, visit_id)
        data, sha256 = records.fetch(fi().db, fi().blobs(), visit_id, fi().settings, actor=me)
        return pdf_response(data, sha256, visit_id)


@public_blp.route("/records/<string:sha256>", parameters=[
    path_param("sha256", "the file's SHA-256, 64 hexadecimal digits",
               pattern="^[0-9a-fA-F]{64}$", example="0" * 64)])
class PublicRecordCheck(MethodView):
    @public_blp.doc(security=[])
    @public_blp.response(200, RecordCheckSchema)
    def get(self, sha256):
        """Whether a file with this SHA-256 is a genuine on-site record, and of which visit,
        company, task and date (superseded when the visit was submitted again since)"""
        return records.check(session(), sha256)
