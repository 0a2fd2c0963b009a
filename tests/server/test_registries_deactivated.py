"""Deactivated rows stay readable but cannot take new records."""

from __future__ import annotations

from tests import factories as f
from tests.assertions import assert_error


def test_a_deactivated_tag_cannot_be_given_to_a_company(world, session):
    tag = f.tag(session, "retired-tag", kind="industry")
    session.commit()
    assert world.admin.put(f"/api/v1/tags/{tag.id}/active", json={"active": False}).status_code == 200
    body = assert_error(world.admin.post("/api/v1/companies", json={
        "credit_code": f.credit_code(), "name": "某公司", "tags": ["retired-tag"]}), 422)
    assert body["errors"]["tags"] == ["tag retired-tag is deactivated"]


def test_a_deactivated_department_takes_no_new_inspectors_items_or_accounts(world, session):
    dept = f.department(session, code="OLD")
    session.commit()
    assert world.admin.put(f"/api/v1/departments/{dept.id}/active",
                           json={"active": False}).status_code == 200
    inspector = {"name": "赵六", "id_number": f.id_number(808), "certificate_number": "C-808",
                 "department_id": dept.id}
    assert_error(world.admin.post("/api/v1/inspectors", json=inspector), 422)
    assert_error(world.admin.post("/api/v1/items", json=f.item_data(dept.id)), 422)
    body = assert_error(world.admin.post("/api/v1/users", json={
        "username": "sup.old", "password": "a long password", "role": "supervisor",
        "department_id": dept.id}), 422)
    assert body["errors"]["department_id"] == ["department is deactivated"]


def test_user_and_audit_id_filters_take_query_strings(world):
    page = world.admin.get(f"/api/v1/users?department_id={world.dept_a.id}").get_json()
    assert page["total"] == 2  # the supervisor and the inspector of department A
    page = world.admin.get(f"/api/v1/audit?actor_id={world.admin_user.id}").get_json()
    assert page["total"] == 0


def test_an_impossible_user_id_is_a_404(world):
    assert_error(world.admin.get("/api/v1/users/99999999999999999999"), 404)
    assert_error(world.admin.get("/api/v1/users/2147483648"), 404)
