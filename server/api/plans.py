"""Annual plans, tasks and their draws."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import list_of, listed
from schemas.plans import (
    ConflictSchema,
    DrawRunSchema,
    DrawSchema,
    InspectorSubstitutionSchema,
    PlanCreateSchema,
    PlanQuery,
    PlanSchema,
    PlanVersionSchema,
    PublishSchema,
    SubstitutionSchema,
    TaskCreateSchema,
    TaskQuery,
    TaskSchema,
    VerificationSchema,
)
from server import clock
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.request_scope import session
from server.services import draws, plans

blp = Blueprint("plans", __name__, description="Plans, tasks and the two random draws")


def _described(draw_id: int) -> dict:
    """The draw as its answer shows it, read again after any change."""
    return draws.describe(session(), draws.get_or_raise(session(), actor(), draw_id),
                          now=clock.now())


@blp.route("/plans")
class Plans(MethodView):
    @blp.paged(PlanQuery, PlanSchema)
    def get(self, **query):
        """Plans in your scope"""
        return plans.list_plans(session(), actor(), **query)

    @blp.arguments(PlanCreateSchema)
    @blp.response(201, PlanSchema)
    def post(self, data):
        """Start a department's annual plan (draft)"""
        return plans.create_plan(session(), actor(), data)


@blp.route("/plans/<int:plan_id>")
class PlanById(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, plan_id):
        """One plan"""
        return plans.get_plan_or_raise(session(), actor(), plan_id)


@blp.route("/plans/<int:plan_id>/versions")
class PlanVersions(MethodView):
    @blp.response(200, list_of(PlanVersionSchema))
    def get(self, plan_id):
        """Every published version of a plan"""
        return listed(plans.get_plan_or_raise(session(), actor(), plan_id).versions)


@blp.route("/plans/<int:plan_id>/publish")
class PlanPublish(MethodView):
    @blp.arguments(PublishSchema)
    @blp.response(200, PlanSchema)
    def post(self, data, plan_id):
        """Publish the plan; a changed published plan needs a filing reason (备案)"""
        return plans.publish_plan(session(), actor(), plan_id, filing_reason=data.get("filing_reason"))


@blp.route("/plans/<int:plan_id>/tasks")
class PlanTasks(MethodView):
    @blp.arguments(TaskCreateSchema)
    @blp.response(201, TaskSchema)
    def post(self, data, plan_id):
        """Add a task to the plan (a published plan becomes 'amended')"""
        return plans.create_task(session(), actor(), plan_id, data)


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.paged(TaskQuery, TaskSchema)
    def get(self, **query):
        """Tasks your department takes part in"""
        return plans.list_tasks(session(), actor(), **query)


@blp.route("/tasks/<int:task_id>")
class TaskById(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id):
        """One task (404 unless your department takes part)"""
        return plans.get_task_or_raise(session(), actor(), task_id)


@blp.route("/tasks/<int:task_id>/draws")
class TaskDraws(MethodView):
    @blp.arguments(DrawRunSchema)
    @blp.response(201, DrawSchema)
    def post(self, data, task_id):
        """Run the company draw and the inspector draw; issue the visits"""
        draw = draws.run(session(), actor(), task_id, reason=data.get("reason"))
        return draws.describe(session(), draw, now=clock.now())


@blp.route("/draws/<int:draw_id>")
class DrawById(MethodView):
    @blp.response(200, DrawSchema)
    def get(self, draw_id):
        """A draw with its strata, companies and teams"""
        return _described(draw_id)


@blp.route("/draws/<int:draw_id>/verify")
class DrawVerify(MethodView):
    @blp.response(200, VerificationSchema)
    def get(self, draw_id):
        """Re-run the draw from its stored inputs and compare"""
        return draws.verify(session(), draws.get_or_raise(session(), actor(), draw_id))


@blp.route("/draws/<int:draw_id>/substitutions")
class DrawSubstitutions(MethodView):
    @blp.arguments(SubstitutionSchema)
    @blp.response(201, DrawSchema)
    def post(self, data, draw_id):
        """Replace a deregistered or unreachable company by the stratum's next in rank"""
        draws.substitute(session(), actor(), draw_id, **data)
        return _described(draw_id)


@blp.route("/draws/<int:draw_id>/inspector-substitutions")
class DrawInspectorSubstitutions(MethodView):
    @blp.arguments(InspectorSubstitutionSchema)
    @blp.response(201, DrawSchema)
    def post(self, data, draw_id):
        """An inspector cannot go: the department's next by the draw's rule takes the place"""
        draws.replace_inspector(session(), actor(), draw_id, **data)
        return _described(draw_id)


@blp.route("/inspectors/<int:inspector_id>/conflicts")
class InspectorConflicts(MethodView):
    @blp.arguments(ConflictSchema)
    @blp.response(201, ConflictSchema)
    def post(self, data, inspector_id):
        """Declare a conflict of interest (回避) with a company"""
        return draws.add_conflict(session(), actor(), inspector_id, data["company_id"],
                                  data["reason"])
