"""Hostile values never reach the database as a 500: huge ids, dates outside 2000-2100,
other scripts' digits, lone surrogates, bad cursors, oversized chunked bodies, bodies
that are not JSON and query parameters an endpoint does not take."""

from __future__ import annotations

import base64
import io
import json

import pytest
from sqlalchemy import func, select

from server.models import AuditEntry, SyncOp, Visit
from sync.hlc import HLC
from tests.assertions import assert_error
from tests.phones import answer, pull, push

HUGE = 2**63
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def audit_count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AuditEntry))


# --- point 5: dates -----------------------------------------------------------------------
@pytest.mark.parametrize("start,end", [("9999-12-30", "9999-12-31"), ("1999-12-31", "2000-01-05"),
                                       ("2100-12-31", "2101-01-01")])
def test_a_reschedule_outside_2000_to_2100_is_a_422_and_the_visit_stays(world, drawn, session,
                                                                       start, end):
    before = audit_count(session)
    body = assert_error(world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/reschedule", json={
        "window_start": start, "window_end": end, "reason": "延期"}), 422, "validation_error")
    assert set(body["errors"]["json"]) <= {"window_start", "window_end"}
    assert audit_count(session) == before
    resp = drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                             json={"premises_token": drawn.premises})
    assert resp.status_code == 201, resp.get_json()


def test_device_times_outside_2000_to_2100_are_a_422(world, drawn, session):
    before = audit_count(session)
    for moment in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+08:00"):
        assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries", json={
            "premises_token": drawn.premises, "device_time": moment}), 422, "validation_error")
    assert audit_count(session) == before


def test_an_entry_scan_op_dated_9999_is_a_422_not_a_failed_batch(team, session):
    op = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    op["device_time"] = "9999-12-31T23:00:00-05:00"
    before = session.scalar(select(func.count()).select_from(SyncOp))
    assert_error(push(team.phones[0], [op]), 422, "validation_error")
    assert session.scalar(select(func.count()).select_from(SyncOp)) == before


@pytest.mark.parametrize("value,ok", [("2026-11-20", True), ("2100-12-31", True),
                                      ("9999-12-31", False), ("1999-12-31", False)])
def test_a_date_answer_synced_from_a_phone_lies_in_2000_to_2100(value, ok):
    from sync.field_types import accepts

    assert accepts({"type": "date"}, value) is ok


def test_query_dates_outside_2000_to_2100_are_a_422(world):
    assert_error(world.sup_a.get("/api/v1/progress?date_from=9999-12-31"), 422)
    assert_error(world.admin.get("/api/v1/audit?since=9999-12-31T23:00:00-05:00"), 422)


# --- point 6: huge numbers, cursors, surrogates ---------------------------------------------
@pytest.mark.parametrize("number", [str(HUGE), str(2**31), "99999999999999999999999999"])
def test_a_path_id_too_big_for_the_database_is_a_404(world, session, number):
    before = audit_count(session)
    assert_error(world.admin.post(f"/api/v1/companies/{number}/premises-code"), 404, "not_found")
    assert_error(world.admin.get(f"/api/v1/companies/{number}"), 404, "not_found")
    assert_error(world.admin.patch(f"/api/v1/companies/{number}", json={"name": "x"}),
                 404, "not_found")
    assert audit_count(session) == before


def test_body_and_query_ids_too_big_for_the_database_are_a_422(world, drawn):
    assert_error(world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/merges",
                                  json={"other_visit_id": HUGE}), 422)
    assert_error(world.sup_a.get(f"/api/v1/progress?task_id={HUGE}"), 422)


@pytest.mark.parametrize("cursor", ["c1:99999999999999999999", "c1:９", "c1:-1", "c2:1", "c1:"])
def test_a_cursor_this_server_never_gave_is_a_422_bad_cursor(team, cursor):
    encoded = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
    assert_error(pull(team.phones[0], encoded), 422, "bad_cursor")
    assert_error(pull(team.phones[0], cursor), 422, "bad_cursor")


def test_a_lone_surrogate_in_an_op_value_never_fails_the_batch(team, session):
    good = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    bad = answer(team.visits[0], team.item, "a\ud800b", hlc=HLC(2, 0, "a"), field="remark")
    body = json.dumps({"device_id": team.phones[0][1], "ops": [good, bad]})  # \ud800 escaped
    api, _, credential = team.phones[0]
    resp = api.post("/api/v1/sync/push", data=body, content_type="application/json",
                    headers={"X-Device-Credential": credential})
    assert resp.status_code != 500 and resp.is_json, resp.get_data(as_text=True)[:300]
    if resp.status_code == 200:
        outcomes = {r["op_id"]: r for r in resp.get_json()["results"]}
        assert outcomes[bad["op_id"]]["outcome"] == "rejected"
        assert outcomes[good["op_id"]]["outcome"] == "applied"
    else:
        assert_error(resp, 422)


