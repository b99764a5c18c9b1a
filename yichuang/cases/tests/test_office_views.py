"""The back office pages: inbox, case page and its actions, result window, files and search."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yichuang.cases import services
from yichuang.cases.models import Case, CaseFile, CaseStep, Extension, Notice
from yichuang.core import calendar
from yichuang.org.models import User

from .conftest import at, material_ids

D = datetime.date
S = Case.Status
HX = {"HTTP_HX_REQUEST": "true"}


def accept(case, staff, when="2026-11-02"):
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at(when))


def review(case, staff, when="2026-11-03"):
    return services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全", at=at(when),
                                       expected_version=case.version)


def approve(case, staff, when="2026-11-04"):
    return services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件",
                                expected_version=case.version, at=at(when))


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def accepted(receive, staff):
    return accept(receive(), staff)


# --- access -----------------------------------------------------------------------------------


def test_office_pages_require_login(client, accepted):
    for address in (reverse("cases:office_inbox"), reverse("cases:office_results"), reverse("cases:office_search"),
                    url("office_case", accepted)):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_each_page_requires_its_role(client, staff, county):
    logged_in(client, staff["clerk"])
    assert client.get(reverse("cases:office_inbox")).status_code == 403
    logged_in(client, staff["reviewer"])
    assert client.get(reverse("cases:office_results")).status_code == 403
    logged_in(client, staff["agent"])
    assert client.get(reverse("cases:office_search")).status_code == 403
    nobody = User.objects.create_user("nobody", password="x", centre=county["centre"])
    logged_in(client, nobody)
    assert client.get(reverse("cases:office_search")).status_code == 403


def test_a_reviewer_of_another_department_gets_404_on_the_case_page(client, staff, accepted):
    logged_in(client, staff["other_reviewer"])
    assert client.get(url("office_case", accepted)).status_code == 404
    # Nor can they act on it, or read its files.
    response = client.post(url("office_step", accepted), {"opinion": "x", "expected_version": accepted.version})
    assert response.status_code == 404
    accepted.refresh_from_db()
    assert accepted.steps.get(name="审查").state == CaseStep.State.OPEN


def test_a_town_clerk_of_another_point_gets_404_and_staff_in_scope_see_the_case(client, staff, accepted):
    logged_in(client, staff["town_clerk"])
    assert client.get(url("office_case", accepted)).status_code == 404
    for who in ("clerk", "reviewer", "approver", "result", "supervisor"):
        logged_in(client, staff[who])
        assert client.get(url("office_case", accepted)).status_code == 200, who


# --- the inbox --------------------------------------------------------------------------------


@pytest.fixture
def mixed_inbox(receive, staff):
    """Four cases in the reviewer's inbox on Monday 9 November 2026: overdue, red, yellow, paused."""
    overdue = accept(receive("2026-11-02"), staff, "2026-11-02")  # step due Wed 4, case due Mon 9
    red = accept(receive("2026-11-05"), staff, "2026-11-05")  # step due Mon 9
    yellow = accept(receive("2026-11-06"), staff, "2026-11-06")  # step due Tue 10, warned from Mon 9
    paused = accept(receive("2026-11-04"), staff, "2026-11-04")
    paused = services.case_special_start(actor=staff["reviewer"], case=paused, procedure="site_survey",
                                         reason="现场核查", expected_days=3, expected_version=paused.version,
                                         at=at("2026-11-05"))
    services.case_alarms_refresh(today=D(2026, 11, 9))
    return {"overdue": overdue, "red": red, "yellow": yellow, "paused": paused}


def _row_classes(html, cases):
    """The row class of each case, in the order the rows appear."""
    found = []
    for line in html.split("<tr")[1:]:
        for name, case in cases.items():
            if case.number in line:
                found.append((line.index(case.number), name, line.split('"', 2)[1]))
    return [(name, cls) for _, name, cls in found]


