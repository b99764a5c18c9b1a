"""Online application and pre-review (网上预审): the rules of the case side."""

import datetime

import pytest

from yichuang.cases import services
from yichuang.cases import services_online as online
from yichuang.cases.errors import CaseActionError, CasePermissionDenied
from yichuang.cases.models import Case, CaseEvent, CaseMaterial, Notice
from yichuang.cases.selectors_online import (
    ACTION_TEXT,
    case_timeline,
    cases_for_applicants,
    prereview_alarm,
    prereview_inbox,
    reusable_materials,
)
from yichuang.core import notify
from yichuang.core.models import AuditEntry, SmsMessage
from yichuang.org.models import Window

from .conftest import at
from .online_fixtures import *  # noqa: F403 (fixtures)
from .online_fixtures import GOOD_FORM, pdf_upload

pytestmark = pytest.mark.django_db
S = Case.Status


def _rows(case):
    return {r.requirement.code: r for r in case.materials.select_related("requirement")}


def test_a_draft_has_a_provisional_number_and_submission_gives_the_centres_number(me, applicant, once_item):
    case = online.case_draft_create(acted_by=me, applicant=applicant, item_version=once_item,
                                    contact_phone="13800138000", at=at("2026-11-02", 8))
    assert case.status == S.DRAFT and case.number.startswith("WS20261102") and case.visits == 0
    assert case.channel == Case.Channel.ONLINE
    online.case_draft_update(acted_by=me, case=case, form_data=GOOD_FORM)
    for row in case.materials.filter(requirement__necessity="required"):
        online.case_online_file_add(acted_by=me, case=case, material_id=row.pk, upload=pdf_upload())
    case = online.case_submit_online(acted_by=me, case=case, at=at("2026-11-02", 9))
    assert case.status == S.PREREVIEW and case.number.startswith("SLX20261102")
    assert case.submitted_at == at("2026-11-02", 9)
    event = case.events.get(action="submit_online")
    assert event.actor is None and event.actor_label.startswith("王小明") and event.status_code == "1"
    assert event.data["on_behalf_of"] == "示例县好味道餐饮有限公司"


def test_prereview_has_its_own_two_working_day_limit(submitted, once_item):
    case = submitted(once_item, when="2026-11-06")  # a Friday
    assert case.prereview_due_date == datetime.date(2026, 11, 10)  # Monday, Tuesday


def test_the_prereview_limit_comes_from_the_setting(submitted, once_item, settings):
    settings.CASES_PREREVIEW_DAYS = 1
    assert submitted(once_item, when="2026-11-02").prereview_due_date == datetime.date(2026, 11, 3)


def test_a_form_not_matching_its_schema_is_refused_per_field(me, applicant, once_item):
    case = online.case_draft_create(acted_by=me, applicant=applicant, item_version=once_item,
                                    contact_phone="13800138000")
    with pytest.raises(CaseActionError) as err:
        online.case_draft_update(acted_by=me, case=case, form_data={
            "shop_name": "好" * 31, "staff_count": "四", "kind": "网吧", "hack": "x", "contact_mobile": "123"})
    errors = err.value.message_dict
    assert set(errors) == {"shop_name", "staff_count", "kind", "hack", "contact_mobile"}
    assert "最多 30 个字" in errors["shop_name"][0]
    assert "应为整数" in errors["staff_count"][0]
    assert "不是本事项申请表的字段" in errors["hack"][0]
    case.refresh_from_db()
    assert case.form_data == {} and case.version == 1  # nothing half-written


def test_a_draft_may_be_incomplete_but_submission_says_what_is_missing(me, applicant, once_item):
    case = online.case_draft_create(acted_by=me, applicant=applicant, item_version=once_item,
                                    contact_phone="13800138000")
    case = online.case_draft_update(acted_by=me, case=case, form_data={"shop_name": "好味道"})
    with pytest.raises(CaseActionError) as err:
        online.case_submit_online(acted_by=me, case=case)
    errors = err.value.message_dict
    assert errors["staff_count"] == ["请填写「从业人员数」。"]
    material_keys = [k for k in errors if k.startswith("material:")]
    assert len(material_keys) == 2  # the two required materials; 容缺 and optional are not asked
    case.refresh_from_db()
    assert case.status == S.DRAFT and case.number.startswith("WS")