# --- point 16: other scripts' digits, unknown query parameters, bodies ----------------------
def test_full_width_digits_in_a_path_id_are_a_404_not_that_id(world, drawn, session):
    wide = str(drawn.visit.id).translate(FULLWIDTH)
    assert world.sup_a.get(f"/api/v1/visits/{drawn.visit.id}").status_code == 200
    assert_error(world.sup_a.get(f"/api/v1/visits/{wide}"), 404, "not_found")
    before = audit_count(session)
    assert_error(world.sup_a.post(f"/api/v1/visits/{wide}/cancel", json={"reason": "x"}),
                 404, "not_found")
    assert audit_count(session) == before
    assert session.get(Visit, drawn.visit.id).state != "cancelled"


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/result-categories",
                                 "/api/v1/departments/{dept}"])
def test_unknown_query_parameters_are_refused_where_an_endpoint_takes_none(world, url):
    url = url.format(dept=world.dept_a.id)
    assert world.admin.get(url).status_code == 200
    body = assert_error(world.admin.get(url + "?typo=1"), 422, "validation_error")
    assert body["errors"] == {"query": {"typo": ["Unknown field."]}}


def test_unknown_query_parameters_are_refused_on_writes_too(world, session):
    before = audit_count(session)
    assert_error(world.admin.post("/api/v1/departments?dry_run=1",
                                  json={"code": "DX", "name": "x"}), 422, "validation_error")
    assert audit_count(session) == before


# What a WSGI server sets for a chunked body: the stream ends where the body does.
CHUNKED = {"wsgi.input_terminated": True}


def chunked(size):
    return io.BytesIO(json.dumps({"name": "x" * size}).encode())


def test_a_chunked_body_over_the_limit_is_a_413(world, session, settings):
    before = audit_count(session)
    resp = world.admin.post("/api/v1/departments", input_stream=chunked(settings.max_body_bytes),
                            content_type="application/json",
                            headers={"Transfer-Encoding": "chunked"}, environ_overrides=CHUNKED)
    body = assert_error(resp, 413, "body_too_large")
    assert body["limit_bytes"] == settings.max_body_bytes
    assert audit_count(session) == before


def test_a_small_chunked_body_is_read(world):
    body = io.BytesIO(json.dumps({"code": "DC", "name": "分块"}).encode())
    resp = world.admin.post("/api/v1/departments", input_stream=body,
                            content_type="application/json",
                            headers={"Transfer-Encoding": "chunked"}, environ_overrides=CHUNKED)
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.parametrize("kwargs", [{}, {"data": "code=DX&name=x"},
                                    {"data": "code=DX", "content_type": "multipart/form-data"},
                                    {"data": '{"code": "DX"}', "content_type": "text/plain"}])
def test_an_endpoint_that_takes_json_refuses_a_body_that_is_not_json_with_415(world, session,
                                                                                kwargs):
    before = audit_count(session)
    resp = world.admin.client.patch(f"/api/v1/departments/{world.dept_a.id}",
                                    headers={"Authorization": f"Bearer {world.admin.token}"},
                                    **kwargs)
    assert_error(resp, 415, "unsupported_media_type")
    assert audit_count(session) == before


# --- every endpoint, found in the app's own OpenAPI document -------------------------------
# Text an endpoint may take as it is or refuse, but never with a 500 or a page not JSON:
# control characters, bidi overrides, other scripts' digits, SQL and markup.
ODD_TEXT = ["a\x1b[2Jb", "\u202egnp.exe", "１２３", "'; DROP TABLE visits; --", "<b>x</b>"]


def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(app):
    """(method, path template, operation, path parameter names) for every API operation."""
    for path, item in spec(app)["paths"].items():
        common = item.get("parameters", [])
        for method, op in item.items():
            if method in ("parameters", "head", "options"):  # tus' bodiless answers
                continue
            params = common + op.get("parameters", [])
            yield method.upper(), path, op, [p for p in params if p["in"] == "path"]


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def fill(path, params, **values):
    for p in params:
        path = path.replace("{" + p["name"] + "}", str(values.get(p["name"], 1)))
    return path


def state(session):
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(SyncOp)))


def send(api, method, url, **kw):
    headers = {"Authorization": f"Bearer {api.token}", **kw.pop("headers", {})}
    return api.client.open(url, method=method, headers=headers, **kw)


