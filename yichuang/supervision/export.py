"""Excel exports: the table on the first sheet, the definition of every figure on the second."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .feedback_link import RATING_METRICS
from .metrics import MEDIAN_OVER, METRICS
from .models import HIST_MAX
from .selectors import StatTable

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="E8F0FB")


def metric_header(metric) -> str:
    return f"{metric.label}（{metric.unit}）"


def _cell_value(metric, value):
    if value is None:
        return None
    if metric.kind == "median" and value == MEDIAN_OVER:
        return f">{HIST_MAX}"
    return value


def definitions_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(_("指标口径"))
    sheet.append([_("指标"), _("单位"), _("定义（计算方法）")])
    for metric in (*METRICS, *RATING_METRICS):
        sheet.append([str(metric.label), str(metric.unit), str(metric.definition)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 100
    for row in sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")


def _rating_cells(figures) -> list:
    if figures is None or not figures.available:
        return [None] * len(RATING_METRICS)
    values = figures.as_dict()
    return [values[m.key] for m in RATING_METRICS]


def statistics_workbook(table: StatTable, *, title: str = "", ratings=None) -> bytes:
    """The table, its ratings (好差评) after the case figures, and the definitions sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("统计")
    query = table.query
    sheet.append([title or _("政务服务办件统计"),
                  _("统计期：%(s)s 至 %(e)s") % {"s": query.start, "e": query.end},
                  _("导出时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    sheet.append([_("各指标的定义见“指标口径”工作表。")])
    sheet.append([table.slice_label or _("范围"), *(metric_header(m) for m in METRICS),
                  *(metric_header(m) for m in RATING_METRICS)])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in [*table.rows, table.total]:
        figures = None
        if ratings is not None:
            figures = ratings.total if row is table.total else ratings.for_row(row.key)
        sheet.append([str(row.label), *(_cell_value(m, row.figures[m.key]) for m in METRICS), *_rating_cells(figures)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    if ratings is not None and ratings.note:
        sheet.append([ratings.note])
    for index in range(2, len(METRICS) + len(RATING_METRICS) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.freeze_panes = "B4"
    definitions_sheet(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_workbook(*, title: str, headers: list[str], rows: list[list]) -> bytes:
    """Any list (alarms, audits, interviews) as a sheet, with the figure definitions alongside."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(row)
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.freeze_panes = "A2"
    definitions_sheet(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