def test_inbox_orders_by_due_date_and_colours_each_row_by_its_alarm(client, staff, mixed_inbox):
    logged_in(client, staff["reviewer"])
    html = client.get(reverse("cases:office_inbox")).content.decode()
    rows = _row_classes(html, mixed_inbox)
    assert rows == [
        ("overdue", "row-overdue"),   # step due 4 November
        ("paused", "row-paused"),     # step due 6 November, but the clock stands still
        ("red", "row-red"),           # step due 9 November (today)
        ("yellow", "row-yellow"),     # step due 10 November, warned
    ]
    assert "暂停计时" in html
    # The applicant's ID is masked; a company shows its public USCC.
    assert "91350100M000100Y43" in html


def test_inbox_masks_a_persons_name_and_id_number(client, staff, county, item):
    person = services.applicant_register(actor=staff["clerk"], kind="person", name="张三丰",
                                         id_number="11010519491231002X")
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=person, centre=county["centre"],
                                 materials={mid: {"state": "received"} for mid in material_ids(item).values()})
    accept(case, staff)
    logged_in(client, staff["reviewer"])
    html = client.get(reverse("cases:office_inbox")).content.decode()
    assert "张*丰" in html and "1101**********002X" in html
    assert "张三丰" not in html and "11010519491231002X" not in html


def test_inbox_shows_only_the_users_department(client, staff, mixed_inbox):
    logged_in(client, staff["other_reviewer"])
    html = client.get(reverse("cases:office_inbox")).content.decode()
    assert not any(case.number in html for case in mixed_inbox.values())
    assert "收件箱已清空" in html


def test_inbox_filters_by_alarm_status_search_and_due_date(client, staff, mixed_inbox):
    logged_in(client, staff["reviewer"])
    inbox = reverse("cases:office_inbox")

    def numbers(**params):
        html = client.get(inbox, params).content.decode()
        return {name for name, case in mixed_inbox.items() if case.number in html}

    assert numbers(alarm="overdue") == {"overdue"}
    assert numbers(alarm="red") == {"red"}
    assert numbers(alarm="yellow") == {"yellow"}
    assert numbers(alarm="paused") == {"paused"}
    assert numbers(status=S.SPECIAL) == {"paused"}
    assert numbers(q=mixed_inbox["red"].number) == {"red"}
    assert numbers(q="好味道") == set(mixed_inbox)
    assert numbers(due_before="2026-11-05") == {"overdue"}
    # A bad value is ignored rather than failing the page.
    assert numbers(due_before="not-a-date") == set(mixed_inbox)


def test_inbox_filter_change_refreshes_only_the_table(client, staff, mixed_inbox):
    logged_in(client, staff["reviewer"])
    response = client.get(reverse("cases:office_inbox"), {"alarm": "overdue"}, **HX)
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    assert mixed_inbox["overdue"].number in html and mixed_inbox["red"].number not in html
    assert "HX-Request" in response["Vary"]


def _inbox_queries(client):
    # Start from an empty calendar cache each time, so that whether the cache's freshness check
    # falls inside the measurement does not depend on how long the test took.
    calendar.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:office_inbox"), **HX)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_inbox_reads_a_page_in_a_fixed_number_of_queries(client, staff, receive, django_assert_max_num_queries):
    accept(receive(), staff)
    logged_in(client, staff["reviewer"])
    _inbox_queries(client)  # warm the calendar cache and the session
    few, _ = _inbox_queries(client)
    for _n in range(55):
        accept(receive(), staff)
    many, response = _inbox_queries(client)
    # One query for the page plus one for its count, whatever the number of rows.
    assert many == few
    assert response.content.decode().count('<tr class="row-') == 50
    # Session, user, roles, the item filter's choices, the count, the department's region, the
    # page itself, and the calendar's table (four queries, here from a cold cache).
    calendar.clear_cache()
    with django_assert_max_num_queries(11):
        client.get(reverse("cases:office_inbox"), {"alarm": "normal", "page": 2}, **HX)


# --- the case page ----------------------------------------------------------------------------


