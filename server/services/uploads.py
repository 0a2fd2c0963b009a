"""Resumable photo uploads (tus 1.0: creation and checksum) into the blob store, with
content checks, thumbnails and EXIF metadata (照片断点续传).

Why it is built this way:

- A PATCH holds no database transaction while its body streams in: a phone on a weak
  signal takes seconds per chunk, and on SQLite a write transaction is the whole
  database's write lock. ``append`` takes short transactions of its own before and after
  the body, and serializes PATCHes to one upload with an exclusive, non-blocking lock on
  the partial file (a second PATCH meanwhile gets 423 ``upload_locked``).
- The database's ``offset`` is the truth, and the bytes are fsynced before it moves. A
  partial file longer than it (a crash between write and commit) is cut back to it; a
  shorter one (lost data) moves it back, so the client's next HEAD says where to resume.
- A cut connection keeps what arrived, which is what makes the upload resumable; but a
  chunk sent with an Upload-Checksum is kept whole or not at all.
- On the last byte the file is hashed again from disk instead of carrying a running
  SHA-256 from request to request: hashlib's state cannot be saved, and the next chunk
  may reach another host behind the load balancer. Reading it back is cheap and flat.
- The type is sniffed from the bytes (JPEG and PNG by magic, HEIC/HEIF through
  pillow-heif) and the image must decode; the file name and declared type count for
  nothing. Anything else is refused and its bytes discarded.
- Partial uploads live on the blob directory's filesystem (``<blob dir>/uploads`` unless
  FIELDINSPECT_UPLOAD_DIR is set), which every host shares, so a resumed upload may reach
  any of them.
- Thumbnails are derived files under ``<blob dir>/thumbs/``, named by the original's
  hash, not blobs of their own: the content-addressed tree then holds only originals,
  byte for byte (evidence); a thumbnail is found from the photo's hash alone, can be
  regenerated at any time, and cannot be mistaken for a photo a device sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import math
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pillow_heif
from PIL import ExifTags, Image
from sqlalchemy import String, cast, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from schemas.errors import ErrorCode
from server import clock
from server.config import Settings
from server.models import Blob, Device, FieldRevision, Upload, VisitEntry
from server.services import audit
from server.services.actors import Actor
from server.services.devices import check_device
from server.services.errors import Conflict, DomainError, NotFound, TooLarge
from server.storage import HASH_RE, BlobStore
from server.storage.thumbnails import THUMB_PX, thumbnail
from sync.ops import RegisterKey

pillow_heif.register_heif_opener()
log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum"
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
READ_CHUNK = 256 << 10  # per request in flight: what a thousand phones at once cost

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
HEIF_BRANDS = {b"mif1", b"msf1"}
PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIF",
              "image/heif": "HEIF"}


class UploadLocked(DomainError):
    code = ErrorCode.UPLOAD_LOCKED


class ChecksumMismatch(DomainError):
    """tus checksum extension: 460 Checksum Mismatch; the chunk was not kept."""

    code = ErrorCode.CHECKSUM_MISMATCH


class UnsupportedMedia(DomainError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


def checksum(algorithm: str):
    """A fresh hash object for an Upload-Checksum algorithm (integrity, not security)."""
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise DomainError(f"Upload-Checksum algorithm must be one of "
                          f"{', '.join(CHECKSUM_ALGORITHMS)}.",
                          code="unsupported_checksum_algorithm",
                          errors={"Upload-Checksum": [f"unknown algorithm {algorithm!r}"]})
    return hashlib.new(algorithm, usedforsecurity=False)


# --- where files live ------------------------------------------------------------------------
def upload_dir(settings: Settings) -> Path:
    return Path(settings.upload_dir or Path(settings.blob_dir) / "uploads")


def _partial(settings: Settings, upload_id: str) -> Path:
    return upload_dir(settings) / upload_id


# --- the device and its uploads --------------------------------------------------------------
def _mine(session: Session, device: Device, upload_id: str) -> Upload:
    """Another device's upload is a 404, whoever owns that device."""
    upload = session.get(Upload, upload_id)
    if upload is None or upload.device_id != device.id:
        raise NotFound("No such upload.")
    return upload


