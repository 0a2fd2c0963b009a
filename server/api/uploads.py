"""Photo uploads over tus 1.0 (extensions creation and checksum), and photo metadata.

tus speaks in headers, not JSON, so these views read and answer headers themselves; a
refusal is still the one JSON error shape. The device proves itself as for push and pull,
with X-Device-Id and X-Device-Credential.
"""

from __future__ import annotations

import base64
import binascii
import re

from flask import Response, request, url_for
from flask.views import MethodView
from werkzeug.exceptions import ClientDisconnected

from schemas.common import ErrorSchema
from schemas.errors import ErrorCode
from schemas.sync import BlobMetaSchema
from server.api.blueprint import Blueprint
from server.api.context import actor, fi
from server.request_scope import session
from server.services import uploads
from server.services.errors import DomainError
from server.storage import HASH_RE

blp = Blueprint("uploads", __name__, description="Resumable photo uploads (tus 1.0)")

OFFSET_STREAM = "application/offset+octet-stream"
MAX_METADATA_CHARS = 4096
DIGITS = re.compile(r"^[0-9]{1,18}$")


class TusVersionUnsupported(DomainError):
    code = ErrorCode.TUS_VERSION_UNSUPPORTED


class UnsupportedContentType(DomainError):
    code = ErrorCode.UNSUPPORTED_CONTENT_TYPE


def _header_doc(name: str, description: str, *, required: bool = True,
                kind: str = "string") -> dict:
    return {"in": "header", "name": name, "required": required, "description": description,
            "schema": {"type": kind}}


TUS = _header_doc("Tus-Resumable", "1.0.0")
DEVICE = [_header_doc("X-Device-Id", "the registered device"),
          _header_doc("X-Device-Credential", "the credential given at registration")]
DEFAULT_ERROR = {"$ref": "#/components/responses/DEFAULT_ERROR"}


def _headers_doc(*names: str) -> dict:
    return {n: {"schema": {"type": "string"}} for n in names}


def _bad(header: str, problem: str) -> DomainError:
    return DomainError(f"Header {header}: {problem}.", code="invalid_header",
                       errors={header: [problem]})


def _require_tus() -> None:
    if request.headers.get("Tus-Resumable") != uploads.TUS_VERSION:
        raise TusVersionUnsupported(f"This server speaks tus {uploads.TUS_VERSION}; send "
                                    f"'Tus-Resumable: {uploads.TUS_VERSION}'.")


def _int_header(name: str) -> int:
    raw = request.headers.get(name)
    if raw is None:
        raise _bad(name, "required")
    if not DIGITS.match(raw.strip()):
        raise _bad(name, "not a non-negative integer")
    return int(raw)


def _metadata(raw: str | None) -> dict[str, str]:
    """tus Upload-Metadata: ``key base64value`` pairs, comma-separated. Keys other than
    sha256, filename and filetype are ignored: tus leaves metadata open to clients."""
    if raw is None:
        raise _bad("Upload-Metadata", "required, with sha256")
    if len(raw) > MAX_METADATA_CHARS:
        raise _bad("Upload-Metadata", f"longer than {MAX_METADATA_CHARS} characters")
    out: dict[str, str] = {}
    for pair in raw.split(","):
        key, _, value = pair.strip().partition(" ")
        if not key or " " in value.strip() or key in out:
            raise _bad("Upload-Metadata", "not 'key base64value' pairs with distinct keys")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _bad("Upload-Metadata", f"the value of {key!r} is not base64 UTF-8") from None
    sha256 = out.get("sha256", "").strip().lower()
    if not HASH_RE.match(sha256):
        raise _bad("Upload-Metadata", "sha256 must be the file's SHA-256 in hex")
    out["sha256"] = sha256
    for key, limit in (("filename", 255), ("filetype", 100)):
        if len(out.get(key, "")) > limit or any(ord(c) < 32 for c in out.get(key, "")):
            raise _bad("Upload-Metadata", f"{key} longer than {limit} characters or with "
                       "control characters")
    return out


