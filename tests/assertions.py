"""What tests check through the API: the one error shape, an entity's audit trail."""

from __future__ import annotations


def assert_error(resp, status, code=None):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json, resp.get_data(as_text=True)[:200]
    body = resp.get_json()
    assert set(body) >= {"status", "code", "message", "errors"}
    assert body["status"] == status
    if code:
        assert body["code"] == code, body
    return body


def audit(world, entity_type, entity_id):
    resp = world.admin.get("/api/v1/audit", query_string={
        "entity_type": entity_type, "entity_id": str(entity_id)})
    assert resp.status_code == 200, resp.get_json()
    return [(e["action"], e["before"], e["after"]) for e in resp.get_json()["items"]]
