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
    def exists(self, sha256: str) -> bool: ...
    def missing(self, hashes: Iterable[str]) -> list[str]: ...
    def put(self, sha256: str, stream: BinaryIO, *, max_bytes: int) -> int: ...
    def open(self, sha256: str) -> BinaryIO: ...


class FileBlobStore:
    """Blobs under ``root/ab/cd/<hash>``."""

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
