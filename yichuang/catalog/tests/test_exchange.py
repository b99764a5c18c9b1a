"""Import and export of the catalogue (JSON and Excel): round trips and the all-or-nothing rules."""

import json
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from yichuang.catalog.exchange import (
    CHILD_KINDS,
    ITEM_COLUMNS,
    Problem,
    catalogue_import,
    detect_format,
    export_json,
    export_xlsx,
)
from yichuang.catalog.models import (
    Fee,
    FormField,
    Item,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    Topic,
)
from yichuang.catalog.serialization import (
    ELEMENT_FIELDS,
    FEE_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    STEP_FIELDS,
    version_to_dict,
)
from yichuang.catalog.services import item_upsert, item_version_set_status
from yichuang.core.crypto import sm3_hex
from yichuang.core.models import AuditEntry
from yichuang.org.models import Department, Region, ServiceCentre, User

FOOD = "11330110MB0000001X4000117001000"
HEALTH = "11330110MB0000002X4000117002000"


def food_licence() -> dict:
    return {
        "implementation_code": FOOD,
        "name": "食品经营许可（新办）",
        "basic_code": "000117001000",
        "item_type": "01",
        "level": "county",
        "department": "SCJG",
        "topics": ["company-start", "open-restaurant"],
        "for_persons": True,
        "for_companies": True,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》",
        "conditions": "有与经营的食品品种、数量相适应的经营场所。",
        "refusal_grounds": "=申请事项不属于本部门职权范围的",
        "statutory_limit": 20,
        "statutory_limit_note": "自受理之日起计算",
        "promised_limit": 5,
        "promised_limit_note": "",
        "handling_type": 2,
        "handling_forms": "窗口办理、网上办理",
        "visits_required": 0,
        "online_depth": 4,
        "place": "区政务服务中心二楼 12 号窗口",
        "hours": "工作日 9:00-17:00",
        "consult_channel": "0571-12345678",
        "complaint_channel": "12345",
        "fee_free": True,
        "result_type": "licence",
        "result_name": "食品经营许可证",
        "intermediary_services": "",
        "appointment_supported": True,
        "post_delivery_supported": True,
        "online_payment_supported": False,
        "deliver_before_supplement": True,
        "tongban_scope": "listed",
        "accepting_centres": ["YH"],
        "special_procedures": [
            {"procedure": "site_survey", "counts_toward_limit": False, "max_days": 10, "note": "现场核查"},
            {"procedure": "expert_review", "counts_toward_limit": True, "max_days": None, "note": ""},
        ],
        "materials": [
            {"code": "apply", "name": "食品经营许可申请书", "form": "both", "kind": "original",
             "necessity": "required", "source": "applicant", "paper_copies": 1},
            {"code": "licence", "name": "营业执照", "form": "electronic", "kind": "copy",
             "necessity": "optional", "source": "government", "source_note": "由市场监管部门核发",
             "paper_copies": 0},
            {"code": "layout", "name": "经营场所平面图", "form": "paper", "kind": "both",
             "necessity": "deferrable", "source": "other", "paper_copies": 2, "notes": "标明功能分区"},
        ],
        "fees": [],
        "steps": [
            {"name": "受理", "role": "clerk", "budget_days": 1, "department": None},
            {"name": "审查", "role": "reviewer", "budget_days": 2, "department": "SCJG"},
            {"name": "决定", "role": "approver", "budget_days": 1, "department": "SCJG"},
        ],
        "form_fields": [
            {"key": "shop_name", "label": "店名", "type": "text", "required": True, "max_length": 50},
            {"key": "scope", "label": "经营项目", "type": "multi_choice",
             "choices": ["热食类食品制售", "冷食类食品制售"]},
            {"key": "area", "label": "经营面积（平方米）", "type": "decimal", "required": False,
             "min_value": "0.5", "max_value": "10000"},
        ],
    }


