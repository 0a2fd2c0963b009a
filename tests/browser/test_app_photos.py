"""Photos that survive any signal, in the inspector's app: Debian's chromium on a phone
profile (Pixel 7 at 390 px, zh-CN, Asia/Shanghai), both database backends.

A photo of a few MB with EXIF time and GPS is taken for a photo-required field; its upload
starts at once and the signal dies after the first chunk; the phone is switched off
(the persistent browser profile closed). Switched on again with signal, the upload goes
on from the offset the server holds, not from zero, and the server holds the exact bytes
with the EXIF facts; the phone calls the photo 已上传 only once the server confirms its
hash. The network is judged by the requests the browser really sent.
"""

from __future__ import annotations

import hashlib

from PIL import ExifTags, Image
from sqlalchemy import select

from server.models import Upload
from tests.browser.conftest import OUTPUT, sign_in, wait_synced, watch
from tests.phones import make_team
from tests.photos import jpeg

CHUNK = 2 * 1024 * 1024  # js/uploader.js CHUNK_BYTES
FORM = {"fields": [
    {"key": "licensed", "label": "是否持证经营", "type": "yes_no_na"},
    {"key": "photo", "label": "营业执照照片", "type": "photo"},  # required
]}
TAKEN = "2026:11:22 10:15:30"
GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 14.0, 24.0),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 28.0, 12.0)}


