"""Server-rendered pages for people without the app: the company's verification page,
the published results (一公开) and the supervisors' dashboard."""

from __future__ import annotations

# No scripts, no images but inline SVG, forms only to this site, never framed.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def headers(cache: str = "no-store") -> dict[str, str]:
    """What every page carries: the CSP, no sniffing, and how long it may be cached."""
    return {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP,
            "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}


def html(body: str, status: int = 200, *, cache: str = "no-store"):
    return body, status, headers(cache)
