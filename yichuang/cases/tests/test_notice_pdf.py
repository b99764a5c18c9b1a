"""Every notice prints as a PDF from its frozen content, with the wording and dates the law asks for."""

import re

import pytest
from django.urls import reverse

from yichuang.cases import services
from yichuang.cases.models import Notice
from yichuang.cases.notice_pdf import notice_filename, render_notice, render_notice_content
from yichuang.core.tests.pdftext import extract_text, page_count

from .conftest import at

K = Notice.Kind


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_of(notice: Notice) -> str:
    return squeeze(extract_text(render_notice(notice)))


def accepted(receive, staff, when="2026-11-02", **states):
    case = receive(when, **states)
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at(when))


def reviewed(case, staff, when="2026-11-03"):
    return services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全，符合条件",
                                       expected_version=case.version, at=at(when))


def issue_every_kind(receive, staff) -> dict[str, Notice]:
    """One case per notice kind, driven through the services the way the hall would."""
    notices: dict[str, Notice] = {}

    case = receive("2026-11-02")
    notices[K.RECEIPT] = case.notices.get(kind=K.RECEIPT)

    case = accepted(receive, staff, zd={"state": "deferred", "promised_on": "2026-11-20"})
    notices[K.ACCEPTANCE] = case.notices.get(kind=K.ACCEPTANCE)

    case = receive(pmt={"state": "missing"}, sqs={"state": "defective", "note": "未加盖单位公章"})
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version,
                                            other_problems=["申请表中经营项目与营业执照不一致"], at=at("2026-11-02"))
    notices[K.CORRECTION] = case.notices.get(kind=K.CORRECTION)

    case = receive()
    case = services.case_refuse(
        actor=staff["clerk"], case=case, reason="经营场所位于居民住宅楼内，不属于本事项的许可范围",
        legal_basis="《中华人民共和国食品安全法》第三十五条、《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        way_forward="另行选择符合食品安全要求的经营场所后重新申请；可先到窗口咨询选址要求",
        expected_version=case.version, at=at("2026-11-02"),
    )
    notices[K.REFUSAL] = case.notices.get(kind=K.REFUSAL)

    case = accepted(receive, staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey",
                                       reason="需核实经营场所布局与平面图是否一致", expected_days=3,
                                       expected_version=case.version, at=at("2026-11-03"))
    notices[K.SPECIAL] = case.notices.get(kind=K.SPECIAL)

    case = accepted(receive, staff)
    services.case_extension_request(actor=staff["reviewer"], case=case, days=10, reason="需向相关部门征求意见",
                                    expected_version=case.version, at=at("2026-11-04"))
    case.refresh_from_db()
    case = services.case_extension_decide(actor=staff["approver"], case=case, approve=True,
                                          expected_version=case.version, at=at("2026-11-04"))
    notices[K.EXTENSION] = case.notices.get(kind=K.EXTENSION)

    case = reviewed(accepted(receive, staff), staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="申请材料齐全，经营场所符合要求",
                                expected_version=case.version, at=at("2026-11-05"))
    notices[K.APPROVAL] = case.notices.get(kind=K.APPROVAL)

    case = reviewed(accepted(receive, staff), staff)
    case = services.case_decide(
        actor=staff["approver"], case=case, approve=False, reason="现场核查发现加工区与就餐区未分隔",
        legal_basis="《食品经营许可和备案管理办法》第十二条", way_forward="按要求设置隔断并整改后重新申请",
        expected_version=case.version, at=at("2026-11-05"),
    )
    notices[K.DENIAL] = case.notices.get(kind=K.DENIAL)
    return notices


@pytest.fixture
def every_kind(receive, staff):
    return issue_every_kind(receive, staff)


