"""Departments (部门) and the classification library (分类标签库) through the HTTP API:
admins keep them, every signed-in user reads them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.models import Department, Tag
from tests import factories as f
from tests.assertions import assert_error

DEPTS = "/api/v1/departments"
TAGS = "/api/v1/tags"
NON_ADMINS = ["coordinator", "sup_a", "sup_b", "insp_a"]


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def post(api, url, data):
    resp = api.post(url, json=data)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def ids(resp):
    assert resp.status_code == 200, resp.get_json()
    return {row["id"] for row in resp.get_json()["items"]}


def audit(world, entity_type, entity_id, action):
    return world.admin.get("/api/v1/audit", query_string={
        "entity_type": entity_type, "entity_id": str(entity_id), "action": action}).get_json()["items"]


# --- departments ---------------------------------------------------------------------------
def test_admin_creates_a_department(world):
    body = post(world.admin, DEPTS, {"code": "SCJG", "name": "市场监督管理局", "short_name": "市场监管",
                                     "region": "130129"})
    assert (body["code"], body["name"], body["short_name"], body["region"]) == \
        ("SCJG", "市场监督管理局", "市场监管", "130129")
    assert body["active"] is True and body["created_at"]
    assert world.insp_a.get(f"{DEPTS}/{body['id']}").get_json()["name"] == "市场监督管理局"
    [entry] = audit(world, "department", body["id"], "department.create")
    assert entry["after"]["code"] == "SCJG"


@pytest.mark.parametrize("field", ["code", "name"])
def test_department_codes_and_names_are_unique(world, session, field):
    taken = {"code": world.dept_a.code, "name": world.dept_a.name}[field]
    data = {"code": "NEW", "name": "新部门", field: taken}
    before = count(session, Department)
    body = assert_error(world.admin.post(DEPTS, json=data), 409, "duplicate")
    assert field in body["errors"]
    assert count(session, Department) == before


@pytest.mark.parametrize("data", [
    {"name": "无代码"}, {"code": "X1"}, {"code": "has space", "name": "n"}, {"code": "代码", "name": "n"},
    {"code": "X1", "name": ""}, {"code": "X1", "name": "n", "region": "13-01"},
    {"code": "X1", "name": "n", "short_name": "长" * 31}, {"code": "X1", "name": "长" * 101},
    {"code": "X1", "name": "n", "active": False}, {"code": "X1", "name": "n", "id": 5},
    {"code": "X1", "name": "a\x00b"}, {"code": "X" * 33, "name": "n"},
])
def test_invalid_departments_are_refused_on_every_backend(world, session, data):
    before = count(session, Department)
    assert_error(world.admin.post(DEPTS, json=data), 422, "validation_error")
    assert count(session, Department) == before


def test_the_longest_department_code_the_column_holds_is_accepted(world):
    assert post(world.admin, DEPTS, {"code": "X" * 32, "name": "长代码部门"})["code"] == "X" * 32


def test_admin_renames_a_department_and_the_change_is_audited(world):
    resp = world.admin.patch(f"{DEPTS}/{world.dept_a.id}", json={"name": "甲部门（新）", "region": "1301"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "甲部门（新）" and body["region"] == "1301" and body["code"] == "DA"
    [entry] = audit(world, "department", world.dept_a.id, "department.update")
    assert entry["before"] == {"name": "甲部门", "region": None}
    assert entry["after"] == {"name": "甲部门（新）", "region": "1301"}


def test_a_department_cannot_take_another_departments_name_but_may_keep_its_own(world):
    assert_error(world.admin.patch(f"{DEPTS}/{world.dept_a.id}", json={"name": world.dept_b.name}),
                 409, "duplicate")
    resp = world.admin.patch(f"{DEPTS}/{world.dept_a.id}", json={"name": world.dept_a.name})
    assert resp.status_code == 200
    assert audit(world, "department", world.dept_a.id, "department.update") == []


def test_a_department_code_cannot_be_patched(world):
    body = assert_error(world.admin.patch(f"{DEPTS}/{world.dept_a.id}", json={"code": "ZZ"}), 422)
    assert "code" in body["errors"]["json"]
    assert world.admin.get(f"{DEPTS}/{world.dept_a.id}").get_json()["code"] == "DA"


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_write_departments_but_everyone_reads_them(world, session, role):
    api = getattr(world, role)
    before = count(session, Department)
    assert_error(api.post(DEPTS, json={"code": "NEW", "name": "新部门"}), 403, "forbidden")
    assert count(session, Department) == before
    assert_error(api.patch(f"{DEPTS}/{world.dept_a.id}", json={"name": "夺权"}), 403, "forbidden")
    assert_error(api.put(f"{DEPTS}/{world.dept_a.id}/active", json={"active": False}), 403, "forbidden")
    assert ids(api.get(DEPTS)) == {world.dept_a.id, world.dept_b.id}
    assert api.get(f"{DEPTS}/{world.dept_b.id}").get_json()["name"] == "乙部门"
    assert_error(world.anon.get(DEPTS), 401)


def test_departments_list_with_total_search_sort_and_active_filter(world):
    c = post(world.admin, DEPTS, {"code": "DC", "name": "丙消防大队"})
    body = world.admin.get(DEPTS).get_json()
    assert body["total"] == 3 and body["page"] == 1
    assert [d["code"] for d in body["items"]] == ["DA", "DB", "DC"]
    assert [d["code"] for d in world.admin.get(DEPTS, query_string={"sort": "-code"})
            .get_json()["items"]] == ["DC", "DB", "DA"]
    assert ids(world.admin.get(DEPTS, query_string={"q": "消防"})) == {c["id"]}
    assert ids(world.admin.get(DEPTS, query_string={"q": "DB"})) == {world.dept_b.id}
    paged = world.admin.get(DEPTS, query_string={"page_size": 2, "page": 2}).get_json()
    assert paged["total"] == 3 and [d["code"] for d in paged["items"]] == ["DC"]
    assert world.admin.put(f"{DEPTS}/{c['id']}/active", json={"active": False}).status_code == 200
    assert ids(world.admin.get(DEPTS)) == {world.dept_a.id, world.dept_b.id}
    assert ids(world.admin.get(DEPTS, query_string={"active": "false"})) == {c["id"]}
    assert_error(world.admin.get(DEPTS, query_string={"sort": "region"}), 422)
    assert_error(world.admin.get(DEPTS, query_string={"kind": "x"}), 422)


@pytest.mark.parametrize("dept_id", [999999, 2**31, 2**64])
def test_an_unknown_department_is_a_404(world, dept_id):
    assert_error(world.admin.get(f"{DEPTS}/{dept_id}"), 404, "not_found")
    assert_error(world.admin.patch(f"{DEPTS}/{dept_id}", json={"name": "x"}), 404, "not_found")


# --- tags ----------------------------------------------------------------------------------
def test_admin_creates_a_tag(world):
    body = post(world.admin, TAGS, {"code": "food-safety", "name": "食品安全", "kind": "expertise"})
    assert (body["code"], body["name"], body["kind"], body["active"]) == \
        ("food-safety", "食品安全", "expertise", True)
    assert world.insp_a.get(f"{TAGS}/{body['id']}").get_json()["code"] == "food-safety"
    [entry] = audit(world, "tag", body["id"], "tag.create")
    assert entry["after"]["kind"] == "expertise"


def test_a_tag_code_is_unique(world, session):
    post(world.admin, TAGS, {"code": "food", "name": "食品", "kind": "industry"})
    before = count(session, Tag)
    body = assert_error(world.admin.post(TAGS, json={"code": "food", "name": "别的", "kind": "other"}),
                        409, "duplicate")
    assert "code" in body["errors"]
    assert count(session, Tag) == before


@pytest.mark.parametrize("data", [
    {"code": "t", "name": "n"}, {"code": "t", "name": "n", "kind": "colour"},
    {"code": "t", "kind": "other"}, {"code": "-t", "name": "n", "kind": "other"},
    {"code": "t" * 65, "name": "n", "kind": "other"}, {"code": "t", "name": "n" * 101, "kind": "other"},
    {"code": "t", "name": "a\x1fb", "kind": "other"}, {"code": 5, "name": "n", "kind": "other"},
    {"code": "t", "name": "n", "kind": "other", "weight": 1},
])
def test_invalid_tags_are_refused(world, session, data):
    before = count(session, Tag)
    assert_error(world.admin.post(TAGS, json=data), 422, "validation_error")
    assert count(session, Tag) == before


def test_admin_changes_a_tags_name_and_kind(world, session):
    tag = post(world.admin, TAGS, {"code": "cold", "name": "冷链", "kind": "other"})
    body = world.admin.patch(f"{TAGS}/{tag['id']}",
                             json={"name": "冷链食品", "kind": "risk_domain"}).get_json()
    assert (body["code"], body["name"], body["kind"]) == ("cold", "冷链食品", "risk_domain")
    [entry] = audit(world, "tag", tag["id"], "tag.update")
    assert entry["before"] == {"name": "冷链", "kind": "other"}
    assert_error(world.admin.patch(f"{TAGS}/{tag['id']}", json={"code": "hot"}), 422)
    assert_error(world.admin.patch(f"{TAGS}/{tag['id']}", json={"kind": "colour"}), 422)


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_write_tags_but_everyone_reads_them(world, session, role):
    api = getattr(world, role)
    tag = f.tag(session, code="pharma", kind="expertise")
    session.commit()
    before = count(session, Tag)
    assert_error(api.post(TAGS, json={"code": "mine", "name": "我的", "kind": "other"}), 403, "forbidden")
    assert count(session, Tag) == before
    assert_error(api.patch(f"{TAGS}/{tag.id}", json={"name": "改"}), 403, "forbidden")
    assert_error(api.put(f"{TAGS}/{tag.id}/active", json={"active": False}), 403, "forbidden")
    assert ids(api.get(TAGS)) == {tag.id}
    assert api.get(f"{TAGS}/{tag.id}").get_json()["name"] == "pharma"


def test_tags_list_with_total_kind_filter_search_and_deactivation(world):
    a = post(world.admin, TAGS, {"code": "food", "name": "食品", "kind": "industry"})
    b = post(world.admin, TAGS, {"code": "drugs", "name": "药品", "kind": "industry"})
    c = post(world.admin, TAGS, {"code": "pharma", "name": "药学", "kind": "expertise"})
    body = world.admin.get(TAGS).get_json()
    assert body["total"] == 3 and [t["code"] for t in body["items"]] == ["drugs", "food", "pharma"]
    industry = world.admin.get(TAGS, query_string={"kind": "industry"}).get_json()
    assert industry["total"] == 2 and ids(world.admin.get(TAGS, query_string={"kind": "industry"})) == \
        {a["id"], b["id"]}
    assert ids(world.admin.get(TAGS, query_string={"q": "药"})) == {b["id"], c["id"]}
    assert ids(world.admin.get(TAGS, query_string={"q": "pharm"})) == {c["id"]}
    assert [t["code"] for t in world.admin.get(TAGS, query_string={"sort": "-name"}).get_json()["items"]] \
        == [t["code"] for t in sorted(body["items"], key=lambda t: t["name"], reverse=True)]
    assert world.admin.put(f"{TAGS}/{a['id']}/active", json={"active": False}).status_code == 200
    assert ids(world.admin.get(TAGS)) == {b["id"], c["id"]}
    assert ids(world.admin.get(TAGS, query_string={"active": "false"})) == {a["id"]}
    [entry] = audit(world, "tag", a["id"], "tag.deactivate")
    assert entry["after"] == {"active": False}
    assert_error(world.admin.get(TAGS, query_string={"kind": "colour"}), 422)


@pytest.mark.parametrize("tag_id", [999999, 2**31, 2**64])
def test_an_unknown_tag_is_a_404(world, tag_id):
    assert_error(world.admin.get(f"{TAGS}/{tag_id}"), 404, "not_found")
    assert_error(world.admin.put(f"{TAGS}/{tag_id}/active", json={"active": True}), 404, "not_found")
