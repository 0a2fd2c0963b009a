"""The one thumbnail maker (缩略图): what an upload keeps beside the photo, and what the
printed record shows when a photo's thumbnail is missing, are made the same way, so
a transparent PNG looks alike in both (over white, never black)."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

THUMB_PX = 320  # the longer side, in pixels
QUALITY = 80


def thumbnail(im: Image.Image) -> bytes:
    """A JPEG of at most THUMB_PX on its longer side, turned upright as its EXIF says,
    transparency over white. ``im`` is left as it was."""
    small = ImageOps.exif_transpose(im)
    small.thumbnail((THUMB_PX, THUMB_PX))
    out = io.BytesIO()
    rgb(small).save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def rgb(im: Image.Image) -> Image.Image:
    """RGB for JPEG; transparency over white rather than black."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        out = Image.new("RGB", rgba.size, "white")
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    if im.mode.startswith("I"):  # 16-bit greyscale PNG
        return im.point(lambda v: v / 256).convert("L").convert("RGB")
    return im.convert("RGB")
