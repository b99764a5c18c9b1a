"""Import and export of the catalogue: JSON (the `version_to_dict` shape) and Excel workbooks.

Both formats are read into the same raw records and checked by the same rules before anything
is written, so a problem is reported with its sheet, row and column whichever format it came
in, and every problem of a file is reported at once. Writing goes through `item_upsert`, one
savepoint per item, inside one transaction that is rolled back if any item failed: a file
with an error changes nothing.

Sheet names, column headers and choice labels are part of the file format, not of the user
interface: they stay Chinese whatever language the page is shown in, so a workbook exported
by one admin imports for another.
"""

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator
from django.db import DatabaseError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yichuang.core.audit import audit_record
from yichuang.core.crypto import sm3_hex
from yichuang.org.models import Department, ServiceCentre, User

from .models import (
    AllowedSpecialProcedure,
    Fee,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    SpecialProcedureType,
    Topic,
)
from .serialization import _plain, version_to_dict
from .services import item_upsert

FORMAT_NAME = "yichuang-catalog"
FORMAT_VERSION = 1
JSON_SHEET = "JSON"

SHEET_ITEMS = "事项"
SHEET_HELP = "说明"
KEY_HEADER = "实施编码"
INFO_HEADER = "事项名称（仅供查看）"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# A workbook is a zip; a small upload can unpack to gigabytes (zip bomb). Real catalogues
# unpack to a few megabytes.
XLSX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_TRUE = {"是", "true", "1"}
_FALSE = {"否", "false", "0"}
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_MISSING = object()


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a sheet, i.e. one key of the item dictionary."""

    key: str
    header: str
    # text | int | decimal | bool | choice | list | ref | refs | key | info
    kind: str
    model: type[models.Model] | None = None
    # For ref/refs: which reference table the value names.
    ref: str = ""
    required: bool = False
    note: Any = ""
    wide: bool = False

    @property
    def field(self) -> models.Field | None:
        if self.model is None:
            return None
        return self.model._meta.get_field(self.key)


def _c(key: str, header: str, model: type[models.Model], *, wide: bool = False, note: Any = "") -> Column:
    """A column backed by a model field: its kind follows the field."""
    f = model._meta.get_field(key)
    if f.choices:
        kind = "choice"
    elif isinstance(f, models.BooleanField):
        kind = "bool"
    elif isinstance(f, models.DecimalField):
        kind = "decimal"
    elif isinstance(f, models.IntegerField):
        kind = "int"
    elif isinstance(f, models.JSONField):
        kind = "list"
    else:
        kind = "text"
    return Column(key, header, kind, model, wide=wide, note=note or f.help_text)


ITEM_COLUMNS = [
    Column("implementation_code", KEY_HEADER, "key", required=True,
           note=gettext_lazy("事项的唯一标识。系统中已有该编码的事项将被更新，没有的将被新建。")),
    _c("name", "事项名称", ItemVersion),
    _c("basic_code", "基本编码", ItemVersion),
    Column("item_type", "事项类型", "ref", ref="item_type", required=True),
    _c("level", "行使层级", ItemVersion),
    Column("department", "实施主体编码", "ref", ref="department", required=True,
           note=gettext_lazy("实施主体（部门）的编码，须为系统「部门（实施主体）」中已有的编码。")),
    Column("topics", "主题分类", "refs", ref="topic", note=gettext_lazy("可填多个，用「、」分隔；没有留空。")),
    _c("for_persons", "面向自然人", ItemVersion),
    _c("for_companies", "面向法人", ItemVersion),
    _c("legal_basis", "设定依据", ItemVersion, wide=True),
    _c("conditions", "受理条件", ItemVersion, wide=True),
    _c("refusal_grounds", "不予受理情形", ItemVersion, wide=True),
    _c("statutory_limit", "法定办结时限（工作日）", ItemVersion),
    _c("statutory_limit_note", "法定时限说明", ItemVersion),
    _c("promised_limit", "承诺办结时限（工作日）", ItemVersion, note=gettext_lazy("不能长于法定办结时限。")),
    _c("promised_limit_note", "承诺时限说明", ItemVersion),
    _c("extension_limit", "可延长时限（工作日）", ItemVersion),
    _c("handling_type", "办件类型", ItemVersion),
    _c("handling_forms", "办理形式", ItemVersion),
    _c("visits_required", "到办事现场次数", ItemVersion),
    _c("online_depth", "网办深度", ItemVersion),
    _c("place", "办理地点", ItemVersion, wide=True),
    _c("hours", "办理时间", ItemVersion),
    _c("consult_channel", "咨询方式", ItemVersion),
    _c("complaint_channel", "监督投诉方式", ItemVersion),
    _c("fee_free", "不收费", ItemVersion),
    _c("result_type", "结果类型", ItemVersion),
    _c("result_name", "审批结果名称", ItemVersion),
    _c("intermediary_services", "中介服务", ItemVersion, wide=True),
    _c("appointment_supported", "支持预约办理", ItemVersion),
    _c("post_delivery_supported", "支持物流快递", ItemVersion),
    _c("online_payment_supported", "支持网上支付", ItemVersion),
    _c("deliver_before_supplement", "容缺时可先出证后补材料", ItemVersion),
    _c("tongban_scope", "通办范围", ItemVersion),
    Column("accepting_centres", "可受理的中心和站点", "refs", ref="centre",
           note=gettext_lazy("中心（站点）编码，多个用「、」分隔；通办范围为「指定的中心和站点」时填写。")),
]


@dataclass(frozen=True)
class ChildKind:
    """A list inside the item dictionary, and the sheet that holds it."""

    key: str
    sheet: str
    model: type[models.Model]
    columns: list[Column]


CHILD_KINDS = [
    ChildKind("materials", "申请材料", MaterialRequirement, [
        _c("code", "材料代码", MaterialRequirement),
        _c("name", "材料名称", MaterialRequirement),
        _c("form", "材料形式", MaterialRequirement),
        _c("kind", "材料类型", MaterialRequirement),
        _c("necessity", "必要性", MaterialRequirement),
        _c("source", "来源渠道", MaterialRequirement),
        _c("source_note", "来源说明", MaterialRequirement),
        _c("paper_copies", "纸质份数", MaterialRequirement),
        _c("acceptance_standard", "受理标准", MaterialRequirement, wide=True),
        _c("legal_basis", "依据", MaterialRequirement, wide=True),
        _c("notes", "填报须知", MaterialRequirement, wide=True),
    ]),
    ChildKind("fees", "收费项目", Fee, [
        _c("name", "收费项目名称", Fee),
        _c("standard", "收费标准", Fee, wide=True),
        _c("basis", "收费依据", Fee, wide=True),
        _c("exemption", "减免政策", Fee, wide=True),
    ]),
    ChildKind("steps", "办理流程", ProcessStep, [
        _c("name", "环节名称", ProcessStep),
        _c("role", "办理角色", ProcessStep),
        _c("budget_days", "环节时限（工作日）", ProcessStep),
        Column("department", "办理部门编码", "ref", ref="department",
               note=gettext_lazy("留空为事项的实施主体；填写时须为已有的部门编码。")),
    ]),
    ChildKind("form_fields", "表单字段", FormField, [
        _c("key", "字段代码", FormField),
        _c("label", "字段名称", FormField),
        _c("type", "字段类型", FormField),
        _c("required", "必填", FormField),
        _c("choices", "选项", FormField, note=gettext_lazy("单选、多选的选项，用「、」分隔。")),
        _c("max_length", "最大长度", FormField),
        _c("min_value", "最小值", FormField),
        _c("max_value", "最大值", FormField),
        _c("help_text", "填写说明", FormField, wide=True),
    ]),
    ChildKind("special_procedures", "特别程序", AllowedSpecialProcedure, [
        Column("procedure", "特别程序", "ref", ref="procedure", required=True),
        _c("counts_toward_limit", "计入办结时限", AllowedSpecialProcedure),
        _c("max_days", "时限（工作日）", AllowedSpecialProcedure),
        _c("note", "说明", AllowedSpecialProcedure, wide=True),
    ]),
]
CHILD_KEY_COLUMN = Column("implementation_code", KEY_HEADER, "key", required=True,
                          note=gettext_lazy("所属事项的实施编码，须在「事项」表中有对应的行。"))
CHILD_INFO_COLUMN = Column("", INFO_HEADER, "info", note=gettext_lazy("方便阅读，导入时不读取。"))
SHEET_ORDER = [SHEET_ITEMS, *(kind.sheet for kind in CHILD_KINDS)]


def _sheet_columns(kind: ChildKind | None) -> list[Column]:
    if kind is None:
        return ITEM_COLUMNS
    return [CHILD_KEY_COLUMN, CHILD_INFO_COLUMN, *kind.columns]


def _choices(f: models.Field) -> list[tuple[Any, str]]:
    # Labels are part of the file format: always the Chinese ones.
    with translation.override("zh-hans"):
        return [(code, str(label)) for code, label in f.choices]


# --------------------------------------------------------------------------- problems and result


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file, located so that the admin can find and fix it."""

    sheet: str
    row: int | None
    field: str
    message: str

    @property
    def location(self) -> str:
        """「申请材料」第 7 行 for a workbook, 第 3 个事项 for JSON, 「事项」 for a whole sheet."""
        if self.row is None:
            return f"「{self.sheet}」" if self.sheet else ""
        if self.sheet == JSON_SHEET:
            return _("第 %(row)d 个事项") % {"row": self.row}
        return _("「%(sheet)s」第 %(row)d 行") % {"sheet": self.sheet, "row": self.row}

    @property
    def text(self) -> str:
        where = self.location + (f"「{self.field}」" if self.field else "")
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "field": self.field, "message": self.message, "text": self.text}


