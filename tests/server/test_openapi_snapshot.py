"""A snapshot of the API's operations and their parameters: any change to what phones and
integrations depend on shows up in review. Regenerate with UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


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
                "responses": sorted(op.get("responses", {})),
            }
    return out


def test_openapi_operations_match_the_snapshot(app):
    current = operations(app.test_client().get("/api/v1/openapi.json").get_json())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())
