"""The inspector's offline web app (执法检查 App), served at ``/app``.

The app is static files (ES modules, HTML, CSS, vendored libraries) in ``static/``; this
module serves them and writes the one dynamic file, the service worker, whose precache
list and version come from the files' content hashes: any change to any file is a new
version, which the app applies only when nothing waits to sync (an update never strands
a recorded answer). Routes under ``/app/`` that are not files (``/app/visits/12``) answer
the shell, so deep links work online as they do offline from the worker's cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
SHELL = "index.html"
WORKER = "sw.js"  # the worker's body; served with its version and precache list prepended
PREFIX = "/app/"

# Scripts and styles from this site only; WebAssembly (the barcode reader) may compile;
# photos and previews are blob: URLs; the API is this site's.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
       "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")

bp = Blueprint("pwa", __name__, url_prefix="/app")


def _headers(cache: str = "no-cache") -> dict[str, str]:
    """Every answer is revalidated (``no-cache``): the worker's cache, not the browser's
    HTTP cache, keeps the app offline, so a new version is never hidden by a stale copy."""
    return {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "Cache-Control": cache, "Referrer-Policy": "same-origin"}


def shell_files() -> list[str]:
    """Every file the worker precaches, as paths under ``static/`` (sorted)."""
    return sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*")
                  if p.is_file() and p.name != WORKER and not p.name.startswith("."))


_versions: dict[tuple, str] = {}


def shell_version() -> str:
    """A hash over every precached file's path and content (16 hex characters). Kept per
    set of (path, size, mtime), so the files are read again only when one changed."""
    files = shell_files()
    stamp = tuple((name, (STATIC / name).stat().st_size, (STATIC / name).stat().st_mtime_ns)
                  for name in files)
    if stamp not in _versions:
        digest = hashlib.sha256()
        for name in files:
            digest.update(name.encode() + b"\0")
            digest.update(hashlib.sha256((STATIC / name).read_bytes()).digest())
        _versions.clear()
        _versions[stamp] = digest.hexdigest()[:16]
    return _versions[stamp]


def worker_source() -> str:
    """The service worker: its version and precache list, then its body."""
    precache = [PREFIX + name for name in shell_files()]
    head = (f"const VERSION = {json.dumps(shell_version())};\n"
            f"const PRECACHE = {json.dumps(precache, indent=0)};\n")
    return head + (STATIC / WORKER).read_text(encoding="utf-8")


@bp.get("")
def app_root():
    return redirect(PREFIX)


@bp.get("/")
def shell():
    return send_from_directory(STATIC, SHELL, max_age=0), 200, _headers()


@bp.get("/sw.js")
def service_worker():
    return Response(worker_source(), mimetype="text/javascript", headers={
        **_headers(), "Service-Worker-Allowed": PREFIX})


@bp.get("/version.json")
def version():
    """The version the server would install now: the app compares it with its own."""
    return Response(json.dumps({"version": shell_version()}), mimetype="application/json",
                    headers=_headers("no-store"))


@bp.get("/<path:name>")
def static_or_route(name: str):
    """A file of the app, or, for a path without a file name extension, the shell (the
    app's own router reads the path)."""
    path = (STATIC / name).resolve()
    if STATIC in path.parents and path.is_file() and path.name != WORKER:
        mimetype = "application/manifest+json" if name.endswith(".webmanifest") else None
        response = send_from_directory(STATIC, name, max_age=0, mimetype=mimetype)
        response.headers.update(_headers())
        return response
    if "." not in name.rsplit("/", 1)[-1]:
        return shell()
    abort(404)
