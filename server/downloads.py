"""File answers shared by the API and the web pages: a download named in Chinese that
every browser saves under the right name (RFC 6266: an ASCII ``filename`` and a UTF-8
``filename*``)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def pdf_response(data: bytes, sha256: str, visit_id: int) -> Response:
    """The on-site record's PDF as a download named after the visit, with its hash in a
    header."""
    name = f"现场检查笔录-{visit_id}.pdf"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=\"record-{visit_id}.pdf\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "X-Record-SHA256": sha256, "ETag": f'"{sha256}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})
