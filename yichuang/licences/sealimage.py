"""Seal images: draw a round red seal for the demo, and check an uploaded one by its content."""

import math
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from yichuang.core.pdf import FONT_PATH

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SEAL_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE = 100, 2000
SEAL_RED = (204, 20, 30, 255)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=0)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.radians(90 + i * 36)
        points.append((cx + r * math.cos(angle), cy - r * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)


def seal_image_png(owner_name: str, purpose: str = "", *, size: int = 480) -> bytes:
    """A round seal: the owner's name along the upper arc, a star, the purpose below it.

    Drawn on a transparent background so that, printed over the issuer's name, the text shows
    through as it does under a real stamp.
    """
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    ring = size * 0.03
    margin = ring / 2 + 2
    draw.ellipse((margin, margin, size - margin, size - margin), outline=SEAL_RED, width=round(ring))
    _star(draw, centre, centre, size * 0.17)

    name = owner_name.strip()
    if name:
        glyph = round(size * (0.13 if len(name) <= 10 else 0.11 if len(name) <= 14 else 0.09))
        font = _font(glyph)
        radius = size / 2 - ring - glyph * 0.75
        # About 30° a character, as far as 250°: short names spread like a real seal's.
        span = min(250.0, 30.0 * (len(name) - 1))
        for index, char in enumerate(name):
            angle = 90 + span / 2 - (span * index / (len(name) - 1) if len(name) > 1 else 0)
            tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
            ImageDraw.Draw(tile).text((glyph, glyph), char, font=font, fill=SEAL_RED, anchor="mm",
                                      stroke_width=max(1, glyph // 30), stroke_fill=SEAL_RED)
            tile = tile.rotate(angle - 90, resample=Image.BICUBIC)
            x = centre + radius * math.cos(math.radians(angle))
            y = centre - radius * math.sin(math.radians(angle))
            image.alpha_composite(tile, (round(x - glyph), round(y - glyph)))

    if purpose.strip():
        text = purpose.strip()
        width_limit = size * 0.56
        glyph = min(round(size * 0.085), int(width_limit / max(len(text), 1)))
        draw.text((centre, centre + size * 0.27), text, font=_font(glyph), fill=SEAL_RED, anchor="mm")

    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def validate_seal_png(data: bytes) -> bytes:
    """The bytes of a real PNG of a sensible size, or a ValidationError saying what is wrong."""
    if not data:
        raise ValidationError(_("请上传印模图像（PNG）。"), code="required")
    if len(data) > MAX_SEAL_BYTES:
        raise ValidationError(_("印模图像不能超过 1 MB。"), code="too_large")
    if not data.startswith(PNG_MAGIC):
        raise ValidationError(_("印模图像应为 PNG 格式（文件内容不是 PNG，改扩展名无效）。"), code="not_png")
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            width, height = image.size
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("印模图像已损坏，无法读取：请重新导出 PNG 后上传。"), code="corrupt") from None
    if fmt != "PNG":
        raise ValidationError(_("印模图像应为 PNG 格式。"), code="not_png")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationError(
            _("印模图像的宽和高应在 %(a)d–%(b)d 像素之间，当前为 %(w)d×%(h)d。")
            % {"a": MIN_SIDE, "b": MAX_SIDE, "w": width, "h": height}, code="size",
        )
    return data
