"""The app's vendored JavaScript (server/pwa/static/vendor/, made by scripts/vendor) is
exactly what its lock records: every file's SHA-256 matches, every entry has its file and
no file is there unlisted. A file edited by hand, or a refresh without its lock, fails
here. No network and no node: the files are checked as bytes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "server" / "pwa" / "static"
VENDOR = STATIC / "vendor"
LOCK_FILE = VENDOR / "vendor.lock.json"
LOCK = json.loads(LOCK_FILE.read_text(encoding="utf-8"))
FILES = LOCK["files"]
SCRIPTS = sorted(name for name in FILES if name.endswith(".js"))

BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# a static import or re-export of another module: a vendored file must need none
MODULE_IMPORT = re.compile(r"^\s*(?:import\s[^;(]*?from\s*|import\s*|export\s[^;]*?from\s*)['\"]",
                           re.MULTILINE)
APP_IMPORT = re.compile(r"""(?:from\s*|import\s*\(?\s*)['"]([^'"]*vendor/[^'"]+)['"]""")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_vendored_file_has_the_sha256_its_lock_records(name):
    path = VENDOR / name
    assert path.is_file(), f"{name} is in vendor.lock.json but not in vendor/: run make vendor"
    assert _sha256(path) == FILES[name]["sha256"], \
        f"{name} differs from vendor.lock.json: vendored files change only through make vendor"


def test_no_file_in_vendor_is_missing_from_the_lock():
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert present - {LOCK_FILE.name} - set(FILES) == set()


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_entry_names_its_npm_release_and_how_the_file_was_made(name):
    entry = FILES[name]
    assert entry["package"] and re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), entry
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", entry["integrity"]), entry
    assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]), entry
    assert entry["source"] and entry["built"] and entry["license"], entry
    for inner in entry.get("bundled", []):
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", inner["integrity"]), inner
    assert re.fullmatch(r"\d+\.\d+\.\d+", LOCK["tools"]["esbuild"]["version"])


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_vendored_script_keeps_a_licence_header(name):
    text = (VENDOR / name).read_text(encoding="utf-8")
    assert text.startswith("/*!"), f"{name} does not open with its licence comment"
    head = text[:text.index("*/")]
    assert "license" in head.lower() or "licence" in head.lower()
    for inner in FILES[name].get("bundled", []):
        assert f"{inner['package']} {inner['version']} ({inner['license']})" in head, inner


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_vendored_script_is_one_module_with_no_imports(name):
    """The browser imports it by URL: an import of another module (a bare package name
    above all) would not resolve."""
    code = BLOCK_COMMENT.sub("", (VENDOR / name).read_text(encoding="utf-8"))
    assert not MODULE_IMPORT.findall(code), f"{name} imports another module"
    assert re.search(r"(?:^|[;}])\s*export\s*(?:\{|default|const|function|class)", code,
                     re.MULTILINE), \
        f"{name} is not an ES module"


def test_the_barcode_reader_finds_the_webassembly_build_it_was_made_for():
    """barcode-detector carries the SHA-256 of the ZXing .wasm it expects; the vendored
    .wasm is that file, served from this site (the app points the ponyfill at it)."""
    wasm = FILES["zxing_reader.wasm"]
    assert wasm["required_by"] == "barcode-detector"
    assert (VENDOR / "zxing_reader.wasm").read_bytes()[:4] == b"\0asm"
    assert wasm["sha256"] in (VENDOR / "barcode-detector.js").read_text(encoding="utf-8")


def test_the_app_imports_only_vendored_files_that_exist():
    """Every ``vendor/...`` module the app's own scripts import is in the lock."""
    wanted = set()
    for script in STATIC.rglob("*.js"):
        if VENDOR not in script.parents:
            wanted |= {ref.rsplit("vendor/", 1)[1]
                       for ref in APP_IMPORT.findall(script.read_text(encoding="utf-8"))}
    assert wanted - set(FILES) == set()
