"""Results: categories, review, publication; follow-ups; a company's record."""

from __future__ import annotations

from flask.views import MethodView

from schemas.common import list_of, listed
from schemas.results import (
    CategoryPutSchema,
    CategorySchema,
    CloseSchema,
    CompanyRecordSchema,
    DeclineSchema,
    DueQuery,
    FollowUpCreateSchema,
    FollowUpQuery,
    FollowUpSchema,
    PublicationDueSchema,
    ResultQuery,
    ResultSchema,
    ReturnSchema,
    WithoutFollowUpSchema,
)
from server.api.blueprint import Blueprint, path_param
from server.api.context import actor, fi
from server.request_scope import session
from server.services import company_record, departments, follow_ups, results

blp = Blueprint("results", __name__, description="Results, follow-up and publication")


def _result(result) -> dict:
    fus = follow_ups.list_for_result(session(), actor(), result.id)
    names = departments.names(session())
    return {**results.view(session(), result),
            "follow_ups": [company_record.follow_up_view(session(), f, names) for f in fus],
            "loop": follow_ups.loop_state(fus)}


@blp.route("/result-categories")
class Categories(MethodView):
    @blp.response(200, list_of(CategorySchema))
    def get(self):
        """The result categories (抽查结果类型) a result may take"""
        actor()
        return listed(results.categories(session()))


@blp.route("/result-categories/<string:code>", parameters=[
    path_param("code", "the category's code", pattern="^[a-z0-9_]{1,40}$", example="other")])
class CategoryByCode(MethodView):
    @blp.arguments(CategoryPutSchema)
    @blp.response(200, CategorySchema)
    def put(self, data, code):
        """Add or change a category (admin); deactivate instead of deleting"""
        return results.put_category(session(), actor(), code, **data)


@blp.route("/results")
class Results(MethodView):
    @blp.paged(ResultQuery, ResultSchema)
    def get(self, **query):
        """Results in scope: filter by state (submitted = awaiting review), task, company"""
        found = results.list_results(session(), actor(), **query)
        found.items = results.views(session(), found.items)
        return found


@blp.route("/results/<int:result_id>")
class ResultById(MethodView):
    @blp.response(200, ResultSchema)
    def get(self, result_id):
        """One result, per item, with its follow-ups and whether the loop is closed"""
        return _result(results.get_or_raise(session(), actor(), result_id))


@blp.route("/results/<int:result_id>/approve")
class ResultApprove(MethodView):
    @blp.response(200, ResultSchema)
    def post(self, result_id):
        """Approve (审核通过): the visit closes; the publication deadline starts"""
        return _result(results.approve(session(), actor(), result_id,
                                       auto_publish=fi().settings.auto_publish))


@blp.route("/results/<int:result_id>/return")
class ResultReturn(MethodView):
    @blp.arguments(ReturnSchema)
    @blp.response(200, ResultSchema)
    def post(self, data, result_id):
        """Return to the team with a reason: the visit reopens on their phones"""
        return _result(results.return_(session(), actor(), result_id, reason=data["reason"]))


@blp.route("/results/<int:result_id>/publish")
class ResultPublish(MethodView):
    @blp.response(200, ResultSchema)
    def post(self, result_id):
        """Publish an approved result (一公开)"""
        return _result(results.publish(session(), actor(), result_id))


@blp.route("/results/publications-due")
class PublicationsDue(MethodView):
    @blp.arguments(DueQuery, location="query", as_kwargs=True)
    @blp.response(200, list_of(PublicationDueSchema))
    def get(self, within):
        """Approved results not yet public whose deadline is near or missed"""
        return listed(results.publications_due(session(), actor(), within=within))


@blp.route("/results/without-follow-up")
class WithoutFollowUp(MethodView):
    @blp.response(200, list_of(WithoutFollowUpSchema))
    def get(self):
        """Approved results whose category needs follow-up and that have none"""
        return listed(follow_ups.results_without_follow_up(session(), actor()))


@blp.route("/results/<int:result_id>/follow-ups")
class ResultFollowUps(MethodView):
    @blp.arguments(FollowUpCreateSchema)
    @blp.response(201, FollowUpSchema)
    def post(self, data, result_id):
        """Open a follow-up (后续处置): rectify, transfer, case or referral"""
        return company_record.follow_up_view(
            session(), follow_ups.open_follow_up(session(), actor(), result_id, **data))


@blp.route("/follow-ups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpQuery, location="query", as_kwargs=True)
    @blp.response(200, list_of(FollowUpSchema))
    def get(self, **query):
        """Follow-ups of my department: ``queue`` to act on, ``overdue``"""
        return listed(company_record.follow_up_view(session(), f)
                      for f in follow_ups.list_follow_ups(session(), actor(), **query))


@blp.route("/follow-ups/<int:follow_up_id>")
class FollowUpById(MethodView):
    @blp.response(200, FollowUpSchema)
    def get(self, follow_up_id):
        """One follow-up"""
        return company_record.follow_up_view(
            session(), follow_ups.get_or_raise(session(), actor(), follow_up_id))


@blp.route("/follow-ups/<int:follow_up_id>/accept")
class FollowUpAccept(MethodView):
    @blp.response(200, FollowUpSchema)
    def post(self, follow_up_id):
        """The receiving department takes a transfer on"""
        return company_record.follow_up_view(
            session(), follow_ups.decide(session(), actor(), follow_up_id, accept=True))


@blp.route("/follow-ups/<int:follow_up_id>/decline")
class FollowUpDecline(MethodView):
    @blp.arguments(DeclineSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data, follow_up_id):
        """The receiving department declines a transfer, saying why"""
        return company_record.follow_up_view(session(), follow_ups.decide(
            session(), actor(), follow_up_id, accept=False, reason=data["reason"]))


@blp.route("/follow-ups/<int:follow_up_id>/close")
class FollowUpClose(MethodView):
    @blp.arguments(CloseSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data, follow_up_id):
        """The owner records the outcome; it shows on the result and the company record"""
        return company_record.follow_up_view(
            session(), follow_ups.close(session(), actor(), follow_up_id, **data))


@blp.route("/companies/<int:company_id>/record")
class CompanyRecord(MethodView):
    @blp.response(200, CompanyRecordSchema)
    def get(self, company_id):
        """A company's inspections, results, inspections this year per department and
        follow-ups: the feed of its credit record"""
        return company_record.record(session(), actor(), company_id)