def test_case_page_shows_header_materials_steps_timeline_notices_and_deadline(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", accepted)).content.decode()
    for text in (accepted.number, "食品经营许可", "（第 1 版）", "91350100M000100Y43", "已受理", "2026-11-09",
                 "经营场所平面图", "审查", "决定", "接件", "受理", "受理通知书", "办理期限说明", "到现场次数"):
        assert text in html, text
    notice = accepted.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert f"/office/case/{accepted.pk}/notice/{notice.pk}.pdf" in html


def _case_page_queries(client, case):
    calendar.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("office_case", case)).status_code == 200
    return len(ctx.captured_queries)


def test_case_page_reads_in_a_fixed_number_of_queries(client, staff, accepted, django_assert_max_num_queries):
    def special_procedure(case, day):
        case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="核查",
                                           expected_days=1, expected_version=case.version, at=at(day, 9))
        return services.case_special_end(actor=staff["reviewer"], case=case, result="符合",
                                         expected_version=case.version, at=at(day, 15))

    logged_in(client, staff["reviewer"])
    case = special_procedure(accepted, "2026-11-03")
    client.get(url("office_case", case))
    before = _case_page_queries(client, case)
    for day in ("2026-11-04", "2026-11-05", "2026-11-06"):
        case = special_procedure(case, day)
    # More events, notices and procedures: the same number of queries.
    assert _case_page_queries(client, case) == before
    calendar.clear_cache()
    with django_assert_max_num_queries(24):
        client.get(url("office_case", case))


def test_a_clerk_is_not_offered_the_decision_and_a_forged_post_is_refused(client, staff, accepted):
    case = review(accepted, staff)
    logged_in(client, staff["clerk"])
    html = client.get(url("office_case", case)).content.decode()
    assert url("office_approve", case) not in html
    assert url("office_withdraw", case) in html  # the front desk may record a withdrawal
    response = client.post(url("office_approve", case), {"reason": "准予", "expected_version": case.version})
    assert response.status_code == 200
    assert "此操作需要「决定人员」角色。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.PROCESSING and case.decided_at is None


