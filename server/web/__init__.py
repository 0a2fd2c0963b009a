"""Server-rendered pages for people without the app: the company's verification page,
the published results (一公开) and the supervisors' dashboard."""

from __future__ import annotations

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def html(body: str, status: int = 200, *, cache: str = "no-store"):
    """An HTML answer with the headers every page carries: no scripts at all (CSP), no
    sniffing, not framed."""
    return body, status, {"Content-Type": "text/html; charset=utf-8",
                          "Content-Security-Policy": CSP, "Cache-Control": cache,
                          "X-Content-Type-Options": "nosniff"}
