"""Blob storage for photos and signatures, content-addressed by SHA-256.

An interface (``BlobStore``) with a filesystem implementation; an S3-compatible one can
stand beside it. Writes stream to a temporary file while hashing, and the blob only
appears under its hash once the bytes are complete and the hash matches, so a reader
never sees half a photo and the same bytes are stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


class HashMismatch(Exception):
    def __init__(self, expected: str, actual: str):
        super().__init__(f"expected sha256 {expected}, got {actual}")
        self.expected, self.actual = expected, actual


class BlobStore(Protocol):
    """What services store and read: blobs by hash, and each photo's thumbnail beside it
    (derived, so it may be missing and made again; never evidence itself)."""

    def exists(self, sha256: str) -> bool: ...
    def missing(self, hashes: Iterable[str]) -> list[str]: ...
    def put(self, sha256: str, stream: BinaryIO, *, max_bytes: int) -> int: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def put_thumbnail(self, sha256: str, jpeg: bytes) -> str: ...
    def has_thumbnail(self, sha256: str) -> bool: ...
    def open_thumbnail(self, sha256: str) -> BinaryIO: ...


THUMB_DIR = "thumbs"


class FileBlobStore:
    """Blobs under ``root/ab/cd/<hash>``, thumbnails under ``root/thumbs/ab/<hash>.jpg``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not HASH_RE.match(sha256):
            raise ValueError("not a lowercase hex SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def missing(self, hashes: Iterable[str]) -> list[str]:
        return [h for h in dict.fromkeys(hashes) if not self.exists(h)]

    def put(self, sha256: str, stream: BinaryIO, *, max_bytes: int) -> int:
        """Store the stream's bytes if they hash to ``sha256``; memory stays flat."""
        target = self.path(sha256)
        if target.is_file():
            return target.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload.")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ValueError(f"larger than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise HashMismatch(sha256, digest.hexdigest())
            os.replace(tmp, target)
            tmp = None
            return size
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def thumbnail_path(self, sha256: str) -> Path:
        if not HASH_RE.match(sha256):
            raise ValueError("not a lowercase hex SHA-256")
        return self.root / THUMB_DIR / sha256[:2] / f"{sha256}.jpg"

    def put_thumbnail(self, sha256: str, jpeg: bytes) -> str:
        """Write (or replace) the photo's thumbnail whole, never half; its name relative
        to the store, as a blob's row keeps it."""
        target = self.thumbnail_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".thumb.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(jpeg)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return target.relative_to(self.root).as_posix()

    def has_thumbnail(self, sha256: str) -> bool:
        return self.thumbnail_path(sha256).is_file()

    def open_thumbnail(self, sha256: str) -> BinaryIO:
        """FileNotFoundError when the photo has none."""
        return self.thumbnail_path(sha256).open("rb")