def create(session: Session, actor: Actor, settings: Settings, *, device_id: str | None,
           credential: str | None, length: int, sha256: str, filename: str | None = None,
           filetype: str | None = None, now: dt.datetime | None = None) -> Upload:
    """A new upload of ``length`` bytes hashing to ``sha256``. When the server already
    holds that photo the upload is complete at once (秒传): nothing needs sending."""
    now = now or clock.now()
    device = check_device(session, actor, device_id or "", credential, now=now)
    if length > settings.max_photo_bytes:
        raise TooLarge(f"A photo may have at most {settings.max_photo_bytes} bytes.",
                       code="photo_too_large", limit_bytes=settings.max_photo_bytes)
    upload = Upload(id=str(uuid.uuid4()), device_id=device.id, user_id=actor.user_id,
                    length=length, offset=0, sha256=sha256, filename=filename,
                    filetype=filetype, created_at=now)
    stored = session.get(Blob, sha256)
    if stored is not None:
        if stored.size != length:
            raise Conflict(f"The photo with this SHA-256 has {stored.size} bytes, not {length}.",
                           code="length_mismatch", size=stored.size)
        upload.offset, upload.completed_at = length, now
    session.add(upload)
    session.flush()
    return upload


def status(session: Session, actor: Actor, *, upload_id: str, device_id: str | None,
           credential: str | None, now: dt.datetime | None = None) -> Upload:
    device = check_device(session, actor, device_id or "", credential, now=now or clock.now())
    return _mine(session, device, upload_id)


