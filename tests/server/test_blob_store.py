"""The content-addressed blob store and the missing-hashes question."""

from __future__ import annotations

import hashlib
import io

import pytest

from server.storage import FileBlobStore, HashMismatch


def test_a_blob_is_kept_byte_for_byte_under_its_hash_and_stored_once(tmp_path):
    store = FileBlobStore(tmp_path)
    data = bytes(range(256)) * 9000  # > 2 MB, several chunks
    digest = hashlib.sha256(data).hexdigest()
    assert store.missing([digest]) == [digest]
    assert store.put(digest, io.BytesIO(data), max_bytes=10 << 20) == len(data)
    assert store.open(digest).read() == data
    assert store.put(digest, io.BytesIO(b"ignored: already stored"), max_bytes=10) == len(data)
    assert store.missing([digest, digest]) == []


def test_wrong_bytes_or_too_many_leave_nothing_behind(tmp_path):
    store = FileBlobStore(tmp_path)
    digest = hashlib.sha256(b"the real photo").hexdigest()
    with pytest.raises(HashMismatch):
        store.put(digest, io.BytesIO(b"a corrupted photo"), max_bytes=1000)
    with pytest.raises(ValueError):
        store.put(digest, io.BytesIO(b"x" * 2000), max_bytes=1000)
    assert not store.exists(digest)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # no temporary left over
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_the_server_says_which_photos_it_lacks(world, app):
    store = app.extensions["fieldinspect"].blobs()
    have = hashlib.sha256(b"have").hexdigest()
    store.put(have, io.BytesIO(b"have"), max_bytes=100)
    lack = hashlib.sha256(b"lack").hexdigest()
    resp = world.insp_a.post("/api/v1/sync/blobs/missing", json={"hashes": [have, lack]})
    assert resp.status_code == 200 and resp.get_json() == {"missing": [lack]}
    assert world.insp_a.post("/api/v1/sync/blobs/missing",
                             json={"hashes": ["NOT-A-HASH"]}).status_code == 422
    assert world.sup_a.post("/api/v1/sync/blobs/missing", json={"hashes": []}).status_code == 403
