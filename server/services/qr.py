"""QR images of inspection codes: PNG, SVG, and a printable premises poster.

Chinese on the poster needs a CJK font. Where none is installed the poster refuses with
the package to install instead of drawing empty boxes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import qrcode
import qrcode.image.svg

from schemas.errors import ErrorCode
from server.services.errors import DomainError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


class FontMissing(DomainError):
    code = ErrorCode.CJK_FONT_MISSING


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def png(data: str) -> bytes:
    out = io.BytesIO()
    _qr(data).make_image().save(out, format="PNG")
    return out.getvalue()


def svg(data: str) -> bytes:
    out = io.BytesIO()
    _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return out.getvalue()


def cjk_font() -> str:
    configured = os.environ.get("FIELDINSPECT_CJK_FONT")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and Path(path).exists():
            return path
    raise FontMissing("No CJK font is installed, so Chinese text cannot be drawn. Install "
                      "Debian's fonts-wqy-microhei (or fonts-noto-cjk), or set "
                      "FIELDINSPECT_CJK_FONT to a .ttc/.ttf file.", package="fonts-wqy-microhei")


def poster(data: str, *, title: str, lines: list[str]) -> bytes:
    """An A5-ish PNG: title, the company's name and code, the QR, a usage line."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = cjk_font()
    big, small = ImageFont.truetype(font_path, 44), ImageFont.truetype(font_path, 28)
    code = _qr(data).make_image().convert("RGB").resize((760, 760))
    page = Image.new("RGB", (1000, 1400), "white")
    draw = ImageDraw.Draw(page)
    draw.text((500, 80), title, font=big, fill="black", anchor="mm")
    y = 150
    for line in lines:
        draw.text((500, y), line, font=small, fill="black", anchor="mm")
        y += 46
    page.paste(code, (120, y + 20))
    draw.text((500, y + 820), "执法人员请在执法 app 中扫码入企 · 手机扫码可查看签发部门", font=small,
              fill="black", anchor="mm")
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()
