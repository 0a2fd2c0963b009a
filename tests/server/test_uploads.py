"""Resumable photo uploads (tus 1.0) on both backends: resuming after a cut, checksums,
hash and content checks, thumbnails and EXIF, ownership, and a real tus client."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import random
import tracemalloc

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from server.models import AuditEntry, Blob
from server.services import uploads
from tests import factories as f
from tests.assertions import assert_error
from tests.photos import jpeg, noise, png
from tests.tus import OFFSET_STREAM, URL, Phone, b64, sha

# --- photos made on the spot ---------------------------------------------------------------


def heic(seed: int, size=(48, 32)) -> bytes:
    buf = io.BytesIO()
    noise(seed, size).save(buf, format="HEIF")  # pillow-heif's encoder, registered by the service
    return buf.getvalue()


# --- a phone speaking tus through the Flask test client ------------------------------------


def register(api) -> Phone:
    reg = api.post("/api/v1/devices", json={"name": "手机", "platform": "android"}).get_json()
    return Phone(api, reg["id"], reg["credential"])


@pytest.fixture
def phones(world, session, app):
    """Inspector A's two phones, and a phone of an inspector of department B."""
    _, token = f.user(session, "inspector", world.dept_b.id, world.inspector_b.id)
    session.commit()
    return register(world.insp_a), register(world.insp_a), register(f.Api(app.test_client(), token))


@pytest.fixture
def store(app):
    return app.extensions["fieldinspect"].blobs()


def blob_rows(session, digest) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Blob).where(Blob.sha256 == digest))