def health_certificate() -> dict:
    return {
        "implementation_code": HEALTH,
        "name": "公共场所卫生许可",
        "basic_code": "000117002000",
        "item_type": "01",
        "level": "county",
        "department": "WJW",
        "topics": [],
        "legal_basis": "《公共场所卫生管理条例》第八条",
        "conditions": "具备卫生条件。",
        "statutory_limit": 20,
        "promised_limit": 1,
        "handling_type": 1,
        "place": "区政务服务中心",
        "hours": "工作日",
        "consult_channel": "0571-87654321",
        "complaint_channel": "12345",
        "fee_free": False,
        "result_name": "公共场所卫生许可证",
        "fees": [{"name": "工本费", "standard": "每证 10 元", "basis": "浙价费〔2020〕1 号", "exemption": "小微企业免收"}],
        "materials": [{"name": "卫生许可申请表", "necessity": "required"}],
        "steps": [],
        "form_fields": [],
    }


@pytest.fixture
def reference(db):
    region = Region.objects.create(code="330110000000", name="余杭区", level=Region.Level.COUNTY)
    Department.objects.create(code="SCJG", name="余杭区市场监督管理局", region=region)
    Department.objects.create(code="WJW", name="余杭区卫生健康局", region=region)
    ServiceCentre.objects.create(code="YH", name="余杭区政务服务中心", region=region)
    Topic.objects.create(code="open-restaurant", name="开餐馆", audience=Topic.Audience.LIFE_EVENT)
    Topic.objects.create(code="company-start", name="企业开办", audience=Topic.Audience.COMPANY)
    return region


@pytest.fixture
def catalogue(reference):
    item_upsert(actor=None, data=food_licence())
    item_upsert(actor=None, data=health_certificate())
    return current_dicts()


def current_dicts() -> dict[str, dict]:
    return {
        item.implementation_code: version_to_dict(item.current)
        for item in Item.objects.filter(current__isnull=False).select_related("current")
    }


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Item, ItemVersion, MaterialRequirement, Fee, ProcessStep, FormField, AuditEntry)
    }


def edit_workbook(content: bytes, edits) -> bytes:
    """Apply (sheet, row, header, value) edits, or (sheet, "append", values) rows, to a workbook."""
    workbook = load_workbook(BytesIO(content))
    for edit in edits:
        sheet = workbook[edit[0]]
        if edit[1] == "append":
            sheet.append(edit[2])
            continue
        _, row, header, value = edit
        headers = [cell.value for cell in sheet[1]]
        # Assigned, not passed to cell(): cell(value=None) would leave the old value in place.
        sheet.cell(row=row, column=headers.index(header) + 1).value = value
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_row(content: bytes, sheet: str, row: int) -> list:
    workbook = load_workbook(BytesIO(content))
    return [cell.value for cell in workbook[sheet][row]]


def header_value(content: bytes, sheet: str, row: int, header: str):
    workbook = load_workbook(BytesIO(content))
    headers = [cell.value for cell in workbook[sheet][1]]
    return workbook[sheet].cell(row=row, column=headers.index(header) + 1).value


# ---------------------------------------------------------------- shape


def test_excel_columns_cover_every_key_of_the_item_dictionary():
    assert {col.key for col in ITEM_COLUMNS} == {
        "implementation_code", "item_type", "department", "topics", "accepting_centres", *ELEMENT_FIELDS
    }
    expected = {
        "materials": set(MATERIAL_FIELDS), "fees": set(FEE_FIELDS), "steps": {*STEP_FIELDS, "department"},
        "form_fields": set(FORM_FIELD_FIELDS), "special_procedures": {"procedure", *PROCEDURE_FIELDS},
    }
    assert {kind.key: {col.key for col in kind.columns} for kind in CHILD_KINDS} == expected


def test_json_export_has_the_header_and_one_version_dict_per_item(catalogue):
    document = json.loads(export_json())
    assert document["format"] == "yichuang-catalog"
    assert document["version"] == 1
    assert document["exported_at"]
    assert {d["implementation_code"]: d for d in document["items"]} == catalogue


def test_export_of_one_department_holds_only_its_items(catalogue):
    document = json.loads(export_json(department="WJW"))
    assert [d["implementation_code"] for d in document["items"]] == [HEALTH]
    workbook = load_workbook(BytesIO(export_xlsx(department="WJW")))
    assert workbook["事项"].max_row == 2
    assert {row[0] for row in workbook["申请材料"].iter_rows(min_row=2, values_only=True)} == {HEALTH}


