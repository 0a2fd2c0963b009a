"""A ``requests`` adapter that hands each request to the Flask app in this process.

The device client speaks HTTP through ``requests``; with this adapter the tests drive
it against the real app and the test's database (savepoint mode, both backends)
without a socket. The app still parses real headers and bodies.
"""

from __future__ import annotations

import io

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

BASE = "http://device.test"


class WSGIAdapter(BaseAdapter):
    def __init__(self, app):
        super().__init__()
        self.client = app.test_client()

    def send(self, request, **kwargs):
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        path = request.path_url
        answer = self.client.open(path, method=request.method, headers=dict(request.headers),
                                  data=body or b"")
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response.raw = io.BytesIO(answer.get_data())
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


def session_for(app) -> requests.Session:
    http = requests.Session()
    http.mount(BASE, WSGIAdapter(app))
    return http
