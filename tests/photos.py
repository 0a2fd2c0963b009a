"""Photos made on the spot (random noise, so no two are alike)."""

from __future__ import annotations

import io
import random

from PIL import Image


def noise(seed: int, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def jpeg(seed: int, size=(64, 48), exif: Image.Exif | None = None) -> bytes:
    buf = io.BytesIO()
    noise(seed, size).save(buf, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return buf.getvalue()


def png(seed: int, size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    noise(seed, size).convert("RGBA").save(buf, "PNG")
    return buf.getvalue()