# --- discovery and bad requests ------------------------------------------------------------
def test_options_announces_tus_without_sign_in(app, settings):
    resp = app.test_client().options(URL)
    assert resp.status_code == 204
    assert resp.headers["Tus-Resumable"] == resp.headers["Tus-Version"] == "1.0.0"
    assert resp.headers["Tus-Extension"] == "creation,checksum"
    assert resp.headers["Tus-Max-Size"] == str(settings.max_photo_bytes) == str(30 << 20)
    assert resp.headers["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


def test_bad_headers_are_json_errors_and_change_nothing(phones, world):
    a = phones[0]
    data = jpeg(1)
    resp = a.create(data, **{"Tus-Resumable": "0.2.2"})
    assert_error(resp, 412, "tus_version_unsupported")
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert_error(a.create(data, **{"Tus-Resumable": None}), 412)
    assert_error(a.create(data, length="12x"), 400, "invalid_header")
    assert_error(a.create(data, length=0), 400, "invalid_header")
    assert_error(a.create(data, **{"Upload-Metadata": "sha256 !!!"}), 400, "invalid_header")
    assert_error(a.create(data, **{"Upload-Metadata": f"filename {b64('x.jpg')}"}), 400,
                 "invalid_header")
    assert_error(a.create(data, sha256="ab" * 16), 400, "invalid_header")
    no_token = Phone(f.Api(a.client), a.device_id, a.credential)
    assert_error(no_token.create(data), 401)
    assert_error(Phone(world.sup_a, a.device_id, a.credential).create(data), 403)
    assert_error(a.create(data, **{"X-Device-Credential": "wrong"}), 403, "unknown_device")

    url = a.start(data)
    assert_error(a.patch(url, data, 0, **{"Content-Type": "image/jpeg"}), 415,
                 "unsupported_content_type")
    assert_error(a.patch(url, data, 0, **{"Upload-Offset": "-1"}), 400, "invalid_header")
    body = assert_error(a.patch(url, data[10:], 10), 409, "offset_mismatch")
    assert body["offset"] == 0
    assert_error(a.patch(url, data, 0, checksum=("crc32", b"1234")), 400,
                 "unsupported_checksum_algorithm")
    assert_error(a.patch(url, data, 0, **{"Upload-Checksum": "sha1 ***"}), 400, "invalid_header")
    assert_error(a.patch(url, data, 0, checksum=("sha1", b"short")), 400, "invalid_header")
    assert a.head(f"{URL}/no-such-upload").status_code == 404  # HEAD: no body
    assert a.offset(url) == 0


def test_a_photo_larger_than_the_limit_is_refused_naming_the_limit(phones, settings):
    a = phones[0]
    body = assert_error(a.create(length=settings.max_photo_bytes + 1, sha256="0" * 64), 413,
                        "photo_too_large")
    assert body["limit_bytes"] == settings.max_photo_bytes == 31457280
    data = jpeg(2)
    url = a.start(data)
    body = assert_error(a.patch(url, data + b"extra", 0), 413, "beyond_upload_length")
    assert body["limit_bytes"] == len(data)
    assert a.offset(url) == 0
    # a body announced larger than a photo may be is refused before it is read
    assert_error(a.patch(url, b"x" * (settings.max_photo_bytes + 1), 0), 413, "photo_too_large")


# --- resuming, checksums, verification -----------------------------------------------------
def test_a_jpeg_cut_at_random_offsets_resumes_via_head_and_is_kept_byte_for_byte(phones, store,
                                                                                session):
    a = phones[0]
    data = jpeg(3, size=(400, 300))
    digest = sha(data)
    rnd = random.Random(20261122)
    url = a.start(data)
    offset = 0
    for _ in range(3):
        rest = data[offset:]
        arrives = rnd.randrange(1, len(rest))
        a.send_cut(url, rest, offset, arrives)  # the phone never sees this answer
        assert a.offset(url) == offset + arrives  # what arrived was kept
        offset += arrives
    resp = a.patch(url, data[offset:], offset)
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == str(len(data))
    assert sha(store.open(digest).read()) == digest
    assert blob_rows(session, digest) == 1
    assert a.offset(url) == len(data)


def test_a_corrupted_chunk_is_refused_460_and_the_offset_stays(phones, store):
    a = phones[0]
    data = jpeg(4, size=(200, 150))
    url = a.start(data)
    half = len(data) // 2
    good = a.patch(url, data[:half], 0, checksum=("sha256", hashlib.sha256(data[:half]).digest()))
    assert good.status_code == 204 and good.headers["Upload-Offset"] == str(half)
    corrupted = bytearray(data[half:])
    corrupted[7] ^= 0xFF
    resp = a.patch(url, bytes(corrupted), half,
                   checksum=("sha1", hashlib.sha1(data[half:]).digest()))  # noqa: S324
    assert_error(resp, 460, "checksum_mismatch")
    assert resp.status == "460 Checksum Mismatch"
    assert a.offset(url) == half
    # a chunk with a checksum whose connection drops is not kept either
    rest = data[half:]
    a.send_cut(url, rest, half, len(rest) // 3,
               **{"Upload-Checksum": f"md5 {base64.b64encode(hashlib.md5(rest).digest()).decode()}"})  # noqa: S324
    assert a.offset(url) == half
    resp = a.patch(url, rest, half, checksum=("md5", hashlib.md5(rest).digest()))  # noqa: S324
    assert resp.status_code == 204
    assert store.exists(sha(data))


def test_bytes_that_do_not_hash_to_the_declared_sha256_are_discarded(phones, store, settings):
    a = phones[0]
    data = jpeg(5)
    claimed = sha(b"another photo")
    url = a.start(data, sha256=claimed)
    body = assert_error(a.patch(url, data, 0), 409, "hash_mismatch")
    assert body["expected"] == claimed and body["actual"] == sha(data) and body["offset"] == 0
    assert a.offset(url) == 0  # the client starts again
    assert not store.exists(claimed) and not store.exists(sha(data))
    assert not (uploads.upload_dir(settings) / url.rsplit("/", 1)[1]).exists()


def test_a_text_file_named_jpg_is_refused_as_unsupported_media(phones, store, session):
    a = phones[0]
    data = b"This is not a photo, whatever its name says.\n" * 20
    url = a.start(data, filename="x.jpg", filetype="image/jpeg")
    assert_error(a.patch(url, data, 0), 415, "unsupported_media_type")
    assert a.offset(url) == 0
    assert not store.exists(sha(data)) and blob_rows(session, sha(data)) == 0
    # JPEG magic followed by garbage: sniffed as JPEG, refused because it does not decode
    fake = b"\xff\xd8\xff\xe0" + b"\x00" * 500
    url = a.start(fake)
    assert_error(a.patch(url, fake, 0), 415, "unsupported_media_type")
    assert not store.exists(sha(fake))


@pytest.mark.parametrize("kind, make, media_type", [
    ("png", png, "image/png"), ("heic", heic, "image/heic"), ("jpeg", jpeg, "image/jpeg")])
def test_png_heic_and_jpeg_are_accepted_by_their_bytes(phones, store, world, kind, make,
                                                       media_type):
    a = phones[0]
    data = make(60 + len(kind))
    a.upload(data, filename="photo.bin", filetype="application/octet-stream")
    assert store.open(sha(data)).read() == data
    meta = world.insp_a.get(f"/api/v1/blobs/{sha(data)}/meta").get_json()
    w, h = Image.open(io.BytesIO(data)).size
    assert meta["media_type"] == media_type and (meta["width"], meta["height"]) == (w, h)
    assert meta["size"] == len(data) and meta["has_thumbnail"] is True
    thumb = Image.open(store.open_thumbnail(sha(data)))
    assert thumb.format == "JPEG" and thumb.size == (w, h)  # small photos are not enlarged


def test_the_same_bytes_uploaded_twice_are_stored_once(phones, store, session, world):
    a, _, c = phones
    data = jpeg(7, size=(120, 90))
    digest = sha(data)
    first, second = a.start(data), c.start(data)  # two phones, at the same time
    assert a.patch(first, data, 0).status_code == 204
    assert c.patch(second, data, 0).status_code == 204
    resp = c.create(data)  # later: the server already has it, nothing to send
    assert resp.status_code == 201 and resp.headers["Upload-Offset"] == str(len(data))
    again = resp.headers["Location"]
    assert c.offset(again) == len(data)
    done = c.patch(again, data, 0)  # a client that sends anyway is told it is done
    assert done.status_code == 204 and done.headers["Upload-Offset"] == str(len(data))
    assert blob_rows(session, digest) == 1
    assert len(list(store.root.rglob(digest))) == 1
    stored = session.scalars(select(AuditEntry).where(AuditEntry.action == "blob.store",
                                                      AuditEntry.entity_id == digest)).all()
    assert len(stored) == 1
    assert_error(c.create(data, length=len(data) + 1), 409, "length_mismatch")


def _exif(orientation=None, taken=None, gps=None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "fieldinspect test"  # Pillow writes no EXIF without a base tag
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    return exif


def test_the_thumbnail_is_upright_by_exif_orientation(phones, store, world):
    a = phones[0]
    data = jpeg(8, size=(200, 100), exif=_exif(orientation=6))  # sideways, as phones store it
    a.upload(data)
    thumb = Image.open(store.open_thumbnail(sha(data)))
    assert thumb.size == (100, 200)  # portrait, as it was taken
    meta = world.insp_a.get(f"/api/v1/blobs/{sha(data)}/meta").get_json()
    assert (meta["width"], meta["height"]) == (100, 200)
    big = jpeg(9, size=(1600, 900))
    a.upload(big)
    assert max(Image.open(store.open_thumbnail(sha(big))).size) == 320



def test_the_record_remakes_a_lost_thumbnail_as_the_upload_made_it(phones, store, session):
    """One thumbnail maker: a transparent PNG is over white in both, byte for byte."""
    from server.services import records

    buf = io.BytesIO()
    Image.new("RGBA", (500, 300), (255, 0, 0, 0)).save(buf, "PNG")  # wholly transparent
    data = buf.getvalue()
    phones[0].upload(data)
    with store.open_thumbnail(sha(data)) as fh:
        made = fh.read()
    assert Image.open(io.BytesIO(made)).getpixel((10, 10)) == (255, 255, 255)
    assert max(Image.open(io.BytesIO(made)).size) == 320
    store.thumbnail_path(sha(data)).unlink()
    assert not store.has_thumbnail(sha(data))
    assert records._image(session, store, sha(data)) == made

def test_exif_time_taken_and_gps_are_recorded(phones, world):
    a = phones[0]
    gps = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (37.0, 48.0, 30.0),
           ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (114.0, 22.0, 12.0)}
    data = jpeg(10, exif=_exif(taken="2026:11:22 10:15:30", gps=gps))
    a.upload(data)
    meta = world.admin.get(f"/api/v1/blobs/{sha(data)}/meta").get_json()
    assert meta["taken_at"] == "2026-11-22T10:15:30"
    assert meta["gps_lat"] == pytest.approx(37.808333, abs=1e-6)
    assert meta["gps_lon"] == pytest.approx(-114.37, abs=1e-6)
    plain = jpeg(11)
    a.upload(plain)
    meta = world.admin.get(f"/api/v1/blobs/{sha(plain)}/meta").get_json()
    assert meta["taken_at"] is None and meta["gps_lat"] is None and meta["gps_lon"] is None
    assert_error(world.admin.get(f"/api/v1/blobs/{sha(b'none')}/meta"), 404)
    assert_error(world.admin.get("/api/v1/blobs/not-a-hash/meta"), 404)
    assert_error(world.coordinator.get(f"/api/v1/blobs/{sha(data)}/meta"), 403)


# --- ownership and revocation ----------------------------------------------------------------
def test_another_device_gets_404_even_of_the_same_user(phones):
    a, a2, b = phones
    data = jpeg(12)
    url = a.start(data)
    for other in (a2, b):
        assert other.head(url).status_code == 404
        assert_error(other.patch(url, data, 0), 404)
    assert a.offset(url) == 0
    # someone else's device credentials do not help either
    assert_error(Phone(b.api, a.device_id, a.credential).patch(url, data, 0), 403,
                 "unknown_device")


def test_a_revoked_device_is_refused_and_the_refusal_is_logged(phones, session):
    a = phones[0]
    data = jpeg(13)
    url = a.start(data)
    assert a.api.post(f"/api/v1/devices/{a.device_id}/revoke").status_code == 200
    assert_error(a.create(data), 403, "device_revoked")
    assert_error(a.patch(url, data, 0), 403, "device_revoked")
    assert a.head(url).status_code == 403
    session.expire_all()
    refusals = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "device.refused", AuditEntry.entity_id == a.device_id))
    assert refusals == 3