def test_a_deferrable_material_left_out_is_deferred_with_a_promise_date(submitted, once_item):
    case = submitted(once_item, when="2026-11-02")
    row = _rows(case)["zd"]
    assert row.state == CaseMaterial.State.DEFERRED and row.promised_on == datetime.date(2026, 11, 9)


def test_a_returned_prereview_counts_and_lists_everything_at_once(submitted, once_item, staff):
    case = submitted(once_item)
    rows = _rows(case)
    case = online.case_prereview_return(
        actor=staff["reviewer"], case=case, expected_version=case.version, note="联系电话请再确认",
        items=[{"material": rows["pmt"].requirement_id, "problem": "平面图未标注面积"},
               {"field": "shop_name", "problem": "名称与营业执照不一致"}])
    assert case.status == S.PREREVIEW_RETURNED and case.prereview_returns == 1
    assert _rows(case)["pmt"].state == CaseMaterial.State.DEFECTIVE
    request = case.corrections.get(origin="prereview")
    assert [i["problem"] for i in request.items] == ["平面图未标注面积", "名称与营业执照不一致", "联系电话请再确认"]
    assert case.notices.filter(kind=Notice.Kind.CORRECTION).exists()
    sms = SmsMessage.objects.get(template="correction_needed")
    assert "平面图未标注面积" in sms.text and "名称与营业执照不一致" in sms.text


def test_resubmission_restarts_the_two_day_limit(submitted, once_item, staff, me):
    case = submitted(once_item, when="2026-11-02")
    assert case.prereview_due_date == datetime.date(2026, 11, 4)
    rows = _rows(case)
    case = online.case_prereview_return(actor=staff["reviewer"], case=case, at=at("2026-11-03"),
                                        items=[{"material": rows["pmt"].requirement_id, "problem": "不清晰"}])
    with pytest.raises(CaseActionError) as err:
        online.case_submit_online(acted_by=me, case=case, at=at("2026-11-05"))
    assert "预审时要求修改" in err.value.message_dict[f"material:{rows['pmt'].pk}"][0]
    online.case_online_file_add(acted_by=me, case=case, material_id=rows["pmt"].pk, upload=pdf_upload("平面图.pdf"))
    case = online.case_submit_online(acted_by=me, case=case, at=at("2026-11-05"))
    assert case.status == S.PREREVIEW and case.prereview_due_date == datetime.date(2026, 11, 9)
    assert case.number.startswith("SLX") and case.prereview_returns == 1
    assert case.corrections.get(origin="prereview").resolved_at is not None
    case = online.case_prereview_return(actor=staff["reviewer"], case=case, items=[{"problem": "再看看"}])
    assert case.prereview_returns == 2


def test_a_zero_visit_item_passed_in_prereview_is_accepted_with_0_visits(submitted, zero_item, staff):
    case = submitted(zero_item, when="2026-11-02")
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case, expected_version=case.version,
                                      at=at("2026-11-03"))
    assert case.status == S.ACCEPTED and case.visits == 0
    assert case.accepted_at == at("2026-11-03") and case.due_date == datetime.date(2026, 11, 10)
    assert case.alarm == Case.Alarm.NORMAL
    assert case.steps.filter(state="open", role="reviewer").exists()
    assert case.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
    assert SmsMessage.objects.filter(template="accepted").count() == 1
    assert list(case.events.values_list("action", flat=True))[-2:] == ["prereview_pass", "accept"]


def test_a_once_only_item_passed_needs_one_visit_and_case_accept_counts_it(submitted, once_item, staff):
    case = submitted(once_item)
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case)
    assert case.status == S.PREREVIEW_PASSED and case.visits == 0 and case.accepted_at is None
    sms = SmsMessage.objects.get(template="prereview_passed")
    assert "携带申请材料原件" in sms.text and "示例县政务服务中心" in sms.text
    case = services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version)
    assert case.status == S.ACCEPTED and case.visits == 1


def test_another_department_cannot_prereview(submitted, once_item, staff):
    case = submitted(once_item)
    with pytest.raises(CasePermissionDenied, match="其他部门"):
        online.case_prereview_pass(actor=staff["other_reviewer"], case=case)
    with pytest.raises(CasePermissionDenied):
        online.case_prereview_return(actor=staff["other_reviewer"], case=case, items=[{"problem": "x"}])
    case.refresh_from_db()
    assert case.status == S.PREREVIEW
    assert AuditEntry.objects.filter(action="case.prereview_pass.refused").exists()
    assert case not in prereview_inbox(staff["other_reviewer"])
    assert case in prereview_inbox(staff["reviewer"])