@dataclass(frozen=True)
class ItemOutcome:
    implementation_code: str
    name: str
    outcome: str  # created | updated | unchanged
    version_no: int


@dataclass
class ImportResult:
    file_name: str
    format: str = ""
    sm3: str = ""
    dry_run: bool = False
    publish: bool = True
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    items: list[ItemOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def summary(self) -> str:
        counts = {"c": self.created, "u": self.updated, "n": self.unchanged}
        if self.problems:
            return _("发现 %(n)d 个问题，文件没有导入，事项库没有任何改动。请按提示修改后重新上传。") % {
                "n": len(self.problems)
            }
        if self.dry_run:
            return _("检查通过（尚未导入）：将新增 %(c)d 项，更新 %(u)d 项，%(n)d 项没有变化。") % counts
        text = _("导入完成：新增 %(c)d 项，更新 %(u)d 项，%(n)d 项没有变化。") % counts
        if not self.publish and (self.created or self.updated):
            text += _("新增和更新的内容已保存为草稿，发布后才对外生效。")
        return text


# --------------------------------------------------------------------------- export


def exportable_versions(*, department: str | None = None) -> list[ItemVersion]:
    """The current version of every item in force (published or suspended), optionally of one department.

    Abolished items are left out: importing them elsewhere would publish them again.
    """
    qs = ItemVersion.objects.filter(
        pk__in=Item.objects.filter(current__isnull=False).values("current_id"),
        status__in=[ItemVersion.Status.PUBLISHED, ItemVersion.Status.SUSPENDED],
    )
    if department:
        if not Department.objects.filter(code=department).exists():
            raise ValidationError(
                _("部门编码「%(code)s」不存在，请核对编码，或不填部门导出全部事项。") % {"code": department}
            )
        qs = qs.filter(department__code=department)
    return list(qs.select_related("item", "department", "item_type").order_by("item__implementation_code"))


def export_filename(*, fmt: str, department: str | None = None, template: bool = False) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if template:
        return f"事项库导入模板.{fmt}"
    return f"事项库-{department or '全部'}-{stamp}.{fmt}"


def export_json(*, department: str | None = None) -> bytes:
    items = [version_to_dict(v) for v in exportable_versions(department=department)]
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": timezone.localtime().isoformat(),
        "department": department or None,
        "count": len(items),
        "items": items,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


class _Names:
    """How reference values are written: names people recognise where they are unambiguous."""

    def __init__(self) -> None:
        self.item_type = self._by_unique_name(ItemType.objects.values_list("code", "name"))
        self.topic = self._by_unique_name(Topic.objects.values_list("code", "name"))
        self.procedure = self._by_unique_name(SpecialProcedureType.objects.values_list("code", "name"))

    @staticmethod
    def _by_unique_name(pairs) -> dict[str, str]:
        pairs = list(pairs)
        counts: dict[str, int] = {}
        for _code, name in pairs:
            counts[name] = counts.get(name, 0) + 1
        return {code: name if counts[name] == 1 else code for code, name in pairs}

    def show(self, ref: str, code: str | None) -> str:
        if not code:
            return ""
        table = getattr(self, ref, None)
        return table.get(code, code) if table is not None else code


def _cell_value(col: Column, value: Any, names: _Names) -> Any:
    """The value a cell shows for a dictionary value: labels for choices, 是/否, lists joined with 、."""
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return dict(_choices(col.field)).get(value, value)
    if col.kind == "ref":
        return names.show(col.ref, value)
    if col.kind in ("refs", "list"):
        return "、".join(names.show(col.ref, v) if col.ref else str(v) for v in value or [])
    if col.kind == "decimal":
        if value is None:
            return None
        number = Decimal(str(value))
        # Beyond 15 digits a spreadsheet number loses precision: keep such values as text.
        if abs(number) >= Decimal("1e15"):
            return format(number, "f")
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")


def _write_sheet(ws, columns: list[Column], rows: list[list[Any]]) -> None:
    for index, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
    widths = [_display_width(col.header) for col in columns]
    for row_no, values in enumerate(rows, start=2):
        for index, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=row_no, column=index, value=value)
            if isinstance(value, str):
                # A text beginning with "=" must stay text: written as a formula it would be
                # computed (and could be used for formula injection).
                cell.data_type = "s"
                if col.kind in ("text", "key", "info", "ref", "refs", "list"):
                    cell.number_format = "@"
                first_line = max(value.splitlines() or [""], key=_display_width)
                widths[index - 1] = max(widths[index - 1], _display_width(first_line))
            elif value is not None:
                widths[index - 1] = max(widths[index - 1], len(str(value)))
            cell.alignment = _WRAP if col.wide or (isinstance(value, str) and "\n" in value) else _TOP
    for index, (col, width) in enumerate(zip(columns, widths, strict=True), start=1):
        limit = 60 if col.wide else 40
        ws.column_dimensions[get_column_letter(index)].width = max(8, min(width + 2, limit))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"


