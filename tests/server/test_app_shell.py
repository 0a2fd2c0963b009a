"""The app's files at /app: the shell for any route, the worker with a precache list and a
version made from the files' content, and nothing from outside the app's folder."""

from __future__ import annotations

import json
import re

from server import pwa


def test_the_worker_precaches_every_app_file_under_a_content_version(app):
    client = app.test_client()
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/app/"
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', worker.get_data(as_text=True))
    assert version and version.group(1) == client.get("/app/version.json").get_json()["version"]
    listed = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker.get_data(as_text=True),
                                  re.S).group(1))
    assert "/app/index.html" in listed and "/app/js/main.js" in listed
    assert "/app/vendor/idb.js" in listed and "/app/sw.js" not in listed
    for url in listed:  # every precached file is served
        assert client.get(url).status_code == 200, url


def test_the_version_changes_when_a_file_changes(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "sw.js").write_text("// worker")
    monkeypatch.setattr(pwa, "STATIC", tmp_path)
    before = pwa.shell_version()
    (tmp_path / "index.html").write_text("<!doctype html><title>新</title>")
    assert pwa.shell_version() != before
    assert pwa.shell_files() == ["index.html"]


def test_routes_answer_the_shell_and_files_outside_the_app_are_not_served(app):
    client = app.test_client()
    shell = client.get("/app/visits/12")
    assert shell.status_code == 200 and b'src="/app/js/main.js"' in shell.get_data()
    assert "script-src 'self'" in shell.headers["Content-Security-Policy"]
    assert client.get("/app").status_code == 302
    assert client.get("/app/manifest.webmanifest").mimetype == "application/manifest+json"
    assert client.get("/app/nothing-here.js").status_code == 404
    assert client.get("/app/../pwa/__init__.py").status_code == 404
    assert client.get("/app/%2e%2e/__init__.py").status_code == 404
