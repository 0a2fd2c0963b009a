"""Visits, and merging two departments' visits into one joint visit."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from schemas.common import list_of, listed
from schemas.entries import EntryOutSchema, EntrySchema
from schemas.sync import VisitPackSchema
from schemas.visits import (
    CancelSchema,
    CompanyInspectionSchema,
    MergeRequestSchema,
    MergeSchema,
    MyVisitSchema,
    PremisesCodeSchema,
    ProgressQuery,
    ProgressSchema,
    RatingSchema,
    RatingSummarySchema,
    RecusalSchema,
    RescheduleSchema,
    VisitQuery,
    VisitSchema,
    YearQuery,
)
from server import clock
from server.api.blueprint import Blueprint, file_answer, path_param
from server.api.context import actor, fi
from server.request_scope import session
from server.services import codes, companies, qr, verification, visits
from server.services.errors import DomainError, NotFound

blp = Blueprint("visits", __name__, description="Visits and joint visits")


@blp.route("/visits")
class Visits(MethodView):
    @blp.paged(VisitQuery, VisitSchema)
    def get(self, **query):
        """Visits in scope (the field): filter by task, state, inspector, company, the year
        the window starts in, overdue"""
        return visits.list_visits(session(), actor(), **query)


@blp.route("/visits/<int:visit_id>")
class VisitById(MethodView):
    @blp.response(200, VisitSchema)
    def get(self, visit_id):
        """One visit: company, window, items by department, team"""
        return visits.get_or_raise(session(), actor(), visit_id)


@blp.route("/visits/<int:visit_id>/merges")
class VisitMerges(MethodView):
    @blp.arguments(MergeRequestSchema)
    @blp.response(201, MergeSchema)
    def post(self, data, visit_id):
        """Ask to merge another department's visit into this one (进一次门、查多项事)"""
        return visits.request_merge(session(), actor(), visit_id, data["other_visit_id"])


@blp.route("/merges/<int:merge_id>/accept")
class MergeAccept(MethodView):
    @blp.response(200, MergeSchema)
    def post(self, merge_id):
        """The other department agrees: the visits become one joint visit"""
        return visits.decide_merge(session(), actor(), merge_id, accept=True)


@blp.route("/merges/<int:merge_id>/decline")
class MergeDecline(MethodView):
    @blp.response(200, MergeSchema)
    def post(self, merge_id):
        """The other department declines"""
        return visits.decide_merge(session(), actor(), merge_id, accept=False)


# --- codes, entry, pack ------------------------------------------------------------------------
QR_FORMAT = path_param("fmt", "the image format", enum=["png", "svg"])
QR_IMAGE = file_answer("the QR code: PNG for .png, SVG for .svg", "image/png", "image/svg+xml")


