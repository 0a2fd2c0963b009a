"""Inspection items (随机抽查事项清单) and their checklist forms through the HTTP API: every
content change is a new immutable version; forms are validated; departments own items."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from server.models import InspectionItem, InspectionItemVersion
from tests import factories as f
from tests.assertions import assert_error

URL = "/api/v1/items"


def count(session, model=InspectionItem) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def create(api, department_id, **kw):
    resp = api.post(URL, json=f.item_data(department_id, **kw))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def versions(api, item_id):
    resp = api.get(f"{URL}/{item_id}/versions")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def form_with(*fields):
    return {"fields": [{"key": "base", "label": "基础项", "type": "yes_no_na"}, *fields]}


# --- create --------------------------------------------------------------------------------
def test_a_supervisor_creates_an_item_with_its_checklist_form(world):
    data = f.item_data(world.dept_a.id, work_guide="查看许可证原件", frequency="每年一次")
    resp = world.sup_a.post(URL, json=data)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["code"] == data["code"] and body["department_id"] == world.dept_a.id
    assert body["current_version"] == 1 and body["active"] is True
    current = body["current"]
    assert current["version"] == 1 and current["name"] == data["name"]
    assert current["legal_basis"] == data["legal_basis"] and current["work_guide"] == "查看许可证原件"
    assert [fld["key"] for fld in current["form"]["fields"]] == ["licensed", "temp", "remark"]
    temp = current["form"]["fields"][1]
    assert (temp["type"], temp["unit"], temp["min"], temp["max"]) == ("number", "℃", -30, 10)
    # "required" defaults to true, and an explicit false is kept.
    assert [fld["required"] for fld in current["form"]["fields"]] == [True, True, False]
    assert world.insp_a.get(f"{URL}/{body['id']}").get_json() == body


def test_an_item_code_is_unique(world, session):
    create(world.admin, world.dept_a.id, code="SC-001")
    before = count(session)
    body = assert_error(world.admin.post(URL, json=f.item_data(world.dept_b.id, code="SC-001")), 409,
                        "duplicate")
    assert "code" in body["errors"]
    assert count(session) == before


def test_a_key_item_has_no_ratio_cap(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=f.item_data(world.dept_a.id, item_class="key",
                                                                ratio_cap=30)), 422)
    assert "ratio_cap" in body["errors"]
    assert count(session) == before
    made = create(world.admin, world.dept_a.id, item_class="key")
    assert made["current"]["ratio_cap"] is None
    assert_error(world.admin.patch(f"{URL}/{made['id']}", json={"ratio_cap": 10}), 422)
    assert world.admin.get(f"{URL}/{made['id']}").get_json()["current_version"] == 1


def test_a_general_item_turned_key_drops_its_cap(world):
    made = create(world.admin, world.dept_a.id, item_class="general", ratio_cap=5)
    resp = world.admin.patch(f"{URL}/{made['id']}", json={"item_class": "key"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["current"]["ratio_cap"] is None


def test_sending_the_form_back_with_nulls_makes_no_new_version(world):
    made = create(world.admin, world.dept_a.id)
    form = {"fields": [{**field, "help": None, "unit": field.get("unit")}
                       for field in made["current"]["form"]["fields"]]}
    resp = world.admin.patch(f"{URL}/{made['id']}", json={"form": form})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["current_version"] == 1


def test_a_deactivated_item_cannot_be_changed(world):
    made = create(world.admin, world.dept_a.id)
    world.admin.put(f"{URL}/{made['id']}/active", json={"active": False})
    assert_error(world.admin.patch(f"{URL}/{made['id']}", json={"name": "新名称"}), 409,
                 "item_deactivated")


def test_a_general_item_needs_a_ratio_cap(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=f.item_data(world.dept_a.id, item_class="general")),
                        422)
    assert "ratio_cap" in body["errors"]
    assert_error(world.admin.post(URL, json=f.item_data(world.dept_a.id, item_class="general",
                                                        ratio_cap=None)), 422)
    assert count(session) == before
    made = create(world.admin, world.dept_a.id, item_class="general", ratio_cap=12.5)
    assert world.admin.get(f"{URL}/{made['id']}").get_json()["current"]["ratio_cap"] == 12.5


@pytest.mark.parametrize("cap", [0, -5, 100.01, 250, 12.345, "ten"])
def test_a_ratio_cap_is_a_percentage_above_zero_with_at_most_two_decimals(world, session, cap):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=f.item_data(world.dept_a.id, item_class="general",
                                                               ratio_cap=cap)), 422)
    assert "ratio_cap" in body["errors"]["json"]
    assert count(session) == before


def test_a_ratio_cap_reads_back_as_written_on_every_backend(world):
    made = create(world.admin, world.dept_a.id, item_class="general", ratio_cap=0.05)
    assert world.admin.get(f"{URL}/{made['id']}").get_json()["current"]["ratio_cap"] == 0.05
    # ... so sending it again changes nothing.
    world.admin.patch(f"{URL}/{made['id']}", json={"ratio_cap": 0.05})
    assert len(versions(world.admin, made["id"])) == 1


def test_required_expertise_must_name_existing_expertise_tags(world, session):
    f.tag(session, code="pharma", kind="expertise")
    f.tag(session, code="cold-chain", kind="expertise")
    f.tag(session, code="food", kind="industry")
    session.commit()
    made = create(world.admin, world.dept_a.id, required_expertise=["pharma", "cold-chain"])
    assert made["current"]["required_expertise"] == ["cold-chain", "pharma"]
    before = count(session)
    for codes in (["food"], ["pharma", "no-such-tag"]):
        body = assert_error(world.admin.post(URL, json=f.item_data(world.dept_a.id,
                                                                   required_expertise=codes)), 422)
        assert "required_expertise" in body["errors"]
        assert codes[-1] in json.dumps(body["errors"])
    assert count(session) == before


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("name", 7), ("legal_basis", None), ("method", "telepathy"),
    ("item_class", "urgent"), ("subject_type", "planet"), ("code", "has space"),
    ("code", "x" * 65), ("department_id", "1"), ("form", None), ("form", {"fields": []}),
    ("form", []), ("legal_basis", "《法》\x00第一条"), ("name", "x" * 201), ("owner", "me"),
])
def test_invalid_item_fields_are_refused_and_nothing_is_created(world, session, field, value):
    before = count(session)
    data = {**f.item_data(world.dept_a.id), field: value}
    body = assert_error(world.admin.post(URL, json=data), 422, "validation_error")
    assert field in body["errors"]["json"]
    assert count(session) == before


def test_an_item_for_an_unknown_department_is_refused(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=f.item_data(999999)), 422)
    assert "department_id" in body["errors"]
    assert count(session) == before


# --- checklist form validation -------------------------------------------------------------
BAD_FORMS = {
    "choice_with_one_option": form_with({"key": "grade", "label": "等级", "type": "single_choice",
                                         "options": [{"value": "a", "label": "A"}]}),
    "choice_without_options": form_with({"key": "grade", "label": "等级", "type": "multiple_choice"}),
    "duplicate_option_values": form_with({"key": "grade", "label": "等级", "type": "single_choice",
                                          "options": [{"value": "a", "label": "A"},
                                                      {"value": "a", "label": "甲"}]}),
    "duplicate_field_keys": form_with({"key": "base", "label": "又一个", "type": "text"}),
    "number_min_above_max": form_with({"key": "t", "label": "温度", "type": "number", "min": 10,
                                       "max": -30}),
    "options_on_text": form_with({"key": "t", "label": "备注", "type": "text",
                                  "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}),
    "unit_on_text": form_with({"key": "t", "label": "备注", "type": "text", "unit": "kg"}),
    "min_on_yes_no": form_with({"key": "t", "label": "是否", "type": "yes_no_na", "min": 0}),
    "unknown_type": form_with({"key": "t", "label": "签名", "type": "signature"}),
    "missing_type": form_with({"key": "t", "label": "无类型"}),
    "missing_key": form_with({"label": "无键", "type": "text"}),
    "bad_key": form_with({"key": "温度", "label": "温度", "type": "text"}),
    "unknown_field_property": form_with({"key": "t", "label": "x", "type": "text", "colour": "red"}),
    "required_not_boolean": form_with({"key": "t", "label": "x", "type": "text", "required": "maybe"}),
    "control_char_in_label": form_with({"key": "t", "label": "x\x1by", "type": "text"}),
    "no_fields_key": {"items": []},
    "fields_not_a_list": {"fields": {"key": "t"}},
}


@pytest.mark.parametrize("name", sorted(BAD_FORMS))
def test_a_malformed_checklist_form_is_refused_and_nothing_is_created(world, session, name):
    before = (count(session), count(session, InspectionItemVersion))
    resp = world.admin.post(URL, json=f.item_data(world.dept_a.id, form=BAD_FORMS[name]))
    body = assert_error(resp, 422, "validation_error")
    assert "form" in body["errors"]["json"]
    assert (count(session), count(session, InspectionItemVersion)) == before


@pytest.mark.parametrize("name", ["choice_with_one_option", "duplicate_field_keys",
                                  "number_min_above_max", "options_on_text", "missing_type"])
def test_a_malformed_form_is_refused_on_patch_too_and_makes_no_version(world, name):
    made = create(world.admin, world.dept_a.id)
    assert_error(world.admin.patch(f"{URL}/{made['id']}", json={"form": BAD_FORMS[name]}), 422,
                 "validation_error")
    assert len(versions(world.admin, made["id"])) == 1


def test_a_well_formed_form_with_every_field_type_is_kept_as_sent(world):
    form = {"fields": [
        {"key": "licensed", "label": "持证", "type": "yes_no_na", "help": "查看原件\n核对有效期"},
        {"key": "grade", "label": "等级", "type": "single_choice",
         "options": [{"value": "a", "label": "A级"}, {"value": "b", "label": "B级"}]},
        {"key": "issues", "label": "问题", "type": "multiple_choice", "required": False,
         "options": [{"value": "dirty", "label": "不洁"}, {"value": "expired", "label": "过期"},
                     {"value": "other", "label": "其他"}]},
        {"key": "temp", "label": "温度", "type": "number", "unit": "℃", "min": -18.5, "max": -18.5},
        {"key": "note", "label": "备注", "type": "text"},
        {"key": "made_on", "label": "生产日期", "type": "date"},
        {"key": "photo", "label": "现场照片", "type": "photo"},
    ]}
    made = create(world.admin, world.dept_a.id, form=form)
    got = world.admin.get(f"{URL}/{made['id']}").get_json()["current"]["form"]["fields"]
    assert [g["key"] for g in got] == [s["key"] for s in form["fields"]]
    assert got[1]["options"] == form["fields"][1]["options"]
    assert got[0]["help"] == "查看原件\n核对有效期"
    assert got[2]["required"] is False and got[4]["required"] is True
    assert (got[3]["min"], got[3]["max"]) == (-18.5, -18.5)


# --- versions ------------------------------------------------------------------------------
def test_a_content_change_makes_a_new_version_and_keeps_the_old_one(world):
    made = create(world.sup_a, world.dept_a.id, name="旧名称")
    new_form = copy.deepcopy(f.FORM)
    new_form["fields"].append({"key": "cold_log", "label": "冷链记录", "type": "yes_no_na"})
    resp = world.sup_a.patch(f"{URL}/{made['id']}", json={"name": "新名称", "form": new_form})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["current_version"] == 2 and body["current"]["version"] == 2
    assert body["current"]["name"] == "新名称"
    assert body["current"]["legal_basis"] == made["current"]["legal_basis"]  # carried over
    listed = versions(world.insp_a, made["id"])
    assert [v["version"] for v in listed] == [1, 2]
    old = world.insp_a.get(f"{URL}/{made['id']}/versions/1").get_json()
    assert old["name"] == "旧名称" and old["form"] == made["current"]["form"]
    assert "cold_log" not in [fld["key"] for fld in old["form"]["fields"]]
    assert world.insp_a.get(f"{URL}/{made['id']}/versions/2").get_json()["name"] == "新名称"
    [entry] = world.admin.get("/api/v1/audit", query_string={
        "entity_type": "inspection_item", "action": "item.new_version",
        "entity_id": str(made["id"])}).get_json()["items"]
    assert entry["before"]["version"] == 1 and entry["after"]["version"] == 2
    assert entry["before"]["name"] == "旧名称" and entry["after"]["name"] == "新名称"


@pytest.mark.parametrize("patch", [
    {}, {"name": "食品生产企业监督检查"}, {"form": f.FORM}, {"method": "on_site", "item_class": "key"},
])  # a cap asked of a key item is a 422 (test_a_key_item_has_no_ratio_cap)
def test_a_patch_that_changes_nothing_makes_no_new_version(world, patch):
    made = create(world.sup_a, world.dept_a.id)
    resp = world.sup_a.patch(f"{URL}/{made['id']}", json=patch)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["current_version"] == 1
    assert len(versions(world.sup_a, made["id"])) == 1


def test_the_whole_item_sent_back_unchanged_makes_no_new_version(world):
    made = create(world.sup_a, world.dept_a.id, work_guide="指引", frequency="每年")
    metadata = ("id", "version", "created_at", "created_by")
    content = {k: v for k, v in made["current"].items() if k not in metadata}
    resp = world.sup_a.patch(f"{URL}/{made['id']}", json=content)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["current_version"] == 1


def test_switching_between_key_and_general_follows_the_ratio_cap_rule(world):
    made = create(world.admin, world.dept_a.id)
    assert_error(world.admin.patch(f"{URL}/{made['id']}", json={"item_class": "general"}), 422)
    body = world.admin.patch(f"{URL}/{made['id']}", json={"item_class": "general",
                                                          "ratio_cap": 5}).get_json()
    assert (body["current_version"], body["current"]["ratio_cap"]) == (2, 5)
    body = world.admin.patch(f"{URL}/{made['id']}", json={"item_class": "key"}).get_json()
    assert (body["current_version"], body["current"]["ratio_cap"]) == (3, None)
    assert [v["ratio_cap"] for v in versions(world.admin, made["id"])] == [None, 5, None]


@pytest.mark.parametrize("field, value", [("code", "NEW-CODE"), ("department_id", 1), ("version", 9)])
def test_identity_fields_of_an_item_cannot_be_patched(world, field, value):
    made = create(world.admin, world.dept_a.id)
    body = assert_error(world.admin.patch(f"{URL}/{made['id']}", json={field: value}), 422)
    assert field in body["errors"]["json"]


def test_unknown_items_and_versions_are_404(world):
    made = create(world.admin, world.dept_a.id)
    for url in (f"{URL}/999999", f"{URL}/999999/versions", f"{URL}/{made['id']}/versions/2",
                f"{URL}/{made['id']}/versions/0", f"{URL}/{made['id']}/versions/{2**40}",
                f"{URL}/{2**64}", f"{URL}/{2**64}/versions/1"):
        assert_error(world.admin.get(url), 404, "not_found")


# --- who may -------------------------------------------------------------------------------
def test_a_supervisor_cannot_create_an_item_for_another_department(world, session):
    before = count(session)
    assert_error(world.sup_b.post(URL, json=f.item_data(world.dept_a.id)), 403, "forbidden")
    assert count(session) == before


def test_a_supervisor_cannot_change_another_departments_item(world):
    made = create(world.sup_a, world.dept_a.id, name="甲的事项")
    # The item is public, so sup_b can see it, and is refused outright on a change.
    assert world.sup_b.get(f"{URL}/{made['id']}").status_code == 200
    assert_error(world.sup_b.patch(f"{URL}/{made['id']}", json={"name": "乙改的"}), 403, "forbidden")
    assert_error(world.sup_b.put(f"{URL}/{made['id']}/active", json={"active": False}), 403, "forbidden")
    got = world.admin.get(f"{URL}/{made['id']}").get_json()
    assert got["current"]["name"] == "甲的事项" and got["active"] is True
    assert len(versions(world.admin, made["id"])) == 1


@pytest.mark.parametrize("role", ["coordinator", "insp_a"])
def test_coordinators_and_inspectors_cannot_write_items(world, session, role):
    api = getattr(world, role)
    made = create(world.admin, world.dept_a.id)
    before = count(session)
    assert_error(api.post(URL, json=f.item_data(world.dept_a.id)), 403, "forbidden")
    assert count(session) == before
    assert_error(api.patch(f"{URL}/{made['id']}", json={"name": "x"}), 403, "forbidden")
    assert_error(api.put(f"{URL}/{made['id']}/active", json={"active": False}), 403, "forbidden")


@pytest.mark.parametrize("role", ["admin", "coordinator", "sup_a", "sup_b", "insp_a"])
def test_every_signed_in_role_reads_items_and_their_versions(world, role):
    api = getattr(world, role)
    a = create(world.admin, world.dept_a.id)
    b = create(world.admin, world.dept_b.id)
    listed = api.get(URL).get_json()
    assert {i["id"] for i in listed["items"]} == {a["id"], b["id"]} and listed["total"] == 2
    assert api.get(f"{URL}/{b['id']}").get_json()["code"] == b["code"]
    assert len(versions(api, b["id"])) == 1
    assert api.get(f"{URL}/{b['id']}/versions/1").status_code == 200
    assert_error(world.anon.get(URL), 401)


# --- list ----------------------------------------------------------------------------------
def test_items_are_filtered_by_department_method_class_and_text(world):
    a = create(world.admin, world.dept_a.id, code="A-FOOD", name="食品检查", method="on_site")
    b = create(world.admin, world.dept_a.id, code="A-DRUG", name="药品检查", method="written_review",
               item_class="general", ratio_cap=5)
    c = create(world.admin, world.dept_b.id, code="B-FIRE", name="消防检查", method="video")

    def ids(query):
        resp = world.coordinator.get(URL, query_string=query)
        assert resp.status_code == 200, resp.get_json()
        return {i["id"] for i in resp.get_json()["items"]}

    assert ids({"department_id": world.dept_a.id}) == {a["id"], b["id"]}
    assert ids([("method", "on_site"), ("method", "video")]) == {a["id"], c["id"]}
    assert ids({"item_class": "general"}) == {b["id"]}
    assert ids({"q": "药品"}) == {b["id"]}
    assert ids({"q": "B-FI"}) == {c["id"]}
    codes = [i["code"] for i in world.coordinator.get(URL, query_string={"sort": "-code"})
             .get_json()["items"]]
    assert codes == ["B-FIRE", "A-FOOD", "A-DRUG"]
    for bad in ({"department_id": "x"}, {"department_id": "-1"}, {"department_id": "1.0"},
                {"method": "teleport"}, {"sort": "legal_basis"}):
        assert_error(world.coordinator.get(URL, query_string=bad), 422)


def test_the_list_searches_the_current_version_only(world):
    made = create(world.admin, world.dept_a.id, name="旧的名字")
    world.admin.patch(f"{URL}/{made['id']}", json={"name": "新的名字"})
    found = world.admin.get(URL, query_string={"q": "旧的"}).get_json()
    assert found["total"] == 0
    found = world.admin.get(URL, query_string={"q": "新的"}).get_json()
    assert [i["id"] for i in found["items"]] == [made["id"]]
    assert found["items"][0]["current"]["name"] == "新的名字"


def test_a_deactivated_item_leaves_the_default_list_but_stays_readable(world):
    keep = create(world.sup_a, world.dept_a.id)
    gone = create(world.sup_a, world.dept_a.id)
    resp = world.sup_a.put(f"{URL}/{gone['id']}/active", json={"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert {i["id"] for i in world.insp_a.get(URL).get_json()["items"]} == {keep["id"]}
    inactive = world.insp_a.get(URL, query_string={"active": "false"}).get_json()
    assert [i["id"] for i in inactive["items"]] == [gone["id"]]
    assert world.insp_a.get(f"{URL}/{gone['id']}/versions/1").status_code == 200
