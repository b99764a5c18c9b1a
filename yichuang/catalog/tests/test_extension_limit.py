"""The extension an item's law allows (行政许可法第四十二条: 10 working days unless a law says otherwise).

Each item version carries it: the admin edits it, the public guide and the API show it,
export and import carry it (0–60, a wrong value named by sheet, row and field), and a new
version keeps it.
"""

import json

import pytest
from django.urls import reverse

from yichuang.catalog import services
from yichuang.catalog.exchange import Problem, catalogue_import, export_json, export_xlsx
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.serialization import version_to_dict

from .public_fixtures import FOOD, HOUSEHOLD, build_catalogue, food_data
from .test_exchange import FOOD as EXCHANGE_FOOD
from .test_exchange import catalogue, current_dicts, edit_workbook, header_value, reference, row_counts  # noqa: F401

pytestmark = pytest.mark.django_db

HEADER = "可延长时限（工作日）"


@pytest.fixture
def items():
    return build_catalogue()


def _republish(**changes) -> ItemVersion:
    version, _ = services.item_upsert(actor=None, data=food_data(**changes))
    return version


# ---------------------------------------------------------------- the field


def test_an_item_allows_the_statutory_ten_working_days_unless_told_otherwise(items):
    assert items["food"].extension_limit == 10
    assert version_to_dict(items["food"])["extension_limit"] == 10


def test_a_new_version_keeps_the_items_extension_rule(items):
    published = _republish(extension_limit=15)
    draft = services.item_version_revise(actor=None, version=published, change_note="修订材料")
    assert draft.pk != published.pk and draft.extension_limit == 15


def test_the_admin_edits_the_extension_rule_with_the_law_named(admin_client, items):
    draft = services.item_version_revise(actor=None, version=items["food"])
    html = admin_client.get(reverse("admin:catalog_itemversion_change", args=[draft.pk])).content.decode()
    assert 'name="extension_limit"' in html
    assert "行政许可法》第四十二条" in html and "0 表示不得延长" in html


# ---------------------------------------------------------------- guide and API


def test_the_guide_says_how_long_the_limit_may_be_extended(client, items):
    page = client.get(reverse("catalog:guide", args=[FOOD])).content.decode()
    assert "可延长 10 个工作日" in page
    _republish(extension_limit=15)
    page = client.get(reverse("catalog:guide", args=[FOOD])).content.decode()
    assert "可延长 15 个工作日" in page and "可延长 10 个工作日" not in page


def test_the_guide_says_an_item_whose_law_allows_none_cannot_be_extended(client, items):
    _republish(extension_limit=0)
    page = client.get(reverse("catalog:guide", args=[FOOD])).content.decode()
    assert "不得延长" in page and "可延长" not in page


def test_an_immediate_item_shows_no_extension(client, items):
    page = client.get(reverse("catalog:guide", args=[HOUSEHOLD])).content.decode()
    assert "可延长" not in page and "不得延长" not in page


def test_the_catalogue_api_gives_the_extension_rule(client, items):
    _republish(extension_limit=15)
    body = client.get(f"/api/v1/catalog/items/{FOOD}").json()
    assert body["extension_limit"] == 15


# ---------------------------------------------------------------- export and import


def test_export_carries_the_extension_rule_in_both_formats(catalogue):  # noqa: F811
    document = json.loads(export_json())
    assert {item["extension_limit"] for item in document["items"]} == {10}
    assert header_value(export_xlsx(), "事项", 2, HEADER) == 10


def test_an_imported_workbook_sets_the_extension_rule(catalogue):  # noqa: F811
    content = edit_workbook(export_xlsx(), [("事项", 2, HEADER, 15)])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert result.ok, [p.text for p in result.problems]
    assert current_dicts()[EXCHANGE_FOOD]["extension_limit"] == 15


def test_an_empty_cell_means_the_statutory_ten(catalogue):  # noqa: F811
    content = edit_workbook(export_xlsx(), [("事项", 2, HEADER, None)])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert result.ok, [p.text for p in result.problems]
    assert current_dicts()[EXCHANGE_FOOD]["extension_limit"] == 10


def test_the_import_rejects_61_and_names_sheet_row_and_field(catalogue):  # noqa: F811
    content = edit_workbook(export_xlsx(), [("事项", 2, HEADER, 61)])
    before = row_counts()
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert [(p.sheet, p.row, p.field) for p in result.problems] == [("事项", 2, HEADER)]
    assert result.problems[0] == Problem("事项", 2, HEADER, "可延长时限为 0 至 60 个工作日（0 表示不得延长）。")
    assert result.problems[0].text.startswith("「事项」第 2 行「可延长时限（工作日）」：")
    assert row_counts() == before and current_dicts() == catalogue


@pytest.mark.parametrize(("value", "expected"), [
    (-1, "不能为负数"), ("十五", "不是数字"), (7.5, "不是整数"),
])
def test_the_import_rejects_what_is_not_a_whole_number_of_days(catalogue, value, expected):  # noqa: F811
    content = edit_workbook(export_xlsx(), [("事项", 3, HEADER, value)])
    result = catalogue_import(actor=None, content=content, file_name="catalog.xlsx")
    assert [(p.sheet, p.row, p.field) for p in result.problems] == [("事项", 3, HEADER)]
    assert expected in result.problems[0].message


def test_a_json_import_rejects_61_and_names_the_item_and_field(catalogue):  # noqa: F811
    document = json.loads(export_json())
    document["items"][0]["extension_limit"] = 61
    result = catalogue_import(actor=None, content=json.dumps(document, ensure_ascii=False).encode(),
                              file_name="catalog.json")
    assert [(p.row, p.field) for p in result.problems] == [(1, f"{HEADER}（extension_limit）")]
    assert "0 至 60" in result.problems[0].message


def test_the_help_sheet_lists_the_allowed_range(catalogue):  # noqa: F811
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export_xlsx()))["说明"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    row = next(r for r in rows if HEADER in r)
    assert "0 至 60 的整数" in row and "选填（默认：10）" in row