def _allowed_text(col: Column) -> str:
    """What the 说明 sheet lists as the values a column accepts."""
    if col.kind == "choice":
        return "、".join(label for _code, label in _choices(col.field))
    if col.kind == "bool":
        return _("是、否（也可填 true/false、1/0）")
    if col.kind == "int":
        top = next((v.limit_value for v in col.field.validators if isinstance(v, MaxValueValidator)), None)
        return _("0 至 %(max)d 的整数") % {"max": top} if top is not None else _("0 或正整数")
    if col.kind == "decimal":
        return _("数字，最多 %(places)d 位小数") % {"places": col.field.decimal_places}
    if col.kind in ("ref", "refs"):
        listing = {
            "item_type": lambda: ItemType.objects.values_list("name", flat=True),
            "topic": lambda: Topic.objects.values_list("name", flat=True),
            "procedure": lambda: SpecialProcedureType.objects.values_list("name", flat=True),
        }.get(col.ref)
        if listing is None:
            return _("系统中已有的编码")
        return _short_list(list(listing()), limit=60)
    if col.kind == "list":
        return _("多个值用「、」分隔")
    if col.kind == "info":
        return ""
    length = getattr(col.field, "max_length", None)
    return _("文字，最多 %(n)d 字") % {"n": length} if length else _("文字")


def _required_text(col: Column) -> str:
    if col.kind in ("key",) or col.required:
        return _("必填")
    f = col.field
    if f is None or col.kind in ("info", "refs", "list"):
        return _("选填")
    if f.has_default():
        default = f.get_default()
        if col.kind == "choice":
            default = dict(_choices(f)).get(default, default)
        elif col.kind == "bool":
            default = "是" if default else "否"
        return _("选填（默认：%(d)s）") % {"d": default} if default not in ("", None) else _("选填")
    if f.null or f.blank:
        return _("选填")
    return _("必填")


