"""The public pages: home, list with live search, item guides, old versions and the printed checklist."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from yichuang.catalog import services, views
from yichuang.catalog.models import MaterialRequirement
from yichuang.core.qr import qr_svg
from yichuang.core.tests.pdftext import extract_text, page_count

from .public_fixtures import ABOLISHED, FOOD, HOUSEHOLD, SUSPENDED, build_catalogue, food_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return build_catalogue()


def text_of(response) -> str:
    """The page's visible text with tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def guide_url(code):
    return reverse("catalog:guide", args=[code])


def test_home_has_the_search_box_the_three_entries_and_departments_with_counts(client, items):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and 'hx-get="/guide/"' in html
    for label, audience in (("个人办事", "person"), ("法人办事", "company"), ("一件事主题", "life_event")):
        assert label in html and f"?audience={audience}" in html
    text = text_of(response)
    assert "示例县市场监督管理局 4 项" in text and "示例县公安局 1 项" in text
    # A department with nothing to offer the public is not advertised.
    assert "示例县档案馆" not in text


def test_list_searches_by_part_of_a_name(client, items):
    response = client.get("/guide/", {"q": "经营许可"})
    text = text_of(response)
    assert "食品经营许可" in text and "户口迁移登记" not in text
    assert "<html" in response.content.decode()