# --- the partial file --------------------------------------------------------------------------
def test_a_second_writer_is_told_the_upload_is_busy(phones, settings):
    a = phones[0]
    data = jpeg(14)
    url = a.start(data)
    path = uploads.upload_dir(settings) / url.rsplit("/", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another request mid-body
        assert_error(a.patch(url, data, 0), 423, "upload_locked")
    assert a.patch(url, data, 0).status_code == 204


def test_bytes_written_but_never_recorded_are_cut_back(phones, settings, store):
    """A crash between writing a chunk and recording the offset leaves a longer file."""
    a = phones[0]
    data = jpeg(15, size=(100, 80))
    url = a.start(data)
    assert a.patch(url, data[:100], 0).status_code == 204
    path = uploads.upload_dir(settings) / url.rsplit("/", 1)[1]
    with path.open("ab") as fh:
        fh.write(b"garbage the server never acknowledged")
    assert a.offset(url) == 100
    assert a.patch(url, data[100:], 100).status_code == 204
    assert store.open(sha(data)).read() == data


# --- memory --------------------------------------------------------------------------------
def test_memory_stays_flat_for_a_25_mb_photo_in_5_mb_chunks(phones, store, tmp_path):
    """Peak Python allocations during each PATCH stay near one read buffer, however big
    the photo: the body is streamed to disk, hashed and stored in chunks."""
    a = phones[0]
    photo = jpeg(16, size=(800, 600))
    data = photo + random.Random(16).randbytes(25_000_000 - len(photo))  # bytes after EOI
    url = a.start(data)
    peaks = []
    for offset in range(0, len(data), 5_000_000):
        chunk = tmp_path / "chunk"
        chunk.write_bytes(data[offset:offset + 5_000_000])
        with chunk.open("rb") as body:
            tracemalloc.start()
            resp = a.client.patch(url, input_stream=body, headers=a.headers(**{
                "Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM,
                "Content-Length": str(chunk.stat().st_size)}))
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        assert resp.status_code == 204, resp.get_data(as_text=True)
    assert store.exists(sha(data))
    assert max(peaks) < 4 << 20, peaks


# --- a real tus client over HTTP -------------------------------------------------------------
def test_tuspy_uploads_resumes_and_skips_what_the_server_has(phones, live_url, store, tmp_path,
                                                             session, backend_name):
    from tusclient import client

    a = phones[0]
    data = jpeg(len(backend_name), size=(500, 400))  # the blob store outlives each backend's run
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(data)
    tus = client.TusClient(f"{live_url}{URL}", headers={
        "Authorization": f"Bearer {a.api.token}", "X-Device-Id": a.device_id,
        "X-Device-Credential": a.credential})
    meta = {"sha256": sha(data), "filename": path.name, "filetype": "image/jpeg"}
    first = tus.uploader(str(path), chunk_size=16_384, metadata=meta, upload_checksum=True)
    first.upload(stop_at=40_000)  # the phone goes offline here
    assert not store.exists(sha(data))
    resumed = tus.uploader(str(path), chunk_size=16_384, url=first.url, upload_checksum=True)
    assert resumed.offset == first.offset >= 40_000  # learnt from HEAD
    resumed.upload()
    assert store.open(sha(data)).read() == data
    again = tus.uploader(str(path), chunk_size=16_384, metadata=meta)
    again.upload()  # the server already has it
    assert again.offset == len(data) and blob_rows(session, sha(data)) == 1


def test_a_photos_meta_is_for_its_uploader_and_whoever_sees_a_visit_it_is_on(
        team, world, session, app):
    """GPS, time and device of a photo: the uploader, admins and whoever sees a visit
    holding it (linked, a signature); another department's users get a 404."""
    from sync.hlc import HLC
    from tests.phones import op, outcomes, push

    a, b = team.phones
    visit = team.visits[0]
    gps = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (38.0, 8.0, 0.0),
           ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (114.0, 30.0, 0.0)}
    photo, signature, loose = jpeg(40, exif=_exif(gps=gps)), png(41), jpeg(42)
    phone = Phone(*a)
    for data in (photo, signature, loose):
        phone.upload(data)
    assert outcomes(push(a, [
        op(visit, "attach_photo", sha256=sha(photo), item_version_id=team.item,
           hlc=HLC(1, 0, "a")),
        op(visit, "sign", sha256=sha(signature), state_hash="0" * 64, hlc=HLC(2, 0, "a"))])) \
        == [("applied", None), ("applied", None)]
    _, token = f.user(session, "inspector", world.dept_b.id, world.inspector_b.id)
    session.commit()
    insp_b = f.Api(app.test_client(), token)
    member_b = b[0]  # on the team, uploaded nothing
    for digest in (sha(photo), sha(signature)):
        url = f"/api/v1/blobs/{digest}/meta"
        for reader in (world.admin, world.sup_a, a[0], member_b):
            assert reader.get(url).status_code == 200, reader.get(url).get_json()
        for stranger in (world.sup_b, insp_b):
            assert_error(stranger.get(url), 404)
    assert world.sup_a.get(f"/api/v1/blobs/{sha(photo)}/meta").get_json()["gps_lat"] \
        == pytest.approx(38.133333, abs=1e-6)
    # on no visit yet: the uploader's own (and admins'), nobody else's
    url = f"/api/v1/blobs/{sha(loose)}/meta"
    assert a[0].get(url).status_code == 200 and world.admin.get(url).status_code == 200
    for stranger in (member_b, world.sup_a, world.sup_b, insp_b):
        assert_error(stranger.get(url), 404)


