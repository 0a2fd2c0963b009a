"""Phones of the ``sync.client`` library, speaking HTTP to the app in this process."""

from __future__ import annotations

import io

from PIL import Image

from server import clock
from server.models import User
from sync.client import Device
from tests import factories as f
from tests.wsgi_requests import BASE, session_for


def phone(app, tmp_path, user: User, name: str) -> Device:
    # the phone's clock is the suite's (its scans are judged at the phone's time), not the
    # machine's: on a machine whose date is not the suite's the door scan would miss the visit
    device = Device(tmp_path / f"{name}.sqlite", BASE, http=session_for(app),
                    clock=lambda: clock.now().timestamp())
    device.sign_in(user.username, f.PASSWORD)
    device.register(name)
    device.refresh_packs()
    return device


def jpeg(path, colour) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)
