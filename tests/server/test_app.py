"""The service shell: OpenAPI, docs, and the one JSON error shape for everything."""

from __future__ import annotations

import pytest
from flask import Blueprint

from tests.assertions import assert_error


def test_openapi_document_lists_the_registry_endpoints(app):
    resp = app.test_client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.get_json()["paths"]
    for path in ("/api/v1/companies", "/api/v1/companies/{company_id}", "/api/v1/companies/import",
                 "/api/v1/inspectors", "/api/v1/items", "/api/v1/items/{item_id}/versions",
                 "/api/v1/departments", "/api/v1/tags", "/api/v1/auth/token", "/api/v1/audit",
                 "/api/v1/users"):
        assert path in paths, path


def test_docs_page_is_served_without_any_external_url(app):
    client = app.test_client()
    page = client.get("/docs").get_data(as_text=True)
    assert "/api/v1/openapi.json" in page
    assert "http://" not in page and "https://" not in page
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_unknown_route_is_a_json_404(app):
    assert_error(app.test_client().get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_json_405(world):
    assert_error(world.admin.delete("/api/v1/companies"), 405, "method_not_allowed")


def test_request_without_token_is_refused(world):
    assert_error(world.anon.get("/api/v1/companies"), 401, "authentication_required")


def test_garbage_token_is_refused(world, app):
    from tests.factories import Api

    assert_error(Api(app.test_client(), "nope").get("/api/v1/companies"), 401, "invalid_token")


def test_oversized_json_body_names_the_limit(world):
    resp = world.admin.post("/api/v1/departments", json={"code": "X", "name": "x" * 100_000})
    body = assert_error(resp, 413, "body_too_large")
    assert body["limit_bytes"] == 64 * 1024


def test_non_json_body_is_a_json_error(world):
    resp = world.admin.post("/api/v1/departments", data="{not json",
                            headers={"Content-Type": "application/json"})
    assert resp.status_code in (400, 422)
    assert resp.is_json


def test_unexpected_exception_is_a_json_500_without_a_stack_trace(app):
    from server.app import create_app

    fi = app.extensions["fieldinspect"]
    app = create_app(fi.settings, fi.db)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bp = Blueprint("boom", __name__)

    @bp.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.register_blueprint(bp)
    resp = app.test_client().get("/boom")
    body = assert_error(resp, 500, "internal_error")
    assert "secret internals" not in resp.get_data(as_text=True)
    assert "Traceback" not in body["message"]


@pytest.mark.parametrize("query", ["page=0", "page_size=100000", "page=abc", "sort=password_hash",
                                   "bogus=1"])
def test_bad_list_parameters_are_422(world, query):
    assert_error(world.admin.get(f"/api/v1/companies?{query}"), 422)


@pytest.mark.parametrize("body", ['{"name": ' + "[" * 5000, '{"code": ' + "9" * 5000 + "}"])
def test_pathological_json_is_a_400_not_a_500(world, body):
    resp = world.admin.post("/api/v1/departments", data=body,
                            headers={"Content-Type": "application/json"})
    err = assert_error(resp, 400, "bad_request")
    assert err["errors"] == {"json": ["Invalid JSON body."]}


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_out_of_range_dates_are_422(world, when):
    from urllib.parse import quote

    assert_error(world.admin.get(f"/api/v1/audit?since={quote(when)}"), 422)