def test_the_front_desk_prereviews_general_items_but_not_those_of_a_department_window(
        submitted, once_item, staff, county):
    case = submitted(once_item)
    assert case in prereview_inbox(staff["clerk"])
    Window.objects.create(centre=county["centre"], number="B09", name="市场监管专窗", kind="department",
                          department=county["scjg"])
    assert case not in prereview_inbox(staff["clerk"])
    with pytest.raises(CasePermissionDenied, match="部门专窗"):
        online.case_prereview_pass(actor=staff["clerk"], case=case)
    assert online.case_prereview_pass(actor=staff["reviewer"], case=case).status == S.PREREVIEW_PASSED


def test_a_refusal_in_prereview_says_why_and_the_way_forward(submitted, once_item, staff):
    case = submitted(once_item)
    with pytest.raises(CaseActionError) as err:
        online.case_prereview_refuse(actor=staff["reviewer"], case=case, reason="经营场所位于住宅楼", way_forward="")
    assert "way_forward" in err.value.message_dict
    case = online.case_prereview_refuse(actor=staff["reviewer"], case=case, reason="经营场所位于住宅楼",
                                        way_forward="请另择符合规划的商业用房后重新申请")
    assert case.status == S.NOT_RECEIVED and case.decision_way_forward.startswith("请另择")
    assert case.events.get(action="prereview_refuse").status_code == "4"
    assert case.notices.filter(kind=Notice.Kind.REFUSAL).exists()
    assert "办理途径：请另择" in SmsMessage.objects.get(template="prereview_refused").text


def test_a_stale_page_cannot_decide_a_prereview_twice(submitted, once_item, staff):
    case = submitted(once_item)
    seen = case.version
    online.case_prereview_pass(actor=staff["reviewer"], case=case, expected_version=seen)
    with pytest.raises(CaseActionError, match="请刷新"):
        online.case_prereview_return(actor=staff["approver"], case=case, expected_version=seen,
                                     items=[{"problem": "x"}])


def test_a_send_back_can_be_supplemented_online_and_the_clock_resumes(submitted, zero_item, staff, me):
    case = submitted(zero_item, when="2026-11-02")
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case, at=at("2026-11-02", 11))
    rows = _rows(case)
    case = services.case_send_back(actor=staff["reviewer"], case=case, at=at("2026-11-03"),
                                   problems=[{"material": rows["pmt"].requirement_id, "problem": "比例不对"}])
    with pytest.raises(CaseActionError, match="经营场所平面图"):
        online.case_supplement_online(acted_by=me, case=case, at=at("2026-11-05"))
    online.case_online_file_add(acted_by=me, case=case, material_id=rows["pmt"].pk, upload=pdf_upload())
    case = online.case_supplement_online(acted_by=me, case=case, at=at("2026-11-05"))
    assert case.status == S.PROCESSING and case.paused_since is None and case.paused_days == 2
    assert case.visits == 0
    event = case.events.get(action="correction_supplied")
    assert event.actor_label.startswith("王小明") and event.status_code == "7"


def test_a_withdrawn_case_cannot_be_supplemented(submitted, zero_item, staff, me):
    case = submitted(zero_item)
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case)
    rows = _rows(case)
    case = services.case_send_back(actor=staff["reviewer"], case=case,
                                   problems=[{"material": rows["pmt"].requirement_id, "problem": "比例不对"}])
    case = online.case_withdraw_online(acted_by=me, case=case, reason="不开了")
    assert case.status == S.WITHDRAWN
    with pytest.raises(CaseActionError, match="已撤回"):
        online.case_online_file_add(acted_by=me, case=case, material_id=rows["pmt"].pk, upload=pdf_upload())
    with pytest.raises(CaseActionError, match="已撤回"):
        online.case_supplement_online(acted_by=me, case=case)
    with pytest.raises(CaseActionError, match="不能重复撤回"):
        online.case_withdraw_online(acted_by=me, case=case, reason="再撤")


