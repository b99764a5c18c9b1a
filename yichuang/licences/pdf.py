"""The printed licence: title, fields, validity, the seal over the issuer's name, a QR code to verify.

Two layouts: portrait (许可证) and landscape (证书). Every text is the licence's frozen data;
a licence that is no longer valid is printed with its status across the page, so an old
download cannot pass for a valid one on paper either (the QR code tells the truth online).
"""

import datetime
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from yichuang.core.pdf import (
    ACCENT,
    CJK_FONT,
    INK,
    MUTED,
    QrFlowable,
    Styles,
    field_table,
    plain_markup,
    register_cjk_font,
)

from .models import Licence, LicenceType
from .selectors import effective_status

SEAL_SIZE = 40 * mm
QR_SIZE = 30 * mm
WATERMARK = colors.Color(0.71, 0.14, 0.09, alpha=0.16)


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def validity_text(licence: Licence) -> str:
    if licence.valid_to is None:
        return _("%(f)s 起长期有效") % {"f": chinese_date(licence.valid_from)}
    return _("%(f)s 至 %(t)s") % {"f": chinese_date(licence.valid_from), "t": chinese_date(licence.valid_to)}


def verify_url(licence: Licence) -> str:
    return settings.SITE_URL + reverse("licences:verify_result", args=[licence.identifier])


def licence_rows(licence: Licence) -> list[tuple[str, str]]:
    """What the paper says, in order. The holder is stated once: a field repeating the holder's
    name or number is left out."""
    code_label = _("统一社会信用代码") if licence.holder_kind == Licence.HolderKind.COMPANY else _("身份证号码")
    rows = [(_("持证主体"), licence.holder_name), (code_label, licence.holder_code)]
    for row in licence.data:
        if row["value"] and row["value"] not in (licence.holder_name, licence.holder_code):
            rows.append((row["label"], row["value"]))
    rows.append((_("有效期限"), validity_text(licence)))
    return rows


def _fitted_table(rows, width: float, max_height: float):
    """The field table at the largest type scale that fits the space."""
    longest = max((len(label) for label, _value in rows), default=4)
    for scale in (1.45, 1.3, 1.18, 1.06, 0.95, 0.85, 0.76):
        styles = Styles(scale=scale)
        # Labels on one line when they can be: one em (9 pt × scale) a character plus the padding.
        label_width = min(longest * 9.3 * scale + 6 * scale + 8, width * 0.38)
        table = field_table(rows, styles=styles, width=width, label_width=label_width)
        _w, height = table.wrap(width, max_height)
        if height <= max_height:
            return table, height
    return table, height


def _stamp(png: bytes) -> ImageReader:
    """The seal as ink: slightly transparent, so that the issuer's name shows through as under a real stamp."""
    with Image.open(BytesIO(png)) as source:
        image = source.convert("RGBA")
    alpha = image.getchannel("A").point(lambda value: value * 85 // 100)
    image.putalpha(alpha)
    return ImageReader(image)


def _paragraph(canvas: Canvas, text: str, style, x: float, y_top: float, width: float) -> float:
    para = Paragraph(plain_markup(text), style)
    _w, height = para.wrap(width, 200 * mm)
    para.drawOn(canvas, x, y_top - height)
    return height


def render_licence_pdf(licence: Licence, *, today: datetime.date | None = None) -> bytes:
    register_cjk_font()
    template = licence.type.template or LicenceType.Template.PORTRAIT
    pagesize = landscape(A4) if template == LicenceType.Template.LANDSCAPE else A4
    width, height = pagesize
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(f"{licence.title} {licence.identifier}")
    canvas.setSubject(licence.identifier)
    canvas.setAuthor(licence.issuer_name)
    canvas.setCreator("yichuang")

    # The frame: a strong outer line and a fine inner one.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.8)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.5)
    canvas.rect(14.5 * mm, 14.5 * mm, width - 29 * mm, height - 29 * mm)

    margin = 26 * mm
    top = height - 32 * mm
    canvas.setFillColor(INK)
    canvas.setFont(CJK_FONT, 30 if template == LicenceType.Template.PORTRAIT else 28)
    canvas.drawCentredString(width / 2, top, licence.title, charSpace=6)
    canvas.setFont(CJK_FONT, 10.5)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(width / 2, top - 9 * mm, _("（电子证照）"))
    canvas.setFont(CJK_FONT, 7.5)
    canvas.drawCentredString(width / 2, top - 15 * mm, _("证照标识：%(i)s") % {"i": licence.identifier})

    styles = Styles()
    small = styles.small
    footer = _(
        "本证照由发证机关以 SM2 数字签名签发（SM3 摘要 %(d)s…）。真伪以扫描二维码或在 %(site)s/licences/verify/ "
        "输入证照标识核验的结果为准。"
    ) % {"d": licence.digest[:16], "site": settings.SITE_URL}

    if template == LicenceType.Template.LANDSCAPE:
        table_width = (width - 2 * margin) * 0.62
        table_top = top - 24 * mm
        table, table_height = _fitted_table(licence_rows(licence), table_width, table_top - 34 * mm)
        table.drawOn(canvas, margin, table_top - table_height)
        column_x = margin + table_width + 12 * mm
        column_width = width - margin - column_x
        qr_x, qr_y = column_x + (column_width - QR_SIZE) / 2, table_top - QR_SIZE
        issuer_x, issuer_y = column_x + column_width / 2, 64 * mm
        footer_width = width - 2 * margin
    else:
        table_width = width - 2 * margin
        table_top = top - 24 * mm
        table, table_height = _fitted_table(licence_rows(licence), table_width, table_top - 100 * mm)
        table.drawOn(canvas, margin, table_top - table_height)
        qr_x, qr_y = margin + 4 * mm, 44 * mm
        issuer_x, issuer_y = width - margin - 40 * mm, 62 * mm
        footer_width = width - 2 * margin

    QrFlowable(verify_url(licence), size=QR_SIZE).drawOn(canvas, qr_x, qr_y)
    canvas.setFont(CJK_FONT, 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 4.5 * mm, _("扫码核验真伪"))

    # The issuer and the date, with the seal stamped over them.
    canvas.setFillColor(INK)
    canvas.setFont(CJK_FONT, 12)
    canvas.drawCentredString(issuer_x, issuer_y, _("发证机关：%(n)s") % {"n": licence.issuer_name})
    canvas.drawCentredString(issuer_x, issuer_y - 8 * mm, chinese_date(timezone.localdate(licence.issued_at)))
    if licence.seal.image_png:
        canvas.drawImage(_stamp(bytes(licence.seal.image_png)), issuer_x - SEAL_SIZE / 2,
                         issuer_y - 4 * mm - SEAL_SIZE / 2, SEAL_SIZE, SEAL_SIZE, mask="auto")

    _paragraph(canvas, footer, small, margin, 26 * mm, footer_width)

    status = effective_status(licence, today)
    if status != Licence.Status.VALID:
        label = str(Licence.Status(status).label)
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(CJK_FONT, 96)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(30)
        canvas.drawCentredString(0, -30, label)
        canvas.restoreState()

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
