"""A phone speaking tus 1.0 (resumable uploads) through the Flask test client."""

from __future__ import annotations

import base64
import hashlib
import io

URL = "/api/v1/sync/uploads"
OFFSET_STREAM = "application/offset+octet-stream"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Phone:
    def __init__(self, api, device_id, credential):
        self.api, self.device_id, self.credential = api, device_id, credential

    @property
    def client(self):
        return self.api.client

    def headers(self, **extra) -> dict:
        out = {"Tus-Resumable": "1.0.0", "X-Device-Id": self.device_id,
               "X-Device-Credential": self.credential}
        if self.api.token:
            out["Authorization"] = f"Bearer {self.api.token}"
        out.update(extra)
        return {k: v for k, v in out.items() if v is not None}

    def create(self, data: bytes | None = None, *, length=None, sha256=None,
               filename="photo.jpg", filetype="image/jpeg", **headers):
        meta = [f"sha256 {b64(sha256 or sha(data))}", f"filename {b64(filename)}",
                f"filetype {b64(filetype)}"]
        length = len(data) if length is None else length
        return self.client.post(URL, headers=self.headers(**{
            "Upload-Length": str(length), "Upload-Metadata": ",".join(meta), **headers}))

    def start(self, data: bytes, **kw) -> str:
        resp = self.create(data, **kw)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return resp.headers["Location"]

    def head(self, url, **headers):
        return self.client.head(url, headers=self.headers(**headers))

    def offset(self, url) -> int:
        resp = self.head(url)
        assert resp.status_code == 200, resp.status
        return int(resp.headers["Upload-Offset"])

    def patch(self, url, chunk: bytes, offset: int, *, checksum=None, **headers):
        extra = {"Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM}
        if checksum:
            algo, digest = checksum
            extra["Upload-Checksum"] = f"{algo} {base64.b64encode(digest).decode()}"
        return self.client.patch(url, data=chunk, headers=self.headers(**{**extra, **headers}))

    def send_cut(self, url, rest: bytes, offset: int, arrives: int, **headers):
        """A PATCH announcing all of ``rest`` whose connection drops after ``arrives``."""
        return self.client.patch(url, input_stream=io.BytesIO(rest[:arrives]),
                                 headers=self.headers(**{
                                     "Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM,
                                     "Content-Length": str(len(rest)), **headers}))

    def upload(self, data: bytes, chunk: int = 1 << 20, **kw) -> str:
        url = self.start(data, **kw)
        offset = self.offset(url)
        while offset < len(data):
            resp = self.patch(url, data[offset:offset + chunk], offset)
            assert resp.status_code == 204, resp.get_data(as_text=True)
            offset = int(resp.headers["Upload-Offset"])
        return url
