"""Settings, read once from the environment (``FIELDINSPECT_*``).

Why environment variables only: the same image runs on a laptop with SQLite and on
several gunicorn hosts with PostgreSQL; nothing but the URL selects the database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _var_dir() -> Path:
    return Path(os.environ.get("FIELDINSPECT_VAR_DIR", "var")).resolve()


def write_once(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` unless it exists: written to a temporary file and
    linked into place, so several gunicorn workers starting at once on a fresh ./var all
    end up reading the one file that won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _secret_key(var_dir: Path) -> str:
    """The secret key from the environment, else one generated once into ./var.

    Generated rather than hard-coded so no two installations share a key, and kept in a
    file so every gunicorn worker and every restart sees the same one.
    """
    key = os.environ.get("FIELDINSPECT_SECRET_KEY")
    if key:
        return key
    path = var_dir / "secret_key"
    if not path.exists():
        write_once(path, secrets.token_urlsafe(48).encode())
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty; delete it or set FIELDINSPECT_SECRET_KEY")
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    blob_dir: Path
    token_ttl_seconds: int = 12 * 3600
    max_body_bytes: int = 1 << 20
    max_import_bytes: int = 64 << 20
    max_import_rows: int = 200_000
    max_photo_bytes: int = 30 << 20
    upload_dir: Path | None = None  # None: <blob_dir>/uploads (see server.services.uploads)
    login_max_failures: int = 5  # failed sign-ins in a row before they slow down
    login_lock_seconds: int = 900  # the longest wait the back-off reaches
    # Proxies in front of the app whose X-Forwarded-For is trusted for the client address
    # (the sign-in back-off counts per address): 1 behind one load balancer.
    trusted_proxies: int = 0
    default_page_size: int = 50
    max_page_size: int = 500
    keys_dir: Path = Path("var/keys")
    signing_key: str | None = None
    public_url: str = "http://127.0.0.1:5000"
    entry_grace_minutes: int = 120
    entry_distance_flag_m: int = 500
    manual_entry_days: int = 10
    # How long after a visit ends its company reaches the visit's page and record by its code.
    visit_page_days: int = 90
    # Approval publishes the result at once (一公开) instead of waiting for an explicit step.
    auto_publish: bool = False
    # The CJK font of PDFs (the on-site record): TTF, OTF or a TTC's first face. Unset: the
    # first installed of server.services.qr.FONT_CANDIDATES, as for the premises poster.
    cjk_font: Path | None = None
    # For demonstrations only: the app's clock starts at this moment (ISO date or date-time,
    # China time without a zone) and runs on; unset, it is the real time.
    now: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def max_backup_bytes(self) -> int:
        """An outbox backup's body (``POST /sync/import``): as many bytes as the pushes
        its ops would take at most (``MAX_BACKUP_OPS`` is so many pushes' worth)."""
        from schemas.sync import MAX_BACKUP_OPS, MAX_BATCH_OPS

        return MAX_BACKUP_OPS // MAX_BATCH_OPS * self.max_body_bytes

    def sign_in_policy(self):
        from server.services.sign_in_throttle import Policy

        return Policy(free_failures=self.login_max_failures, max_delay=self.login_lock_seconds)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        var_dir = _var_dir()
        values = dict(
            database_url=os.environ.get(
                "FIELDINSPECT_DATABASE_URL", f"sqlite:///{var_dir / 'fieldinspect.db'}"
            ),
            secret_key=overrides.pop("secret_key", None) or _secret_key(var_dir),
            blob_dir=Path(os.environ.get("FIELDINSPECT_BLOB_DIR", var_dir / "blobs")),
            token_ttl_seconds=_int("FIELDINSPECT_TOKEN_TTL", 12 * 3600),
            max_body_bytes=_int("FIELDINSPECT_MAX_BODY_BYTES", 1 << 20),
            max_import_bytes=_int("FIELDINSPECT_MAX_IMPORT_BYTES", 64 << 20),
            max_import_rows=_int("FIELDINSPECT_MAX_IMPORT_ROWS", 200_000),
            max_photo_bytes=_int("FIELDINSPECT_MAX_PHOTO_BYTES", 30 << 20),
            upload_dir=Path(os.environ["FIELDINSPECT_UPLOAD_DIR"])
            if os.environ.get("FIELDINSPECT_UPLOAD_DIR") else None,
            login_max_failures=_int("FIELDINSPECT_LOGIN_MAX_FAILURES", 5),
            login_lock_seconds=_int("FIELDINSPECT_LOGIN_LOCK_SECONDS", 900),
            trusted_proxies=_int("FIELDINSPECT_TRUSTED_PROXIES", 0),
            keys_dir=Path(os.environ.get("FIELDINSPECT_KEYS_DIR", var_dir / "keys")),
            signing_key=os.environ.get("FIELDINSPECT_SIGNING_KEY") or None,
            public_url=os.environ.get("FIELDINSPECT_PUBLIC_URL",
                                      f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"),
            entry_grace_minutes=_int("FIELDINSPECT_ENTRY_GRACE_MINUTES", 120),
            entry_distance_flag_m=_int("FIELDINSPECT_ENTRY_DISTANCE_FLAG_M", 500),
            manual_entry_days=_int("FIELDINSPECT_MANUAL_ENTRY_DAYS", 10),
            visit_page_days=_int("FIELDINSPECT_VISIT_PAGE_DAYS", 90),
            auto_publish=os.environ.get("FIELDINSPECT_AUTO_PUBLISH", "").lower()
            in ("1", "true", "yes"),
            cjk_font=Path(os.environ["FIELDINSPECT_CJK_FONT"])
            if os.environ.get("FIELDINSPECT_CJK_FONT") else None,
            now=os.environ.get("FIELDINSPECT_NOW") or None,
        )
        values.update(overrides)
        return cls(**values)