def _write_help(ws) -> None:
    rules = [
        _("填写须知"),
        _("1. 每个工作表的第一行是列名，请勿修改或删除；列的顺序可以调整，也请勿删除工作表。"),
        _("2. 「事项」表每行一个事项，以「实施编码」为准：系统中已有该编码的事项将生成新版本并发布，没有的将新建。"
          "内容与系统中完全相同的事项不会改动。"),
        _("3. 其他各表每行一条记录，用「实施编码」对应到「事项」表中的事项，同一事项的记录按行的先后排序。"
          "导入时以文件为准，整体替换该事项的申请材料、收费项目、办理流程、表单字段和特别程序；某表没有内容时只保留列名。"),
        _("4. 「是/否」类的列填「是」或「否」（也可填 true/false、1/0）；可选值类的列按下表填写中文（也可填代码）。"),
        _("5. 有多个值的列（如主题分类）用顿号「、」分隔。留空的单元格按默认值处理，必填列不能留空。"),
        _("6. 导入前系统会逐行检查整个文件：只要有一处错误，整个文件都不会导入，并一次列出全部问题（工作表、行号、列名）。"),
    ]
    for row_no, line in enumerate(rules, start=1):
        cell = ws.cell(row=row_no, column=1, value=line)
        if row_no == 1:
            cell.font = _HEADER_FONT
    start = len(rules) + 2
    headers = [_("工作表"), _("列名"), _("是否必填"), _("说明"), _("可填写的值")]
    for index, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=index, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    row_no = start + 1
    for sheet in SHEET_ORDER:
        kind = next((k for k in CHILD_KINDS if k.sheet == sheet), None)
        for col in _sheet_columns(kind):
            values = [sheet, col.header, _required_text(col), str(col.note or ""), _allowed_text(col)]
            for index, value in enumerate(values, start=1):
                ws.cell(row=row_no, column=index, value=value).alignment = _WRAP
            row_no += 1
    for letter, width in zip("ABCDE", (12, 26, 18, 50, 60), strict=True):
        ws.column_dimensions[letter].width = width


def export_xlsx(*, department: str | None = None, template: bool = False) -> bytes:
    """A workbook with one sheet per kind; `template` gives the headers and the 说明 sheet only."""
    versions = [] if template else exportable_versions(department=department)
    dicts = [version_to_dict(v) for v in versions]
    names = _Names()
    workbook = Workbook()
    items_sheet = workbook.active
    items_sheet.title = SHEET_ITEMS
    _write_sheet(
        items_sheet, ITEM_COLUMNS,
        [[_cell_value(col, data.get(col.key), names) for col in ITEM_COLUMNS] for data in dicts],
    )
    for kind in CHILD_KINDS:
        columns = _sheet_columns(kind)
        rows = []
        for data in dicts:
            for child in data.get(kind.key, []):
                rows.append([
                    data["implementation_code"], data["name"],
                    *(_cell_value(col, child.get(col.key), names) for col in kind.columns),
                ])
        _write_sheet(workbook.create_sheet(kind.sheet), columns, rows)
    _write_help(workbook.create_sheet(SHEET_HELP))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading files


@dataclass
class _RawRow:
    """Values as found in the file, and where: the unit every check reports against."""

    sheet: str
    row: int  # the row number in the sheet, or for JSON the item's position
    values: dict[str, Any]
    position: int = 0  # for JSON children: the entry's position in its list (第 N 条)
    prefix: str = ""  # for JSON children: "申请材料第 2 条·"
    json: bool = False

    def problem(self, col: Column | None, message: str) -> Problem:
        label = ""
        if col is not None:
            label = col.header + (f"（{col.key}）" if self.json and col.key else "")
        return Problem(self.sheet, self.row, f"{self.prefix}{label}" if label else self.prefix.rstrip("·"), message)

    @property
    def ref(self) -> str:
        """How another row points at this one in a message."""
        if self.json:
            return _("第 %(n)d 条") % {"n": self.position}
        return _("第 %(n)d 行") % {"n": self.row}


@dataclass
class _RawItem:
    row: _RawRow
    children: dict[str, list[_RawRow]] = field(default_factory=dict)


def detect_format(content: bytes) -> str | None:
    """"xlsx" or "json" judged by the content, whatever the file is called; None otherwise."""
    if content[:4] == b"PK\x03\x04" and zipfile.is_zipfile(BytesIO(content)):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        return "xlsx" if {"[Content_Types].xml", "xl/workbook.xml"} <= names else None
    try:
        json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    return "json"


