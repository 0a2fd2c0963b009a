"""A fake camera for chromium (``--use-file-for-fake-video-capture``): a still image as a
YUV4MPEG2 video, the format chromium reads: a text header, then frames of raw I420 (a
full-size luma plane, then the two chroma planes at half width and half height)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.qr import decode

HEADER = "YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n"


def frame_of(image: Image.Image, width: int, height: int) -> Image.Image:
    """The image fitted into a ``width`` x ``height`` frame on white, as a camera held
    in front of it would show it."""
    picture = image.convert("RGB")
    picture.thumbnail((width, height), Image.LANCZOS)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return frame


def write_y4m(path: Path, image: Image.Image, *, width: int = 480, height: int = 640,
              frames: int = 2) -> Path:
    """``image`` as a video of ``frames`` identical frames (chromium loops the file)."""
    if width % 2 or height % 2:
        raise ValueError("I420 needs an even width and height")
    y, cb, cr = frame_of(image, width, height).convert("YCbCr").split()  # full range: C420jpeg
    half = (width // 2, height // 2)
    body = y.tobytes() + cb.resize(half, Image.BILINEAR).tobytes() \
        + cr.resize(half, Image.BILINEAR).tobytes()
    with open(path, "wb") as out:
        out.write(HEADER.format(w=width, h=height).encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n" + body)
    return path


def poster_video(world, company_id: int, path) -> str:
    """The company's premises poster as the fake camera's video; the frame's QR code is
    checked readable first (by zxing, as a phone reads it), so a failure is the app's.
    Returns the text the code holds."""
    poster = world.admin.get(f"/api/v1/companies/{company_id}/premises-poster.png")
    assert poster.status_code == 200
    image = Image.open(io.BytesIO(poster.get_data()))
    framed = io.BytesIO()
    frame_of(image, 480, 640).save(framed, format="PNG")
    text = decode(framed.getvalue())
    write_y4m(path, image)
    return text