def test_a_photos_thumbnail_is_shown_to_whoever_may_see_the_photo(team, world, session, app,
                                                                   store):
    """A teammate's phone shows a pulled photo from its thumbnail: a JPEG of at most 320 px,
    for the readers of its meta; a stranger, a photo never uploaded, not a hash: 404."""
    from sync.hlc import HLC
    from tests.phones import op, outcomes, push

    a, b = team.phones
    visit = team.visits[0]
    photo = jpeg(43, size=(1200, 800))
    Phone(*a).upload(photo)
    assert outcomes(push(a, [op(visit, "attach_photo", sha256=sha(photo),
                                item_version_id=team.item, hlc=HLC(1, 0, "a"))])) \
        == [("applied", None)]
    url = f"/api/v1/blobs/{sha(photo)}/thumbnail"
    resp = b[0].get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(resp.data)).size == (320, 213)
    assert resp.data == store.open_thumbnail(sha(photo)).read()
    assert "private" in resp.headers["Cache-Control"]
    store.thumbnail_path(sha(photo)).unlink()  # lost: made again from the original
    assert Image.open(io.BytesIO(b[0].get(url).data)).size == (320, 213)
    assert_error(world.sup_b.get(url), 404)
    assert_error(b[0].get(f"/api/v1/blobs/{sha(b'never sent')}/thumbnail"), 404)
    assert_error(b[0].get("/api/v1/blobs/not-a-hash/thumbnail"), 404)
    assert_error(world.coordinator.get(url), 403)
