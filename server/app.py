"""The Flask application factory."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from flask import Flask, redirect, request, send_from_directory
from flask_smorest import Api

from schemas.common import ErrorSchema
from schemas.errors import ErrorCode
from server import clock, models, request_scope  # noqa: F401  (models registers every table)
from server.api import errors, strict_query
from server.api.converters import AsciiIdConverter
from server.config import Settings
from server.db import Database, make_engine
from server.services.errors import TooLarge

API_PREFIX = "/api/v1"


class FieldInspectApi(Api):
    """flask-smorest's Api with our one error shape documented for every endpoint."""

    ERROR_SCHEMA = ErrorSchema


class FieldInspect:
    """What the app carries for the API layer: settings, the database, the code signer."""

    def __init__(self, settings: Settings, db: Database):
        self.settings = settings
        self.db = db
        self._signer = None
        self._signer_stamp: tuple[int, int] | None = None

    def signer(self):
        """The signing key, registered in the database. Loaded once per process, and again
        when ``fieldinspect keys rotate`` has put a new key file in place (its inode or
        modification time changed): a rotation takes effect without restarting the
        workers. While the file is being replaced the key in hand keeps signing."""
        stamp = self._key_file_stamp()
        if self._signer is not None and stamp in (self._signer_stamp, None):
            return self._signer
        from server.services import signing

        signer = signing.load_signer(signing_key=self.settings.signing_key,
                                     keys_dir=self.settings.keys_dir)
        with self.db.read_session() as session:
            registered = signing.is_registered(session, signer)
        if not registered:  # after a rotation it is already: no write within a request
            with self.db.write_session.begin() as session:  # the process's own
                signing.register(session, signer)
        self._signer, self._signer_stamp = signer, self._key_file_stamp()
        return self._signer

    def _key_file_stamp(self) -> tuple[int, int] | None:
        """What tells a replaced key file; None with the key in the environment (a new
        key there needs a restart) or while no file is in place."""
        from server.services import signing

        if self.settings.signing_key:
            return None
        try:
            info = (Path(self.settings.keys_dir) / signing.CURRENT_KEY_FILE).stat()
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns

    def blobs(self):
        """The blob store (filesystem under FIELDINSPECT_BLOB_DIR)."""
        from server.storage import FileBlobStore

        return FileBlobStore(self.settings.blob_dir)

    def public_keys(self) -> dict[str, bytes]:
        """Every registered public key, and this process's own signing key."""
        from server.services import signing

        with self.db.read_session() as session:
            keys = signing.public_keys(session)
        signer = self.signer()
        keys.setdefault(signer.kid, signer.public_bytes)
        return keys


def create_app(settings: Settings | None = None, db: Database | None = None) -> Flask:
    settings = settings or Settings.from_env()
    db = db or Database(make_engine(settings.database_url))
    app = Flask("fieldinspect")
    app.url_map.converters["int"] = AsciiIdConverter  # before any route: ids are ASCII
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_import_bytes,
        API_TITLE="fieldinspect",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "Field inspections under 双随机、一公开: registries, "
                                    "plans and draws, scan-to-enter visits, offline sync."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.json.sort_keys = False  # keep the documented field order (status, code, message, ...)
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \u escapes
    if settings.now:  # a demonstration on a chosen date; otherwise the clock in use stays
        clock.install(clock.from_setting(settings.now))
    app.extensions["fieldinspect"] = FieldInspect(settings, db)
    if settings.trusted_proxies:  # the client's address as the load balancer saw it
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    api = FieldInspectApi(app)
    _register_blueprints(api)
    errors.register(app)
    errors.register_db_errors(app)
    request_scope.init_app(app)
    strict_query.init_app(app, API_PREFIX)
    _limit_bodies(app, settings)
    _docs(app)
    from server.pwa import bp as inspector_app
    from server.web.dashboard import bp as dashboard_pages
    from server.web.premises import bp as premises_pages
    from server.web.public_results import bp as public_result_pages
    from server.web.verify import bp as verify_pages

    app.register_blueprint(verify_pages)
    app.register_blueprint(premises_pages)
    app.register_blueprint(dashboard_pages)
    app.register_blueprint(public_result_pages)
    app.register_blueprint(inspector_app)
    return app


def _register_blueprints(api: Api) -> None:
    from server.api import (
        accounts,
        audit,
        calendar,
        companies,
        departments,
        inspectors,
        items,
        plans,
        public,
        records,
        reports,
        results,
        sync,
        tags,
        uploads,
        visits,
    )

    for module in (accounts, departments, tags, items, companies, inspectors, audit, plans,
                   visits, sync, uploads, results, calendar, reports, records):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
    api.register_blueprint(public.blp, url_prefix=f"{API_PREFIX}/public")
    api.register_blueprint(records.public_blp, url_prefix=f"{API_PREFIX}/public")


# Endpoints that take more than a small JSON body: (method, endpoint) -> (settings field,
# code). A photo chunk is streamed to disk, never held: its body is not read ahead.
LARGE_BODIES = {("PATCH", "uploads.UploadChunks"): ("max_photo_bytes", ErrorCode.PHOTO_TOO_LARGE),
                ("POST", "sync.OutboxBackupImport"): ("max_backup_bytes", ErrorCode.BODY_TOO_LARGE)}
STREAMED = {("PATCH", "uploads.UploadChunks")}


def _limit_bodies(app: Flask, settings: Settings) -> None:
    """Small JSON bodies everywhere; only the bulk import endpoints take files, an outbox
    backup is up to its ops' pushes' worth, and a photo upload's PATCH takes up to a whole
    photo (streamed to disk, never held)."""

    @app.before_request
    def _check_size():
        endpoint = request.endpoint or ""
        limit, code = settings.max_body_bytes, ErrorCode.BODY_TOO_LARGE
        if (request.method, endpoint) in LARGE_BODIES:
            field, code = LARGE_BODIES[(request.method, endpoint)]
            limit = getattr(settings, field)
        elif endpoint.endswith("Import"):
            limit = settings.max_import_bytes
        request.max_content_length = limit
        if request.content_length is None and request.environ.get("wsgi.input_terminated") \
                and (request.method, endpoint) not in STREAMED:
            _read_chunked(request.environ, limit, code)
        if request.content_length is not None and request.content_length > limit:
            raise TooLarge(f"The request body is larger than the limit of {limit} bytes.",
                           code=code, limit_bytes=limit)


def _read_chunked(environ: dict, limit: int, code: str) -> None:
    """A body without Content-Length (Transfer-Encoding: chunked) is read up to the limit
    here, so one over it is the same 413 as a declared one rather than JSON cut short."""
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise TooLarge(f"The request body is larger than the limit of {limit} bytes.",
                       code=code, limit_bytes=limit)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def _docs(app: Flask) -> None:
    """Swagger UI served from the installed swagger-ui-bundle: no CDN at run time."""
    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>fieldinspect API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script><script>
SwaggerUIBundle({{url: "{API_PREFIX}/openapi.json", dom_id: "#ui", deepLinking: true,
persistAuthorization: true}});</script></body></html>"""

    @app.get("/docs")
    def docs():
        return page, 200, {"Content-Type": "text/html; charset=utf-8",
                           "Content-Security-Policy": "default-src 'self'; style-src 'self' "
                           "'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:"}

    @app.get("/docs/static/<path:name>")
    def docs_static(name):
        return send_from_directory(assets, name)

    @app.get("/")
    def root():
        return redirect("/docs")
