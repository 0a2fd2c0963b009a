"""The vendored JavaScript (server/pwa/static/vendor/) works in Debian's chromium as the app
uses it: each file imported by relative URL as an ES module, and nothing fetched from
anywhere but this site (the barcode reader's default is a CDN; pointed at the vendored
.wasm, it decodes a QR code offline). No database: the files are served as they are.

Without chromium (or Playwright) the test skips locally with the reason and fails when
CI=true, as the dashboard's browser test does.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image

STATIC = Path(__file__).resolve().parents[2] / "server" / "pwa" / "static"
QR_TEXT = "http://127.0.0.1:5000/v/扫码入企-test"

# Runs in the page: every library through its vendored file, by relative URL.
PROBE = """
import { openDB } from "./vendor/idb.js";
import * as tus from "./vendor/tus-js-client.js";
import { BarcodeDetector, prepareZXingModule } from "./vendor/barcode-detector.js";
import * as ed from "./vendor/noble-ed25519.js";
import SignaturePad from "./vendor/signature_pad.js";
import * as exifr from "./vendor/exifr.js";

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const blob = (b64, type) => new Blob([bytes(b64)], { type });

window.probe = async (input) => {
  const db = await openDB("vendor-probe", 1, { upgrade: (d) => d.createObjectStore("outbox") });
  await db.put("outbox", { op: 1 }, "k");
  const idb = (await db.get("outbox", "k")).op;

  prepareZXingModule({ overrides: { locateFile: (path, prefix) => path.endsWith(".wasm")
    ? new URL("./vendor/zxing_reader.wasm", location.href).href : prefix + path } });
  const codes = await new BarcodeDetector({ formats: ["qr_code"] })
    .detect(await createImageBitmap(blob(input.qr, "image/png")));

  const verified = await ed.verifyAsync(bytes(input.signature), new TextEncoder().encode(input.message),
                                        bytes(input.publicKey));
  const forged = await ed.verifyAsync(bytes(input.signature), new TextEncoder().encode("forged"),
                                      bytes(input.publicKey));

  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  const pad = new SignaturePad(canvas);
  const emptyBefore = pad.isEmpty();
  pad.fromData([{ points: [{ x: 10, y: 10, time: 1, pressure: 0.5 },
                           { x: 40, y: 30, time: 2, pressure: 0.5 }] }]);

  const gps = await exifr.gps(blob(input.jpeg, "image/jpeg"));
  return { idb, tusSupported: tus.isSupported, codes: codes.map((c) => c.rawValue),
           verified, forged, emptyBefore, emptyAfter: pad.isEmpty(),
           signaturePng: pad.toDataURL().startsWith("data:image/png"),
           latitude: gps.latitude, longitude: gps.longitude };
};
window.probeReady = true;
"""
PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="probe.js"></script>'


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the browser test (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture
def site(tmp_path):
    """The vendored files and the probe page on a local HTTP server (a thread)."""
    shutil.copytree(STATIC / "vendor", tmp_path / "vendor")
    (tmp_path / "probe.js").write_text(PROBE, encoding="utf-8")
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _inputs() -> dict:
    qr = io.BytesIO()
    qrcode.make(QR_TEXT).save(qr, format="PNG")
    key = Ed25519PrivateKey.generate()
    message = "visit token payload"
    jpeg = io.BytesIO()
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)  # GPS IFD: 31°14'24"N 121°28'12"E
    gps.update({1: "N", 2: (31.0, 14.0, 24.0), 3: "E", 4: (121.0, 28.0, 12.0)})
    Image.new("RGB", (64, 48), "white").save(jpeg, "JPEG", exif=exif)
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    return {"qr": b64(qr.getvalue()), "message": message,
            "signature": b64(key.sign(message.encode())),
            "publicKey": b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
            "jpeg": b64(jpeg.getvalue())}


def test_every_vendored_library_loads_and_works_offline_in_chromium(site):
    path = os.environ.get("FIELDINSPECT_TEST_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if path is None or not os.access(path, os.X_OK):
        _unavailable(f"chromium is not installed ({path or 'not on PATH'})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--disable-dev-shm-usage"])
        try:
            context = browser.new_context()
            elsewhere, errors = [], []
            context.on("request", lambda r: None if r.url.startswith(site)
                       else elsewhere.append(r.url))
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(site) else route.abort())
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{site}/index.html")
            page.wait_for_function("window.probeReady === true", timeout=20_000)
            result = page.evaluate("input => window.probe(input)", _inputs())
        finally:
            browser.close()
    assert errors == [] and elsewhere == [], (errors, elsewhere)
    assert result == {
        "idb": 1, "tusSupported": True, "codes": [QR_TEXT], "verified": True, "forged": False,
        "emptyBefore": True, "emptyAfter": False, "signaturePng": True,
        "latitude": pytest.approx(31.24), "longitude": pytest.approx(121.47),
    }, json.dumps(result, ensure_ascii=False)