# Key phrases of each kind: the legal article it rests on and the facts it must state.
KEY_PHRASES = {
    K.RECEIPT: ["收件凭证", "不表示已受理", "第三十二条", "五日内", "食品经营许可申请书"],
    K.ACCEPTANCE: ["受理通知书", "申请材料中主要材料齐全、符合法定形式", "第三十二条第一款第（五）项", "决定予以受理",
                   "2026年11月9日前作出决定", "承诺办结时限5个工作日", "法定办结时限20个工作日",
                   "食品安全管理制度", "2026年11月20日", "容缺"],
    K.CORRECTION: ["补正材料一次性告知书", "第三十二条第一款第（四）项", "一次性告知", "经营场所平面图", "未提交",
                   "未加盖单位公章", "申请表中经营项目与营业执照不一致", "补正期间不计入办理时限"],
    K.REFUSAL: ["不予受理决定书", "不予受理的理由", "经营场所位于居民住宅楼内", "法律依据", "《中华人民共和国食品安全法》第三十五条",
                "如何才能办成", "另行选择符合食品安全要求的经营场所后重新申请", "行政复议", "行政诉讼"],
    K.SPECIAL: ["特别程序告知书", "第四十五条", "现场踏勘", "3个工作日", "不计算在本机关作出行政许可决定的期限内"],
    K.EXTENSION: ["延长办理期限告知书", "第四十二条", "延长10个工作日", "需向相关部门征求意见", "经本机关负责人批准"],
    K.APPROVAL: ["准予行政许可决定书", "决定准予行政许可", "《中华人民共和国食品安全法》第三十五条", "《食品经营许可证》",
                 "第四十四条", "十日内", "行政复议"],
    K.DENIAL: ["不予行政许可决定书", "第三十八条第二款", "不予许可的理由", "加工区与就餐区未分隔", "《食品经营许可和备案管理办法》第十二条",
               "如何才能办成", "按要求设置隔断并整改后重新申请", "行政复议", "行政诉讼"],
}


def test_every_notice_kind_has_a_renderer_and_key_phrases():
    assert set(KEY_PHRASES) == set(K.values)


@pytest.mark.parametrize("kind", list(K.values))
def test_every_notice_kind_renders_with_its_legal_wording(every_kind, kind):
    notice = every_kind[kind]
    pdf = render_notice(notice)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf
    text = squeeze(extract_text(pdf))
    content = notice.content
    # The frame every notice shares: issuing body, title, numbers, applicant, item, seal line.
    for phrase in [content["centre"], notice.get_kind_display(), notice.number, content["case_number"],
                   "示例县好味道餐饮有限公司", "食品经营许可", "（印章）", content["issued_on"], "扫码查询办理进度"]:
        assert phrase in text, f"{kind}: {phrase!r} missing"
    for phrase in KEY_PHRASES[kind]:
        assert squeeze(phrase) in text, f"{kind}: {phrase!r} missing"


def test_notices_fit_on_one_a4_page(every_kind):
    for kind, notice in every_kind.items():
        assert page_count(render_notice(notice)) == 1, kind


def test_refusal_notice_carries_reason_basis_way_forward_and_remedies(every_kind):
    text = text_of(every_kind[K.REFUSAL])
    reason = text.index("不予受理的理由")
    basis = text.index("法律依据")
    way = text.index("如何才能办成")
    remedy = text.index("行政复议")
    # In the order a reader needs them: why, on what basis, what to do instead, how to appeal.
    assert reason < basis < way < remedy
    assert "六十日内" in text and "六个月内" in text


def test_a_person_applicant_is_printed_with_the_masked_id_number(receive, staff, county, item):
    applicant = services.applicant_register(actor=staff["clerk"], kind="person", name="王小明",
                                            id_number="110101199003074514", phone="13900139000")
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                 centre=county["centre"], at=at("2026-11-02"))
    text = text_of(case.notices.get(kind=K.RECEIPT))
    assert "1101**********4514" in text
    assert "110101199003074514" not in text


def test_the_qr_code_points_to_the_progress_page_with_the_case_number(every_kind):
    notice = every_kind[K.ACCEPTANCE]
    url = notice.content["progress_url"]
    assert url.endswith(f"/progress/?number={notice.content['case_number']}")
    assert squeeze(url) in text_of(notice)


def test_reprinting_gives_the_same_paper_even_after_the_case_changes(every_kind, staff):
    notice = every_kind[K.ACCEPTANCE]
    before = text_of(notice)
    case = notice.case
    # The applicant is renamed and the case decided: the acceptance notice already handed over stays as it was.
    case.applicant.name = "另一个名称有限公司"
    case.applicant.save()
    case = reviewed(case, staff)
    services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意", expected_version=case.version,
                         at=at("2026-11-05"))
    notice.refresh_from_db()
    after = text_of(notice)
    assert after == before
    assert "另一个名称有限公司" not in after


