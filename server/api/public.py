"""Public, unauthenticated reading (一公开): plans, tasks, draws, draw verification and
published results."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from schemas.common import PageQuery, list_of, listed
from schemas.fields import QueryId
from schemas.plans import (
    DrawSummarySchema,
    PlanSchema,
    PlanVersionSchema,
    PublicDrawSchema,
    TaskSchema,
    VerificationSchema,
)
from schemas.results import PublicResultQuery, PublicResultSchema
from server import clock
from server.api.blueprint import Blueprint, file_answer
from server.request_scope import session
from server.services import draws, publication, results

blp = Blueprint("public", __name__,
                description="Published plans, tasks and draws; no sign-in")


class PublicPlanQuery(PageQuery):
    class Meta:
        exclude = ("active", "sort")

    department_id = QueryId()
    year = QueryId()


@blp.route("/plans")
class PublicPlans(MethodView):
    @blp.doc(security=[])
    @blp.paged(PublicPlanQuery, PlanSchema)
    def get(self, **query):
        """Published plans"""
        return publication.list_plans(session(), **query)


@blp.route("/plans/<int:plan_id>/versions")
class PublicPlanVersions(MethodView):
    @blp.doc(security=[])
    @blp.response(200, list_of(PlanVersionSchema))
    def get(self, plan_id):
        """Every published version of a plan, with its filing reasons"""
        return listed(publication.plan_versions(session(), plan_id))


@blp.route("/tasks/<int:task_id>")
class PublicTask(MethodView):
    @blp.doc(security=[])
    @blp.response(200, TaskSchema)
    def get(self, task_id):
        """A published task, with its seed commitment"""
        return publication.task(session(), task_id)


@blp.route("/tasks/<int:task_id>/draws")
class PublicTaskDraws(MethodView):
    @blp.doc(security=[])
    @blp.response(200, list_of(DrawSummarySchema))
    def get(self, task_id):
        """The draws of a task, redraws included"""
        return listed(publication.task_draws(session(), task_id))


@blp.route("/draws/<int:draw_id>")
class PublicDraw(MethodView):
    @blp.doc(security=[])
    @blp.response(200, PublicDrawSchema)
    def get(self, draw_id):
        """A draw: hashes, strata, companies, teams; the seed once the window has started"""
        return publication.describe_draw(session(), draw_id, now=clock.now())


@blp.route("/draws/<int:draw_id>/strata/<string:stratum>")
class PublicStratum(MethodView):
    @blp.doc(security=[], responses={"200": file_answer(
        "the stratum's credit codes, one per line", "text/plain")})
    def get(self, draw_id, stratum):
        """A stratum's eligible credit codes, sorted, one per line (text/plain)"""
        body = draws.stratum_codes(session(), publication.draw(session(), draw_id), stratum)
        return Response(body, mimetype="text/plain")


@blp.route("/draws/<int:draw_id>/verify")
class PublicVerify(MethodView):
    @blp.doc(security=[])
    @blp.response(200, VerificationSchema)
    def get(self, draw_id):
        """Re-run the draw from its published inputs and say match or mismatch"""
        return draws.verify(session(), publication.draw(session(), draw_id))


@blp.route("/results")
class PublicResults(MethodView):
    @blp.doc(security=[])
    @blp.paged(PublicResultQuery, PublicResultSchema)
    def get(self, task_id=None, credit_code=None, page=1, page_size=50, sort=None):
        """Published results (一公开) of a task or a company: company, task, departments,
        items, result category and date; nothing personal. Give task_id, credit_code or
        both"""
        return results.public_results(session(), task_id=task_id, credit_code=credit_code,
                                      page=page, page_size=page_size, sort=sort)
