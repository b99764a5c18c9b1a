"""The PDF and QR toolkit: embedded CJK font, escaped text, wrapping tables, fitting, QR codes."""

import re

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from yichuang.core import pdf as toolkit
from yichuang.core.qr import QUIET_ZONE, qr_matrix, qr_png, qr_png_data_uri, qr_svg
from yichuang.core.tests.pdftext import extract_text, extract_text_without_poppler, page_count

URL = "https://zwfw.example.gov.cn/guide/11330100MB0000001X4000117001000/"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def build(story_of, **options) -> bytes:
    doc = toolkit.pdf_document(options.pop("title", "测试文档"), **options)
    return doc.build(story_of(doc))


def test_the_cjk_font_is_registered_once():
    first = toolkit.register_cjk_font()
    font = pdfmetrics.getFont(first)
    assert toolkit.register_cjk_font() == first
    assert pdfmetrics.getFont(first) is font
    assert font.face.name == b"WenQuanYiMicroHei"


def test_documents_embed_the_cjk_font_and_read_back_as_chinese():
    pdf = build(lambda doc: [toolkit.paragraph("受理通知书：材料齐全，予以受理。", doc.styles.body)],
                title="受理通知书", subject="SLX-2025-000001", author="示例县政务服务中心")
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"WenQuanYiMicroHei" in pdf
    assert "材料齐全，予以受理" in squeeze(extract_text(pdf))
    # The title is in the metadata, as UTF-16 (the PDF way to store non-Latin text).
    assert "受理通知书".encode("utf-16-be") in _octal_unescape(re.search(rb"/Title \((.*?)\) /", pdf).group(1))


def test_every_font_in_a_document_is_embedded_even_where_reportlab_defaults_to_helvetica():
    """A table's cell style defaults to Helvetica: not embedded, and no Chinese glyphs."""
    from reportlab.platypus import Table

    pdf = build(lambda doc: [
        toolkit.data_table(["材料名称", "份数"], [["营业执照（副本）", "1"]], styles=doc.styles,
                           col_widths=[60 * mm, 20 * mm]),
        Table([["纯文本单元格 ABC"]]),
    ])
    assert b"Helvetica" not in pdf
    assert re.findall(rb"/Subtype\s*/Type1\b", pdf) == []
    assert "纯文本单元格ABC" in squeeze(extract_text(pdf))


def _octal_unescape(raw: bytes) -> bytes:
    return re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw).replace(b"\\\\", b"\\")


def test_the_reader_used_without_poppler_reads_toolkit_output():
    pdf = build(lambda doc: [
        toolkit.paragraph("一次性告知单", doc.styles.title),
        toolkit.data_table(["材料名称", "份数"], [["营业执照（副本）", "1"]], styles=doc.styles,
                           col_widths=[60 * mm, 20 * mm]),
    ])
    text = squeeze(extract_text_without_poppler(pdf))
    assert "一次性告知单" in text and "营业执照（副本）" in text and "材料名称" in text


def test_text_is_escaped_not_read_as_markup():
    pdf = build(lambda doc: [toolkit.paragraph("R&D <b>不是标签</b> a<b", doc.styles.body)])
    assert "R&D<b>不是标签</b>a<b" in squeeze(extract_text(pdf))


def test_line_breaks_in_text_are_kept():
    assert toolkit.plain_markup("第一行\n第二行\r\n第三行") == "第一行<br/>第二行<br/>第三行"


def test_long_cells_wrap_inside_their_column():
    long_text = "内容完整、真实有效，复印件应注明与原件一致并由申请人签字确认" * 2
    doc = toolkit.pdf_document("表格")
    table = toolkit.data_table(["受理标准"], [[long_text]], styles=doc.styles, col_widths=[40 * mm])
    width, height = table.wrap(40 * mm, 500 * mm)
    assert width <= 40 * mm + 0.01
    # Header plus a cell of several lines, not one line running off the page.
    assert height > 5 * doc.styles.cell.leading
    assert squeeze(long_text) in squeeze(extract_text(doc.build([table])))