def _checksum() -> tuple[str | None, bytes | None]:
    raw = request.headers.get("Upload-Checksum")
    if raw is None:
        return None, None
    algorithm, _, value = raw.strip().partition(" ")
    uploads.checksum(algorithm)  # 400 unsupported_checksum_algorithm
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise _bad("Upload-Checksum", "the digest is not base64") from None
    if len(digest) != uploads.checksum(algorithm).digest_size:
        raise _bad("Upload-Checksum", f"not a {algorithm} digest")
    return algorithm, digest


class _Body:
    """The request body as the service reads it: a connection cut mid-body reads as its
    end, so what arrived is kept (that is what resuming needs)."""

    def __init__(self, stream):
        self._stream = stream

    def read(self, size: int) -> bytes:
        try:
            return self._stream.read(size)
        except ClientDisconnected:
            return b""


def _device_headers() -> dict:
    return {"device_id": request.headers.get("X-Device-Id"),
            "credential": request.headers.get("X-Device-Credential")}


@blp.after_request
def _tus_headers(response: Response) -> Response:
    if request.endpoint in ("uploads.Uploads", "uploads.UploadChunks"):
        response.headers["Tus-Resumable"] = uploads.TUS_VERSION
        if response.status_code == 412:
            response.headers["Tus-Version"] = uploads.TUS_VERSION
        if response.status_code == 460:
            response.status = "460 Checksum Mismatch"
    return response


@blp.route("/sync/uploads")
class Uploads(MethodView):
    @blp.doc(security=[], responses={"204": {
        "description": "What this tus server supports",
        "headers": _headers_doc("Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
                                "Tus-Checksum-Algorithm")}})
    def options(self):
        """tus discovery: version, extensions, largest photo, checksum algorithms (no sign-in)"""
        return Response(status=204, headers={
            "Tus-Resumable": uploads.TUS_VERSION, "Tus-Version": uploads.TUS_VERSION,
            "Tus-Extension": uploads.TUS_EXTENSIONS,
            "Tus-Max-Size": str(fi().settings.max_photo_bytes),
            "Tus-Checksum-Algorithm": ",".join(uploads.CHECKSUM_ALGORITHMS)})

    @blp.doc(parameters=[TUS, _header_doc("Upload-Length", "the photo's size in bytes",
                                          kind="integer"),
                         _header_doc("Upload-Metadata", "tus metadata: sha256 (hex, required), "
                                     "filename, filetype"), *DEVICE],
             responses={"201": {"description": "Created; Upload-Offset equals Upload-Length "
                                               "when the server already holds the photo",
                                "headers": _headers_doc("Location", "Tus-Resumable",
                                                        "Upload-Offset")},
                        "default": DEFAULT_ERROR})
    @blp.alt_response(413, schema=ErrorSchema, description="photo_too_large, with limit_bytes")
    def post(self):
        """Start a photo upload (tus creation). The server checks the bytes against sha256
        when the last one arrives"""
        _require_tus()
        act = actor("inspector")
        if request.headers.get("Upload-Defer-Length") is not None:
            raise _bad("Upload-Defer-Length", "not supported: send Upload-Length")
        length = _int_header("Upload-Length")
        if length == 0:
            raise _bad("Upload-Length", "a photo has at least one byte")
        meta = _metadata(request.headers.get("Upload-Metadata"))
        upload = uploads.create(session(), act, fi().settings, length=length,
                                sha256=meta["sha256"], filename=meta.get("filename"),
                                filetype=meta.get("filetype"), **_device_headers())
        headers = {"Location": url_for(".UploadChunks", upload_id=upload.id)}
        if upload.completed_at is not None:
            headers["Upload-Offset"] = str(upload.offset)
        return Response(status=201, headers=headers)