def _photo(seed: int) -> bytes:
    """A camera-sized JPEG (noise: it does not compress) with EXIF time and GPS."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "fieldinspect test"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = TAKEN
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return jpeg(seed, size=(2600, 2000), exif=exif)


def _phone_record(page, sha256: str) -> dict:
    """What the phone stored about the photo (IndexedDB), without its bytes."""
    return page.evaluate("""(sha) => new Promise((resolve, reject) => {
      const open = indexedDB.open("fieldinspect");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction("photos").objectStore("photos").get(sha);
        get.onsuccess = () => {
          const r = get.result;
          resolve(r && {state: r.state, size: r.size, type: r.type, taken_at: r.taken_at,
                        gps_lat: r.gps_lat, gps_lon: r.gps_lon, has_bytes: !!r.blob,
                        has_preview: !!r.thumb, upload_url: r.upload_url});
          open.result.close();
        };
      };
    })""", sha256)


def test_a_photo_cut_mid_upload_resumes_after_a_restart_from_the_servers_offset(
        chromium, phone, app_url, world, session, app, backend_name, tmp_path, capsys):
    browser_type, launch, device = phone
    crew = make_team(world, session, app, form=FORM)
    visit, item = crew.visits[0], crew.item
    data = _photo(seed=len(backend_name))  # the blob store outlives one backend's run
    digest = hashlib.sha256(data).hexdigest()
    assert len(data) > 2 * CHUNK  # three chunks: the cut lands after the first
    (tmp_path / "IMG_0001.jpg").write_bytes(data)
    OUTPUT.mkdir(exist_ok=True)
    shots = {name: OUTPUT / f"app-photos-{name}-{backend_name}.png" for name in ("queue", "done")}
    profile = tmp_path / "profile"
    problems: list[str] = []
    sent: list[tuple[str, str, str | None]] = []  # (method, url, Upload-Offset) as sent
    cut = {"on": False, "refused": 0}

    def record(request):
        if "/api/v1/sync/uploads" in request.url:
            sent.append((request.method, request.url, request.headers.get("upload-offset")))

    def signal_dies_after_the_first_chunk(route, request):
        if cut["on"]:
            cut["refused"] += 1
            route.abort("internetdisconnected")
            return
        if request.method == "PATCH":
            cut["on"] = True  # this one arrives; nothing after it
        route.continue_()

    context = browser_type.launch_persistent_context(profile, **launch, **device)
    context.on("request", record)
    context.route("**/api/v1/sync/uploads/**", signal_dies_after_the_first_chunk)
    page = context.new_page()
    watch(page, problems)
    sign_in(page, app_url, crew.usernames[0])
    page.goto(f"{app_url}/app/visits/{visit}")
    photo_field = page.locator(f"[data-item='{item}'] [data-field='photo']")
    photo_field.locator("input[type=file]").set_input_files(str(tmp_path / "IMG_0001.jpg"))
    shown = photo_field.locator(f"figure.photo[data-sha256='{digest}']")
    shown.wait_for()
    # the upload started at once, was cut after its first chunk, and waits for signal
    page.wait_for_selector(f"figure.photo[data-sha256='{digest}'][data-state='offline']")
    assert cut["refused"] >= 1
    assert shown.locator(".photo-state").inner_text() == "等待网络"
    assert [m for m, _, _ in sent].count("PATCH") >= 2  # the first arrived, the next was cut
    assert "1 张照片" in page.inner_text("#pending")
    stored = _phone_record(page, digest)
    assert stored["state"] == "waiting" and stored["has_bytes"] and stored["has_preview"]
    assert stored["size"] == len(data) and stored["type"] == "image/jpeg"
    assert stored["taken_at"] == "2026-11-22T10:15:30"  # read from EXIF on the phone
    assert abs(stored["gps_lat"] - 31.24) < 1e-6 and abs(stored["gps_lon"] - 121.47) < 1e-6
    assert stored["upload_url"]  # kept in IndexedDB: the restart finds it
    context.set_offline(True)
    page.wait_for_selector("#net.offline")
    page.locator("[data-photos='visit']").scroll_into_view_if_needed()
    page.screenshot(path=str(shots["queue"]), full_page=True)
    context.close()  # the phone is switched off

    session.expire_all()
    upload = session.scalars(select(Upload).where(Upload.sha256 == digest)).one()
    assert upload.offset == CHUNK and upload.completed_at is None  # the first chunk only

    sent.clear()
    context = browser_type.launch_persistent_context(profile, **launch, **device)
    context.on("request", record)
    page = context.pages[0] if context.pages else context.new_page()
    watch(page, problems)
    page.goto(f"{app_url}/app/visits/{visit}")
    page.wait_for_selector(f"figure.photo[data-sha256='{digest}'][data-state='ok']", timeout=60_000)
    wait_synced(page)
    page.wait_for_selector("#pending[data-photos='0']")
    patches = [offset for method, _, offset in sent if method == "PATCH"]
    assert patches and int(patches[0]) == CHUNK  # resumed from the server's offset, not zero
    assert [m for m, _, _ in sent if m == "POST"] == []  # the same upload, not a new one
    assert "HEAD" in [m for m, _, _ in sent]  # asked the server where to go on
    assert _phone_record(page, digest)["has_bytes"] is False  # confirmed: the original left
    assert "0 张照片" in page.inner_text("#pending")
    page.screenshot(path=str(shots["done"]), full_page=True)
    context.close()

    # the server holds the exact bytes, with what EXIF says
    store = app.extensions["fieldinspect"].blobs()
    with store.open(digest) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == digest
    meta = world.sup_a.get(f"/api/v1/blobs/{digest}/meta").get_json()
    assert meta["sha256"] == digest and meta["size"] == len(data)
    assert meta["taken_at"] == "2026-11-22T10:15:30"
    missing = crew.phones[0][0].post("/api/v1/sync/blobs/missing", json={"hashes": [digest]})
    assert missing.get_json() == {"missing": []}
    # the ops: the photo linked to the item and the field answered with its hash, once each
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    mine = [(h["kind"], h.get("sha256") or h["value"], h["outcome"]) for h in history
            if h["user"] == crew.usernames[0]]
    assert sorted(mine) == [("attach_photo", digest, "applied"),
                            ("set_answer", digest, "applied")]
    assert problems == [], problems
    with capsys.disabled():
        print(f"\napp photo screenshots: {shots['queue']}, {shots['done']}")