def test_a_long_table_repeats_its_header_on_the_next_page_and_pages_are_numbered():
    rows = [[str(i), f"第{i}项材料"] for i in range(1, 90)]
    pdf = build(lambda doc: [toolkit.data_table(["序号", "材料名称"], rows, styles=doc.styles,
                                                 col_widths=[20 * mm, 80 * mm])], footer="示例县政务服务中心")
    pages = page_count(pdf)
    assert pages >= 2
    text = extract_text(pdf)
    assert text.count("材料名称") == pages
    assert f"第1页/共{pages}页" in squeeze(text) and f"第{pages}页/共{pages}页" in squeeze(text)
    assert "示例县政务服务中心" in text


def test_field_table_lays_out_label_value_pairs_in_columns():
    doc = toolkit.pdf_document("字段")
    table = toolkit.field_table([("事项名称", "食品经营许可"), ("实施编码", "X1"), ("收费", "不收费")],
                                styles=doc.styles, width=doc.width, columns=2)
    assert len(table._cellvalues) == 2 and len(table._cellvalues[0]) == 4
    assert "食品经营许可" in squeeze(extract_text(doc.build([table])))


def _lines(doc, count):
    return [toolkit.paragraph(f"第{i}行说明文字", doc.styles.body) for i in range(count)]


def test_render_fitted_shrinks_the_type_until_the_document_fits_one_page():
    scales = []

    def story(doc):
        scales.append(doc.scale)
        return _lines(doc, 58)

    assert page_count(build(lambda doc: _lines(doc, 58))) == 2
    pdf = toolkit.render_fitted(story, title="适配", max_pages=1)
    assert page_count(pdf) == 1
    assert scales[0] == 1.0 and scales[-1] < 1.0 and len(scales) > 1


def test_render_fitted_keeps_full_size_when_it_fits_and_lets_overlong_documents_flow():
    scales = []

    def short(doc):
        scales.append(doc.scale)
        return _lines(doc, 5)

    toolkit.render_fitted(short, title="短")
    assert scales == [1.0]
    pdf = toolkit.render_fitted(lambda doc: _lines(doc, 300), title="长", scales=(1.0, 0.9))
    assert page_count(pdf) > 1


class RecordingCanvas:
    """Stands in for a reportlab canvas and keeps the filled rectangles the flowable draws."""

    def __init__(self):
        self.rects = []
        self.fill = None

    def saveState(self):  # noqa: N802 - reportlab's name
        pass

    def restoreState(self):  # noqa: N802
        pass

    def setFillColor(self, colour):  # noqa: N802
        self.fill = colour

    def rect(self, x, y, w, h, stroke=0, fill=0):
        self.rects.append((x, y, w, h, self.fill))


def test_the_qr_flowable_draws_exactly_the_modules_of_the_code():
    size = 30 * mm
    flowable = toolkit.QrFlowable(URL, size=size)
    assert flowable.wrap(100, 100) == (size, size)
    canvas = RecordingCanvas()
    flowable.canv = canvas
    flowable.draw()
    matrix = qr_matrix(URL)
    n = len(matrix)
    unit = size / (n + 2 * QUIET_ZONE)
    drawn = [[False] * n for _ in range(n)]
    background = canvas.rects[0]
    assert background[:4] == (0, 0, size, size)
    for x, y, w, h, _colour in canvas.rects[1:]:
        assert abs(h - unit) < 1e-9
        row = round((size - y) / unit) - 1 - QUIET_ZONE
        start = round(x / unit) - QUIET_ZONE
        for col in range(start, start + round(w / unit)):
            drawn[row][col] = True
    assert drawn == matrix


def _svg_modules(svg: str, n: int) -> list[list[bool]]:
    grid = [[False] * n for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for col in range(int(x), int(x) + int(w)):
            grid[int(y) - QUIET_ZONE][col - QUIET_ZONE] = True
    return grid


def test_the_svg_draws_exactly_the_modules_of_the_code_with_a_quiet_zone():
    matrix = qr_matrix(URL)
    svg = qr_svg(URL, size=160, label="办事指南 <二维码>")
    total = len(matrix) + 2 * QUIET_ZONE
    assert f'viewBox="0 0 {total} {total}"' in svg
    assert _svg_modules(svg, len(matrix)) == matrix
    assert 'aria-label="办事指南 &lt;二维码&gt;"' in svg


def test_different_addresses_give_different_codes():
    assert qr_matrix(URL) != qr_matrix(URL.replace("117001", "117002"))


def test_png_code_and_data_uri():
    png = qr_png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert qr_png_data_uri(URL).startswith("data:image/png;base64,iVBOR")