def _image(data: bytes, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Cache-Control": "no-store"})


@blp.route("/visits/<int:visit_id>/code.<string:fmt>", parameters=[QR_FORMAT])
class VisitCode(MethodView):
    @blp.doc(responses={"200": QR_IMAGE})
    def get(self, visit_id, fmt):
        """The visit code as a QR image (png or svg): the URL of the verification page"""
        visit = visits.get_or_raise(session(), actor(), visit_id)
        url = codes.visit_url(fi().settings.public_url, codes.visit_token(visit, fi().signer()))
        return _qr_response(url, fmt)


def _qr_response(data: str, fmt: str) -> Response:
    if fmt == "png":
        return _image(qr.png(data), "image/png")
    if fmt == "svg":
        return _image(qr.svg(data), "image/svg+xml")
    raise NotFound("Ask for .png or .svg.")


@blp.route("/companies/<int:company_id>/premises-code")
class PremisesCodeIssue(MethodView):
    @blp.response(201, PremisesCodeSchema)
    def post(self, company_id):
        """Issue the company's premises code (a new version revokes the old one)"""
        return codes.issue_premises(session(), actor(), company_id)

    @blp.response(200, PremisesCodeSchema)
    def get(self, company_id):
        """The company's current premises code"""
        codes.check_premises_reader(session(), actor(), company_id)
        return codes.current_premises_or_raise(session(), company_id)


@blp.route("/companies/<int:company_id>/premises-code.<string:fmt>", parameters=[QR_FORMAT])
class PremisesCodeImage(MethodView):
    @blp.doc(responses={"200": QR_IMAGE})
    def get(self, company_id, fmt):
        """The premises code as a QR image (png or svg): the URL of its page, <public
        url>/p/<token>"""
        codes.check_premises_reader(session(), actor(), company_id)
        code = codes.current_premises_or_raise(session(), company_id)
        return _qr_response(_premises_url(code), fmt)


def _premises_url(code) -> str:
    return codes.premises_url(fi().settings.public_url, codes.premises_token(code, fi().signer()))


@blp.route("/companies/<int:company_id>/premises-poster.png")
class PremisesPoster(MethodView):
    @blp.doc(responses={"200": file_answer("the poster", "image/png")})
    def get(self, company_id):
        """A printable poster: the company's name and code around its premises QR code (the
        URL of the code's page, which any phone opens)"""
        codes.check_premises_reader(session(), actor(), company_id)
        code = codes.current_premises_or_raise(session(), company_id)
        company = companies.get_or_raise(session(), actor(), company_id)
        image = qr.poster(_premises_url(code), title="入企检查码",
                          lines=[company.name, f"统一社会信用代码 {company.credit_code}",
                                 f"第 {code.version} 版"])
        return _image(image, "image/png")


@blp.route("/visits/<int:visit_id>/entries")
class VisitEntries(MethodView):
    @blp.arguments(EntrySchema)
    @blp.response(201, EntryOutSchema)
    def post(self, data, visit_id):
        """Scan-to-enter: record the entry with the premises code (or, without it, a
        reason and a photo)"""
        s = fi().settings
        me = actor()
        keys = fi().public_keys()
        try:
            return visits.enter(session(), me, visit_id, **data, public_keys=keys,
                                grace_minutes=s.entry_grace_minutes,
                                distance_flag_m=s.entry_distance_flag_m,
                                manual_days=s.manual_entry_days)
        except DomainError as exc:
            if exc.status != 404:  # nothing of the refused entry stays, but its refusal does
                visits.record_refusal(session(), me, visit_id, exc.code)
            raise


@blp.route("/visits/<int:visit_id>/pack")
class VisitPack(MethodView):
    @blp.response(200, VisitPackSchema)
    def get(self, visit_id):
        """All a phone needs offline for the visit; ETag, and 304 when unchanged"""
        keys = fi().public_keys()
        body, etag = visits.pack(session(), actor(), visit_id, signer=fi().signer(),
                                 public_keys=keys, public_url=fi().settings.public_url)
        if etag in request.if_none_match:
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        return body, 200, {"ETag": f'"{etag}"'}


@blp.route("/me/visits")
class MyVisits(MethodView):
    @blp.response(200, list_of(MyVisitSchema))
    def get(self):
        """An inspector's open visits with their pack ETags (re-download what changed)"""
        me = actor()
        keys = fi().public_keys()
        out = []
        for visit in visits.my_visits(session(), me):
            pack, etag = visits.pack(session(), me, visit.id, signer=fi().signer(),
                                     public_keys=keys, public_url=fi().settings.public_url)
            out.append({"id": visit.id, "state": visit.state, "company_id": visit.company_id,
                        "company_name": pack["company"]["name"],
                        "company_address": pack["company"]["address"],
                        "task_id": pack["visit"]["task_id"], "task": pack["visit"]["task"],
                        "team": [m["name"] for m in pack["team"]],
                        "window_start": visit.window_start, "window_end": visit.window_end,
                        "pack_etag": etag})
        return listed(out)


@blp.route("/ratings")
class Ratings(MethodView):
    @blp.response(200, list_of(RatingSchema))
    def get(self):
        """Individual ratings by companies (admin only: anonymous towards the teams)"""
        return listed(verification.ratings(session(), actor()))


@blp.route("/ratings/summary")
class RatingSummary(MethodView):
    @blp.response(200, RatingSummarySchema)
    def get(self):
        """Average ratings per department and inspector (supervisors: their department)"""
        return verification.rating_summary(session(), actor())


@blp.route("/recusals")
class Recusals(MethodView):
    @blp.response(200, list_of(RecusalSchema))
    def get(self):
        """Companies' requests that an inspector step aside (回避), for the inspector's
        department"""
        return listed(verification.recusals(session(), actor()))


@blp.route("/visits/<int:visit_id>/cancel")
class VisitCancel(MethodView):
    @blp.arguments(CancelSchema)
    @blp.response(200, VisitSchema)
    def post(self, data, visit_id):
        """Cancel a visit not yet submitted (reason and who are recorded)"""
        return visits.cancel(session(), actor(), visit_id, reason=data["reason"])


@blp.route("/visits/<int:visit_id>/reschedule")
class VisitReschedule(MethodView):
    @blp.arguments(RescheduleSchema)
    @blp.response(200, VisitSchema)
    def post(self, data, visit_id):
        """Move a visit not yet entered to a new window (its old code becomes void)"""
        return visits.reschedule(session(), actor(), visit_id, **data)


@blp.route("/companies/<int:company_id>/inspections")
class CompanyInspections(MethodView):
    @blp.arguments(YearQuery, location="query", as_kwargs=True)
    @blp.response(200, list_of(CompanyInspectionSchema))
    def get(self, company_id, year=None):
        """Inspections of the company this year: by whom, for which items (ask before entering)"""
        return listed(visits.inspections_this_year(session(), actor(), company_id,
                                                   year=year or clock.today().year))


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(ProgressQuery, location="query", as_kwargs=True)
    @blp.response(200, ProgressSchema)
    def get(self, **query):
        """Field progress per task, department and inspector: states, overdue, flagged entries"""
        return visits.progress(session(), actor(), **query)
