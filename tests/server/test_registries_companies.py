"""The company registry (检查对象名录库) through the HTTP API."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server.models import Company
from tests import factories as f
from tests.assertions import assert_error

URL = "/api/v1/companies"


def payload(**kw):
    return {"credit_code": f.credit_code(), "name": f"测试公司{f.credit_code()[-6:]}有限公司", **kw}


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Company))


def create(world, **kw):
    resp = world.admin.post(URL, json=payload(**kw))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def raw_post(api, body: str):
    """A JSON body exactly as given (for escapes a Python dict cannot be serialized with)."""
    return api.post(URL, data=body, headers={"Content-Type": "application/json"})


def audit_entries(world, company_id, action=None):
    query = {"entity_type": "company", "entity_id": str(company_id)}
    if action:
        query["action"] = action
    resp = world.admin.get("/api/v1/audit", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


# --- create --------------------------------------------------------------------------------
def test_admin_registers_a_company_with_its_tags_returned_as_codes(world, session):
    f.tag(session, code="food", kind="industry")
    f.tag(session, code="cold-chain", kind="risk_domain")
    session.commit()
    data = payload(legal_representative="张三", address="河北省石家庄市", established_on="2019-05-20",
                   phone="0311-12345678", industry="食品生产", region="130129",
                   credit_risk_class="C", tags=["food", "cold-chain"], latitude=38.04,
                   longitude=114.51)
    resp = world.admin.post(URL, json=data)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["credit_code"] == data["credit_code"]
    assert body["tags"] == ["cold-chain", "food"]
    assert body["established_on"] == "2019-05-20"
    assert body["credit_risk_class"] == "C" and body["status"] == "operating"
    assert body["subject_type"] == "enterprise" and body["active"] is True
    assert (body["latitude"], body["longitude"]) == (38.04, 114.51)
    got = world.coordinator.get(f"{URL}/{body['id']}").get_json()
    assert got["name"] == data["name"] and got["tags"] == ["cold-chain", "food"]
    [entry] = audit_entries(world, body["id"], "company.create")
    assert entry["after"]["credit_code"] == data["credit_code"]


def test_a_credit_code_with_a_wrong_check_character_is_refused_and_nothing_is_stored(world, session):
    before = count(session)
    good = f.credit_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    body = assert_error(world.admin.post(URL, json=payload(credit_code=bad)), 422, "invalid_credit_code")
    assert "credit_code" in body["errors"]["json"]
    assert count(session) == before


def test_a_registered_credit_code_cannot_be_registered_again(world, session):
    code = create(world)["credit_code"]
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(credit_code=code)), 409, "duplicate")
    assert "credit_code" in body["errors"]
    assert count(session) == before


def test_a_credit_code_typed_in_lowercase_with_spaces_is_stored_normalized(world):
    code = f.credit_code()
    typed = f"  {code[:8].lower()} {code[8:].lower()} "
    body = create(world, credit_code=typed)
    assert body["credit_code"] == code
    # ... and is then the same company as the normalized one.
    assert_error(world.admin.post(URL, json=payload(credit_code=code)), 409, "duplicate")


def test_an_unknown_field_is_refused_and_nothing_is_created(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(ceo="nobody")), 422, "validation_error")
    assert "ceo" in body["errors"]["json"]
    assert count(session) == before


@pytest.mark.parametrize("field, value", [
    ("name", 12345), ("name", None), ("name", ""), ("name", "   "), ("name", ["a"]),
    ("latitude", "abc"), ("latitude", True), ("established_on", "2020-13-45"),
    ("established_on", 20200101), ("credit_risk_class", "E"), ("status", "bankrupt"),
    ("subject_type", "government"), ("region", "13a129"), ("phone", "call me"),
    ("tags", "food"), ("tags", [1]),
])
def test_a_field_of_the_wrong_type_or_value_is_refused(world, session, field, value):
    before = count(session)
    data = payload(**{field: value})
    if field == "latitude":
        data["longitude"] = 114.5
    body = assert_error(world.admin.post(URL, json=data), 422, "validation_error")
    assert field in body["errors"]["json"]
    assert count(session) == before


@pytest.mark.parametrize("coords", [{"latitude": 38.0}, {"longitude": 114.5},
                                    {"latitude": 91, "longitude": 0},
                                    {"latitude": 0, "longitude": -181}])
def test_coordinates_must_come_in_a_pair_within_range(world, session, coords):
    before = count(session)
    assert_error(world.admin.post(URL, json=payload(**coords)), 422, "validation_error")
    assert count(session) == before


def test_non_finite_coordinates_are_refused(world, session):
    before = count(session)
    body = json.dumps(payload()).rstrip("}") + ', "latitude": NaN, "longitude": Infinity}'
    resp = raw_post(world.admin, body)
    assert resp.status_code in (400, 422) and resp.is_json
    assert count(session) == before


def test_an_unknown_tag_is_refused_and_named(world, session):
    before = count(session)
    body = assert_error(world.admin.post(URL, json=payload(tags=["no-such-tag"])), 422)
    assert "no-such-tag" in json.dumps(body["errors"])
    assert count(session) == before


@pytest.mark.parametrize("hostile", [
    "x'); DROP TABLE companies;--",
    "<script>alert(1)</script>",
    "Robert\"; DELETE FROM tags WHERE '1'='1",
    "%_\\ 百分号",
    "🏭 emoji 公司",
])
def test_hostile_strings_are_stored_and_returned_verbatim(world, hostile):
    created = create(world, name=hostile, address=hostile, business_scope=hostile)
    got = world.admin.get(f"{URL}/{created['id']}").get_json()
    assert got["name"] == got["address"] == got["business_scope"] == hostile
    # The table still works, and searching for the string finds exactly this company.
    listed = world.admin.get(URL, query_string={"q": hostile}).get_json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert create(world)["id"] != created["id"]


def test_like_wildcards_in_a_search_match_only_themselves(world):
    create(world, name="百分之百公司")
    pct = create(world, name="100%_公司")
    listed = world.admin.get(URL, query_string={"q": "%_"}).get_json()
    assert [c["id"] for c in listed["items"]] == [pct["id"]]


@pytest.mark.parametrize("escape", ["\\u0000", "\\u0001", "\\u001b", "\\u007f", "\\u0085",
                                    "\\u009b", "\\u202a", "\\u202e", "\\u2066", "\\u2069",
                                    "\\ud800", "\\udfff"])
@pytest.mark.parametrize("field", ["name", "address", "business_scope", "legal_representative"])
def test_control_characters_and_lone_surrogates_are_a_422_never_a_500(world, session, escape, field):
    before = count(session)
    data = payload()
    body = json.dumps(data, ensure_ascii=False).rstrip("}") + f', "{field}": "a{escape}b"}}'
    err = assert_error(raw_post(world.admin, body), 422, "validation_error")
    assert field in err["errors"]["json"]
    assert count(session) == before


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
def test_a_control_character_in_a_credit_code_is_a_422(world, session, escape):
    before = count(session)
    code = f.credit_code()
    body = json.dumps({"name": "x"}).rstrip("}") + f', "credit_code": "{code[:5]}{escape}{code[5:]}"}}'
    assert_error(raw_post(world.admin, body), 422, "invalid_credit_code")
    assert count(session) == before


@pytest.mark.parametrize("value", ["a%00b", "a%1Bb", "a%C2%85b", "a%7Fb"])
def test_a_control_character_in_a_search_is_a_422(world, value):
    assert_error(world.admin.get(f"{URL}?q={value}"), 422, "validation_error")


@pytest.mark.parametrize("value", ["%ED%A0%80", "%FF%FE", "%C0%AF"])
def test_a_search_that_is_not_utf8_is_answered_not_a_500(world, value):
    # werkzeug decodes bad bytes to U+FFFD: a search for that finds nothing.
    resp = world.admin.get(f"{URL}?q={value}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["total"] == 0


@pytest.mark.parametrize("field, limit", [("name", 200), ("address", 300), ("legal_representative", 100),
                                          ("business_scope", 5000), ("industry", 100)])
def test_an_overlong_field_is_refused_and_the_longest_allowed_is_stored(world, session, field, limit):
    before = count(session)
    assert_error(world.admin.post(URL, json=payload(**{field: "长" * (limit + 1)})), 422,
                 "validation_error")
    assert count(session) == before
    assert create(world, **{field: "长" * limit})[field] == "长" * limit


# --- list ----------------------------------------------------------------------------------
@pytest.fixture
def listed(world, session):
    f.tag(session, code="food", kind="industry")
    f.tag(session, code="drugs", kind="industry")
    session.commit()
    made = {
        "a": create(world, name="甲食品厂", region="130129", credit_risk_class="A", tags=["food"]),
        "b": create(world, name="乙药店", region="130129", credit_risk_class="D", tags=["drugs"]),
        "c": create(world, name="丙食品公司", region="130102", credit_risk_class="C",
                    tags=["food", "drugs"], status="unreachable"),
        "d": create(world, name="丁公司", region="140101", credit_risk_class="B"),
    }
    return {k: v["id"] for k, v in made.items()}


def ids(resp):
    assert resp.status_code == 200, resp.get_json()
    return {c["id"] for c in resp.get_json()["items"]}


def test_region_filter_is_a_prefix_of_the_hierarchical_region_code(world, listed):
    assert ids(world.admin.get(URL, query_string={"region": "1301"})) == {listed["a"], listed["b"],
                                                                          listed["c"]}
    assert ids(world.admin.get(URL, query_string={"region": "130129"})) == {listed["a"], listed["b"]}
    assert ids(world.admin.get(URL, query_string={"region": "14"})) == {listed["d"]}
    assert_error(world.admin.get(URL, query_string={"region": "13%"}), 422)


def test_credit_risk_class_filter_takes_several_values(world, listed):
    resp = world.admin.get(URL, query_string=[("credit_risk_class", "C"), ("credit_risk_class", "D")])
    assert ids(resp) == {listed["b"], listed["c"]}
    assert_error(world.admin.get(URL, query_string={"credit_risk_class": "E"}), 422)


def test_status_and_tag_filters(world, listed):
    assert ids(world.admin.get(URL, query_string={"status": "unreachable"})) == {listed["c"]}
    assert ids(world.admin.get(URL, query_string={"tag": "food"})) == {listed["a"], listed["c"]}
    # Several tags: companies carrying all of them.
    both = world.admin.get(URL, query_string=[("tag", "food"), ("tag", "drugs")])
    assert ids(both) == {listed["c"]}
    assert ids(world.admin.get(URL, query_string={"tag": "nothing-tagged"})) == set()


def test_search_by_part_of_the_name_or_by_the_full_credit_code(world, listed):
    assert ids(world.admin.get(URL, query_string={"q": "食品"})) == {listed["a"], listed["c"]}
    code = world.admin.get(f"{URL}/{listed['d']}").get_json()["credit_code"]
    assert ids(world.admin.get(URL, query_string={"q": code})) == {listed["d"]}
    assert ids(world.admin.get(URL, query_string={"q": code.lower()})) == {listed["d"]}
    # Part of a credit code is not a search key.
    assert ids(world.admin.get(URL, query_string={"q": code[:10]})) == set()


def test_sorting_by_name_both_ways(world, listed):
    up = [c["name"] for c in world.admin.get(URL, query_string={"sort": "name"}).get_json()["items"]]
    down = [c["name"] for c in world.admin.get(URL, query_string={"sort": "-name"}).get_json()["items"]]
    assert len(up) == 4
    assert up == sorted(up)
    assert down == list(reversed(up))


@pytest.mark.parametrize("sort", ["password", "-", "name;drop", "tags"])
def test_an_unknown_sort_key_is_refused(world, listed, sort):
    body = assert_error(world.admin.get(URL, query_string={"sort": sort}), 422)
    assert "sort" in json.dumps(body["errors"])


def test_pages_carry_the_total_and_do_not_overlap(world, listed):
    seen = []
    for page in (1, 2, 3):
        body = world.admin.get(URL, query_string={"page": page, "page_size": 2, "sort": "name"}).get_json()
        assert body["total"] == 4 and body["page"] == page and body["page_size"] == 2
        seen += [c["id"] for c in body["items"]]
    assert sorted(seen) == sorted(listed.values())
    filtered = world.admin.get(URL, query_string={"region": "1301", "page_size": 1}).get_json()
    assert filtered["total"] == 3 and len(filtered["items"]) == 1


@pytest.mark.parametrize("query", [{"page": 0}, {"page_size": 0}, {"page_size": 501},
                                   {"page": "x"}, {"colour": "red"}])
def test_bad_paging_or_unknown_query_parameters_are_refused(world, query):
    assert_error(world.admin.get(URL, query_string=query), 422, "validation_error")


# --- change --------------------------------------------------------------------------------
def test_patch_changes_fields_and_audits_the_difference(world, session):
    f.tag(session, code="food", kind="industry")
    session.commit()
    created = create(world, name="旧名称有限公司", credit_risk_class="B")
    resp = world.admin.patch(f"{URL}/{created['id']}",
                             json={"name": "新名称有限公司", "credit_risk_class": "D", "tags": ["food"]})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "新名称有限公司" and body["credit_risk_class"] == "D"
    assert body["tags"] == ["food"]
    assert body["credit_code"] == created["credit_code"]
    [entry] = audit_entries(world, created["id"], "company.update")
    assert entry["entity_type"] == "company"
    assert entry["before"] == {"name": "旧名称有限公司", "credit_risk_class": "B", "tags": []}
    assert entry["after"] == {"name": "新名称有限公司", "credit_risk_class": "D", "tags": ["food"]}
    assert entry["actor"] == world.admin_user.username


def test_patch_that_changes_nothing_writes_no_audit_entry(world):
    created = create(world, name="不变有限公司")
    resp = world.admin.patch(f"{URL}/{created['id']}", json={"name": "不变有限公司"})
    assert resp.status_code == 200
    assert audit_entries(world, created["id"], "company.update") == []


def test_patch_leaves_unmentioned_fields_alone(world):
    created = create(world, credit_risk_class="C", status="unreachable", subject_type="other")
    body = world.admin.patch(f"{URL}/{created['id']}", json={"address": "新地址"}).get_json()
    assert (body["credit_risk_class"], body["status"], body["subject_type"]) == \
        ("C", "unreachable", "other")


def test_the_credit_code_cannot_be_patched(world):
    created = create(world)
    body = assert_error(world.admin.patch(f"{URL}/{created['id']}", json={"credit_code": f.credit_code()}),
                        422)
    assert body["errors"]["json"]["credit_code"] == ["Unknown field."]
    assert world.admin.get(f"{URL}/{created['id']}").get_json()["credit_code"] == created["credit_code"]


def test_patching_the_credit_code_is_not_reported_as_an_invalid_credit_code(world):
    created = create(world)
    resp = world.admin.patch(f"{URL}/{created['id']}", json={"credit_code": f.credit_code()})
    assert_error(resp, 422, "validation_error")


def test_a_refused_patch_changes_nothing(world):
    created = create(world, name="原名有限公司")
    assert_error(world.admin.patch(f"{URL}/{created['id']}",
                                   json={"name": "新名有限公司", "tags": ["no-such-tag"]}), 422)
    assert world.admin.get(f"{URL}/{created['id']}").get_json()["name"] == "原名有限公司"


@pytest.mark.parametrize("company_id", [999999, 2**31 - 1, 2**31, 2**63, 10**30])
def test_an_unknown_or_absurd_company_id_is_a_404(world, company_id):
    assert_error(world.admin.get(f"{URL}/{company_id}"), 404, "not_found")
    assert_error(world.admin.patch(f"{URL}/{company_id}", json={"name": "x"}), 404, "not_found")
    assert_error(world.admin.put(f"{URL}/{company_id}/active", json={"active": False}), 404, "not_found")


# --- deactivate ----------------------------------------------------------------------------
def test_a_deactivated_company_leaves_the_default_list_and_is_listed_with_active_false(world):
    keep, gone = create(world), create(world)
    resp = world.admin.put(f"{URL}/{gone['id']}/active", json={"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert ids(world.admin.get(URL)) == {keep["id"]}
    assert ids(world.admin.get(URL, query_string={"active": "false"})) == {gone["id"]}
    # Still readable by id: references to it stay valid.
    assert world.coordinator.get(f"{URL}/{gone['id']}").get_json()["active"] is False
    [entry] = audit_entries(world, gone["id"], "company.deactivate")
    assert entry["before"] == {"active": True} and entry["after"] == {"active": False}
    assert world.admin.put(f"{URL}/{gone['id']}/active", json={"active": True}).status_code == 200
    assert ids(world.admin.get(URL)) == {keep["id"], gone["id"]}


def test_active_must_be_a_boolean(world):
    created = create(world)
    assert_error(world.admin.put(f"{URL}/{created['id']}/active", json={}), 422)
    assert_error(world.admin.put(f"{URL}/{created['id']}/active", json={"active": "maybe"}), 422)


# --- who may ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["coordinator", "sup_a", "sup_b", "insp_a"])
def test_only_admins_write_the_company_registry_but_every_role_reads_it(world, session, role):
    api = getattr(world, role)
    created = create(world, name="只读公司")
    before = count(session)
    assert_error(api.post(URL, json=payload()), 403, "forbidden")
    assert count(session) == before
    assert_error(api.patch(f"{URL}/{created['id']}", json={"name": "改名"}), 403, "forbidden")
    assert_error(api.put(f"{URL}/{created['id']}/active", json={"active": False}), 403, "forbidden")
    assert api.get(f"{URL}/{created['id']}").get_json()["name"] == "只读公司"
    assert created["id"] in ids(api.get(URL))


def test_anonymous_requests_are_refused(world):
    created = create(world)
    assert_error(world.anon.get(URL), 401)
    assert_error(world.anon.get(f"{URL}/{created['id']}"), 401)
    assert_error(world.anon.post(URL, json=payload()), 401)


@pytest.mark.parametrize("path, schema_name", [
    ("/api/v1/companies/{company_id}", "CompanyPatch"),
    ("/api/v1/inspectors/{inspector_id}", "InspectorPatch"),
    ("/api/v1/items/{item_id}", "ItemPatch"),
])
def test_the_documented_patch_bodies_require_nothing_and_default_nothing(app, path, schema_name):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    ref = spec["paths"][path]["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] == schema_name
    schema = spec["components"]["schemas"][schema_name]
    assert not schema.get("required")
    assert {k: v["default"] for k, v in schema["properties"].items() if "default" in v} == {}
    assert "credit_code" not in schema["properties"]
    # The nested checklist form of an item stays complete.
    if schema_name == "ItemPatch":
        form = schema["properties"]["form"]
        form_ref = form.get("$ref") or form["allOf"][0]["$ref"]
        assert spec["components"]["schemas"][form_ref.rsplit("/", 1)[-1]]["required"] == ["fields"]


@pytest.mark.parametrize("body", [
    {"region": "١٣٠١٢٩"},  # Arabic-Indic digits: \d would accept them, prefix filters would not
    {"latitude": None, "longitude": 114.3},
    {"latitude": 37.6, "longitude": None},
])
def test_other_scripts_digits_and_half_coordinates_are_refused(world, session, body):
    before = session.scalar(select(func.count()).select_from(Company))
    assert_error(world.admin.post(URL, json={"credit_code": f.credit_code(), "name": "某公司",
                                             **body}), 422)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Company)) == before