def test_a_decided_case_cannot_be_withdrawn_online(submitted, zero_item, staff, me):
    case = submitted(zero_item)
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case)
    case = services.case_step_complete(actor=staff["reviewer"], case=case, opinion="符合")
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件")
    with pytest.raises(CaseActionError, match="已不能撤回"):
        online.case_withdraw_online(acted_by=me, case=case, reason="x")


def test_withdrawing_before_acceptance_is_code_2(submitted, once_item, me):
    case = online.case_withdraw_online(acted_by=me, case=submitted(once_item), reason="材料准备不足")
    assert case.status == S.CANCELLED and case.events.get(action="withdraw").status_code == "2"


def test_an_earlier_file_of_the_same_material_can_be_reused(submitted, once_item, me, applicant):
    first = submitted(once_item)
    draft = online.case_draft_create(acted_by=me, applicant=applicant, item_version=once_item,
                                     contact_phone="13800138000")
    row = _rows(draft)["pmt"]
    offers = reusable_materials(applicant=applicant, material=row)
    assert [o.kind for o in offers] == ["file"] and first.number in offers[0].label
    material = online.case_material_reuse(acted_by=me, case=draft, material_id=row.pk, source=offers[0].source)
    assert material.state == CaseMaterial.State.RECEIVED
    copy = draft.files.get()
    assert copy.file.name == first.files.get(material__requirement__code="pmt").file.name
    with pytest.raises(CaseActionError, match="没有找到可复用的材料"):
        online.case_material_reuse(acted_by=me, case=draft, material_id=_rows(draft)["sqs"].pk,
                                   source=f"file:{copy.pk}")


def test_every_sms_of_the_online_flow_goes_once_even_if_the_worker_retries(
        submitted, zero_item, staff, me, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path
    settings.SMS_BACKEND = "yichuang.core.notify.LocalFileSMSBackend"
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted(zero_item)
    with django_capture_on_commit_callbacks(execute=True):
        case = online.case_prereview_return(actor=staff["reviewer"], case=case, items=[{"problem": "盖章不清"}])
    with django_capture_on_commit_callbacks(execute=True):
        case = online.case_submit_online(acted_by=me, case=case)
        case = online.case_prereview_pass(actor=staff["reviewer"], case=case)
    for message in SmsMessage.objects.all():
        notify.sms_send(message.pk)  # the worker runs again
    lines = notify.outbox_path().read_text(encoding="utf-8").splitlines()
    templates = sorted(SmsMessage.objects.values_list("template", flat=True))
    assert templates == ["accepted", "case_received", "correction_needed"]
    assert len(lines) == 3 and all(m.status == "sent" for m in SmsMessage.objects.all())


def test_the_timeline_reads_every_event_in_plain_chinese(submitted, zero_item, staff, me, applicant):
    case = submitted(zero_item)
    case = online.case_prereview_pass(actor=staff["reviewer"], case=case)
    lines = case_timeline(case)
    assert [e.text for e in lines][:2] == ["网上申请已暂存", "上传了材料"]
    assert lines[-1].text == "已受理，开始计算办理时限" and lines[-1].actor_label == str(staff["reviewer"])
    assert case in cases_for_applicants([applicant.pk])
    assert not cases_for_applicants([applicant.pk + 1000]).exists()


def test_every_action_the_services_write_has_a_timeline_line():
    import inspect
    import re

    from yichuang.cases import services as engine
    from yichuang.cases import services_online, uploads

    written = set()
    for module in (engine, services_online, uploads):
        written |= set(re.findall(r'_event\(\s*case, [\w.]+, "(\w+)"', inspect.getsource(module)))
    assert written and written <= set(ACTION_TEXT), written - set(ACTION_TEXT)


def test_the_prereview_clock_turns_yellow_then_red_then_overdue(submitted, once_item):
    case = submitted(once_item, when="2026-11-02")  # due Wednesday 4 November
    assert prereview_alarm(case, datetime.date(2026, 11, 2)) == "normal"
    assert prereview_alarm(case, datetime.date(2026, 11, 3)) == "yellow"
    assert prereview_alarm(case, datetime.date(2026, 11, 4)) == "red"
    assert prereview_alarm(case, datetime.date(2026, 11, 5)) == "overdue"


def test_events_record_who_acted_for_whom(submitted, once_item):
    case = submitted(once_item)
    for event in CaseEvent.objects.filter(case=case):
        assert event.actor_label
    assert AuditEntry.objects.filter(action="case.submit_online", actor_label__startswith="王小明").exists()