def _refusal(content: bytes, file_name: str) -> Problem:
    """Why a file that is neither a workbook nor JSON was refused, as precisely as the bytes allow."""
    name = file_name or _("上传的文件")
    if not content:
        message = _("文件「%(name)s」是空的，请选择从本系统导出的事项库文件（.xlsx 或 .json）。")
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        message = _("文件「%(name)s」是旧版 Excel（.xls）格式，请在 Excel 或 WPS 中「另存为」.xlsx 后再导入。")
    elif content[:4] == b"PK\x03\x04":
        message = _("文件「%(name)s」是压缩包，但不是 Excel 工作簿（.xlsx），无法导入。请上传 .xlsx 或 .json 文件。")
    else:
        stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in (b"{", b"["):
            try:
                json.loads(content.decode("utf-8-sig"))
            except UnicodeDecodeError:
                message = _("文件「%(name)s」不是 UTF-8 编码的 JSON，请用 UTF-8 编码保存后再导入。")
            except json.JSONDecodeError as exc:
                return Problem("", None, "", _(
                    "文件「%(name)s」的 JSON 格式有误（第 %(line)d 行第 %(col)d 列：%(msg)s），请修正后再导入。"
                ) % {"name": name, "line": exc.lineno, "col": exc.colno, "msg": exc.msg})
            else:
                message = _("文件「%(name)s」无法识别。")
        else:
            message = _(
                "文件「%(name)s」不是 Excel 工作簿（.xlsx）也不是 JSON 文件，无法导入。"
                "请上传从本系统导出的文件，或按导入模板填写的 .xlsx 文件。"
            )
    return Problem("", None, "", message % {"name": name})


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_json(content: bytes) -> tuple[list[_RawItem], list[Problem]]:
    document = json.loads(content.decode("utf-8-sig"))
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        return [], [Problem("", None, "", _(
            "这个 JSON 文件不是本系统导出的事项库（应为 {\"format\": \"%(fmt)s\", \"version\": 1, \"items\": [...]}）。"
            "请使用「导出 JSON」得到的文件。"
        ) % {"fmt": FORMAT_NAME})]
    version = document.get("version")
    if version != FORMAT_VERSION:
        return [], [Problem("", None, "version", _(
            "不支持的文件格式版本「%(v)s」，本系统读取的是版本 %(ours)d。请用本系统导出的文件，或升级系统后再导入。"
        ) % {"v": version, "ours": FORMAT_VERSION})]
    entries = document.get("items")
    if not isinstance(entries, list):
        return [], [Problem("", None, "items", _("「items」应为事项的列表 [...]。"))]
    item_keys = {col.key for col in ITEM_COLUMNS} | {kind.key for kind in CHILD_KINDS} | {"change_note"}
    items: list[_RawItem] = []
    problems: list[Problem] = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(Problem(JSON_SHEET, position, "", _("每个事项应为一个对象 {...}。")))
            continue
        row = _RawRow(JSON_SHEET, position, {k: v for k, v in entry.items() if k not in
                                             {kind.key for kind in CHILD_KINDS}}, json=True)
        for key in entry:
            if key not in item_keys:
                problems.append(Problem(JSON_SHEET, position, key, _(
                    "无法识别的字段「%(key)s」，请删除或更正（字段名见导出的 JSON 文件）。"
                ) % {"key": key}))
        raw = _RawItem(row)
        for kind in CHILD_KINDS:
            entries_of_kind = entry.get(kind.key, [])
            if entries_of_kind is None:
                entries_of_kind = []
            if not isinstance(entries_of_kind, list):
                problems.append(Problem(JSON_SHEET, position, f"{kind.sheet}（{kind.key}）",
                                        _("应为列表 [...]；没有时写 []。")))
                continue
            keys = {col.key for col in kind.columns}
            rows = []
            for index, child in enumerate(entries_of_kind, start=1):
                prefix = _("%(sheet)s第 %(n)d 条·") % {"sheet": kind.sheet, "n": index}
                if not isinstance(child, dict):
                    problems.append(Problem(JSON_SHEET, position, prefix.rstrip("·"), _("应为一个对象 {...}。")))
                    continue
                for key in child:
                    if key not in keys:
                        problems.append(Problem(JSON_SHEET, position, f"{prefix}{key}", _(
                            "无法识别的字段「%(key)s」，请删除或更正。"
                        ) % {"key": key}))
                rows.append(_RawRow(JSON_SHEET, position, dict(child), position=index, prefix=prefix, json=True))
            raw.children[kind.key] = rows
        items.append(raw)
    return items, problems


