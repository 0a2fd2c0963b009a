"""The inspector registry (执法检查人员名录库) through the HTTP API: department scope, the
resident ID number (checked, never shown, never stored in full) and certificates."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import func, select

from schemas.codes import id_check_char, mask_id_number
from server.models import Inspector
from tests import factories as f
from tests.assertions import assert_error

URL = "/api/v1/inspectors"
_n = itertools.count(500)


def id_number(seq: int | None = None, born: str = "19850615") -> str:
    """A valid ID number with a chosen sequence (odd: male, even: female)."""
    seq = next(_n) if seq is None else seq
    body = f"130102{born}{seq % 1000:03d}"
    return body + id_check_char(body)


def payload(department_id, **kw):
    n = next(_n)
    return {"name": f"检查员{n}", "id_number": id_number(n), "certificate_number": f"HB-{n:08d}",
            "department_id": department_id, "certificate_valid_from": "2024-01-01",
            "certificate_valid_until": "2029-12-31", **kw}


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Inspector))


def create(api, department_id, **kw):
    resp = api.post(URL, json=payload(department_id, **kw))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def ids(resp):
    assert resp.status_code == 200, resp.get_json()
    return {i["id"] for i in resp.get_json()["items"]}


# --- create and the ID number --------------------------------------------------------------
def test_a_supervisor_registers_an_inspector_in_their_own_department(world, session):
    f.tag(session, code="food-safety", kind="expertise")
    session.commit()
    number = id_number(123, born="19800101")
    data = payload(world.dept_a.id, id_number=number, mobile="13812345678", section="食品科",
                   issuing_authority="河北省人民政府", tags=["food-safety"])
    resp = world.sup_a.post(URL, json=data)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["department_id"] == world.dept_a.id and body["name"] == data["name"]
    assert body["gender"] == "male"  # sequence 123 is odd
    assert body["tags"] == ["food-safety"] and body["active"] is True
    assert body["certificate_valid_until"] == "2029-12-31"
    assert body["id_number_masked"] == "1301**********" + number[-4:] == mask_id_number(number)
    assert "id_number" not in body
    got = world.sup_a.get(f"{URL}/{body['id']}")
    assert got.get_json()["id_number_masked"] == body["id_number_masked"]
    assert world.sup_a.get(URL).get_json()["total"] == 2  # with the world's inspector of DA


def test_the_full_id_number_is_never_returned_nor_stored_nor_audited(world, session):
    number = id_number(124, born="19770305")
    created = create(world.admin, world.dept_a.id, id_number=number)
    for resp in (world.admin.get(f"{URL}/{created['id']}"), world.admin.get(URL),
                 world.admin.patch(f"{URL}/{created['id']}", json={"section": "稽查科"}),
                 world.admin.get("/api/v1/audit", query_string={"entity_type": "inspector"})):
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert number not in text and "19770305" not in text
    session.expire_all()
    row = session.get(Inspector, created["id"])
    stored = json.dumps({c.name: str(getattr(row, c.key)) for c in Inspector.__table__.columns})
    assert number not in stored and "19770305" not in stored
    assert row.id_number_masked == "1301**********" + number[-4:]


def test_the_id_number_is_typed_by_hand_and_normalized(world, session):
    number = id_number(125)
    body = number[:17] + "x" if number.endswith("X") else number
    created = create(world.admin, world.dept_a.id, id_number=f" {body[:6]} {body[6:]} ")
    assert created["id_number_masked"] == mask_id_number(number)


def test_a_wrong_check_digit_is_refused_and_nothing_is_stored(world, session):
    before = count(session)
    number = id_number(126)
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    body = assert_error(world.admin.post(URL, json=payload(world.dept_a.id, id_number=bad)), 422,
                        "invalid_id_number")
    assert "id_number" in body["errors"]["json"]
    assert count(session) == before


@pytest.mark.parametrize("bad,code", [
    ("13010219850615123", "invalid_id_number"), ("1301021985061512345", "invalid_id_number"),
    ("130102198502301234", "invalid_id_number"), ("١٣٠١٠٢١٩٨٥٠٦١٥١٢٣٤", "invalid_id_number"),
    ("13010219850615\x00234", "invalid_id_number"),
    (130102198506151234, "validation_error"),  # a number, not text: a type error
])
def test_malformed_id_numbers_are_refused(world, session, bad, code):
    before = count(session)
    assert_error(world.admin.post(URL, json=payload(world.dept_a.id, id_number=bad)), 422, code)
    assert count(session) == before


def test_a_stated_gender_must_agree_with_the_id_number(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(world.dept_a.id, id_number=id_number(128),
                                                           gender="male")), 422)
    assert "gender" in body["errors"]
    assert count(session) == before
    assert create(world.admin, world.dept_a.id, id_number=id_number(130), gender="female")["gender"] \
        == "female"


def test_an_id_number_cannot_be_registered_twice(world, session):
    number = id_number(131)
    create(world.sup_a, world.dept_a.id, id_number=number)
    before = count(session)
    body = assert_error(world.sup_a.post(URL, json=payload(world.dept_a.id, id_number=number)), 409,
                        "duplicate")
    assert "id_number" in body["errors"]
    # The same person cannot be registered by another department either.
    assert_error(world.sup_b.post(URL, json=payload(world.dept_b.id, id_number=number)), 409, "duplicate")
    assert count(session) == before


def test_a_certificate_number_cannot_be_registered_twice(world, session):
    create(world.admin, world.dept_a.id, certificate_number="冀执法-0001")
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(world.dept_b.id,
                                                           certificate_number="冀执法-0001")),
                        409, "duplicate")
    assert "certificate_number" in body["errors"]
    assert count(session) == before


def test_a_certificate_cannot_end_before_it_starts(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(
        world.dept_a.id, certificate_valid_from="2025-01-01", certificate_valid_until="2024-12-31")), 422)
    assert "certificate_valid_until" in body["errors"]["json"]
    assert count(session) == before


def test_a_patch_cannot_make_the_certificate_end_before_it_starts(world):
    created = create(world.admin, world.dept_a.id)  # valid 2024-01-01 .. 2029-12-31
    body = assert_error(world.admin.patch(f"{URL}/{created['id']}",
                                          json={"certificate_valid_until": "2023-06-30"}), 422)
    assert "certificate_valid_until" in body["errors"]
    got = world.admin.get(f"{URL}/{created['id']}").get_json()
    assert got["certificate_valid_until"] == "2029-12-31"


@pytest.mark.parametrize("field, value", [
    ("name", 1), ("name", ""), ("name", "长" * 51), ("mobile", "12345"), ("mobile", "23812345678"),
    ("certificate_number", None), ("certificate_valid_from", "2024-02-30"), ("gender", "other"),
    ("department_id", "1"), ("department_id", 0), ("department_id", 2**31), ("section", "a\x00b"),
])
def test_fields_of_the_wrong_type_or_value_are_refused(world, session, field, value):
    before = count(session)
    data = {**payload(world.dept_a.id), field: value}
    body = assert_error(world.admin.post(URL, json=data), 422)
    assert field in body["errors"]["json"]
    assert count(session) == before


def test_an_unknown_field_is_refused(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(world.dept_a.id, id_number_digest="x")), 422)
    assert "id_number_digest" in body["errors"]["json"]
    assert count(session) == before


def test_an_unknown_department_is_refused(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(999999)), 422)
    assert "department_id" in body["errors"]
    assert count(session) == before


# --- tags ----------------------------------------------------------------------------------
def test_inspector_tags_are_expertise_or_other_tags_only(world, session):
    f.tag(session, code="pharma", kind="expertise")
    f.tag(session, code="veteran", kind="other")
    f.tag(session, code="food-industry", kind="industry")
    f.tag(session, code="big", kind="scale")
    session.commit()
    assert create(world.admin, world.dept_a.id, tags=["veteran", "pharma"])["tags"] == ["pharma", "veteran"]
    before = count(session)
    for wrong in ("food-industry", "big"):
        body = assert_error(world.admin.post(URL, json=payload(world.dept_a.id, tags=["pharma", wrong])),
                            422)
        assert wrong in json.dumps(body["errors"]["tags"])
    assert_error(world.admin.post(URL, json=payload(world.dept_a.id, tags=["no-such-tag"])), 422)
    assert count(session) == before


def test_a_tag_filter_finds_the_inspectors_with_that_expertise(world, session):
    f.tag(session, code="pharma", kind="expertise")
    session.commit()
    expert = create(world.admin, world.dept_a.id, tags=["pharma"])
    assert ids(world.admin.get(URL, query_string={"tag": "pharma"})) == {expert["id"]}


# --- department scope ----------------------------------------------------------------------
def test_a_supervisor_cannot_register_an_inspector_in_another_department(world, session):
    before = count(session)
    # Departments are public, so this is a refusal (403), not a pretended absence (404).
    assert_error(world.sup_a.post(URL, json=payload(world.dept_b.id)), 403, "forbidden")
    assert count(session) == before


@pytest.mark.parametrize("role", ["coordinator", "insp_a"])
def test_coordinators_and_inspectors_cannot_register_inspectors(world, session, role):
    before = count(session)
    assert_error(getattr(world, role).post(URL, json=payload(world.dept_a.id)), 403, "forbidden")
    assert count(session) == before


def test_supervisor_of_another_department_gets_404_for_an_inspector(world):
    other = world.inspector_a.id
    assert_error(world.sup_b.get(f"{URL}/{other}"), 404, "not_found")
    assert_error(world.sup_b.patch(f"{URL}/{other}", json={"section": "x"}), 404, "not_found")
    assert_error(world.sup_b.put(f"{URL}/{other}/active", json={"active": False}), 404, "not_found")
    # The refusal looks exactly like an inspector that does not exist.
    missing = world.sup_b.get(f"{URL}/999999").get_json()
    assert world.sup_b.get(f"{URL}/{other}").get_json()["message"] == missing["message"]
    assert world.admin.get(f"{URL}/{other}").get_json()["section"] is None


def test_a_supervisors_list_holds_only_their_own_department(world):
    extra = create(world.sup_a, world.dept_a.id)
    listed = world.sup_b.get(URL).get_json()
    assert {i["id"] for i in listed["items"]} == {world.inspector_b.id}
    assert listed["total"] == 1
    # Asking for another department by filter does not widen the scope.
    assert ids(world.sup_b.get(URL, query_string={"department_id": world.dept_a.id})) == set()
    assert ids(world.sup_a.get(URL)) == {world.inspector_a.id, extra["id"]}


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordinators_and_admins_see_every_department(world, role):
    api = getattr(world, role)
    body = api.get(URL).get_json()
    assert {i["id"] for i in body["items"]} == {world.inspector_a.id, world.inspector_b.id}
    assert body["total"] == 2
    assert api.get(f"{URL}/{world.inspector_b.id}").status_code == 200
    assert ids(api.get(URL, query_string={"department_id": world.dept_b.id})) == {world.inspector_b.id}
    for bad in ("x", "0", "-1", "1.0", str(2**31)):
        assert_error(api.get(URL, query_string={"department_id": bad}), 422, "validation_error")


def test_an_inspector_sees_only_their_own_record(world):
    body = world.insp_a.get(URL).get_json()
    assert [i["id"] for i in body["items"]] == [world.inspector_a.id]
    assert body["total"] == 1
    assert world.insp_a.get(f"{URL}/{world.inspector_a.id}").status_code == 200
    colleague = create(world.sup_a, world.dept_a.id)
    for other in (colleague["id"], world.inspector_b.id):
        assert_error(world.insp_a.get(f"{URL}/{other}"), 404, "not_found")
    assert world.insp_a.get(URL).get_json()["total"] == 1


def test_an_inspector_cannot_change_even_their_own_record(world):
    assert_error(world.insp_a.patch(f"{URL}/{world.inspector_a.id}", json={"mobile": "13900000000"}),
                 403, "forbidden")
    assert_error(world.insp_a.put(f"{URL}/{world.inspector_a.id}/active", json={"active": False}),
                 403, "forbidden")


def test_a_supervisor_cannot_move_an_inspector_to_another_department(world):
    own = create(world.sup_a, world.dept_a.id)
    assert_error(world.sup_a.patch(f"{URL}/{own['id']}", json={"department_id": world.dept_b.id}),
                 403, "forbidden")
    assert world.admin.get(f"{URL}/{own['id']}").get_json()["department_id"] == world.dept_a.id
    moved = world.admin.patch(f"{URL}/{own['id']}", json={"department_id": world.dept_b.id})
    assert moved.status_code == 200 and moved.get_json()["department_id"] == world.dept_b.id
    assert_error(world.sup_a.get(f"{URL}/{own['id']}"), 404)


# --- change --------------------------------------------------------------------------------
def test_patch_changes_only_the_given_fields_and_is_audited(world, session):
    f.tag(session, code="pharma", kind="expertise")
    session.commit()
    created = create(world.sup_a, world.dept_a.id, mobile="13812345678", section="一科", tags=["pharma"])
    resp = world.sup_a.patch(f"{URL}/{created['id']}", json={"section": "二科"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["section"] == "二科"
    for kept in ("mobile", "tags", "certificate_number", "certificate_valid_from", "gender",
                 "id_number_masked", "name"):
        assert body[kept] == created[kept], kept
    entries = world.admin.get("/api/v1/audit", query_string={
        "entity_type": "inspector", "entity_id": str(created["id"]), "action": "inspector.update"})
    [entry] = entries.get_json()["items"]
    assert entry["before"] == {"section": "一科"} and entry["after"] == {"section": "二科"}


def test_patching_the_id_number_updates_mask_and_gender_and_keeps_it_unique(world):
    created = create(world.admin, world.dept_a.id, id_number=id_number(140))
    assert created["gender"] == "female"
    new_number = id_number(141)
    body = world.admin.patch(f"{URL}/{created['id']}", json={"id_number": new_number}).get_json()
    assert body["gender"] == "male" and body["id_number_masked"] == mask_id_number(new_number)
    # Another inspector's number: a conflict; one's own number again: no conflict.
    other = create(world.admin, world.dept_a.id)
    assert_error(world.admin.patch(f"{URL}/{other['id']}", json={"id_number": new_number}), 409,
                 "duplicate")
    assert world.admin.patch(f"{URL}/{created['id']}", json={"id_number": new_number}).status_code == 200


def test_gender_alone_cannot_be_patched_because_it_follows_the_id_number(world):
    created = create(world.admin, world.dept_a.id, id_number=id_number(142))
    body = assert_error(world.admin.patch(f"{URL}/{created['id']}", json={"gender": "male"}), 422)
    assert "gender" in body["errors"]


def test_patching_a_certificate_number_to_another_inspectors_is_a_conflict(world):
    a = create(world.admin, world.dept_a.id)
    b = create(world.admin, world.dept_a.id)
    assert_error(world.admin.patch(f"{URL}/{b['id']}", json={"certificate_number": a["certificate_number"]}),
                 409, "duplicate")
    assert world.admin.get(f"{URL}/{b['id']}").get_json()["certificate_number"] == b["certificate_number"]


# --- certificates and the list -------------------------------------------------------------
def test_certified_on_excludes_certificates_not_valid_that_day(world):
    expired = create(world.admin, world.dept_a.id, certificate_valid_from="2015-01-01",
                     certificate_valid_until="2020-12-31")
    future = create(world.admin, world.dept_a.id, certificate_valid_from="2026-07-01",
                    certificate_valid_until="2031-06-30")
    open_ended = create(world.admin, world.dept_a.id, certificate_valid_from=None,
                        certificate_valid_until=None)
    current = {world.inspector_a.id, world.inspector_b.id, open_ended["id"]}
    assert ids(world.admin.get(URL, query_string={"certified_on": "2025-06-01"})) == current
    assert ids(world.admin.get(URL, query_string={"certified_on": "2020-12-31"})) == \
        {expired["id"], open_ended["id"]}
    assert ids(world.admin.get(URL, query_string={"certified_on": "2026-07-01"})) == \
        current | {future["id"]}
    assert_error(world.admin.get(URL, query_string={"certified_on": "yesterday"}), 422)


def test_search_by_name_or_exact_certificate_number_and_sort(world):
    a = create(world.admin, world.dept_a.id, name="王五", certificate_number="冀-A-1")
    b = create(world.admin, world.dept_a.id, name="王六", certificate_number="冀-A-2")
    assert ids(world.admin.get(URL, query_string={"q": "王"})) == {a["id"], b["id"]}
    assert ids(world.admin.get(URL, query_string={"q": "冀-A-2"})) == {b["id"]}
    names = [i["name"] for i in world.admin.get(URL, query_string={"q": "王", "sort": "-name"})
             .get_json()["items"]]
    assert names == sorted(names, reverse=True)
    assert_error(world.admin.get(URL, query_string={"sort": "id_number_digest"}), 422)


def test_a_deactivated_inspector_leaves_the_default_list(world):
    gone = create(world.sup_a, world.dept_a.id)
    resp = world.sup_a.put(f"{URL}/{gone['id']}/active", json={"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert gone["id"] not in ids(world.sup_a.get(URL))
    assert ids(world.sup_a.get(URL, query_string={"active": "false"})) == {gone["id"]}


@pytest.mark.parametrize("inspector_id", [2**31, 2**63, 10**25])
def test_an_absurd_inspector_id_is_a_404(world, inspector_id):
    assert_error(world.admin.get(f"{URL}/{inspector_id}"), 404, "not_found")
    assert_error(world.admin.patch(f"{URL}/{inspector_id}", json={"section": "x"}), 404, "not_found")