def test_export_of_an_unknown_department_is_refused_with_a_message(catalogue):
    with pytest.raises(ValidationError, match="部门编码「NOPE」不存在"):
        export_json(department="NOPE")


def test_abolished_items_are_not_exported(catalogue):
    item_version_set_status(actor=None, version=Item.objects.get(implementation_code=HEALTH).current,
                            status=ItemVersion.Status.ABOLISHED, reason="职能调整")
    document = json.loads(export_json())
    assert [d["implementation_code"] for d in document["items"]] == [FOOD]


def test_excel_export_speaks_chinese_with_frozen_headers_and_a_help_sheet(catalogue):
    workbook = load_workbook(BytesIO(export_xlsx()))
    assert workbook.sheetnames == ["事项", "申请材料", "收费项目", "办理流程", "表单字段", "特别程序", "说明"]
    for name in workbook.sheetnames[:-1]:
        assert workbook[name].freeze_panes == "A2"
        assert workbook[name]["A1"].value == "实施编码"
    content = export_xlsx()
    assert header_value(content, "事项", 2, "办件类型") == "承诺件"
    assert header_value(content, "事项", 2, "网办深度") == "受理"
    assert header_value(content, "事项", 2, "面向自然人") == "是"
    assert header_value(content, "事项", 2, "支持网上支付") == "否"
    assert header_value(content, "事项", 2, "主题分类") == "企业开办、开餐馆"
    assert header_value(content, "事项", 2, "事项类型") == "行政许可"
    assert header_value(content, "申请材料", 2, "材料形式") == "纸质+电子"
    assert header_value(content, "申请材料", 4, "必要性") == "容缺后补"
    assert header_value(content, "表单字段", 3, "选项") == "热食类食品制售、冷食类食品制售"
    items = workbook["事项"]
    assert items.column_dimensions["B"].width >= len("食品经营许可（新办）")  # the name column fits the name
    help_text = [cell for row in workbook["说明"].iter_rows(values_only=True) for cell in row if cell]
    assert "必要、非必要、容缺后补" in help_text
    assert "行政许可、行政处罚" in next(t for t in help_text if "行政许可" in str(t) and "、" in str(t))


def test_excel_export_keeps_text_that_begins_with_equals_as_text(catalogue):
    workbook = load_workbook(BytesIO(export_xlsx()))  # formulas are read as formulas here
    headers = [cell.value for cell in workbook["事项"][1]]
    cell = workbook["事项"].cell(row=2, column=headers.index("不予受理情形") + 1)
    assert cell.data_type == "s"
    assert cell.value == "=申请事项不属于本部门职权范围的"


def test_template_has_headers_and_no_rows(catalogue):
    workbook = load_workbook(BytesIO(export_xlsx(template=True)))
    assert workbook["事项"].max_row == 1
    assert workbook["申请材料"].max_row == 1


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_into_an_empty_catalogue_reproduces_the_same_dicts(catalogue, fmt):
    content = export_json() if fmt == "json" else export_xlsx()
    Item.objects.all().delete()
    result = catalogue_import(actor=None, content=content, file_name=f"catalog.{fmt}")
    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert current_dicts() == catalogue


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_an_unchanged_reimport_changes_nothing(catalogue, fmt):
    content = export_json() if fmt == "json" else export_xlsx()
    versions = ItemVersion.objects.count()
    result = catalogue_import(actor=None, content=content, file_name=f"catalog.{fmt}")
    assert result.ok, [p.text for p in result.problems]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert ItemVersion.objects.count() == versions
    assert current_dicts() == catalogue


def test_an_edited_workbook_updates_the_item_as_a_new_version(catalogue):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    current = Item.objects.get(implementation_code=HEALTH).current
    assert (current.name, current.version_no) == ("公共场所卫生许可（新办）", 2)


