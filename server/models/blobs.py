"""Resumable photo uploads and what the server knows about each stored photo (照片).

The bytes live in the blob store (``server.storage``), named by their SHA-256; these
tables hold an upload's progress and a photo's metadata.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime

MEDIA_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif")


class Upload(Base):
    """One tus upload by one device. ``offset`` counts the bytes safely on disk; the
    upload is complete when it reaches ``length`` (at once, when the server already held
    the photo)."""

    __tablename__ = "uploads"
    __table_args__ = (CheckConstraint("length > 0", name="length_positive"),
                      CheckConstraint('"offset" >= 0 AND "offset" <= length', name="offset_in_range"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    filetype: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Blob(Base):
    """A stored photo: its type as sniffed from the bytes (never the file name), size,
    pixels, and what its EXIF says.

    ``taken_at`` is EXIF DateTimeOriginal as ISO 8601 text: the camera's local time,
    with ``+08:00``-style offset only when the photo carries OffsetTimeOriginal. Kept as
    text because a phone's clock names no zone, and guessing one would invent evidence.
    ``thumbnail`` is the thumbnail's path relative to the blob directory.
    """

    __tablename__ = "blobs"
    __table_args__ = (CheckConstraint(f"media_type IN {MEDIA_TYPES!r}", name="media_type"),
                      CheckConstraint("size > 0", name="size_positive"))

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[str | None] = mapped_column(String(32))
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    thumbnail: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_device: Mapped[str | None] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
