"""The company's signature of the on-site record (当事人签字 / 当事人意见), or its refusal
(当事人拒绝签字): one register per visit, pushed, pulled, conflicted and resolved like any
other; required to submit an on-site visit; printed on the record (both backends)."""

from __future__ import annotations

import hashlib
import io
import re

from pypdf import PdfReader

from server.models import Visit
from sync.hlc import HLC
from sync.ops import RESULT_FIELD, checklist_hash
from tests.assertions import assert_error
from tests.phones import (
    SIGNATURE,
    company_sign,
    full_answers,
    make_team,
    op,
    outcomes,
    pull,
    push,
)

REFUSAL = "当事人拒绝签字，称负责人不在场；执法人员二人在场见证"


def refusal(visit, *, hlc, base=(), state_hash="0" * 64):
    return op(visit, "company_sign", hlc=hlc, base=base, refused=True, reason=REFUSAL,
              state_hash=state_hash)


def history(world, visit):
    return world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()


def problems(phone, visit, hlc):
    body = push(phone, [op(visit, "submit", hlc=hlc)]).get_json()["results"][0]
    assert body["reason"] == "not_ready"
    return body["problems"]


def test_a_company_signature_is_pulled_by_the_teammate_with_every_part(team):
    a, b = team.phones
    visit = team.visits[0]
    start = pull(b).get_json()["cursor"]
    signed = company_sign(visit, hlc=HLC(10, 0, "a"), statement="无异议\n以上属实")
    assert outcomes(push(a, [signed])) == [("applied", None)]
    [change] = pull(b, start).get_json()["changes"]
    assert (change["register"], change["type"], change["op_id"]) == (
        "cs:-", "company_signature", signed["op_id"])
    assert change["state"]["value"] == change["value"] == {
        "refused": False, "representative": "王经理", "statement": "无异议\n以上属实",
        "sha256": SIGNATURE, "reason": None, "state_hash": "0" * 64}
    assert change["author_inspector_id"] == a[0].get("/api/v1/me").get_json()["inspector_id"]


def test_two_phones_recording_it_at_once_conflict_and_a_later_one_resolves(team, world):
    a, b = team.phones
    visit = team.visits[0]
    signed = company_sign(visit, hlc=HLC(10, 0, "a"))
    refused = refusal(visit, hlc=HLC(11, 0, "b"))
    assert outcomes(push(a, [signed])) == [("applied", None)]
    answer = push(b, [refused]).get_json()["results"][0]
    assert answer["outcome"] == "conflict"
    assert {s["op_id"] for s in answer["field"]["siblings"]} == {signed["op_id"], refused["op_id"]}
    assert answer["field"]["winner_op_id"] == refused["op_id"]  # the greater hlc
    assert {"problem": "conflicted", "register": "cs:-"} in problems(b, visit, HLC(12, 0, "b"))

    again = company_sign(visit, hlc=HLC(13, 0, "a"), representative="王经理",
                         base=[signed["op_id"], refused["op_id"]])
    assert outcomes(push(a, [again])) == [("applied", None)]
    left = problems(a, visit, HLC(14, 0, "a"))
    assert not [p for p in left if p["problem"] in ("conflicted", "company_unsigned")]
    kinds = [h["kind"] for h in history(world, visit) if h.get("register") == "cs:-"]
    assert kinds == ["company_sign"] * 3  # nothing dropped: every revision in the history


def test_an_on_site_visit_is_submitted_only_with_the_company_signature_or_its_refusal(
        team, world, session):
    a, b = team.phones
    visit = team.visits[0]
    assert outcomes(push(a, full_answers(visit, team.item, "a"))) == [("applied", None)] * 3
    state = checklist_hash({(team.item, "licensed"): "yes", (team.item, "temp"): -18,
                            (0, RESULT_FIELD): "no_problem"})
    ready = [op(visit, "set_result", category="no_problem", hlc=HLC(150, 0, "a")),
             op(visit, "sign", sha256=SIGNATURE, state_hash=state, hlc=HLC(151, 0, "a"))]
    push(a, ready)
    push(b, [op(visit, "sign", sha256=SIGNATURE, state_hash=state, hlc=HLC(152, 0, "b"))])
    assert problems(b, visit, HLC(153, 0, "b")) == [{"problem": "company_unsigned"}]

    # the party refuses: the refusal, with the inspectors' note, lets the visit be submitted
    assert outcomes(push(a, [refusal(visit, hlc=HLC(154, 0, "a"), state_hash=state)])) == [
        ("applied", None)]
    done = push(b, [op(visit, "submit", hlc=HLC(155, 0, "b"))])
    assert outcomes(done) == [("applied", None)], done.get_json()
    session.expire_all()
    assert session.get(Visit, visit).state == "submitted"

    record = world.sup_a.get(f"/api/v1/visits/{visit}/record.pdf")
    assert record.status_code == 200, record.get_data(as_text=True)[:300]
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in
                                      PdfReader(io.BytesIO(record.get_data())).pages))
    for needle in ("被检查单位意见及签字", "当事人拒绝签字", re.sub(r"\s+", "", REFUSAL)):
        assert needle in text, needle


def test_a_visit_with_nothing_on_site_needs_no_company_signature(world, session, app):
    team = make_team(world, session, app, method="written_review")
    a, _ = team.phones
    found = {p["problem"] for p in problems(a, team.visits[0], HLC(5, 0, "a"))}
    assert "company_unsigned" not in found and "not_entered" not in found
    assert "result_missing" in found  # the rule still ran


def test_a_malformed_company_signature_is_refused_whole_and_changes_nothing(team, world):
    a, _ = team.phones
    visit = team.visits[0]
    cases = [
        ({**refusal(visit, hlc=HLC(1, 0, "a")), "sha256": SIGNATURE}, "sha256"),
        ({**company_sign(visit, hlc=HLC(2, 0, "a")), "representative": "  "}, "representative"),
        ({**company_sign(visit, hlc=HLC(3, 0, "a")), "sha256": None}, "sha256"),
        ({**refusal(visit, hlc=HLC(4, 0, "a")), "reason": ""}, "reason"),
        ({**refusal(visit, hlc=HLC(5, 0, "a")), "refused": "yes"}, "refused"),
        ({**company_sign(visit, hlc=HLC(6, 0, "a")), "statement": "x" * 1001}, "statement"),
        ({**company_sign(visit, hlc=HLC(7, 0, "a")), "representative": "王\u202e经理"},
         "representative"),
    ]
    for bad, field in cases:
        body = assert_error(push(a, [bad]), 422, "validation_error")
        assert field in str(body["errors"]), (field, body["errors"])
    assert [h for h in history(world, visit) if h.get("register") == "cs:-"] == []


def test_a_teammate_may_read_the_company_signature_image(team, world):
    """The image is evidence on the visit: whoever sees the visit sees its metadata."""
    from tests.photos import png
    from tests.tus import Phone

    a, b = team.phones
    image = png(21)
    sha = hashlib.sha256(image).hexdigest()
    Phone(*a).upload(image, filename="company.png", filetype="image/png")
    assert b[0].get(f"/api/v1/blobs/{sha}/meta").status_code == 404  # on no visit yet
    push(a, [company_sign(team.visits[0], sha256=sha, hlc=HLC(1, 0, "a"))])
    assert b[0].get(f"/api/v1/blobs/{sha}/meta").get_json()["sha256"] == sha