def test_excel_accepts_chinese_labels_and_internal_codes(catalogue):
    content = edit_workbook(export_xlsx(), [
        ("申请材料", 2, "必要性", "非必要"),
        ("申请材料", 3, "必要性", "deferrable"),
        ("申请材料", 4, "材料形式", "electronic"),
        ("事项", 2, "办件类型", 2),
        ("事项", 2, "行使层级", "市级"),
        ("事项", 2, "事项类型", "01"),
        ("事项", 2, "面向自然人", "false"),
        ("事项", 2, "面向法人", 1),
        ("事项", 2, "支持网上支付", "TRUE"),
        ("事项", 2, "主题分类", "open-restaurant、企业开办"),
    ])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert result.ok, [p.text for p in result.problems]
    data = current_dicts()[FOOD]
    assert [m["necessity"] for m in data["materials"]] == ["optional", "deferrable", "deferrable"]
    assert data["materials"][2]["form"] == "electronic"
    assert (data["handling_type"], data["level"], data["item_type"]) == (2, "city", "01")
    assert (data["for_persons"], data["for_companies"], data["online_payment_supported"]) == (False, True, True)
    assert data["topics"] == ["company-start", "open-restaurant"]


# ---------------------------------------------------------------- all or nothing


def test_a_bad_row_changes_nothing_and_names_sheet_row_and_field(catalogue):
    content = edit_workbook(export_xlsx(), [
        ("事项", 3, "事项名称", "公共场所卫生许可（新办）"),  # a valid edit that must not be applied either
        ("申请材料", 3, "必要性", "需要"),
    ])
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert result.problems == [Problem("申请材料", 3, "必要性", "值「需要」无效，可选：必要、非必要、容缺后补。")]
    assert result.problems[0].text == "「申请材料」第 3 行「必要性」：值「需要」无效，可选：必要、非必要、容缺后补。"
    assert row_counts() == before
    assert current_dicts() == catalogue


def test_all_errors_of_a_file_are_reported_at_once(catalogue):
    content = edit_workbook(export_xlsx(), [
        ("事项", 2, "实施主体编码", "NOPE"),
        ("事项", 3, "承诺办结时限（工作日）", 30),
        ("收费项目", "append", ["NO-SUCH-ITEM", "", "工本费", "10 元", "某文件", ""]),
    ])
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert [(p.sheet, p.row, p.field) for p in result.problems] == [
        ("事项", 2, "实施主体编码"), ("事项", 3, "承诺办结时限（工作日）"), ("收费项目", 3, "实施编码"),
    ]
    assert "部门「NOPE」不存在" in result.problems[0].message
    assert "承诺办结时限（30 个工作日）长于法定办结时限（20 个工作日）" in result.problems[1].message
    assert "「事项」表中没有对应的行" in result.problems[2].message
    assert row_counts() == before


@pytest.mark.parametrize(("sheet", "row", "header", "value", "expected"), [
    ("事项", 2, "事项类型", "许可", "事项类型「许可」不存在，可选："),
    ("事项", 2, "主题分类", "开餐馆、开网店", "主题分类「开网店」不存在，可选："),
    ("事项", 2, "法定办结时限（工作日）", "二十", "值「二十」不是数字，请填写整数"),
    ("事项", 2, "承诺办结时限（工作日）", 2.5, "值「2.5」不是整数"),
    ("事项", 2, "到办事现场次数", -1, "不能为负数"),
    ("事项", 2, "面向法人", "可能", "值「可能」无效，请填写「是」或「否」（也可填 true/false、1/0）"),
    ("事项", 2, "事项名称", None, "必须填写"),
    ("事项", 2, "事项名称", "长" * 201, "200"),
    ("办理流程", 3, "办理部门编码", "XX", "部门「XX」不存在"),
    ("特别程序", 2, "特别程序", "占卜", "特别程序「占卜」不存在，可选："),
    ("表单字段", 3, "字段代码", "shop_name", "「shop_name」在同一事项中重复（第 2 行已有）"),
    ("表单字段", 4, "最小值", "1.234", "最多保留 2 位小数"),
    ("事项", 2, "可受理的中心和站点", "ZZ", "中心（站点）「ZZ」不存在"),
])
def test_each_bad_value_gets_a_precise_message(catalogue, sheet, row, header, value, expected):
    content = edit_workbook(export_xlsx(), [(sheet, row, header, value)])
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert [(p.sheet, p.row, p.field) for p in result.problems] == [(sheet, row, header)]
    assert expected in result.problems[0].message
    assert row_counts() == before