@blp.route("/sync/uploads/<string:upload_id>")
class UploadChunks(MethodView):
    @blp.doc(parameters=[TUS, *DEVICE], responses={
        "200": {"description": "Where to resume", "headers": _headers_doc(
            "Upload-Offset", "Upload-Length", "Upload-Metadata", "Cache-Control")},
        "default": DEFAULT_ERROR})
    def head(self, upload_id):
        """Where to resume: Upload-Offset and Upload-Length (never cached)"""
        _require_tus()
        act = actor("inspector")
        upload = uploads.status(session(), act, upload_id=upload_id, **_device_headers())
        return Response(status=200, headers={
            "Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length),
            "Upload-Metadata": _encode_metadata(upload), "Cache-Control": "no-store"})

    @blp.doc(parameters=[TUS, _header_doc("Upload-Offset", "where this chunk starts",
                                          kind="integer"),
                         _header_doc("Upload-Checksum", "'<sha1|sha256|md5> <base64 digest>' "
                                     "of this chunk", required=False), *DEVICE],
             requestBody={"content": {OFFSET_STREAM: {"schema": {"type": "string",
                                                                  "format": "binary"}}}},
             responses={"204": {"description": "Kept; the new offset",
                                "headers": _headers_doc("Upload-Offset")},
                        "default": DEFAULT_ERROR})
    @blp.alt_response(409, schema=ErrorSchema,
                      description="offset_mismatch (with offset) or hash_mismatch")
    @blp.alt_response(415, schema=ErrorSchema,
                      description="unsupported_media_type: not a JPEG, PNG or HEIC photo")
    @blp.alt_response(460, schema=ErrorSchema, description="checksum_mismatch")
    def patch(self, upload_id):
        """Send bytes at Upload-Offset. The last chunk completes the photo: SHA-256
        verified, type sniffed from the bytes, thumbnail and EXIF recorded"""
        _require_tus()
        act = actor("inspector")
        if request.mimetype != OFFSET_STREAM:
            raise UnsupportedContentType(f"Send chunks as Content-Type: {OFFSET_STREAM}.")
        offset = _int_header("Upload-Offset")
        algorithm, digest = _checksum()
        app = fi()
        upload = uploads.append(app.db, act, app.settings, app.blobs(), upload_id=upload_id,
                                offset=offset, body=_Body(request.stream),
                                content_length=request.content_length,
                                checksum_algorithm=algorithm, checksum_digest=digest,
                                **_device_headers())
        return Response(status=204, headers={"Upload-Offset": str(upload.offset)})


def _encode_metadata(upload) -> str:
    pairs = {"sha256": upload.sha256, "filename": upload.filename, "filetype": upload.filetype}
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}"
                    for k, v in pairs.items() if v is not None)


@blp.route("/blobs/<string:sha256>/thumbnail")
class BlobThumbnail(MethodView):
    @blp.doc(responses={"200": {"description": "The photo's thumbnail: JPEG, at most 320 px",
                                "content": {"image/jpeg": {"schema": {"type": "string",
                                                                      "format": "binary"}}}},
                        "default": DEFAULT_ERROR})
    def get(self, sha256):
        """A stored photo's thumbnail (JPEG), for whoever may see the photo"""
        jpeg = uploads.thumbnail_of(session(), actor("inspector", "supervisor", "admin"),
                                    fi().blobs(), sha256)
        # content-addressed: these bytes never change, but who may see them can
        return Response(jpeg, mimetype="image/jpeg",
                        headers={"Cache-Control": "private, max-age=86400"})


@blp.route("/blobs/<string:sha256>/meta")
class BlobMeta(MethodView):
    @blp.response(200, BlobMetaSchema)
    def get(self, sha256):
        """A stored photo's type, size, pixels, EXIF time and GPS"""
        return uploads.meta(session(), actor("inspector", "supervisor", "admin"), sha256)