def test_a_date_in_an_unannounced_year_is_printed_as_provisional(receive, staff):
    # Accepted 28 December 2026: the promised and statutory limits end in 2027, a year the
    # calendar does not know yet.
    case = accepted(receive, staff, when="2026-12-28")
    notice = case.notices.get(kind=K.ACCEPTANCE)
    assert notice.content["due_confirmed"] is False
    text = text_of(notice)
    assert "2027年的法定节假日安排尚未公布" in text and "预计日期" in text
    confirmed = text_of(accepted(receive, staff).notices.get(kind=K.ACCEPTANCE))
    assert "尚未公布" not in confirmed


def test_an_immediate_case_acceptance_says_it_is_decided_on_the_spot():
    pdf = render_notice_content(K.ACCEPTANCE, "SLX-SL-2026-00009", {
        "centre": "示例县政务服务中心", "case_number": "SLX2026110200009", "item": "小餐饮登记", "applicant": "李四",
        "applicant_id": "3301**********1234", "received_on": "2026年11月2日", "issued_on": "2026年11月2日",
        "accepted_on": "2026年11月2日", "limit_days": 0, "statutory_limit_days": 0, "progress_url": "http://x/progress/",
    })
    text = squeeze(extract_text(pdf))
    assert "本事项为即办件" in text and "前作出决定" not in text


def test_an_immediate_item_accepted_for_later_promises_the_same_day_not_zero_days():
    # Online 即办件: accepted when the applicant comes, decided later that day within the statutory limit.
    pdf = render_notice_content(K.ACCEPTANCE, "SLX-SL-2026-00010", {
        "centre": "示例县政务服务中心", "case_number": "SLX2026110200010", "item": "个体工商户设立登记", "applicant": "李四",
        "applicant_id": "3301**********1234", "received_on": "2026年11月2日", "issued_on": "2026年11月2日",
        "accepted_on": "2026年11月2日", "limit_days": 0, "due_on": "2026年11月2日", "statutory_limit_days": 3,
        "statutory_due_on": "2026年11月5日", "progress_url": "http://x/progress/",
    })
    text = squeeze(extract_text(pdf))
    assert "承诺办结时限当日办结" in text and "0个工作日" not in text
    assert "法定办结时限3个工作日" in text and "2026年11月5日" in text


def test_text_typed_by_staff_cannot_break_the_layout():
    pdf = render_notice_content(K.REFUSAL, "SLX-BSL-2026-00001", {
        "centre": "示例县政务服务中心", "case_number": "SLX1", "item": "A<B & C", "applicant": "R&D <有限> 公司",
        "received_on": "2026年11月2日", "issued_on": "2026年11月2日", "reason": "<b>未</b>提交 & 其他",
        "basis": "第1条", "way_forward": "补齐后再来", "remedies": "可以申请行政复议。",
    })
    text = squeeze(extract_text(pdf))
    assert "<b>未</b>提交&其他" in text and "R&D<有限>公司" in text


def test_the_notice_file_name_says_what_it_is(every_kind):
    notice = every_kind[K.APPROVAL]
    assert notice_filename(notice) == f"准予行政许可决定书-{notice.number}.pdf"


# --- the download route: staff with the case in scope only ------------------------------------------


def notice_url(notice: Notice) -> str:
    return reverse("cases_public:notice_pdf", args=[notice.case_id, notice.pk])


def test_the_notice_download_serves_the_pdf_to_staff_who_see_the_case(client, every_kind, staff):
    notice = every_kind[K.REFUSAL]
    client.force_login(staff["reviewer"])
    response = client.get(notice_url(notice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert notice.number in squeeze(extract_text(body))


def test_the_notice_download_is_404_for_another_departments_reviewer(client, every_kind, staff):
    notice = every_kind[K.REFUSAL]
    client.force_login(staff["other_reviewer"])
    assert client.get(notice_url(notice)).status_code == 404


def test_a_notice_of_another_case_is_404_even_in_scope(client, every_kind, staff):
    refusal, approval = every_kind[K.REFUSAL], every_kind[K.APPROVAL]
    client.force_login(staff["clerk"])
    url = reverse("cases_public:notice_pdf", args=[refusal.case_id, approval.pk])
    assert client.get(url).status_code == 404


def test_the_notice_download_asks_anonymous_visitors_to_log_in(client, every_kind):
    response = client.get(notice_url(every_kind[K.REFUSAL]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
