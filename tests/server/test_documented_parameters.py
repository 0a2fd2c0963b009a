"""What the API description says a parameter takes, the server takes: a client (or a
schema-driven fuzzer) that builds values from the documented parameter schemas (an enum
member, the pattern's example, the minimum of a range, a date for a date) is never
answered 422 about those parameters. And an empty optional query parameter counts as
absent."""

from __future__ import annotations

import re

import pytest

BODY_LOCATIONS = {"json", "files", "form"}  # a 422 about a missing body is not about parameters

# Rules across parameters, which OpenAPI parameters cannot state: the operation's
# description says them. A client gives exactly one (days, kind) or at least one
# (task_id, credit_code); the first is what this test sends.
ALTERNATIVES = {
    "/calendar/workdays/add": ("days", "kind"),
    "/public/results": ("task_id", "credit_code"),
}


def _spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec: dict):
    for path, item in sorted(spec["paths"].items()):
        shared = item.get("parameters", [])
        for method, op in sorted(item.items()):
            if method in ("parameters", "head", "options"):
                continue
            yield method, path, [*shared, *op.get("parameters", [])]


def example(schema: dict):
    """A value the schema documents as valid."""
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [example(schema.get("items", {}))]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return "true"
    if schema.get("format") == "date":
        return "2026-03-02"
    if schema.get("format") == "date-time":
        return "2026-03-02T08:00:00+08:00"
    assert "pattern" not in schema, f"a pattern without an example: {schema}"
    return "x"


def request_for(path: str, params: list[dict], *, only_required: bool = False):
    url, query = path, {}
    first, *others = ALTERNATIVES.get(path.removeprefix("/api/v1"), (None,))
    for param in params:
        value = example(param.get("schema", {}))
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(value))
        elif param["in"] == "query" and param["name"] not in others and (
                param.get("required") or param["name"] == first or not only_required):
            query[param["name"]] = value
    return url, query


def test_the_alternatives_are_said_in_the_descriptions(world):
    spec = _spec(world.admin)
    for path, names in ALTERNATIVES.items():
        said = spec["paths"]["/api/v1" + path]["get"]["summary"] + \
            spec["paths"]["/api/v1" + path]["get"].get("description", "")
        assert all(name in said for name in names), path


def _about_parameters(resp) -> dict:
    """The 422's field errors other than about a missing or invalid body."""
    if resp.status_code != 422:
        return {}
    errors = (resp.get_json() or {}).get("errors") or {"?": resp.get_json()}
    return {k: v for k, v in errors.items() if k not in BODY_LOCATIONS}


def test_every_patterned_parameter_documents_an_example_that_matches(world):
    spec = _spec(world.admin)
    for method, path, params in _operations(spec):
        for param in params:
            schema = param.get("schema", {})
            for s in (schema, schema.get("items", {})):
                if "pattern" in s:
                    assert "example" in s, (method, path, param["name"])
                    assert re.search(s["pattern"], s["example"]), (method, path, param["name"])


@pytest.mark.parametrize("only_required", [False, True], ids=["all", "required"])
def test_documented_values_are_never_refused_as_invalid(world, only_required):
    refused = {}
    for method, path, params in _operations(_spec(world.admin)):
        if path.endswith("/auth/logout") or not params:
            continue
        url, query = request_for(path, params, only_required=only_required)
        resp = getattr(world.admin, method)(url, query_string=query)
        if _about_parameters(resp):
            refused[f"{method.upper()} {path}"] = (query, _about_parameters(resp))
    assert refused == {}, "\n".join(f"{k}: {v}" for k, v in refused.items())


def test_every_documented_sort_is_one_the_list_sorts_by(world):
    refused = {}
    for method, path, params in _operations(_spec(world.admin)):
        sort = next((p for p in params if p["name"] == "sort" and p["in"] == "query"), None)
        if sort is None:
            continue
        assert sort["schema"].get("enum"), f"{path}: sort documents its values"
        url, query = request_for(path, params, only_required=True)
        for value in sort["schema"]["enum"]:
            resp = getattr(world.admin, method)(url, query_string={**query, "sort": value})
            if resp.status_code != 200:
                refused.setdefault(path, []).append(value)
    assert refused == {}, "\n".join(f"{k}: {v}" for k, v in refused.items())


def test_an_empty_optional_parameter_counts_as_absent(world):
    """The monthly XLSX as a form or the README writes it: phone and mobile left blank."""
    resp = world.admin.get("/api/v1/reports/monthly.xlsx?month=2026-03&phone=&mobile=")
    assert resp.status_code == 200, resp.get_json()
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    listed = world.admin.get("/api/v1/companies?q=&page_size=&sort=").get_json()
    assert listed == world.admin.get("/api/v1/companies").get_json()


def test_every_optional_parameter_may_be_sent_empty(world):
    refused = {}
    for method, path, params in _operations(_spec(world.admin)):
        if method != "get":
            continue
        optional = [p["name"] for p in params if p["in"] == "query" and not p.get("required")]
        if not optional:
            continue
        url, query = request_for(path, params, only_required=True)
        resp = world.admin.get(url, query_string={**dict.fromkeys(optional, ""), **query})
        if _about_parameters(resp):
            refused[path] = _about_parameters(resp)
    assert refused == {}, "\n".join(f"{k}: {v}" for k, v in refused.items())


def test_a_required_parameter_sent_empty_is_still_refused(world):
    resp = world.admin.get("/api/v1/reports/monthly?month=")
    assert resp.status_code == 422
    assert "month" in resp.get_json()["errors"]["query"]