def test_a_duplicate_implementation_code_is_reported_on_the_second_row(catalogue):
    content = export_xlsx()
    content = edit_workbook(content, [("事项", "append", sheet_row(content, "事项", 3))])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert [(p.sheet, p.row, p.field) for p in result.problems] == [("事项", 4, "实施编码")]
    assert f"实施编码「{HEALTH}」与第 3 行重复" in result.problems[0].message


def test_missing_and_unknown_columns_and_sheets_are_reported(catalogue):
    workbook = load_workbook(BytesIO(export_xlsx()))
    workbook["收费项目"]["C1"] = "收费金额"
    del workbook["特别程序"]
    out = BytesIO()
    workbook.save(out)
    result = catalogue_import(actor=None, content=out.getvalue(), file_name="catalog.xlsx")
    assert [p.sheet for p in result.problems] == ["特别程序"]
    assert "缺少工作表「特别程序」" in result.problems[0].message
    workbook.create_sheet("特别程序").append(["实施编码", "事项名称（仅供查看）", "特别程序", "计入办结时限",
                                          "时限（工作日）", "说明"])
    out = BytesIO()
    workbook.save(out)
    result = catalogue_import(actor=None, content=out.getvalue(), file_name="catalog.xlsx")
    assert {(p.sheet, p.row, p.field) for p in result.problems} == {
        ("收费项目", 1, "收费金额"), ("收费项目", 1, "收费项目名称"),
    }


def test_an_item_refused_when_publishing_rolls_back_the_items_that_passed(catalogue):
    promised_without_steps = {**health_certificate(), "implementation_code": "NEW-1", "handling_type": 2}
    fine = {**health_certificate(), "implementation_code": "NEW-2"}
    document = {"format": "yichuang-catalog", "version": 1, "items": [fine, promised_without_steps]}
    before = row_counts()
    result = catalogue_import(actor=None, content=json.dumps(document).encode(), file_name="new.json")
    assert [(p.sheet, p.row) for p in result.problems] == [("JSON", 2)]
    assert "承诺件需要配置办理流程" in result.problems[0].message
    assert result.problems[0].text.startswith("第 2 个事项")
    assert not Item.objects.filter(implementation_code="NEW-2").exists()
    assert row_counts() == before


def test_json_problems_name_the_item_and_the_field(catalogue):
    bad = food_licence()
    bad["materials"][1]["necessity"] = "需要"
    bad["statutory_limit"] = "二十"
    document = {"format": "yichuang-catalog", "version": 1, "items": [health_certificate(), bad]}
    result = catalogue_import(actor=None, content=json.dumps(document).encode(), file_name="x.json")
    assert [(p.row, p.field) for p in result.problems] == [
        (2, "法定办结时限（工作日）（statutory_limit）"), (2, "申请材料第 2 条·必要性（necessity）"),
    ]
    assert "required（必要）、optional（非必要）、deferrable（容缺后补）" in result.problems[1].message


def test_a_json_file_of_another_kind_is_refused(catalogue):
    result = catalogue_import(actor=None, content=b'{"hello": 1}', file_name="x.json")
    assert len(result.problems) == 1
    assert "不是本系统导出的事项库" in result.problems[0].message


@pytest.mark.parametrize(("content", "expected"), [
    (b"this is not a spreadsheet", "不是 Excel 工作簿（.xlsx）也不是 JSON 文件"),
    (b"", "是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel（.xls）"),
    (b'{"format": "yichuang-catalog",', "JSON 格式有误（第 1 行第 31 列"),
])
def test_a_file_that_is_not_a_workbook_renamed_xlsx_is_refused(catalogue, content, expected):
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert len(result.problems) == 1
    assert expected in result.problems[0].message
    assert "catalog.xlsx" in result.problems[0].message
    assert row_counts() == before