def append(db, actor: Actor, settings: Settings, store: BlobStore, *, upload_id: str,
           device_id: str | None, credential: str | None, offset: int, body: BinaryIO,
           content_length: int | None, checksum_algorithm: str | None = None,
           checksum_digest: bytes | None = None, now: dt.datetime | None = None) -> Upload:
    """Append ``body`` at ``offset``; on the last byte, verify and store the photo.

    ``db`` is the session factory pair (``server.db.Database``), not a session: the
    transactions here are short and never span the body (see the module docstring).
    ``body`` reads as ended where a cut connection ended it. Returns the upload as now
    stored; refusals raise, with nothing appended.
    """
    now = now or clock.now()
    hasher = checksum(checksum_algorithm) if checksum_algorithm else None
    with db.read_session() as s:
        device = check_device(s, actor, device_id or "", credential, now=now)
        upload = _mine(s, device, upload_id)
    if upload.completed_at is not None:
        return upload  # e.g. the server already held the photo: the client is done
    _check_offset(upload.offset, offset)
    if content_length is not None and offset + content_length > upload.length:
        raise _beyond(upload, offset)

    path = _partial(settings, upload.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadLocked("Another request is writing to this upload; ask HEAD for the "
                               "offset and try again.") from None
        with db.read_session() as s:  # again, under the lock
            upload = s.get(Upload, upload_id)
        if upload.completed_at is not None:
            path.unlink(missing_ok=True)
            return upload
        start = _reconcile(db, upload, fh)
        _check_offset(start, offset)
        fh.seek(start)
        try:
            received, more = _receive(body, fh, upload.length - start, hasher)
        except BaseException:
            fh.truncate(start)
            raise
        if more:
            fh.truncate(start)
            raise _beyond(upload, start)
        if hasher is not None and hasher.digest() != checksum_digest:
            fh.truncate(start)
            raise ChecksumMismatch(f"The chunk does not match its {checksum_algorithm} "
                                   "checksum; it was not kept.", offset=start)
        if content_length is not None and received < content_length:
            log.info("upload %s: connection cut after %d of %d bytes; kept", upload.id,
                     received, content_length)
        fh.flush()
        os.fsync(fh.fileno())
        end = start + received
        if end < upload.length:
            return _set_offset(db, upload.id, end)
        return _complete(db, actor, store, upload, path, now)


def _check_offset(expected: int, given: int) -> None:
    if given != expected:
        raise Conflict(f"Upload-Offset is {given}, but the upload is at {expected}; resume "
                       "from there.", code="offset_mismatch", offset=expected)


def _beyond(upload: Upload, offset: int) -> TooLarge:
    return TooLarge(f"The chunk goes past Upload-Length ({upload.length} bytes); nothing was "
                    "kept.", code="beyond_upload_length", limit_bytes=upload.length - offset)


def _set_offset(db, upload_id: str, offset: int) -> Upload:
    """Record how far the upload got, in a transaction of its own: it must persist
    whatever the PATCH then answers (a cut connection keeps what arrived), and no
    transaction is held while the body streams in."""
    with db.write_session.begin() as s:
        upload = s.get(Upload, upload_id)
        upload.offset = offset
    return upload


def _reconcile(db, upload: Upload, fh) -> int:
    """Make the partial file and the recorded offset agree; the offset to resume from."""
    size = os.fstat(fh.fileno()).st_size
    if size > upload.offset:
        fh.truncate(upload.offset)  # written but never recorded: a crash mid-PATCH
    elif size < upload.offset:
        log.warning("upload %s: %d bytes recorded, %d on disk; resuming from the disk",
                    upload.id, upload.offset, size)
        _set_offset(db, upload.id, size)
        return size
    return upload.offset


def _receive(body: BinaryIO, out, limit: int, hasher) -> tuple[int, bool]:
    """Copy at most ``limit`` bytes; (bytes written, whether more was sent)."""
    written = 0
    while chunk := body.read(min(READ_CHUNK, limit - written + 1)):
        if written + len(chunk) > limit:
            return written, True
        if hasher is not None:
            hasher.update(chunk)
        out.write(chunk)
        written += len(chunk)
    return written, False


def _restart(db, upload: Upload, path: Path) -> None:
    """Discard the bytes: the upload starts again from 0 (a HEAD says so)."""
    path.unlink(missing_ok=True)
    _set_offset(db, upload.id, 0)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _complete(db, actor: Actor, store: BlobStore, upload: Upload, path: Path,
              now: dt.datetime) -> Upload:
    actual = _sha256_file(path)
    if actual != upload.sha256:
        _restart(db, upload, path)
        raise Conflict("The photo's bytes do not hash to the declared SHA-256; they were "
                       "discarded and the upload starts again from 0.", code="hash_mismatch",
                       expected=upload.sha256, actual=actual, offset=0)
    with db.read_session() as s:
        known = s.get(Blob, upload.sha256) is not None
    if known:  # the same photo, completed meanwhile by another upload: checked and stored
        return _finish(db, actor, upload, path, now)
    try:
        photo, jpeg = examine(path)
    except (UnsupportedMedia, TooLarge):
        _restart(db, upload, path)
        raise
    with path.open("rb") as fh:
        store.put(upload.sha256, fh, max_bytes=upload.length)
    thumb = store.put_thumbnail(upload.sha256, jpeg)
    return _finish(db, actor, upload, path, now, Blob(
        sha256=upload.sha256, size=upload.length, media_type=photo.media_type,
        width=photo.width, height=photo.height, taken_at=photo.taken_at, gps_lat=photo.gps_lat,
        gps_lon=photo.gps_lon, thumbnail=thumb,
        uploaded_by_device=upload.device_id, created_at=now))


def _finish(db, actor: Actor, upload: Upload, path: Path, now: dt.datetime,
            blob: Blob | None = None) -> Upload:
    """Mark the upload complete and record ``blob``, unless that photo is known already:
    in a transaction of its own, as the PATCH holds none while the body streams in."""
    with db.write_session.begin() as s:
        done = s.get(Upload, upload.id)
        done.offset, done.completed_at = upload.length, now
        if blob is not None and s.get(Blob, blob.sha256) is None:
            try:
                with s.begin_nested():
                    s.add(blob)
            except IntegrityError:  # the same photo, completed just now by another upload
                pass
            else:
                audit.record(s, actor, "blob.store", "blob", blob.sha256, now=now,
                             after={"size": blob.size, "media_type": blob.media_type,
                                    "device_id": upload.device_id, "upload_id": upload.id})
    path.unlink(missing_ok=True)
    return done


# --- what a photo is -------------------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    media_type: str
    width: int  # as displayed: EXIF orientation applied
    height: int
    taken_at: str | None
    gps_lat: float | None
    gps_lon: float | None


def sniff(head: bytes) -> str | None:
    """The media type the first bytes announce: JPEG, PNG or HEIC/HEIF, else None."""
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    if head[4:8] == b"ftyp":  # ISO base media file: the brands say whether it is HEIF
        box = head[:max(16, min(int.from_bytes(head[:4], "big"), len(head)))]
        brands = {head[8:12]} | {box[i:i + 4] for i in range(16, len(box) - 3, 4)}
        if brands & HEIC_BRANDS:
            return "image/heic"
        if brands & HEIF_BRANDS:
            return "image/heif"
    return None


def examine(path: Path) -> tuple[Photo, bytes]:
    """Sniff, decode and describe the photo at ``path``, and make its thumbnail
    (``server.storage.thumbnails``). Decoding at all is the check that the bytes are the
    picture they claim to be."""
    with path.open("rb") as fh:
        media_type = sniff(fh.read(64))
    if media_type is None:
        raise UnsupportedMedia("Only JPEG, PNG and HEIC/HEIF photos are accepted; these bytes "
                               "are none of them. They were discarded.")
    fmt = PIL_FORMAT[media_type]
    try:
        with Image.open(path, formats=[fmt]) as im:
            im.verify()
        with Image.open(path, formats=[fmt]) as im:
            exif = im.getexif()
            width, height = im.size
            if exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
                width, height = height, width
            if fmt == "JPEG":
                im.draft("RGB", (THUMB_PX, THUMB_PX))  # decode at 1/2..1/8 scale: less memory
            jpeg = thumbnail(im)
            taken_at, lat, lon = _exif_facts(exif)
    except Image.DecompressionBombError:
        limit = 2 * Image.MAX_IMAGE_PIXELS
        raise TooLarge(f"A photo may have at most {limit} pixels.", code="photo_too_large",
                       limit_pixels=limit) from None
    except Exception as exc:  # decoders of untrusted bytes fail in many ways: all mean "no"
        log.info("refused %s: %s", path.name, exc)
        raise UnsupportedMedia(f"The bytes start like {media_type} but do not decode as one; "
                               "they were discarded.") from None
    return Photo(media_type, width, height, taken_at, lat, lon), jpeg


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return value.strip("\x00 ").strip() if isinstance(value, str) else None


def _taken_at(value, offset) -> str | None:
    """EXIF "2026:11:22 10:15:30" as "2026-11-22T10:15:30", with OffsetTimeOriginal's
    "+08:00" when present (a camera's local time, zone unknown otherwise)."""
    text = _text(value)
    try:
        when = dt.datetime.strptime(text or "", "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None
    zone = _text(offset)
    return when + zone if zone and re.fullmatch(r"[+-](0\d|1[0-4]):[0-5]\d", zone) else when


def _degrees(value, ref, bound: int) -> float | None:
    """EXIF GPS (degrees, minutes, seconds) and N/S/E/W as signed decimal degrees."""
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    if _text(ref) in ("S", "W"):
        deg = -deg
    return round(deg, 7) if math.isfinite(deg) and abs(deg) <= bound else None


def _exif_facts(exif: Image.Exif) -> tuple[str | None, float | None, float | None]:
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a malformed EXIF block is no reason to refuse the photo
        return None, None, None
    taken = _taken_at(sub.get(ExifTags.Base.DateTimeOriginal),
                      sub.get(ExifTags.Base.OffsetTimeOriginal))
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), 90)
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), 180)
    if lat is None or lon is None:
        lat = lon = None
    return taken, lat, lon


