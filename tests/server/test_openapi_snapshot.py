"""A snapshot of the API's operations, their parameters and the shapes of their answers:
any change to what phones and integrations depend on (an operation, a parameter, a field
gained or lost in any answer) shows up in review. Regenerate with UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def _resolve(spec: dict, schema: dict) -> dict:
    """A ``#/components/<kind>/<name>`` reference followed to what it names."""
    while "$ref" in schema:
        _, _, kind, name = schema["$ref"].split("/")
        schema = spec["components"][kind][name]
    return schema


def shape(spec: dict, schema: dict, seen: tuple = ()):
    """A schema's field names, nested fields resolved through ``$ref``: ``{field: shape}``
    for an object, ``[shape]`` for an array, the type's name otherwise."""
    ref = schema.get("$ref")
    if ref in seen:
        return ref.rsplit("/", 1)[-1]  # a recursive schema names itself
    schema = _resolve(spec, schema)
    seen = (*seen, ref) if ref else seen
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return {combined: [shape(spec, s, seen) for s in schema[combined]]}
    if schema.get("type") == "array" or "items" in schema:
        return [shape(spec, schema.get("items", {}), seen)]
    if "properties" in schema:
        return {name: shape(spec, field, seen)
                for name, field in sorted(schema["properties"].items())}
    if isinstance(schema.get("additionalProperties"), dict):
        return {"*": shape(spec, schema["additionalProperties"], seen)}
    kind = schema.get("type", "any")
    return f"{kind}:{schema['format']}" if "format" in schema else kind


def answers(spec: dict, op: dict) -> dict:
    """Each documented status's body shape per media type (None: no body)."""
    out = {}
    for status, response in sorted(op.get("responses", {}).items()):
        response = _resolve(spec, response)
        content = response.get("content", {})
        out[status] = {media: shape(spec, body.get("schema", {}))
                       for media, body in sorted(content.items())} or None
    return out


def operations(spec: dict) -> dict:
    out = {}
    for path, item in sorted(spec["paths"].items()):
        for method, op in sorted(item.items()):
            if method == "parameters":
                continue
            params = sorted(p["name"] for p in op.get("parameters", []))
            body = op.get("requestBody", {}).get("content", {})
            out[f"{method.upper()} {path}"] = {
                "parameters": params,
                "body": sorted(body),
                "responses": answers(spec, op),
            }
    return out


def _spec(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_openapi_operations_match_the_snapshot(app):
    current = operations(_spec(app))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_every_answer_has_a_documented_shape(app):
    """Each operation documents its success answer: a schema with fields (JSON), a binary
    body (files), or no body at all (204, 304)."""
    spec = _spec(app)
    missing = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            name = f"{method.upper()} {path}"
            success = {s: r for s, r in op.get("responses", {}).items() if s[:1] in "23"}
            documented = bool(success) and all(
                status in ("204", "304") or _documented(spec, _resolve(spec, response))
                for status, response in success.items())
            if not documented:
                missing.append(name)
    assert sorted(missing) == [], "\n".join(sorted(missing))


def _documented(spec: dict, response: dict) -> bool:
    content = response.get("content", {})
    if not content:
        return "headers" in response  # a body-less answer whose meaning is in its headers
    return all(_has_shape(spec, body.get("schema", {})) for body in content.values())


def _has_shape(spec: dict, schema: dict) -> bool:
    schema = _resolve(spec, schema)
    if schema.get("format") == "binary":
        return True
    if schema.get("type") == "array":
        return _has_shape(spec, schema.get("items", {}))
    return bool(schema.get("properties") or schema.get("allOf") or schema.get("oneOf"))


def test_a_field_gained_in_an_answer_changes_the_snapshot(app):
    """The snapshot sees inside answers: one more field in a nested schema is a change."""
    spec = _spec(app)
    before = operations(spec)
    # DrawCompany is only ever nested: inside a draw's answer, never an answer itself
    spec["components"]["schemas"]["DrawCompany"]["properties"]["a_new_field"] = {
        "type": "string"}
    after = operations(spec)
    assert after["GET /api/v1/draws/{draw_id}"] != before["GET /api/v1/draws/{draw_id}"]
    assert after["GET /api/v1/plans"] == before["GET /api/v1/plans"]
