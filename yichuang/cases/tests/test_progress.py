"""The public progress query: number plus phone or last four ID characters, rate-limited, no personal data."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from yichuang.cases import services
from yichuang.cases.progress import (
    FAILED_PER_NUMBER,
    PER_ADDRESS,
    mask_name,
    not_found_message,
    progress_find,
    progress_query,
)

from .conftest import at

URL = "/progress/"
PHONE = "13800138000"  # the applicant fixture's phone
USCC_LAST4 = "0Y43"  # 91350100M000100Y43


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def named_staff(staff):
    """Staff with real-looking names, so the test can check none of them reaches the public page."""
    for key, name in (("clerk", "赵受理"), ("reviewer", "钱审查"), ("approver", "孙决定"), ("result", "李出件")):
        staff[key].display_name = name
        staff[key].save()
    return staff


def accepted(receive, staff, when="2026-11-02"):
    case = receive(when)
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at(when))


def decided(receive, staff):
    case = accepted(receive, staff)
    case = services.case_step_complete(actor=staff["reviewer"], case=case, opinion="场所布局合理，同意",
                                       expected_version=case.version, at=at("2026-11-03"))
    return services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合法定条件",
                                expected_version=case.version, at=at("2026-11-04"))


def ask(client, number, secret, **extra):
    return client.post(URL, {"number": number, "secret": secret}, **extra)


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_right_phone_shows_the_status_step_and_due_date(client, receive, named_staff):
    case = accepted(receive, named_staff)
    response = ask(client, case.number, PHONE)
    assert response.status_code == 200
    text = page_text(response)
    assert "已受理，正在办理" in text
    assert "当前环节 审查" in text
    assert "承诺办结日 2026-11-09" in text
    assert "窗口收件，已出具收件凭证" in text and "已受理，出具受理通知书" in text
    assert "示例县好味** 公司" not in text and "示例县好味道**公司" in text


def test_the_last_four_characters_of_the_uscc_also_work_in_any_case(client, receive, staff):
    case = accepted(receive, staff)
    for secret in (USCC_LAST4, USCC_LAST4.lower()):
        assert "已受理，正在办理" in page_text(ask(client, case.number, secret))


def test_the_last_four_of_a_persons_id_number_work(client, staff, county, item):
    person = services.applicant_register(actor=staff["clerk"], kind="person", name="王小明",
                                         id_number="110101199003074514", phone="13900139000")
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=person, centre=county["centre"],
                                 at=at("2026-11-02"))
    text = page_text(ask(client, case.number, "4514"))
    assert "已收件，等待受理" in text and "王**" in text
    assert "王小明" not in text


def test_a_wrong_phone_answers_exactly_like_a_number_that_does_not_exist(client, receive, staff):
    case = accepted(receive, staff)
    wrong = ask(client, case.number, "13911112222")
    unknown = ask(client, "SLX2026110299999", PHONE)
    message = not_found_message()
    assert message in page_text(wrong) and message in page_text(unknown)

    def answer_region(response):
        return re.search(r'<div class="pg-answer".*?</div>\s*</div>', response.content.decode(), re.S).group(0)

    assert answer_region(wrong) == answer_region(unknown)
    assert "食品经营许可" not in page_text(wrong)


def test_the_public_page_shows_no_personal_data_and_no_staff_names(client, receive, named_staff, applicant):
    case = decided(receive, named_staff)
    text = page_text(ask(client, case.number, PHONE))
    assert "已办结：准予许可" in text
    for secret in ("示例县好味道餐饮有限公司", applicant.uscc, PHONE, "王小明",  # name, USCC, phone, legal rep
                   "赵受理", "钱审查", "孙决定",  # staff
                   "场所布局合理", "符合法定条件"):  # free text typed by staff
        assert secret not in text, secret


def test_a_decided_case_says_the_result_is_ready_for_pickup(client, receive, staff):
    case = decided(receive, staff)
    text = page_text(ask(client, case.number, PHONE))
    assert "办理结果已可领取" in text and "统一出件窗口" in text
    assert "当前环节 统一出件窗口待领取" in text
    services.case_deliver(actor=staff["result"], case=case, method="post", address="示例县人民路 1 号",
                          recipient="王小明", carrier="EMS", tracking_number="1234567890",
                          expected_version=case.version, at=at("2026-11-05"))
    text = page_text(ask(client, case.number, PHONE))
    assert "办理结果已于 2026-11-05 邮寄送达（EMS）" in text
    assert "1234567890" not in text and "人民路" not in text


def test_a_case_waiting_for_correction_tells_the_applicant_what_to_do(client, receive, staff):
    case = receive(pmt="missing")
    services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    text = page_text(ask(client, case.number, PHONE))
    assert "需要补正材料" in text and "一次性告知补正材料（共 1 项）" in text


def test_a_due_date_in_an_unannounced_year_is_marked_as_unconfirmed(client, receive, staff):
    case = accepted(receive, staff, when="2026-12-28")
    text = page_text(ask(client, case.number, PHONE))
    # Monday to Friday stand in for 2027's unknown calendar: 29, 30, 31 Dec, 1 and 4 Jan.
    assert "承诺办结日 2027-01-04" in text
    assert "预计，待确认" in text


def test_the_address_limit_locks_with_the_wait_time(client, receive, staff):
    case = accepted(receive, staff)
    for n in range(PER_ADDRESS.max_hits):
        assert "分钟后再试" not in page_text(ask(client, f"SLX20261102{n:05d}9", PHONE))
    text = page_text(ask(client, case.number, PHONE))  # even the right answer is held back now
    assert "查询过于频繁" in text and re.search(r"请 \d+ 分钟后再试", text)
    assert "已受理" not in text


def test_five_failed_tries_lock_the_case_number_but_not_others(client, receive, staff):
    case = accepted(receive, staff)
    other = accepted(receive, staff)
    for n in range(FAILED_PER_NUMBER.max_hits):
        assert not_found_message() in page_text(ask(client, case.number, f"1390000000{n}"))
    text = page_text(ask(client, case.number, PHONE))
    assert "失败次数过多" in text and re.search(r"请 \d+ 分钟后再试", text)
    assert "已受理" not in text
    assert "已受理，正在办理" in page_text(ask(client, other.number, PHONE))


def test_the_limits_count_per_address(receive, staff):
    case = accepted(receive, staff)
    for n in range(PER_ADDRESS.max_hits):
        progress_query(number=f"X{n:04d}", secret=PHONE, address="10.0.0.1")
    assert progress_query(number=case.number, secret=PHONE, address="10.0.0.1").locked
    assert progress_query(number=case.number, secret=PHONE, address="10.0.0.2").progress is not None


def test_bad_input_is_explained_and_does_not_count_as_a_failed_try(client, receive, staff):
    case = accepted(receive, staff)
    text = page_text(ask(client, "", ""))
    assert "请输入办件编号" in text and "请输入申请时登记的手机号码" in text
    for _ in range(FAILED_PER_NUMBER.max_hits + 1):
        answer = progress_query(number=case.number, secret="12", address="10.0.0.3")
        assert "secret" in answer.errors
    assert progress_query(number=case.number, secret=PHONE, address="10.0.0.4").progress is not None


def test_the_number_from_the_qr_code_is_filled_in(client):
    response = client.get(URL + "?number=slx2026110200001")
    assert response.status_code == 200
    assert 'value="SLX2026110200001"' in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_secret_never_travels_in_the_address_or_comes_back(client, receive, staff):
    case = accepted(receive, staff)
    html = client.get(URL + f"?number={case.number}&secret={PHONE}").content.decode()
    assert "已受理" not in html  # a GET never answers a query
    html = ask(client, case.number, PHONE).content.decode()
    assert PHONE not in html


def test_htmx_gets_the_panel_only(client, receive, staff):
    case = accepted(receive, staff)
    response = ask(client, case.number, PHONE, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="progress-panel"' in html and "已受理，正在办理" in html


def test_the_lookup_is_a_handful_of_queries(receive, staff, django_assert_max_num_queries):
    case = decided(receive, staff)
    with django_assert_max_num_queries(5):
        progress = progress_find(case.number, PHONE)
    assert progress is not None and [s.name for s in progress.steps] == ["受理", "审查", "决定", "制证送达"]


def test_names_are_masked_the_way_the_public_expects():
    assert mask_name("王小明", company=False) == "王**"
    assert mask_name("欧阳娜娜", company=False) == "欧***"
    assert mask_name("示例县好味道餐饮有限公司", company=True) == "示例县好味道**公司"
    assert mask_name("某某公司", company=True) == "某**"


def test_the_page_is_reachable_by_name():
    assert reverse("cases_public:progress") == URL