def _read_sheet(ws, sheet: str, columns: list[Column]) -> tuple[list[_RawRow], list[Problem]]:
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None) or ()
    problems: list[Problem] = []
    expected = {col.header: col for col in columns}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        if value is None or not str(value).strip():
            continue
        title = str(value).strip()
        if title in positions:
            problems.append(Problem(sheet, 1, title, _("列名重复，请删除多余的一列。")))
        elif title not in expected:
            problems.append(Problem(sheet, 1, title, _(
                "无法识别的列「%(title)s」，请删除该列或改为模板中的列名（见「说明」表）。"
            ) % {"title": title}))
        positions.setdefault(title, index)
    for col in columns:
        if col.header not in positions and col.kind != "info":
            problems.append(Problem(sheet, 1, col.header, _(
                "缺少列「%(title)s」，请从导出的文件或模板中复制该列（没有内容时保留列名、不填值）。"
            ) % {"title": col.header}))
    if problems:
        return [], problems
    rows = []
    for row_no, values in enumerate(rows_iter, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        raw = {}
        for col in columns:
            if col.kind == "info":
                continue
            index = positions[col.header]
            raw[col.key] = values[index] if index < len(values) else None
        rows.append(_RawRow(sheet, row_no, raw))
    return rows, problems


def _read_xlsx(content: bytes) -> tuple[list[_RawItem], list[Problem]]:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
            return [], [Problem("", None, "", _("工作簿解压后过大，无法导入。请按部门分批导出、导入。"))]
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged files; each means the same to the user
        return [], [Problem("", None, "", _("Excel 文件已损坏或无法读取，请在 Excel 或 WPS 中打开后重新保存为 .xlsx 再导入。"))]
    try:
        sheets = {ws.title.strip(): ws for ws in workbook.worksheets}
        problems = [
            Problem(name, None, "", _(
                "缺少工作表「%(sheet)s」，请使用导出的文件或导入模板；没有内容的表也请保留（只留列名）。"
            ) % {"sheet": name})
            for name in SHEET_ORDER if name not in sheets
        ]
        if problems:
            return [], problems
        item_rows, problems = _read_sheet(sheets[SHEET_ITEMS], SHEET_ITEMS, ITEM_COLUMNS)
        child_rows: dict[str, list[_RawRow]] = {}
        for kind in CHILD_KINDS:
            rows, sheet_problems = _read_sheet(sheets[kind.sheet], kind.sheet, _sheet_columns(kind))
            child_rows[kind.key] = rows
            problems += sheet_problems
    finally:
        workbook.close()
    if problems:
        return [], problems

    items: list[_RawItem] = []
    by_code: dict[str, _RawItem] = {}
    for row in item_rows:
        value = row.values.get("implementation_code")
        code = "" if value is None else _cell_text(value)
        if not code:
            problems.append(row.problem(ITEM_COLUMNS[0], _("必须填写实施编码。")))
            continue
        if code in by_code:
            problems.append(row.problem(ITEM_COLUMNS[0], _(
                "实施编码「%(code)s」与%(first)s重复，每个事项在「事项」表中只能有一行，请删除或合并重复的行。"
            ) % {"code": code, "first": by_code[code].row.ref}))
            continue
        raw = _RawItem(row, {kind.key: [] for kind in CHILD_KINDS})
        by_code[code] = raw
        items.append(raw)
    for kind in CHILD_KINDS:
        for row in child_rows[kind.key]:
            value = row.values.pop("implementation_code", None)
            code = "" if value is None else _cell_text(value)
            if not code:
                problems.append(row.problem(CHILD_KEY_COLUMN, _("必须填写实施编码，指明这一行属于哪个事项。")))
            elif code not in by_code:
                problems.append(row.problem(CHILD_KEY_COLUMN, _(
                    "实施编码「%(code)s」在「事项」表中没有对应的行。请先在「事项」表中添加该事项，或更正实施编码。"
                ) % {"code": code}))
            else:
                by_code[code].children[kind.key].append(row)
    return items, problems


# --------------------------------------------------------------------------- checking values


class _References:
    """Codes and names of the reference tables, loaded once per import."""

    def __init__(self) -> None:
        self.tables = {
            "item_type": dict(ItemType.objects.values_list("code", "name")),
            "topic": dict(Topic.objects.values_list("code", "name")),
            "procedure": dict(SpecialProcedureType.objects.values_list("code", "name")),
            "department": dict(Department.objects.values_list("code", "name")),
            "centre": dict(ServiceCentre.objects.values_list("code", "name")),
        }
        self.by_name: dict[str, dict[str, list[str]]] = {}
        for ref, table in self.tables.items():
            index: dict[str, list[str]] = {}
            for code, name in table.items():
                index.setdefault(name, []).append(code)
            self.by_name[ref] = index

    def resolve(self, ref: str, text: str) -> str | None:
        table = self.tables[ref]
        candidates = [text]
        if text.isdigit():
            # A type code such as 01 typed into a spreadsheet cell arrives as the number 1.
            candidates.append(text.zfill(2))
        for candidate in candidates:
            if candidate in table:
                return candidate
        codes = self.by_name[ref].get(text, [])
        return codes[0] if len(codes) == 1 else None

    def unknown(self, ref: str, text: str) -> str:
        if ref == "department":
            return _(
                "部门「%(v)s」不存在。请填写系统「部门（实施主体）」中已有的部门编码，或先添加该部门。"
            ) % {"v": text}
        if ref == "centre":
            return _(
                "中心（站点）「%(v)s」不存在。请填写系统中已有的中心编码，多个用「、」分隔。"
            ) % {"v": text}
        # In the order the code tables are configured (item types by their code), not alphabetical.
        names = list(self.tables[ref].values())
        if ref == "item_type":
            return _("事项类型「%(v)s」不存在，可选：%(allowed)s（也可填类型代码，如 01）。") % {
                "v": text, "allowed": _short_list(names)}
        if ref == "topic":
            return _("主题分类「%(v)s」不存在，可选：%(allowed)s；多个主题用「、」分隔。") % {
                "v": text, "allowed": _short_list(names)}
        return _("特别程序「%(v)s」不存在，可选：%(allowed)s。") % {"v": text, "allowed": _short_list(names)}


def _short_list(values: list[str], limit: int = 30) -> str:
    if not values:
        return _("（尚未配置，请先在系统中添加）")
    if len(values) <= limit:
        return "、".join(values)
    return _("%(shown)s 等 %(n)d 项") % {"shown": "、".join(values[:limit]), "n": len(values)}


def _show(value: Any) -> str:
    text = _cell_text(value) if not isinstance(value, str) else value.strip()
    return text if len(text) <= 50 else text[:50] + "…"


def _is_empty(value: Any) -> bool:
    return value is None or value is _MISSING or (isinstance(value, str) and not value.strip())


def _empty_value(col: Column) -> tuple[Any, str | None]:
    if col.kind in ("refs", "list"):
        return [], None
    if col.kind in ("ref", "key"):
        return None, (_("必须填写，不能留空。") if col.required else None)
    f = col.field
    if f.has_default():
        return f.get_default(), None
    if f.null:
        return None, None
    if f.blank:
        return "", None
    return None, _("必须填写，不能留空。")


def _coerce(col: Column, value: Any, refs: _References, as_json: bool) -> tuple[Any, str | None]:
    """The dictionary value for what a cell or JSON field holds, or why it cannot be one."""
    if col.kind in ("refs", "list"):
        if _is_empty(value) or value == []:
            return [], None
        if isinstance(value, list):
            parts = [_cell_text(v) for v in value]
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            pattern = _LIST_SPLIT if col.kind == "refs" else re.compile(r"[、\n]+")
            parts = pattern.split(_cell_text(value))
        else:
            return None, _("应为用「、」分隔的文字或文字列表。")
        parts = [p.strip() for p in parts if p.strip()]
        if col.kind == "list":
            return parts, None
        codes = []
        for part in parts:
            code = refs.resolve(col.ref, part)
            if code is None:
                return None, refs.unknown(col.ref, part)
            if code not in codes:
                codes.append(code)
        return sorted(codes), None
    if _is_empty(value):
        return _empty_value(col)
    if col.kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = _cell_text(value).lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, _("值「%(v)s」无效，请填写「是」或「否」（也可填 true/false、1/0）。") % {"v": _show(value)}
    if col.kind == "int":
        return _coerce_int(value)
    if col.kind == "decimal":
        return _coerce_decimal(value, col.field.decimal_places)
    if col.kind == "choice":
        text = _cell_text(value)
        pairs = _choices(col.field)
        for code, label in pairs:
            if text == str(code) or text.lower() == str(code).lower() or text == label:
                return code, None
        if as_json:
            allowed = "、".join(f"{code}（{label}）" for code, label in pairs)
        else:
            allowed = "、".join(label for _code, label in pairs)
        return None, _("值「%(v)s」无效，可选：%(allowed)s。") % {"v": _show(value), "allowed": allowed}
    if col.kind in ("ref", "key"):
        if isinstance(value, dict | list):
            return None, _("应为文字。")
        text = _cell_text(value)
        if col.kind == "key":
            return text, None
        code = refs.resolve(col.ref, text)
        return (code, None) if code is not None else (None, refs.unknown(col.ref, text))
    # Free text keeps its spaces and line breaks: it is what the public guide shows.
    if isinstance(value, dict | list | bool):
        return None, _("应为文字。")
    if isinstance(value, str):
        return value, None
    return _cell_text(value), None


def _coerce_int(value: Any) -> tuple[int | None, str | None]:
    shown = {"v": _show(value)}
    if isinstance(value, bool):
        return None, _("值「%(v)s」不是数字，请填写整数，如 20。") % shown
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None, _("值「%(v)s」不是整数，请填写整数，如 20。") % shown
        number = int(value)
    elif isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None, _("值「%(v)s」不是数字，请填写整数，如 20。") % shown
        if not parsed.is_finite():
            return None, _("值「%(v)s」不是数字，请填写整数，如 20。") % shown
        if parsed != parsed.to_integral_value():
            return None, _("值「%(v)s」不是整数，请填写整数，如 20。") % shown
        number = int(parsed)
    else:
        return None, _("值「%(v)s」不是数字，请填写整数，如 20。") % shown
    if number < 0:
        return None, _("值「%(v)s」不能为负数，请填写 0 或正整数。") % shown
    return number, None


def _coerce_decimal(value: Any, places: int) -> tuple[str | None, str | None]:
    shown = {"v": _show(value)}
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None, _("值「%(v)s」不是数字，请填写数字，如 100 或 0.5。") % shown
    try:
        number = Decimal(_cell_text(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None, _("值「%(v)s」不是数字，请填写数字，如 100 或 0.5。") % shown
    if not number.is_finite():
        return None, _("值「%(v)s」不是数字，请填写数字，如 100 或 0.5。") % shown
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        return None, _("值「%(v)s」的小数位太多，最多保留 %(places)d 位小数。") % {**shown, "places": places}
    # The same text `version_to_dict` gives for what the database returns, so an unchanged
    # re-import compares equal.
    return _plain(number.quantize(quantum)), None


def _full_clean_problems(row: _RawRow, instance: models.Model, columns: list[Column],
                         checked: set[str]) -> list[Problem]:
    """Length, range and format checks of the model, on fields that passed the checks above."""
    by_key = {col.key: col for col in columns}
    exclude = [f.name for f in instance._meta.fields if f.name not in checked]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [row.problem(by_key.get(key), "".join(messages)) for key, messages in exc.message_dict.items()]
    return []


def _clean_row(row: _RawRow, columns: list[Column], model: type[models.Model], refs: _References
               ) -> tuple[dict[str, Any], list[Problem]]:
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for col in columns:
        if col.kind == "info":
            continue
        value, error = _coerce(col, row.values.get(col.key, _MISSING), refs, row.json)
        if error:
            problems.append(row.problem(col, error))
        else:
            data[col.key] = value
    model_fields = {f.name for f in model._meta.fields}
    # References are checked against the loaded tables above, not by the model.
    checked = {
        col.key for col in columns
        if col.key in data and col.key in model_fields and col.kind not in ("ref", "refs", "key")
    }
    instance = model(**{k: data[k] for k in checked})
    problems += _full_clean_problems(row, instance, columns, checked)
    return data, problems


def _clean_item(raw: _RawItem, refs: _References) -> tuple[dict[str, Any], list[Problem]]:
    """The complete item dictionary `item_upsert` takes, or the problems that keep it from being one."""
    data, problems = _clean_row(raw.row, ITEM_COLUMNS, ItemVersion, refs)
    if raw.row.json and isinstance(raw.row.values.get("change_note"), str):
        data["change_note"] = raw.row.values["change_note"]
    statutory, promised = data.get("statutory_limit"), data.get("promised_limit")
    if isinstance(statutory, int) and isinstance(promised, int) and promised > statutory:
        problems.append(raw.row.problem(next(c for c in ITEM_COLUMNS if c.key == "promised_limit"), _(
            "承诺办结时限（%(p)d 个工作日）长于法定办结时限（%(s)d 个工作日）。承诺时限不能长于法定时限，"
            "请缩短承诺时限或核对法定时限。"
        ) % {"p": promised, "s": statutory}))
    for kind in CHILD_KINDS:
        rows = []
        seen: dict[Any, _RawRow] = {}
        unique_key = {"form_fields": "key", "special_procedures": "procedure", "materials": "code"}.get(kind.key)
        for child in raw.children.get(kind.key, []):
            child_data, child_problems = _clean_row(child, kind.columns, kind.model, refs)
            problems += child_problems
            value = child_data.get(unique_key) if unique_key else None
            if value:
                col = next(c for c in kind.columns if c.key == unique_key)
                if value in seen:
                    problems.append(child.problem(col, _(
                        "「%(v)s」在同一事项中重复（%(first)s已有），同一事项的「%(title)s」不能重复。"
                    ) % {"v": _show(child.values.get(unique_key)), "first": seen[value].ref, "title": col.header}))
                seen.setdefault(value, child)
            rows.append(child_data)
        data[kind.key] = rows
    return data, problems


def _upsert_problems(raw: _RawItem, exc: Exception) -> list[Problem]:
    """Problems item_upsert or publishing raised, put on the item's row."""
    if isinstance(exc, ValidationError):
        if not hasattr(exc, "error_dict"):
            return [raw.row.problem(None, message) for message in exc.messages]
        by_key = {col.key: col for col in ITEM_COLUMNS}
        sheets = {kind.key: kind.sheet for kind in CHILD_KINDS}
        problems = []
        for key, messages in exc.message_dict.items():
            problem = raw.row.problem(by_key.get(key), "".join(messages))
            if key in sheets:
                problem = Problem(problem.sheet, problem.row, sheets[key], problem.message)
            problems.append(problem)
        return problems
    return [raw.row.problem(None, _("数据库拒绝保存这个事项（%(error)s），请核对该事项各表的内容。") % {"error": exc})]


# --------------------------------------------------------------------------- import


def upload_too_large(size: int) -> str | None:
    """Why a file of this size is refused, or None; views check before reading the upload."""
    limit = settings.YICHUANG_UPLOAD_MAX_BYTES
    if size <= limit:
        return None
    return _("文件过大（%(size).1f MB），上限为 %(limit).1f MB。请按部门分批导出、导入。") % {
        "size": size / 1024 / 1024, "limit": limit / 1024 / 1024}


def _sort_key(problem: Problem) -> tuple[int, int]:
    sheet = SHEET_ORDER.index(problem.sheet) if problem.sheet in SHEET_ORDER else -1
    return (sheet, problem.row or 0)


@transaction.atomic
def catalogue_import(*, actor: User | None, content: bytes, file_name: str, publish: bool = True,
                     dry_run: bool = False) -> ImportResult:
    """Import a catalogue file (xlsx or JSON) all or nothing.

    Every row is checked before anything is written; then each item goes through
    `item_upsert` in its own savepoint so that the problems of every item are collected, and
    the whole import is rolled back if there was any problem (or if this is a dry run).
    """
    result = ImportResult(file_name=file_name, sm3=sm3_hex(content), dry_run=dry_run, publish=publish)
    too_large = upload_too_large(len(content))
    if too_large:
        result.problems.append(Problem("", None, "", too_large))
        return result
    result.format = detect_format(content) or ""
    if not result.format:
        result.problems.append(_refusal(content, file_name))
        return result
    raw_items, problems = (_read_xlsx if result.format == "xlsx" else _read_json)(content)
    refs = _References()
    prepared: list[tuple[_RawItem, dict[str, Any]]] = []
    seen_codes: dict[str, _RawItem] = {}
    for raw in raw_items:
        data, item_problems = _clean_item(raw, refs)
        code = data.get("implementation_code")
        if code and code in seen_codes:
            # Excel duplicates were caught while grouping rows; this is JSON's.
            item_problems.append(raw.row.problem(ITEM_COLUMNS[0], _(
                "实施编码「%(code)s」与第 %(first)d 个事项重复，每个事项只能出现一次。"
            ) % {"code": code, "first": seen_codes[code].row.row}))
        elif code:
            seen_codes[code] = raw
        problems += item_problems
        if not item_problems:
            prepared.append((raw, data))

    for raw, data in prepared:
        code = data["implementation_code"]
        try:
            with transaction.atomic():
                existed = Item.objects.filter(implementation_code=code).exists()
                version, changed = item_upsert(actor=actor, data=data, publish=publish)
        except (ValidationError, DatabaseError) as exc:
            problems += _upsert_problems(raw, exc)
            continue
        if not changed:
            outcome = "unchanged"
            result.unchanged += 1
        elif existed:
            outcome = "updated"
            result.updated += 1
        else:
            outcome = "created"
            result.created += 1
        result.items.append(ItemOutcome(code, version.name, outcome, version.version_no))

    result.problems = sorted(problems, key=_sort_key)
    if result.problems or dry_run:
        transaction.set_rollback(True)
        return result
    audit_record(
        actor=actor, action="catalog.import", object_type="catalog.catalogue", object_id=result.sm3,
        after={
            "file_name": file_name, "format": result.format, "sm3": result.sm3, "publish": publish,
            "items": len(result.items), "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged,
        },
        note=file_name,
    )
    return result


def can_exchange_catalogue(user: Any) -> bool:
    """Import and export are for the centre's catalogue maintainers: centre admins and superusers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and user.has_role("admin")))
