"""What the browser tests share: Debian's chromium driven by Playwright's Python package.

Why Playwright: it launches an installed chromium by path (``executable_path``) with no
driver binary to match and nothing downloaded (``playwright install`` is never run), so
it works offline. Without chromium (or Playwright) a browser test skips locally with the
reason, and fails when CI=true: CI must run it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[1] / "output"
DEVICES: dict = {}  # Playwright's device profiles ("Pixel 7", ...), once chromium runs


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
