"""The server's Ed25519 keys for inspection codes.

The private key comes from ``FIELDINSPECT_SIGNING_KEY`` (PEM; required with several
hosts) or is generated once into ``<keys_dir>/current.pem``; it never enters the
database or the repository. Public keys are registered in the database, so every host
and every phone (through the visit pack) can verify. Rotation retires the current key
but keeps its public half: codes it signed keep verifying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import clock
from server.config import write_once
from server.models import SigningKey
from sync.tokens import assemble, canonical_payload

CURRENT_KEY_FILE = "current.pem"  # in keys_dir; replaced whole by rotate()


@dataclass(frozen=True)
class Signer:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)

    def sign(self, payload: dict) -> str:
        text = canonical_payload({**payload, "k": self.kid})
        return assemble(text, self.private_key.sign(text.encode("ascii")))


def kid_for(public_bytes: bytes) -> str:
    return hashlib.sha256(public_bytes).hexdigest()[:16]


def _signer(private_key: Ed25519PrivateKey) -> Signer:
    public = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
    return Signer(kid_for(public), private_key)


def _pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def load_signer(*, signing_key: str | None, keys_dir: Path) -> Signer:
    if signing_key:
        return _signer(serialization.load_pem_private_key(signing_key.encode(), password=None))
    path = keys_dir / CURRENT_KEY_FILE
    if not path.exists():
        write_once(path, _pem(Ed25519PrivateKey.generate()))
        os.chmod(path, 0o600)
    return _signer(serialization.load_pem_private_key(path.read_bytes(), password=None))


def is_registered(session: Session, signer: Signer) -> bool:
    return session.get(SigningKey, signer.kid) is not None


def register(session: Session, signer: Signer) -> None:
    """Record the key's public half once. Several workers starting together may all try:
    the first insert wins and the others find the same key (a savepoint keeps their
    transaction usable)."""
    if not is_registered(session, signer):
        try:
            with session.begin_nested():
                session.add(SigningKey(kid=signer.kid, public_key=signer.public_bytes))
        except IntegrityError:
            pass  # registered meanwhile by another worker: the same key


def public_keys(session: Session) -> dict[str, bytes]:
    return dict(session.execute(select(SigningKey.kid, SigningKey.public_key)).all())


def rotate(session: Session, *, keys_dir: Path, now: dt.datetime | None = None) -> Signer:
    """A new current key; the old one is retired (its public half stays registered).
    Running servers sign with the new key from their next code on (``FieldInspect.signer``
    sees the key file replaced)."""
    path = keys_dir / CURRENT_KEY_FILE
    old = load_signer(signing_key=None, keys_dir=keys_dir)
    register(session, old)
    session.get(SigningKey, old.kid).retired_at = now or clock.now()
    path.rename(keys_dir / f"retired-{old.kid}.pem")
    new = load_signer(signing_key=None, keys_dir=keys_dir)
    register(session, new)
    return new