def answered(resp, what):
    assert resp.status_code < 500, (what, resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.is_json or resp.status_code in (200, 201, 204), (what, resp.status_code)


def test_every_endpoint_answers_hostile_values_with_a_json_4xx_and_changes_nothing(
        app, world, session):
    document = spec(app)
    ops = list(operations(app))
    assert len(ops) > 50
    before = state(session)
    checked = {"path": 0, "query": 0, "body": 0, "chunked": 0}
    problems = []
    for method, path, op, path_params in ops:
        try:
            _attack(world, document, method, path, op, path_params, checked)
        except (AssertionError, ValueError) as exc:
            problems.append(f"{method} {path}: {type(exc).__name__} {str(exc)[:300]}")
    assert not problems, "\n".join(problems)
    assert state(session) == before
    assert all(checked.values()), checked


def _attack(world, document, method, path, op, path_params, checked):
    # ids in the path: too big for the database, other scripts' digits, signs
    for p in path_params:
        if p["schema"].get("type") != "integer":
            continue
        for bad in (str(HUGE), "99999999999999999999", "１", "٣", "-1", "+1", "1.0"):
            url = fill(path, path_params, **{p["name"]: bad})
            body = assert_error(send(world.admin, method, url, json={}), 404, "not_found")
            assert body["errors"] == {}, (method, url)
            checked["path"] += 1
    url = fill(path, path_params)
    # query parameters: dates out of range, ids and numbers too big, cursors never given
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        schema = p["schema"]
        if schema.get("format") in ("date", "date-time"):
            bads = ["9999-12-31", "1999-12-31"] if schema["format"] == "date" else \
                ["9999-12-31T23:00:00-05:00", "1999-12-31T00:00:00+00:00"]
        elif schema.get("type") == "integer":
            bads = [str(HUGE), "１"]
        elif p["name"] == "cursor":
            bads = ["c1:99999999999999999999"]
        else:
            continue
        for bad in bads:
            resp = send(world.admin, method, url, query_string={p["name"]: bad})
            if p["name"] == "cursor":  # judged after the device: any 4xx
                assert 400 <= resp.status_code < 500 and resp.is_json, resp.get_data()[:300]
            else:
                body = assert_error(resp, 422)
                assert p["name"] in body["errors"].get("query", {}), (method, url, body)
            checked["query"] += 1
    # an unknown query parameter, wherever the endpoint takes no such parameter
    assert_error(send(world.admin, method, url, query_string={"zz_unknown": "1"}), 422)
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return
    # JSON bodies: a lone surrogate in every string, huge ids, dates out of range
    fields = resolve(document, content["application/json"]["schema"]).get("properties", {})
    numbers, texts = {}, {"zz_unknown": "\ud800"}
    for name, prop in fields.items():
        prop = resolve(document, prop)
        if prop.get("readOnly"):
            continue
        if prop.get("format") == "date":
            numbers[name] = "9999-12-30"
        elif prop.get("format") == "date-time":
            numbers[name] = "9999-12-31T23:00:00-05:00"
        elif prop.get("type") == "integer":
            numbers[name] = HUGE
        elif prop.get("type") == "string":
            texts[name] = "a\ud800b"
    if numbers:
        body = assert_error(send(world.admin, method, url, json=numbers), 422)
        assert set(numbers) <= set(body["errors"]["json"]), (url, numbers, body)
    body = assert_error(send(world.admin, method, url, data=json.dumps(texts),
                             content_type="application/json"), 422)
    assert set(texts) <= set(body["errors"]["json"]), (url, body)
    # a body over the limit with no Content-Length (an outbox backup's is larger)
    settings = world.admin.client.application.extensions["fieldinspect"].settings
    limit = settings.max_backup_bytes if path.endswith("/sync/import") else settings.max_body_bytes
    over = io.BytesIO(b'{"a": "' + b"x" * limit + b'"}')
    assert_error(send(world.admin, method, url, input_stream=over,
                      content_type="application/json", environ_overrides=CHUNKED,
                      headers={"Transfer-Encoding": "chunked"}), 413, "body_too_large")
    # a body that is not JSON
    assert_error(send(world.admin, method, url, data="a=1"), 415, "unsupported_media_type")
    checked["body"] += 1
    checked["chunked"] += 1


def test_odd_text_in_every_json_string_is_answered_never_a_500(app, world, session):
    document = spec(app)
    for method, path, op, path_params in operations(app):
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" not in content or path.endswith(("/logout", "/password")):
            continue
        fields = resolve(document, content["application/json"]["schema"]).get("properties", {})
        strings = [n for n, f in fields.items()
                   if resolve(document, f).get("type") == "string"
                   and not resolve(document, f).get("format")]
        for text in ODD_TEXT:
            body = {n: text for n in strings}
            answered(send(world.admin, method, fill(path, path_params), json=body),
                     (method, path, text))