def test_the_reviewer_passes_the_step_with_an_opinion(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", accepted)).content.decode()
    assert url("office_step", accepted) in html and url("office_approve", accepted) not in html
    response = client.post(url("office_step", accepted), {"opinion": "材料齐全，同意", "expected_version": accepted.version})
    assert response.status_code == 302 and response["Location"] == url("office_case", accepted)
    steps = {s.name: s for s in accepted.steps.all()}
    assert steps["审查"].state == CaseStep.State.DONE and steps["审查"].opinion == "材料齐全，同意"
    assert steps["决定"].state == CaseStep.State.OPEN
    html = client.get(url("office_case", accepted)).content.decode()
    assert "已办结本环节" in html and "材料齐全，同意" in html


def test_an_htmx_action_answers_with_the_refreshed_case_body(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    response = client.post(url("office_step", accepted), {"opinion": "同意", "expected_version": accepted.version}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="case-body"' in html
    assert "已办结本环节" in html
    assert url("office_step", accepted) not in html  # nothing left for the reviewer to pass


def test_a_refused_action_shows_the_service_message_beside_the_form_and_keeps_the_input(client, staff, accepted):
    case = review(accepted, staff)
    logged_in(client, staff["approver"])
    response = client.post(url("office_deny", case), {"reason": "经营场所与申请不符", "expected_version": case.version})
    html = response.content.decode()
    assert "不予许可决定须写明：法律依据、如何才能办成。" in html
    assert "经营场所与申请不符</textarea>" in html
    assert 'id="action-deny" open' in html
    case.refresh_from_db()
    assert case.status == S.PROCESSING


def test_an_empty_opinion_is_refused_by_the_service(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.post(url("office_step", accepted), {"opinion": " ", "expected_version": accepted.version}).content.decode()
    assert "请填写审查意见。" in html


def test_a_stale_page_is_told_somebody_else_acted(client, staff, accepted):
    stale = accepted.version
    services.case_step_complete(actor=staff["reviewer"], case=accepted, opinion="同意", expected_version=stale)
    logged_in(client, staff["reviewer"])
    html = client.post(url("office_send_back", accepted),
                       {f"problem_{material_ids(accepted.item_version)['pmt']}": "比例尺不对",
                        "expected_version": stale}).content.decode()
    assert "已被他人处理，请刷新。" in html and "刷新页面" in html
    assert "比例尺不对" in html
    accepted.refresh_from_db()
    assert accepted.send_backs == 0


def test_send_back_lists_materials_and_reasons(client, staff, accepted, item):
    ids = material_ids(item)
    logged_in(client, staff["reviewer"])
    response = client.post(url("office_send_back", accepted), {
        f"problem_{ids['pmt']}": "平面图未标注比例", f"problem_{ids['sqs']}": "", "other": "补充营业执照副本",
        "expected_version": accepted.version,
    })
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == S.CORRECTION and accepted.send_backs == 1
    notice = accepted.notices.filter(kind=Notice.Kind.CORRECTION).get()
    assert [(i["name"], i["problem"]) for i in notice.content["items"]] == [
        ("经营场所平面图", "平面图未标注比例"), ("其他", "补充营业执照副本")]


def test_special_procedure_start_and_end_through_the_page(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", accepted)).content.decode()
    assert "现场踏勘" in html and "公示" in html and "听证" not in html  # only the item's procedures
    response = client.post(url("office_special_start", accepted), {
        "procedure": "site_survey", "reason": "核查经营场所", "expected_days": "3", "expected_version": accepted.version})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == S.SPECIAL and accepted.alarm == Case.Alarm.PAUSED
    response = client.post(url("office_special_end", accepted), {"result": "场所符合要求",
                                                                  "expected_version": accepted.version})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == S.PROCESSING and accepted.paused_since is None
    html = client.get(url("office_case", accepted)).content.decode()
    assert "特别程序「现场踏勘」" in html


def test_special_procedure_too_long_is_refused_with_the_items_maximum(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.post(url("office_special_start", accepted), {
        "procedure": "site_survey", "reason": "核查", "expected_days": "30", "expected_version": accepted.version,
    }).content.decode()
    assert "「现场踏勘」最长 10 个工作日。" in html


def test_extension_requested_by_the_reviewer_and_granted_by_the_approver(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.post(url("office_extension_request", accepted), {
        "days": "11", "reason": "复杂", "expected_version": accepted.version}).content.decode()
    assert "依法最多可延长 10 个工作日，请申请 1 至 10 个工作日。" in html
    response = client.post(url("office_extension_request", accepted), {
        "days": "5", "reason": "需补充调查", "expected_version": accepted.version})
    assert response.status_code == 302
    accepted.refresh_from_db()
    # The reviewer cannot grant it: not offered, and refused if forged.
    html = client.get(url("office_case", accepted)).content.decode()
    assert url("office_extension_decide", accepted) not in html
    html = client.post(url("office_extension_decide", accepted), {"approve": "1", "expected_version": accepted.version}
                       ).content.decode()
    assert "此操作需要「决定人员」角色。" in html
    logged_in(client, staff["approver"])
    html = client.get(url("office_case", accepted)).content.decode()
    assert "需补充调查" in html and url("office_extension_decide", accepted) in html
    response = client.post(url("office_extension_decide", accepted), {"approve": "1", "expected_version": accepted.version})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.extension_days == 5 and accepted.extensions.get().state == Extension.State.GRANTED


def test_the_approver_can_refuse_an_extension(client, staff, accepted):
    services.case_extension_request(actor=staff["reviewer"], case=accepted, days=3, reason="复杂",
                                    expected_version=accepted.version)
    accepted.refresh_from_db()
    logged_in(client, staff["approver"])
    client.post(url("office_extension_decide", accepted), {"approve": "0", "expected_version": accepted.version})
    accepted.refresh_from_db()
    assert accepted.extension_days == 0 and accepted.extensions.get().state == Extension.State.REJECTED


def test_the_approver_approves_and_the_result_goes_to_the_result_window(client, staff, accepted):
    case = review(accepted, staff)
    logged_in(client, staff["approver"])
    response = client.post(url("office_approve", case), {"reason": "符合法定条件，准予许可", "expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.APPROVED and case.delivery == Case.Delivery.WAITING
    assert case.notices.filter(kind=Notice.Kind.APPROVAL).exists()


def test_the_approver_denies_with_reason_basis_and_way_forward(client, staff, accepted):
    case = review(accepted, staff)
    logged_in(client, staff["approver"])
    client.post(url("office_deny", case), {
        "reason": "经营场所不符合要求", "legal_basis": "《食品经营许可管理办法》第十一条",
        "way_forward": "调整经营场所布局后重新申请", "expected_version": case.version})
    case.refresh_from_db()
    assert case.status == S.DENIED
    denial = case.notices.get(kind=Notice.Kind.DENIAL)
    assert denial.content["way_forward"] == "调整经营场所布局后重新申请"


def test_a_supervisor_revokes_with_a_reason(client, staff, accepted):
    logged_in(client, staff["supervisor"])
    html = client.post(url("office_revoke", accepted), {"reason": "", "expected_version": accepted.version}).content.decode()
    assert "请填写撤销理由。" in html
    client.post(url("office_revoke", accepted), {"reason": "申请材料系伪造", "expected_version": accepted.version})
    accepted.refresh_from_db()
    assert accepted.status == S.REVOKED


def test_the_front_desk_records_a_withdrawal(client, staff, accepted):
    logged_in(client, staff["clerk"])
    client.post(url("office_withdraw", accepted), {"reason": "申请人不再经营", "expected_version": accepted.version})
    accepted.refresh_from_db()
    assert accepted.status == S.WITHDRAWN
    assert "申请人撤回：申请人不再经营" in accepted.events.last().summary


def test_a_reviewer_cannot_withdraw(client, staff, accepted):
    logged_in(client, staff["reviewer"])
    html = client.post(url("office_withdraw", accepted), {"reason": "x", "expected_version": accepted.version}
                       ).content.decode()
    assert "此操作需要" in html
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED


def test_case_page_explains_a_paused_deadline(client, staff, accepted):
    case = services.case_special_start(actor=staff["reviewer"], case=accepted, procedure="site_survey", reason="核查",
                                       expected_days=3, expected_version=accepted.version, at=at("2026-11-03"))
    case = services.case_special_end(actor=staff["reviewer"], case=case, result="符合", expected_version=case.version,
                                     at=at("2026-11-06"))
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", case)).content.decode()
    assert "2026年11月4日至11月6日" in html and "暂停计时" in html
    assert "承诺办结日 2026年11月12日" in html


# --- files ------------------------------------------------------------------------------------


@pytest.fixture
def uploaded(accepted, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(name, content_type, body=b"%PDF-1.4\n%%EOF\n"):
        return CaseFile.objects.create(
            case=accepted, material=accepted.materials.first(), file=SimpleUploadedFile("random-name", body),
            original_name=name, content_type=content_type, size=len(body), sm3="0" * 64, uploaded_by=staff["clerk"],
        )

    return make


def test_a_case_file_is_served_inline_only_to_those_who_see_the_case(client, staff, accepted, uploaded):
    pdf = uploaded("申请书.pdf", "application/pdf")
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", accepted)).content.decode()
    assert url("office_case_file", accepted, file_pk=pdf.pk) in html
    response = client.get(url("office_case_file", accepted, file_pk=pdf.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    logged_in(client, staff["other_reviewer"])
    assert client.get(url("office_case_file", accepted, file_pk=pdf.pk)).status_code == 404


def test_a_file_of_another_case_answers_404(client, staff, accepted, receive, uploaded):
    pdf = uploaded("申请书.pdf", "application/pdf")
    other = receive()
    logged_in(client, staff["clerk"])
    assert client.get(url("office_case_file", other, file_pk=pdf.pk)).status_code == 404


def test_an_unexpected_file_type_is_downloaded_never_shown(client, staff, accepted, uploaded):
    odd = uploaded("page.html", "text/html", b"<script>alert(1)</script>")
    logged_in(client, staff["reviewer"])
    response = client.get(url("office_case_file", accepted, file_pk=odd.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


# --- the result window ------------------------------------------------------------------------


@pytest.fixture
def decided(accepted, staff):
    return approve(review(accepted, staff), staff)


def test_result_window_lists_decided_cases_and_marks_withheld_ones(client, staff, receive, decided):
    withheld = accept(receive(zd={"state": "deferred", "promised_on": "2026-11-20"}), staff)
    withheld = approve(review(withheld, staff), staff)
    logged_in(client, staff["result"])
    html = client.get(reverse("cases:office_results")).content.decode()
    assert decided.number in html and withheld.number in html
    assert "待补齐容缺材料" in html and "食品安全管理制度" in html
    html = client.get(reverse("cases:office_results"), {"delivery": "withheld"}, **HX).content.decode()
    assert withheld.number in html and decided.number not in html


def test_result_clerk_mails_the_result_with_a_tracking_number(client, staff, decided):
    logged_in(client, staff["result"])
    page = client.get(url("office_deliver", decided)).content.decode()
    assert "示例县好味道餐饮有限公司" in page and "13800138000" in page
    incomplete = client.post(url("office_deliver", decided), {
        "method": "post", "recipient": "王小明", "address": "示例县人民路 1 号", "carrier": "中国邮政EMS",
        "tracking_number": "", "expected_version": decided.version}).content.decode()
    assert "请填写运单号。" in incomplete and "示例县人民路 1 号" in incomplete
    response = client.post(url("office_deliver", decided), {
        "method": "post", "recipient": "王小明", "recipient_phone": "13800138000", "address": "示例县人民路 1 号",
        "carrier": "中国邮政EMS", "tracking_number": "EA123456789CN", "expected_version": decided.version})
    assert response.status_code == 302 and response["Location"] == reverse("cases:office_results")
    decided.refresh_from_db()
    assert decided.delivery == Case.Delivery.DELIVERED and decided.delivery_record.tracking_number == "EA123456789CN"
    results = client.get(reverse("cases:office_results")).content.decode()
    assert "已送达" in results
    logged_in(client, staff["reviewer"])
    html = client.get(url("office_case", decided)).content.decode()
    assert "已送达" in html and "EA123456789CN" in html


def test_result_clerk_hands_over_in_person_and_the_visit_is_counted(client, staff, decided):
    visits = decided.visits
    logged_in(client, staff["result"])
    client.post(url("office_deliver", decided), {"method": "in_person", "collected_by": "王小明",
                                                 "collector_id_last4": "123X", "expected_version": decided.version})
    decided.refresh_from_db()
    assert decided.delivery == Case.Delivery.DELIVERED and decided.visits == visits + 1
    assert decided.delivery_record.collected_by == "王小明" and decided.delivery_record.collector_id_last4 == "123X"


def test_a_withheld_result_is_released_once_the_deferred_material_arrives(client, staff, receive, item):
    case = accept(receive(zd={"state": "deferred", "promised_on": "2026-11-20"}), staff)
    case = approve(review(case, staff), staff)
    logged_in(client, staff["result"])
    page = client.get(url("office_deliver", case)).content.decode()
    assert "待补齐容缺材料" in page and "确认寄出" not in page
    response = client.post(url("office_supplement", case), {"requirement_ids": [material_ids(item)["zd"]],
                                                             "expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.delivery == Case.Delivery.WAITING


# --- case search ------------------------------------------------------------------------------


def test_case_search_filters_within_scope(client, staff, receive, decided):
    waiting = receive()
    logged_in(client, staff["supervisor"])
    search = reverse("cases:office_search")
    html = client.get(search).content.decode()
    assert decided.number in html and waiting.number in html
    html = client.get(search, {"status": S.RECEIVED}, **HX).content.decode()
    assert waiting.number in html and decided.number not in html
    html = client.get(search, {"received_from": "2026-11-03"}).content.decode()
    assert decided.number not in html
    logged_in(client, staff["other_reviewer"])
    html = client.get(search).content.decode()
    assert decided.number not in html and waiting.number not in html


def test_case_search_is_bounded_in_queries(client, staff, receive, django_assert_max_num_queries):
    for _n in range(5):
        receive()
    logged_in(client, staff["supervisor"])
    client.get(reverse("cases:office_search"))
    with django_assert_max_num_queries(10):
        client.get(reverse("cases:office_search"), **HX)