def test_list_answers_htmx_with_the_result_fragment_only(client, items):
    response = client.get("/guide/", {"q": "spjy"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "食品经营许可" in html
    assert "HX-Request" in response["Vary"]


def test_list_restoring_history_gets_the_whole_page(client, items):
    response = client.get(
        "/guide/", {"q": "spjy"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_list_filters_by_audience_department_and_topic_without_javascript(client, items):
    assert "户口迁移登记" in text_of(client.get("/guide/", {"audience": "person"}))
    assert "户口迁移登记" not in text_of(client.get("/guide/", {"audience": "company"}))
    by_department = text_of(client.get("/guide/", {"department": "GA"}))
    assert "户口迁移登记" in by_department and "食品经营许可" not in by_department
    assert "食品生产许可" in text_of(client.get("/guide/", {"topic": "kdcy"}))


def test_list_ignores_an_unknown_audience_instead_of_failing(client, items):
    response = client.get("/guide/", {"audience": "martians"})
    assert response.status_code == 200 and "食品经营许可" in text_of(response)


def test_list_marks_suspended_items_and_omits_abolished_ones(client, items):
    text = text_of(client.get("/guide/", {"q": "食品"}))
    assert "食品摊贩登记 暂停办理" in text
    assert "食品小作坊登记" not in text


def test_list_is_paginated_and_keeps_the_query(client, items, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = client.get("/guide/", {"q": "食品"})
    assert "第 1 / 2 页" in text_of(first)
    assert "?q=%E9%A3%9F%E5%93%81&amp;page=2" in first.content.decode()
    second = client.get("/guide/", {"q": "食品", "page": 2})
    assert "第 2 / 2 页" in text_of(second)


def test_list_says_what_to_try_when_nothing_matches(client, items):
    assert "拼音首字母" in text_of(client.get("/guide/", {"q": "不存在的事项"}))


def test_compact_live_search_under_the_home_box_links_to_all_results(client, items, monkeypatch):
    monkeypatch.setattr(views, "COMPACT_SIZE", 1)
    response = client.get("/guide/", {"q": "食品", "view": "compact"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "查看全部 3 个结果" in html and "page=" not in html
    empty = client.get("/guide/", {"q": "", "view": "compact"}, headers={"HX-Request": "true"})
    assert empty.content.decode().strip() == ""


def test_guide_shows_every_material_and_the_deferrable_badge(client, items):
    response = client.get(guide_url(FOOD))
    html = response.content.decode()
    for material in food_data()["materials"]:
        assert material["name"] in html
    assert re.search(r'<span class="badge warn"[^>]*>容缺后补</span>', html)
    text = text_of(response)
    for words in ("复印件", "纸质+电子", "政府部门核发", "由市场监督管理部门核发", "申请人签字或盖章", "可在窗口领取空白表格"):
        assert words in text


def test_guide_shows_every_element_a_person_needs(client, items):
    text = text_of(client.get(guide_url(FOOD)))
    expected = [
        "食品经营许可", FOOD, "000117001000", "行政许可", "示例县市场监督管理局",
        "《中华人民共和国食品安全法》第三十五条", "食品原料处理", "申请事项依法不需要取得行政许可的",
        "法定办结时限 20 个工作日 自受理之日起计算", "承诺办结时限 5 个工作日 现场核查时间不计入",
        "承诺件", "现场踏勘 不计入办结时限 10 个工作日", "窗口办理、网上办理", "最多跑一次",
        "网上办理深度 办理", "示例县政务服务中心一楼综合受理区", "工作日 上午 9:00–12:00",
        "0571-87650001", "12345 政务服务便民热线", "不收费", "食品经营许可证（证照）",
        "食品安全管理制度编制咨询", "预约办理 支持", "物流快递 支持", "网上支付 不支持", "全县（区）通办",
        "窗口受理", "材料审查", "审批决定", "制证送达", "开店创业",
    ]
    missing = [words for words in expected if words not in text]
    assert not missing


def test_guide_of_an_immediate_item_with_fees(client, items):
    text = text_of(client.get(guide_url(HOUSEHOLD)))
    for words in ("即办件", "当场办结", "零跑动", "工本费", "每证 10 元", "价格主管部门文件", "首次申领免收"):
        assert words in text


def test_guide_qr_code_opens_the_same_page_at_the_site_url(client, items, settings):
    settings.SITE_URL = "https://zwfw.example.gov.cn"
    html = client.get(guide_url(FOOD)).content.decode()
    expected = qr_svg(f"https://zwfw.example.gov.cn/guide/{FOOD}/", size=168, label="x")
    # The same modules as a code made for the public address (the label may differ).
    path = re.search(r'<path d="([^"]+)"', expected).group(1)
    assert f'<path d="{path}"' in html


def test_guide_links_to_the_printable_checklist(client, items):
    html = client.get(guide_url(FOOD)).content.decode()
    assert reverse("catalog:checklist_pdf", args=[FOOD]) in html
    assert "打印一次性告知单 (PDF)" in html


def test_suspended_guide_carries_a_notice(client, items):
    text = text_of(client.get(guide_url(SUSPENDED)))
    assert "暂停办理 ：该事项目前暂停办理" in text


def test_abolished_guide_says_so_and_offers_no_checklist(client, items):
    response = client.get(guide_url(ABOLISHED))
    assert response.status_code == 200
    assert "该事项已废止，不再受理" in text_of(response)
    assert "checklist.pdf" not in response.content.decode()
    missing = client.get(reverse("catalog:checklist_pdf", args=[ABOLISHED]))
    assert missing.status_code == 404


def test_unknown_item_is_404(client, items):
    assert client.get(guide_url("NO-SUCH-CODE")).status_code == 404
    assert client.get(reverse("catalog:checklist_pdf", args=["NO-SUCH-CODE"])).status_code == 404


def test_older_version_is_shown_read_only_with_a_link_to_the_current_one(client, items):
    services.item_upsert(actor=None, data=food_data(conditions="第二版的受理条件", change_note="修订受理条件"))
    current = client.get(guide_url(FOOD))
    assert reverse("catalog:guide_version", args=[FOOD, 1]) in current.content.decode()
    old = client.get(reverse("catalog:guide_version", args=[FOOD, 1]))
    text = text_of(old)
    assert "这是历史版本（第 1 版）" in text and "第二版的受理条件" not in text
    assert f'href="{guide_url(FOOD)}"' in old.content.decode()
    assert "checklist.pdf" not in old.content.decode()
    assert '<meta name="robots" content="noindex">' in old.content.decode()


def test_current_version_number_redirects_to_the_guide_and_drafts_are_404(client, items):
    response = client.get(reverse("catalog:guide_version", args=[FOOD, 1]))
    assert response.status_code == 302 and response["Location"] == guide_url(FOOD)
    draft = services.item_version_revise(actor=None, version=items["food"])
    assert client.get(reverse("catalog:guide_version", args=[FOOD, draft.version_no])).status_code == 404


def test_guide_page_takes_a_fixed_number_of_queries(client, items, django_assert_max_num_queries):
    materials = [{"code": f"m{i}", "name": f"材料{i}"} for i in range(25)]
    services.item_upsert(actor=None, data=food_data(materials=materials))
    with django_assert_max_num_queries(8):
        assert client.get(guide_url(FOOD)).status_code == 200


def test_list_page_takes_a_fixed_number_of_queries(client, items, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get("/guide/", {"q": "食品"}).status_code == 200


def _upload(material: MaterialRequirement, field: str, name: str, content: bytes) -> None:
    getattr(material, field).save(name, ContentFile(content), save=True)


def test_uploaded_blank_form_and_example_are_linked_and_downloadable(client, items):
    material = items["food"].materials.get(code="sqs")
    _upload(material, "blank_form", "form.docx", b"blank form bytes")
    _upload(material, "example_file", "example.pdf", b"%PDF example")
    html = client.get(guide_url(FOOD)).content.decode()
    blank_url = reverse("catalog:material_file", args=[FOOD, 1, material.pk, "blank-form"])
    example_url = reverse("catalog:material_file", args=[FOOD, 1, material.pk, "example"])
    assert blank_url in html and example_url in html
    response = client.get(blank_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"blank form bytes"
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    other = items["food"].materials.get(code="yyzz")
    assert client.get(reverse("catalog:material_file", args=[FOOD, 1, other.pk, "blank-form"])).status_code == 404
    assert client.get(reverse("catalog:material_file", args=[FOOD, 1, material.pk, "secret"])).status_code == 404


def test_files_of_a_draft_version_are_not_served(client, items):
    draft = services.item_version_revise(actor=None, version=items["food"])
    material = draft.materials.get(code="sqs")
    _upload(material, "blank_form", "draft.docx", b"draft")
    url = reverse("catalog:material_file", args=[FOOD, draft.version_no, material.pk, "blank-form"])
    assert client.get(url).status_code == 404


def test_checklist_is_a_one_page_pdf_with_the_cjk_font_embedded(client, items):
    response = client.get(reverse("catalog:checklist_pdf", args=[FOOD]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"WenQuanYiMicroHei" in pdf
    # No font the reader must supply itself (reportlab's Helvetica is never embedded).
    assert b"/Type1" not in pdf and b"Helvetica" not in pdf
    assert page_count(pdf) == 1


def test_checklist_text_names_the_item_materials_limits_place_and_contact(client, items):
    text = squeeze(extract_text(client.get(reverse("catalog:checklist_pdf", args=[FOOD])).content))
    expected = [
        "示例县政务服务中心", "一次性告知单", "食品经营许可", FOOD, "示例县市场监督管理局",
        "食品经营许可申请书", "营业执照", "食品安全管理制度文本", "经营场所平面布局图", "容缺后补", "复印件",
        "不收费", "20个工作日", "5个工作日", "示例县政务服务中心一楼综合受理区", "工作日上午9:00–12:00",
        "0571-87650001", "打印日期", f"http://testserver/guide/{FOOD}/",
    ]
    missing = [words for words in expected if squeeze(words) not in text]
    assert not missing


def test_checklist_of_a_suspended_item_warns_that_it_is_suspended(client, items):
    text = squeeze(extract_text(client.get(reverse("catalog:checklist_pdf", args=[SUSPENDED])).content))
    assert "本事项目前暂停办理" in text


def test_checklist_lists_fees_when_the_item_charges(client, items):
    text = squeeze(extract_text(client.get(reverse("catalog:checklist_pdf", args=[HOUSEHOLD])).content))
    assert "工本费：每证10元（首次申领免收）" in text
    # No department centre: the site's name heads the page.
    assert "一窗·政务服务" in text


def test_checklist_with_many_materials_still_fits_one_page_when_it_can(client, items):
    materials = [{"code": f"m{i}", "name": f"第{i}项证明材料", "acceptance_standard": "加盖公章"} for i in range(16)]
    services.item_upsert(actor=None, data=food_data(materials=materials))
    pdf = client.get(reverse("catalog:checklist_pdf", args=[FOOD])).content
    assert page_count(pdf) == 1
    assert "第15项证明材料" in squeeze(extract_text(pdf))
