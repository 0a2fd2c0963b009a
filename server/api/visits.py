"""Visits, and merging two departments' visits into one joint visit."""

from __future__ import annotations

from flask.views import MethodView

from schemas.visits import MergeRequestSchema, MergeSchema, VisitSchema
from server.api.blueprint import Blueprint
from server.api.context import actor, session
from server.services import visits

blp = Blueprint("visits", __name__, description="Visits and joint visits")


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
