"""Notes, photo links, signatures, entry scans and the submission, pushed as ops."""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st
from sqlalchemy import select

from server.models import Visit, VisitEntry
from sync.hlc import HLC
from sync.ops import RESULT_FIELD, checklist_hash
from tests.phones import (
    SIGNATURE,
    answer,
    company_sign,
    full_answers,
    op,
    op_id,
    outcomes,
    push,
)
from tests.qr import decode

PHOTO = hashlib.sha256(b"a photo of the cold store").hexdigest()


def test_notes_are_registers_any_member_writes_and_concurrent_edits_are_kept(team):
    a, b = team.phones
    visit = team.visits[0]
    note = op_id()
    first = op(visit, "set_note", note_id=note, value="冷库门未关", hlc=HLC(1, 0, "a"))
    assert outcomes(push(a, [first])) == [("applied", None)]
    edit_a = op(visit, "set_note", note_id=note, value="冷库门未关闭，已提醒",
                base=[first["op_id"]], hlc=HLC(2, 0, "a"))
    edit_b = op(visit, "set_note", note_id=note, value="冷库门未关（照片见附）",
                base=[first["op_id"]], hlc=HLC(2, 0, "b"))
    assert outcomes(push(a, [edit_a])) == [("applied", None)]
    assert outcomes(push(b, [edit_b])) == [("conflict", None)]
    (conflict,) = a[0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
    assert conflict["type"] == "note" and conflict["note_id"] == note
    assert {s["value"] for s in conflict["siblings"]} == {edit_a["value"], edit_b["value"]}
    not_text = op(visit, "set_note", note_id=op_id(), value=True, hlc=HLC(3, 0, "a"))
    assert outcomes(push(a, [not_text])) == [("rejected", "bad_value")]


def test_two_phones_attaching_one_photo_agree_and_a_concurrent_detach_is_a_conflict(team):
    a, b = team.phones
    visit = team.visits[0]
    attach_a = op(visit, "attach_photo", sha256=PHOTO, item_version_id=team.item,
                  hlc=HLC(1, 0, "a"))
    attach_b = op(visit, "attach_photo", sha256=PHOTO, item_version_id=team.item,
                  hlc=HLC(1, 0, "b"))
    assert outcomes(push(a, [attach_a])) == [("applied", None)]
    assert outcomes(push(b, [attach_b])) == [("applied", None)]  # equal values merge
    assert a[0].get(f"/api/v1/visits/{visit}/conflicts").get_json() == []
    detach = op(visit, "detach_photo", sha256=PHOTO, item_version_id=team.item,
                base=[attach_a["op_id"]], hlc=HLC(2, 0, "a"))
    result = push(a, [detach]).get_json()["results"][0]
    assert result["outcome"] == "conflict"  # b's attach was not seen: kept, not dropped
    assert {s["value"] for s in result["field"]["siblings"]} == {True, False}
    elsewhere = op(visit, "attach_photo", sha256=PHOTO, item_version_id=2**31 - 1,
                   hlc=HLC(3, 0, "a"))
    assert outcomes(push(a, [elsewhere])) == [("rejected", "item_not_in_visit")]


def test_submission_needs_every_answer_two_current_signatures_and_then_closes(team, world,
                                                                               session):
    a, b = team.phones
    visit = team.visits[0]
    ids = [p[0].get("/api/v1/me").get_json()["inspector_id"] for p in team.phones]
    early = push(a, [op(visit, "submit", hlc=HLC(1, 0, "a"))]).get_json()["results"][0]
    assert (early["outcome"], early["reason"]) == ("rejected", "not_ready")
    assert {p["problem"] for p in early["problems"]} == {
        "unanswered", "result_missing", "signatures_missing", "department_unsigned",
        "company_unsigned"}

    answers = full_answers(visit, team.item, "a")
    push(a, answers)
    result = op(visit, "set_result", category="no_problem", hlc=HLC(150, 0, "a"))
    assert outcomes(push(a, [result])) == [("applied", None)]
    state = checklist_hash({(team.item, "licensed"): "yes", (team.item, "temp"): -18,
                            (0, RESULT_FIELD): "no_problem"})
    sign_a = op(visit, "sign", sha256=SIGNATURE, state_hash=state, hlc=HLC(200, 0, "a"))
    sign_b = op(visit, "sign", sha256=SIGNATURE, state_hash="0" * 64, hlc=HLC(200, 0, "b"))
    assert outcomes(push(a, [sign_a])) == outcomes(push(b, [sign_b])) == [("applied", None)]
    assert outcomes(push(a, [company_sign(visit, state_hash=state, hlc=HLC(200, 1, "a"))])) \
        == [("applied", None)]
    stale = push(a, [op(visit, "submit", hlc=HLC(201, 0, "a"))]).get_json()["results"][0]
    assert {"problem": "signature_stale", "inspector_id": ids[1]} in stale["problems"]

    resign = op(visit, "sign", sha256=SIGNATURE, state_hash=state, base=[sign_b["op_id"]],
                hlc=HLC(202, 0, "b"))
    submit = op(visit, "submit", hlc=HLC(203, 0, "b"))
    late = answer(visit, team.item, "no", hlc=HLC(204, 0, "b"))
    assert outcomes(push(b, [resign, submit, late])) == [
        ("applied", None), ("applied", None), ("rejected", "visit_closed")]
    made = world.sup_a.get(f"/api/v1/results?task_id={team.task}").get_json()["items"]
    assert [(r["visit_id"], r["state"], r["category_name"]) for r in made] == [
        (visit, "submitted", "未发现问题")]
    session.expire_all()
    assert session.get(Visit, visit).state == "submitted"
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    signatures = [h for h in history if h["kind"] == "sign"]
    assert {h["inspector_id"] for h in signatures} == set(ids)  # each in their own register
    assert history[-1]["reason"] == "visit_closed" and history[-1]["value"] == "no"


def test_an_entry_scan_recorded_offline_is_verified_again_on_the_server(team, world, session):
    a, _ = team.phones
    visit = session.get(Visit, team.visits[1])
    visit.state = "issued"
    session.commit()
    code = decode(world.admin.get(
        f"/api/v1/companies/{visit.company_id}/premises-code.png").get_data())
    pack = a[0].get(f"/api/v1/visits/{visit.id}/pack").get_json()
    forged = code[:-6] + ("AAAAAA" if not code.endswith("AAAAAA") else "BBBBBB")
    bad = op(visit.id, "entry_scan", premises_token=forged, hlc=HLC(1, 0, "a"),
             device_time="2026-11-22T09:00:00+08:00")
    wrong_visit = op(visit.id, "entry_scan", premises_token=code, hlc=HLC(2, 0, "a"),
                     visit_token=a[0].get(f"/api/v1/visits/{team.visits[0]}/pack")
                     .get_json()["visit_token"])
    good = op(visit.id, "entry_scan", premises_token=code, visit_token=pack["visit_token"],
              latitude=None, longitude=None, hlc=HLC(3, 0, "a"))
    then = answer(visit.id, team.item, "yes", hlc=HLC(4, 0, "a"))
    result = outcomes(push(a, [bad, wrong_visit, good, then]))
    assert result[0][0] == "rejected" and result[0][1] not in (None, "not_ready")
    assert result[1:] == [("rejected", "wrong_visit_code"), ("applied", None),
                          ("applied", None)]
    session.expire_all()
    assert session.get(Visit, visit.id).state == "entered"
    entries = session.scalars(select(VisitEntry).where(VisitEntry.visit_id == visit.id)
                              .order_by(VisitEntry.id)).all()
    assert [e.method for e in entries][-1] == "scan"


def test_kind_specific_fields_are_required(team):
    a, _ = team.phones
    from tests.assertions import assert_error

    body = assert_error(push(a, [op(team.visits[0], "sign", hlc=HLC(1, 0, "a"))]), 422)
    assert "sha256" in str(body) and "state_hash" in str(body)
    assert_error(push(a, [op(team.visits[0], "set_note", value="x", hlc=HLC(1, 0, "a"))]), 422)


# --- the server merges like sync.merge, whatever the arrival order ----------------------------
@st.composite
def histories(draw):
    """Edits of one note on two phones: each based on some earlier ones (what that phone
    had seen), then delivered in any order, in any batches, some twice."""
    n = draw(st.integers(2, 7))
    edits = []
    for i in range(n):
        seen = draw(st.sets(st.integers(0, i - 1), max_size=i)) if i else set()
        edits.append({"phone": draw(st.integers(0, 1)), "value": draw(st.sampled_from("xyz")),
                      "base": sorted(seen), "hlc": (draw(st.integers(0, 3)), i)})
    order = draw(st.permutations(list(range(n)) + draw(st.lists(st.integers(0, n - 1),
                                                                  max_size=3))))
    cuts = draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=3))
    return edits, order, sorted(cuts)


