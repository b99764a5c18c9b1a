"""The rectification report as Excel: figures by department or window, definitions on the second sheet."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .selectors import DEFINITIONS, ReportRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="E8F0FB")


def report_columns() -> list[tuple[str, object]]:
    return [
        (_("有效评价"), lambda f: f["total"]),
        (_("满意率（%）"), lambda f: f["satisfaction_rate"]),
        (_("差评"), lambda f: f["bad"]),
        (_("差评率（%）"), lambda f: f["bad_rate"]),
        (_("启动整改"), lambda f: f["rectification"]["opened"]),
        (_("整改办结"), lambda f: f["rectification"]["done"]),
        (_("整改率（%）"), lambda f: f["rectification"]["rate"]),
        (_("回访完成"), lambda f: f["rectification"]["callback_done"]),
        (_("回访率（%）"), lambda f: f["rectification"]["callback_rate"]),
        (_("超期整改"), lambda f: f["rectification"]["overdue"]),
        (_("申诉成立不计入"), lambda f: f["excluded"]),
    ]


def report_workbook(rows: list[ReportRow], *, start, end, by: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("好差评整改")
    sheet.append([_("好差评整改统计（按%(b)s）") % {"b": _("部门") if by == "department" else _("窗口")},
                  _("统计期：%(s)s 至 %(e)s") % {"s": start, "e": end},
                  _("导出时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    sheet.append([_("各指标的定义见“指标口径”工作表。")])
    columns = report_columns()
    sheet.append([_("部门") if by == "department" else _("窗口"), *(str(label) for label, _f in columns)])
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        sheet.append([row.label, *(getter(row.figures) for _l, getter in columns)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.freeze_panes = "B4"
    defs = book.create_sheet(_("指标口径"))
    defs.append([_("指标"), _("定义（计算方法）")])
    names = {"total": _("有效评价"), "satisfaction_rate": _("满意率"), "bad_rate": _("差评率"),
             "rectification_rate": _("整改率"), "callback_rate": _("回访率"), "overdue": _("超期整改")}
    for key, text in DEFINITIONS.items():
        defs.append([str(names[key]), str(text)])
        defs.cell(row=defs.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    defs.column_dimensions["A"].width = 14
    defs.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
