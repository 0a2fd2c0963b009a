"""A fake camera for chromium (``--use-file-for-fake-video-capture``): a still image as a
YUV4MPEG2 video, the format chromium reads: a text header, then frames of raw I420 (a
full-size luma plane, then the two chroma planes at half width and half height)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

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