def test_a_zip_that_is_not_a_workbook_is_refused(catalogue):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert detect_format(out.getvalue()) is None
    result = catalogue_import(actor=None, content=out.getvalue(), file_name="catalog.xlsx")
    assert "不是 Excel 工作簿" in result.problems[0].message


def test_format_is_judged_by_content_not_by_file_name(catalogue):
    content = export_xlsx()
    assert detect_format(content) == "xlsx"
    assert detect_format(export_json()) == "json"
    result = catalogue_import(actor=None, content=content, file_name="catalog.json")
    assert result.ok and result.format == "xlsx"


def test_a_file_over_the_upload_limit_is_refused(catalogue, settings):
    settings.YICHUANG_UPLOAD_MAX_BYTES = 100
    result = catalogue_import(actor=None, content=export_json(), file_name="x.json")
    assert "文件过大" in result.problems[0].message


# ---------------------------------------------------------------- audit, dry run, drafts


def test_the_import_records_one_audit_entry_for_the_file(catalogue):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    catalogue_import(actor=None, content=content, file_name="目录.xlsx")
    entry = AuditEntry.objects.filter(action="catalog.import").get()
    assert entry.after == {
        "file_name": "目录.xlsx", "format": "xlsx", "sm3": sm3_hex(content), "publish": True, "items": 2,
        "created": 0, "updated": 1, "unchanged": 1,
    }
    assert entry.object_id == sm3_hex(content)
    # item_upsert's own entries are there too.
    assert AuditEntry.objects.filter(action="catalog.version.publish").count() == 3


def test_a_dry_run_reports_what_would_change_and_changes_nothing(catalogue):
    content = export_json()
    Item.objects.filter(implementation_code=HEALTH).delete()
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="x.json", dry_run=True)
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    assert "检查通过（尚未导入）" in result.summary
    assert row_counts() == before


def test_a_draft_import_leaves_the_public_version_in_force(catalogue):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    result = catalogue_import(actor=None, content=content, file_name="x.xlsx", publish=False)
    assert result.updated == 1
    item = Item.objects.get(implementation_code=HEALTH)
    assert item.current.name == "公共场所卫生许可"
    assert item.versions.get(status=ItemVersion.Status.DRAFT).name == "公共场所卫生许可（新办）"


# ---------------------------------------------------------------- the console command


def test_console_command_exports_and_imports(catalogue, tmp_path, capsys):
    path = tmp_path / "catalog.xlsx"
    call_command("catalog", "export", "-o", str(path))
    assert detect_format(path.read_bytes()) == "xlsx"
    json_path = tmp_path / "catalog.out"
    call_command("catalog", "export", "--format", "json", "-o", str(json_path), "--department", "WJW")
    assert len(json.loads(json_path.read_bytes())["items"]) == 1
    Item.objects.all().delete()
    call_command("catalog", "import", str(path))
    assert current_dicts() == catalogue
    assert "导入完成：新增 2 项" in capsys.readouterr().out


def test_console_command_lists_every_problem_and_fails(catalogue, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(edit_workbook(export_xlsx(), [("申请材料", 3, "必要性", "需要"), ("事项", 2, "事项类型", "x")]))
    before = row_counts()
    with pytest.raises(CommandError, match="发现 2 个问题"):
        call_command("catalog", "import", str(path))
    err = capsys.readouterr().err
    assert "「事项」第 2 行「事项类型」" in err
    assert "「申请材料」第 3 行「必要性」" in err
    assert row_counts() == before


def test_console_command_records_the_named_user_and_refuses_an_unknown_one(catalogue, tmp_path):
    path = tmp_path / "catalog.json"
    path.write_bytes(export_json())
    User.objects.create_user(username="admin1", password="x", is_staff=True)
    call_command("catalog", "import", str(path), "--user", "admin1")
    assert AuditEntry.objects.get(action="catalog.import").actor.username == "admin1"
    with pytest.raises(CommandError, match="用户「nobody」不存在"):
        call_command("catalog", "import", str(path), "--user", "nobody")