# --- reading ---------------------------------------------------------------------------------
def visits_holding(session: Session, sha256: str) -> list[int]:
    """The visits a photo is on: linked to the visit or an item, a photo answer, a
    signature image (an inspector's or the company's), or the photo of an entry without
    the premises code."""
    held = set(session.scalars(select(FieldRevision.visit_id).where(or_(
        FieldRevision.register.like(RegisterKey.photo_pattern(sha256)),
        FieldRevision.kind.in_(("sign", "company_sign", "set_answer", "resolve"))
        & cast(FieldRevision.value, String).contains(sha256))).distinct()))
    held |= set(session.scalars(select(VisitEntry.visit_id)
                                .where(VisitEntry.photo_sha256 == sha256).distinct()))
    return sorted(held)


def check_photo_reader(session: Session, actor: Actor, sha256: str) -> None:
    """A photo (its GPS, time, device) is seen by admins and coordinators, by whoever
    uploaded it, and by whoever sees a visit it is on; anyone else gets a 404."""
    from server.services import visits

    if actor.reads_everything:
        return
    if actor.user_id is not None and session.scalar(select(Upload.id).where(
            Upload.sha256 == sha256, Upload.user_id == actor.user_id).limit(1)):
        return
    for visit_id in visits_holding(session, sha256):
        try:
            visits.get_or_raise(session, actor, visit_id)
        except NotFound:
            continue
        return
    raise NotFound("No such photo.")