def test_any_arrival_order_gives_the_server_the_state_of_the_pure_merge(team):
    from hypothesis import HealthCheck, given, settings

    from sync.merge import FieldState, Revision, apply

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(histories())
    def check(history):
        edits, order, cuts = history
        visit, note = team.visits[0], op_id()
        ops = [op(visit, "set_note", note_id=note, value=e["value"],
                  hlc=HLC(2_000_000_000_000 + e["hlc"][0], e["hlc"][1],
                          team.phones[e["phone"]][1][:8]), base=[])
               for e in edits]
        for o, e in zip(ops, edits, strict=True):
            o["base"] = [ops[b]["op_id"] for b in e["base"]]
        expected = FieldState()
        for o, e in zip(ops, edits, strict=True):
            expected = apply(expected, Revision(o["op_id"], o["value"], o["hlc"],
                                                team.phones[e["phone"]][1], frozenset(o["base"])))
        bounds = [0, *cuts, len(order)]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            for phone in (0, 1):  # a batch: the segment's ops from the phone that made them
                batch = [ops[i] for i in order[lo:hi] if edits[i]["phone"] == phone]
                if batch:
                    result = push(team.phones[phone], batch)
                    assert result.status_code == 200, result.get_json()
        conflicts = {c["note_id"]: c for c in
                     team.phones[0][0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
                     if c["type"] == "note"}
        if expected.conflicted:
            got = conflicts[note]
            assert got["winner_op_id"] == expected.winner.op_id
            assert {s["op_id"] for s in got["siblings"]} == expected.head_ids()
        else:
            assert note not in conflicts
        history_ops = {h["op_id"] for h in
                       team.phones[0][0].get(f"/api/v1/visits/{visit}/history").get_json()}
        assert {o["op_id"] for o in ops} <= history_ops  # nothing lost

    check()


def test_a_base_in_another_register_supersedes_nothing_there(team):
    """An edit supersedes only revisions of its own register: naming another register's
    revision as a base (a faulty or hostile phone) neither hides that revision's value
    nor, when it arrives later, keeps it from counting."""
    from tests.phones import pull

    a, b = team.phones
    visit = team.visits[0]
    kept, later = op_id(), op_id()
    note = op(visit, "set_note", note_id=kept, value="保留", hlc=HLC(1, 0, "a"))
    assert outcomes(push(a, [note])) == [("applied", None)]
    arriving_later = op(visit, "set_note", note_id=later, value="后到", hlc=HLC(2, 0, "a"))
    stray = answer(visit, team.item, "yes", hlc=HLC(3, 0, "a"),
                   base=[note["op_id"], arriving_later["op_id"]])
    assert outcomes(push(a, [stray])) == [("applied", None)]
    assert outcomes(push(a, [arriving_later])) == [("applied", None)]
    seen = {c["register"]: c["state"]["value"] for c in pull(b).get_json()["changes"]
            if c["kind"] == "field"}
    assert seen == {f"n:{kept}": "保留", f"n:{later}": "后到",
                    f"a:{team.item}:licensed": "yes"}

