"""A small toolkit for the papers a service centre prints: checklists, notices, decisions.

Every document embeds the vendored CJK font (WenQuanYi Micro Hei), so it prints the same on a
clerk's machine that has no Chinese fonts installed. Text given to the helpers is plain text:
it is escaped here, so a material named "A<B" or "R&D" cannot break the layout.

Typical use::

    doc = pdf_document(_("受理通知书"), subject=case.number)
    s = doc.styles
    pdf_bytes = doc.build([paragraph(title, s.title), field_table([...], styles=s, width=doc.width)])

`render_fitted` builds a document that must fit on a page count (a one-page checklist), trying
slightly smaller type before giving up and letting it flow.
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from .qr import QUIET_ZONE, qr_matrix

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
CJK_FONT = "WenQuanYiMicroHei"
# Index 0 of the collection is the proportional face; index 1 is the monospaced one.
_SUBFONT_INDEX = 0

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
ACCENT = colors.HexColor("#1d4f91")
LINE = colors.HexColor("#9aa6b4")
HEAD_BG = colors.HexColor("#eef2f7")

_font_lock = threading.Lock()


def register_cjk_font() -> str:
    """Register the CJK font with reportlab once per process and return its name."""
    if CJK_FONT in pdfmetrics.getRegisteredFontNames():
        return CJK_FONT
    with _font_lock:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(FONT_PATH), subfontIndex=_SUBFONT_INDEX))
            # The collection has no bold or italic face; mapping them to the regular face lets
            # <b> in a paragraph render instead of raising.
            pdfmetrics.registerFontFamily(
                CJK_FONT, normal=CJK_FONT, bold=CJK_FONT, italic=CJK_FONT, boldItalic=CJK_FONT
            )
    return CJK_FONT


@dataclass(frozen=True)
class Styles:
    """Paragraph styles at one type scale; `scale` < 1 makes a crowded document fit."""

    scale: float = 1.0

    def _style(self, name: str, size: float, **kwargs: Any) -> ParagraphStyle:
        font = register_cjk_font()
        size = round(size * self.scale, 2)
        defaults = {
            "fontName": font, "fontSize": size, "leading": round(size * 1.45, 2), "textColor": INK,
            # Chinese has no spaces between words: break between any two characters.
            "wordWrap": "CJK", "alignment": TA_LEFT,
        }
        defaults.update(kwargs)
        return ParagraphStyle(name, **defaults)

    @cached_property
    def title(self) -> ParagraphStyle:
        return self._style("title", 17, alignment=TA_CENTER, leading=round(17 * self.scale * 1.3, 2),
                           spaceAfter=4 * self.scale)

    @cached_property
    def subtitle(self) -> ParagraphStyle:
        return self._style("subtitle", 10, alignment=TA_CENTER, textColor=MUTED, spaceAfter=6 * self.scale)

    @cached_property
    def heading(self) -> ParagraphStyle:
        return self._style("heading", 11.5, textColor=ACCENT, spaceBefore=8 * self.scale, spaceAfter=4 * self.scale)

    @cached_property
    def body(self) -> ParagraphStyle:
        return self._style("body", 10)

    @cached_property
    def small(self) -> ParagraphStyle:
        return self._style("small", 8.5, textColor=MUTED)

    @cached_property
    def small_center(self) -> ParagraphStyle:
        return self._style("small_center", 8.5, textColor=MUTED, alignment=TA_CENTER)

    @cached_property
    def small_right(self) -> ParagraphStyle:
        return self._style("small_right", 8.5, textColor=MUTED, alignment=TA_RIGHT)

    @cached_property
    def cell(self) -> ParagraphStyle:
        return self._style("cell", 8.8)

    @cached_property
    def cell_center(self) -> ParagraphStyle:
        return self._style("cell_center", 8.8, alignment=TA_CENTER)

    @cached_property
    def cell_head(self) -> ParagraphStyle:
        return self._style("cell_head", 8.8, textColor=ACCENT, alignment=TA_CENTER)

    @cached_property
    def label(self) -> ParagraphStyle:
        return self._style("label", 9, textColor=MUTED)


def plain_markup(text: Any) -> str:
    """Escape text for reportlab's paragraph markup and keep its line breaks."""
    value = "" if text is None else str(text)
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def paragraph(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped, line breaks kept)."""
    return Paragraph(plain_markup(text), style)


def _cell(value: Any, style: ParagraphStyle) -> Flowable | list:
    if isinstance(value, Flowable | list):
        return value
    return paragraph(value, style)


def data_table(
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    styles: Styles,
    col_widths: Sequence[float],
    center_columns: Sequence[int] = (),
) -> Table:
    """A ruled table whose text cells wrap (long material names, acceptance standards).

    Strings become escaped paragraphs; flowables are placed as they are. The header row repeats
    when the table runs onto another page.
    """
    head = [_cell(h, styles.cell_head) for h in header]
    body = [
        [_cell(v, styles.cell_center if i in center_columns else styles.cell) for i, v in enumerate(row)]
        for row in rows
    ]
    pad = 3 * styles.scale
    table = Table([head, *body], colWidths=list(col_widths), repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), pad + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad + 1),
    ]))
    return table


def field_table(
    pairs: Sequence[tuple[Any, Any]],
    *,
    styles: Styles,
    width: float,
    columns: int = 1,
    label_width: float = 24 * mm,
) -> Table:
    """Label / value pairs laid out in `columns` column pairs, e.g. 事项名称 | 食品经营许可."""
    value_width = width / columns - label_width
    cells: list[list[Any]] = []
    row: list[Any] = []
    for label, value in pairs:
        row += [_cell(label, styles.label), _cell(value, styles.cell)]
        if len(row) == 2 * columns:
            cells.append(row)
            row = []
    if row:
        row += [""] * (2 * columns - len(row))
        cells.append(row)
    pad = 3 * styles.scale
    table = Table(cells, colWidths=[label_width, value_width] * columns)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), pad + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad + 1),
    ]
    for c in range(columns):
        commands.append(("BACKGROUND", (2 * c, 0), (2 * c, -1), HEAD_BG))
    table.setStyle(TableStyle(commands))
    return table


class QrFlowable(Flowable):
    """A QR code drawn as vector squares (sharp on any printer), `size` points square."""

    def __init__(self, data: str, size: float = 26 * mm):
        super().__init__()
        self.data = data
        self.size = size
        self.width = self.height = size
        self._matrix = qr_matrix(data)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        modules = len(self._matrix) + 2 * QUIET_ZONE
        unit = self.size / modules
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        top = self.size
        for y, row in enumerate(self._matrix):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                canvas.rect(
                    (start + QUIET_ZONE) * unit, top - (y + QUIET_ZONE + 1) * unit,
                    (x - start) * unit, unit, stroke=0, fill=1,
                )
        canvas.restoreState()


def _numbered_canvas_maker(footer: str) -> Callable[..., Canvas]:
    """A canvas that writes "footer · 第 n 页 / 共 N 页" once it knows how many pages there are."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def setFont(self, psfontname: str, size: float, leading: float | None = None) -> None:  # noqa: N802
            # reportlab falls back to Helvetica (a table cell's default style, a plain-string
            # cell): it is not embedded and has no Chinese glyphs, so every font that is not an
            # embedded TrueType one is drawn in the embedded CJK font instead.
            if not isinstance(pdfmetrics.getFont(psfontname), TTFont):
                psfontname = CJK_FONT
            super().setFont(psfontname, size, leading)

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(CJK_FONT, 8)
            self.setFillColor(MUTED)
            if footer:
                self.drawString(15 * mm, 9 * mm, footer)
            self.drawRightString(width - 15 * mm, 9 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页")
            self.restoreState()

    return NumberedCanvas


@dataclass
class PdfDocument:
    """An A4 document with the CJK font, metadata and a page-numbered footer."""

    title: str
    subject: str = ""
    author: str = ""
    footer: str = ""
    scale: float = 1.0
    pagesize: tuple[float, float] = A4
    margin: float = 15 * mm
    page_count: int = field(default=0, init=False)

    @cached_property
    def styles(self) -> Styles:
        return Styles(scale=self.scale)

    @property
    def width(self) -> float:
        """The usable width between the margins, for column widths."""
        return self.pagesize[0] - 2 * self.margin

    def build(self, story: list[Flowable]) -> bytes:
        register_cjk_font()
        buffer = BytesIO()
        template = SimpleDocTemplate(
            buffer, pagesize=self.pagesize,
            leftMargin=self.margin, rightMargin=self.margin,
            topMargin=self.margin, bottomMargin=self.margin + 4 * mm,
            title=str(self.title), subject=str(self.subject), author=str(self.author),
            creator="yichuang", lang="zh-CN", initialFontName=register_cjk_font(), initialFontSize=10,
        )
        template.build(story, canvasmaker=_numbered_canvas_maker(str(self.footer)))
        self.page_count = template.page
        return buffer.getvalue()


def pdf_document(title: str, *, subject: str = "", author: str = "", footer: str = "", scale: float = 1.0) -> PdfDocument:
    return PdfDocument(title=title, subject=subject, author=author, footer=footer, scale=scale)


def render_fitted(
    make_story: Callable[[PdfDocument], list[Flowable]],
    *,
    title: str,
    max_pages: int = 1,
    scales: Sequence[float] = (1.0, 0.92, 0.84, 0.76),
    **document_options: Any,
) -> bytes:
    """Build with the largest type scale that fits in `max_pages`; if none does, the smallest wins.

    `make_story` is called once per attempt with a fresh document, because flowables keep layout
    state and cannot be built twice.
    """
    pdf = b""
    for scale in scales:
        doc = pdf_document(title, scale=scale, **document_options)
        pdf = doc.build(make_story(doc))
        if doc.page_count <= max_pages:
            break
    return pdf