def stored_thumbnail(session: Session, store: BlobStore, sha256: str) -> bytes | None:
    """The photo's thumbnail; made from the original when only that is there; None
    when the photo never arrived (or its original no longer decodes)."""
    if not HASH_RE.match(sha256 or ""):
        return None
    with contextlib.suppress(FileNotFoundError), store.open_thumbnail(sha256) as fh:
        return fh.read()
    if session.get(Blob, sha256) is None or not store.exists(sha256):
        return None
    try:
        with store.open(sha256) as fh, Image.open(fh) as im:
            return thumbnail(im)
    except Exception:  # an original that no longer decodes: shown as missing, not a 500
        return None


def thumbnail_of(session: Session, actor: Actor, store: BlobStore, sha256: str) -> bytes:
    """A stored photo's thumbnail (JPEG, at most 320 px), for whoever may see the photo:
    a teammate's phone shows it without downloading the original. 404 for anything else."""
    if (session.get(Blob, sha256) if HASH_RE.match(sha256 or "") else None) is None:
        raise NotFound("No such photo.")
    check_photo_reader(session, actor, sha256)
    jpeg = stored_thumbnail(session, store, sha256)
    if jpeg is None:
        raise NotFound("No such photo.")
    return jpeg


def meta(session: Session, actor: Actor, sha256: str) -> dict:
    """What the server knows about a stored photo, for whoever may see it; 404 for
    anything else."""
    blob = session.get(Blob, sha256) if HASH_RE.match(sha256 or "") else None
    if blob is None:
        raise NotFound("No such photo.")
    check_photo_reader(session, actor, sha256)
    return {"sha256": blob.sha256, "size": blob.size, "media_type": blob.media_type,
            "width": blob.width, "height": blob.height, "taken_at": blob.taken_at,
            "gps_lat": blob.gps_lat, "gps_lon": blob.gps_lon,
            "has_thumbnail": blob.thumbnail is not None,
            "uploaded_by_device": blob.uploaded_by_device,
            "created_at": blob.created_at}
