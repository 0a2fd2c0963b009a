"""What the browser tests share: Debian's chromium driven by Playwright's Python package.

Why Playwright: it launches an installed chromium by path (``executable_path``) with no
driver binary to match and nothing downloaded (``playwright install`` is never run), so
it works offline. Without chromium (or Playwright) a browser test skips locally with the
reason, and fails when CI=true: CI must run it.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from tests import factories as f

# Where the phones stand in the tests: the fake position Playwright gives geolocation.
SHANGHAI = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12}
OUTPUT = Path(__file__).resolve().parents[1] / "output"
DEVICES: dict = {}  # Playwright's device profiles ("Pixel 7", ...), once chromium runs
PHONE = {"width": 390, "height": 844}
OFFLINE = "net::ERR_INTERNET_DISCONNECTED"  # what chromium logs for a request without signal


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the browser test (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture
def chromium():
    """Playwright's chromium type and the path of the installed browser
    (FIELDINSPECT_TEST_CHROMIUM, else ``chromium`` on the PATH)."""
    path = os.environ.get("FIELDINSPECT_TEST_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if path is None or not os.access(path, os.X_OK):
        _unavailable(f"chromium is not installed ({path or 'not on PATH'}; apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        DEVICES.update(p.devices)
        yield p.chromium, path


# --- the inspector's app (/app) on a phone ------------------------------------------------
@pytest.fixture
def app_url(app):
    """The app on a real port; API requests one at a time (one test connection)."""
    from werkzeug.serving import make_server

    lock = threading.Lock()
    inner = app.wsgi_app

    def one_api_request_at_a_time(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            return inner(environ, start_response)
        with lock:
            return list(inner(environ, start_response))

    server = make_server("127.0.0.1", 0, one_api_request_at_a_time, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def phone(chromium):
    """(browser type, launch options, context options) of a Pixel 7 at 390 px in Shanghai."""
    browser_type, path = chromium
    device = dict(DEVICES["Pixel 7"])
    device.pop("default_browser_type", None)
    device["viewport"] = PHONE
    device["screen"] = PHONE
    launch = {"executable_path": path, "args": ["--disable-dev-shm-usage"]}
    return browser_type, launch, {**device, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def watch(page, problems: list) -> None:
    """Script errors and console errors, but the requests that fail for want of signal."""
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and OFFLINE not in m.text else None)


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/app/")
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", f.PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("a.visit-card .badge.ok")  # the pack is stored: 可离线
    page.wait_for_selector("html[data-offline-ready]")  # the worker controls the page


def wait_synced(page) -> None:
    page.wait_for_selector("#pending[data-count='0']")
    page.wait_for_selector("#sync-state[data-state='idle']")


def pending(page) -> int:
    return int(page.get_attribute("#pending", "data-count"))
