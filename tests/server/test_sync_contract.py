"""The sync answers' wire contract: push, pull, history and conflicts answer exactly the
fields their schemas in ``schemas/sync.py`` declare, and those are pinned here word for
word, so a field gained or lost anywhere (in a service or in a schema) fails a test. The
phone app is written against these names."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.sync import (
    AnswerSchema,
    BlobMetaSchema,
    ChangeSchema,
    DeviceSchema,
    FieldStateSchema,
    HistoryEntrySchema,
    OpResultSchema,
    PackItemSchema,
    PackThisYearSchema,
    PackYearDepartmentSchema,
    PackYearVisitSchema,
    ProblemSchema,
    PullAnswerSchema,
    PushAnswerSchema,
    RegisterConflictSchema,
    SiblingSchema,
    SyncLimitsSchema,
    VisitPackSchema,
    VisitReviewSchema,
)
from sync.hlc import HLC
from tests.phones import answer, op, pull, push

REGISTER_PARTS = {"register", "type", "item_version_id", "field", "sha256", "note_id",
                  "inspector_id"}
FIELD_STATE = {"value", "conflicted", "winner_op_id", "siblings"}
DECLARED = {
    PushAnswerSchema: {"results"},
    OpResultSchema: {"op_id", "outcome", "reason", "stored_outcome", "field", "entry",
                     "result", "problems", "message"},
    FieldStateSchema: FIELD_STATE,
    SiblingSchema: {"op_id", "value", "hlc", "device_id"},
    ProblemSchema: {"problem", "register", "item_version_id", "field", "inspector_id",
                    "signed", "needed", "department_id"},
    PullAnswerSchema: {"changes", "cursor", "more"},
    ChangeSchema: REGISTER_PARTS | {"seq", "kind", "visit_id", "op_id", "op_kind", "value",
                                    "base", "hlc", "device_id", "author_inspector_id", "note", "state",
                                    "window_start", "window_end", "review"},
    VisitReviewSchema: {"state", "reason", "reviewed_at", "returns"},
    HistoryEntrySchema: REGISTER_PARTS | {"op_id", "kind", "value", "note", "outcome",
                                          "reason", "user", "device_id", "hlc",
                                          "device_time", "received_at"},
    RegisterConflictSchema: REGISTER_PARTS | FIELD_STATE,
    VisitPackSchema: {"visit", "company", "team", "items", "visit_token", "visit_url",
                      "premises_code", "public_keys", "this_year"},
    PackThisYearSchema: {"year", "cap_per_department", "cap_total", "inspections",
                         "total_status", "departments", "visits", "warning"},
    PackYearVisitSchema: {"visit_id", "this_visit", "state", "window_start", "window_end",
                          "entered_on", "counts_for_caps", "items"},
    PackYearDepartmentSchema: {"department_id", "department", "inspections", "on_this_visit",
                               "status"},
    PackItemSchema: {"item_version_id", "item_code", "version", "department_id", "name",
                     "legal_basis", "method", "item_class", "form", "work_guide"},
    DeviceSchema: {"id", "name", "platform", "created_at", "revoked_at", "last_push_at",
                   "credential"},
    SyncLimitsSchema: {"max_ops", "max_bytes"},
    BlobMetaSchema: {"sha256", "size", "media_type", "width", "height", "taken_at", "gps_lat",
                     "gps_lon", "has_thumbnail", "uploaded_by_device", "created_at"},
}


def declared(schema: type[AnswerSchema]) -> set[str]:
    return set(schema().dump_fields)


@pytest.mark.parametrize("schema", DECLARED, ids=lambda s: s.__name__)
def test_each_sync_answer_schema_declares_exactly_the_pinned_fields(schema):
    assert declared(schema) == DECLARED[schema]


def test_a_key_no_schema_declares_fails_the_answer_instead_of_vanishing():
    applied = {"op_id": "x", "outcome": "applied", "reason": None}
    assert PushAnswerSchema().dump({"results": [applied]}) == {"results": [applied]}
    with pytest.raises(ValueError, match="does not declare"):
        PushAnswerSchema().dump({"results": [{**applied, "applied_at": "now"}]})
    with pytest.raises(ValueError, match="does not declare"):  # nested answers too
        PushAnswerSchema().dump({"results": [{**applied, "outcome": "conflict", "field": {
            "value": 1, "conflicted": True, "winner_op_id": "x", "siblings": [],
            "losers": []}}]})


def test_push_answers_per_outcome_carry_exactly_their_keys(team):
    a, b = team.phones
    visit = team.visits[0]
    first = answer(visit, team.item, "yes", hlc=HLC(1, 0, "a"))
    assert push(a, [first]).status_code == 200
    rival = answer(visit, team.item, "no", hlc=HLC(1, 0, "b"))
    bad = answer(visit, team.item, "maybe", hlc=HLC(2, 0, "b"), field="licensed")
    submit = op(visit, "submit", hlc=HLC(3, 0, "b"))
    answered = push(b, [first, rival, bad, submit]).get_json()
    assert set(answered) == {"results"}
    duplicate, conflict, rejected, not_ready = answered["results"]
    assert (duplicate["outcome"], conflict["outcome"], rejected["outcome"],
            not_ready["reason"]) == ("duplicate", "conflict", "rejected", "not_ready")
    assert set(duplicate) == {"op_id", "outcome", "stored_outcome", "reason"}
    assert set(conflict) == {"op_id", "outcome", "reason", "field"}
    assert set(conflict["field"]) == FIELD_STATE
    assert {frozenset(s) for s in conflict["field"]["siblings"]} == {
        frozenset(DECLARED[SiblingSchema])}
    assert set(rejected) == {"op_id", "outcome", "reason"}
    assert set(not_ready) == {"op_id", "outcome", "reason", "problems"}
    assert {"problem": "result_missing"} in not_ready["problems"]
    for result in answered["results"]:
        assert set(result) <= DECLARED[OpResultSchema]


def test_pull_answers_field_and_visit_changes_with_exactly_their_keys(team):
    a, b = team.phones
    visit_changes = pull(b).get_json()
    assert set(visit_changes) == {"changes", "cursor", "more"}
    assert {frozenset(c) for c in visit_changes["changes"]} == {frozenset(
        {"seq", "kind", "visit_id", "state", "window_start", "window_end", "review"})}
    window = visit_changes["changes"][0]
    assert dt.date.fromisoformat(window["window_start"]) <= dt.date.fromisoformat(
        window["window_end"])  # dates as ISO text, as before they had a schema
    push(a, [answer(team.visits[0], team.item, "yes", hlc=HLC(5, 0, "a"))])
    [change] = pull(b, visit_changes["cursor"]).get_json()["changes"]
    assert set(change) == {"seq", "kind", "visit_id", "op_id", "op_kind", "register", "type",
                           "item_version_id", "field", "value", "base", "hlc", "device_id",
                           "author_inspector_id", "note", "state"}
    assert set(change["state"]) == FIELD_STATE
    assert set(change) <= DECLARED[ChangeSchema]


def test_history_and_conflicts_answer_exactly_their_keys(team, world):
    a, b = team.phones
    visit = team.visits[0]
    push(a, [answer(visit, team.item, "yes", hlc=HLC(1, 0, "a"))])
    push(b, [answer(visit, team.item, "no", hlc=HLC(1, 0, "b")),
             op(visit, "submit", hlc=HLC(2, 0, "b"))])
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    write, _, submitted = history
    assert set(write) == DECLARED[HistoryEntrySchema] - {"sha256", "note_id", "inspector_id"}
    assert set(submitted) == {"op_id", "kind", "register", "value", "note", "outcome",
                              "reason", "user", "device_id", "hlc", "device_time",
                              "received_at"}
    # moments as ISO 8601 text with their offset, as the services wrote them before
    assert dt.datetime.fromisoformat(write["device_time"]) == dt.datetime.fromisoformat(
        "2026-11-22T10:00:00+08:00")
    assert dt.datetime.fromisoformat(write["received_at"]).tzinfo is not None
    (conflict,) = a[0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
    assert set(conflict) == {"register", "type", "item_version_id", "field"} | FIELD_STATE


def test_the_visit_pack_answers_exactly_its_keys_and_its_etag_names_those_bytes(team):
    a, _ = team.phones
    response = a[0].get(f"/api/v1/visits/{team.visits[0]}/pack")
    pack = response.get_json()
    assert set(pack) == DECLARED[VisitPackSchema]
    assert {frozenset(i) for i in pack["items"]} == {frozenset(DECLARED[PackItemSchema])}
    assert dt.date.fromisoformat(pack["visit"]["window_start"])
    again = a[0].get(f"/api/v1/visits/{team.visits[0]}/pack",
                     headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
