"""The rules of the case engine, one test per rule of 行政许可法 and of the centre."""

import datetime

import pytest

from yichuang.cases import services
from yichuang.cases.errors import CaseActionError, CaseConflict, CasePermissionDenied
from yichuang.cases.models import Case, CaseMaterial, CaseStep, Notice
from yichuang.catalog.models import ItemVersion
from yichuang.core.audit import audit_verify
from yichuang.core.calendar import add_workdays
from yichuang.core.models import AuditEntry

from .conftest import at, complete_checklist, material_ids

D = datetime.date
S = Case.Status


def accept(case, staff, when="2026-11-02", **kwargs):
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at(when), **kwargs)


def test_acceptance_day_is_not_counted(receive, staff):
    # Accepted Monday 2 November 2026, promised in 5 working days: Tue 3 … Mon 9.
    case = accept(receive(), staff)
    assert case.status == S.ACCEPTED
    assert case.due_date == D(2026, 11, 9)
    # Statutory 20 working days from the same acceptance.
    assert case.statutory_due_date == add_workdays(D(2026, 11, 2), 20).date
    assert case.alarm == Case.Alarm.NORMAL


def test_the_clock_counts_the_national_day_makeup_saturday(receive, staff):
    case = accept(receive("2026-09-28"), staff, when="2026-09-28")
    # Tue 29, Wed 30, (1–7 Oct holiday), Thu 8, Fri 9, Sat 10 (调休上班).
    assert case.due_date == D(2026, 10, 10)


def test_correction_pauses_nothing_because_the_clock_has_not_started(receive, staff, item):
    case = receive(pmt="missing")
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version,
                                            at=at("2026-11-02"))
    assert case.status == S.CORRECTION
    assert case.accepted_at is None and case.due_date is None and case.alarm == Case.Alarm.NONE
    ids = material_ids(item)
    case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                             materials={ids["pmt"]: {"state": "received"}}, at=at("2026-11-05"))
    assert case.status == S.RECEIVED and case.visits == 2
    case = accept(case, staff, when="2026-11-05")
    # The limit runs from the acceptance on Thursday 5 November, not from the first visit.
    assert case.due_date == add_workdays(D(2026, 11, 5), 5).date == D(2026, 11, 12)


def test_correction_notice_lists_all_missing_materials_at_once(receive, staff):
    case = receive(pmt={"state": "missing"}, sqs={"state": "defective", "note": "未加盖公章"})
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version,
                                            other_problems=["申请表经营项目与营业执照不一致"])
    notice = case.notices.get(kind=Notice.Kind.CORRECTION)
    problems = {item["name"]: item["problem"] for item in notice.content["items"]}
    assert problems["食品经营许可申请书"] == "未加盖公章"
    assert problems["经营场所平面图"] == "未提交"
    assert problems["其他"] == "申请表经营项目与营业执照不一致"
    # The optional power of attorney is never listed as missing.
    assert "授权委托书" not in problems


def test_a_second_correction_for_the_same_receipt_needs_a_supervisor(receive, staff, item):
    case = receive(pmt="missing")
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    ids = material_ids(item)
    case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                             materials={ids["pmt"]: {"state": "defective", "note": "比例不对"}})
    with pytest.raises(CaseActionError) as err:
        services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    assert "监察人员批准" in err.value.messages[0]
    # The supervisor approves as themselves, with a reason; the clerk's page is not made stale.
    with pytest.raises(CasePermissionDenied):
        services.case_correction_approve(actor=staff["clerk2"], case=case, reason="我来批")
    with pytest.raises(CaseActionError):
        services.case_correction_approve(actor=staff["supervisor"], case=case, reason=" ")
    services.case_correction_approve(actor=staff["supervisor"], case=case, reason="平面图比例与实际不符，需重新测绘")
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    assert case.corrections.count() == 2
    assert case.corrections.get(round=2).approved_by == staff["supervisor"]
    assert "平面图比例与实际不符" in case.events.get(action="correction_approve").summary


def test_a_supervisors_approval_covers_one_more_notice_only(receive, staff, item):
    ids = material_ids(item)
    case = receive(pmt="missing")
    with pytest.raises(CaseActionError) as err:  # the first notice needs nobody's approval
        services.case_correction_approve(actor=staff["supervisor"], case=case, reason="预先批准")
    assert err.value.code == "first_correction"
    for notice in (1, 2):
        if notice == 2:
            services.case_correction_approve(actor=staff["supervisor"], case=case, reason="新的问题")
        case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
        case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                                 materials={ids["pmt"]: {"state": "defective", "note": "仍不清晰"}})
    # The approval of the second notice does not cover a third.
    with pytest.raises(CaseActionError) as err:
        services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    assert err.value.code == "second_correction"


def test_acceptance_with_a_missing_required_material_is_refused_and_says_which(receive, staff):
    case = receive(pmt="missing")
    with pytest.raises(CaseActionError) as err:
        accept(case, staff)
    assert any("经营场所平面图" in m for m in err.value.messages)
    case.refresh_from_db()
    assert case.status == S.RECEIVED


def test_rongque_only_for_materials_the_item_marks_deferrable(receive, staff):
    with pytest.raises(CaseActionError) as err:
        receive(pmt={"state": "deferred", "promised_on": "2026-11-20"})
    assert "不是容缺后补材料" in err.value.messages[0]
    with pytest.raises(CaseActionError):
        receive(zd={"state": "deferred"})  # no promise date


def test_deferred_material_withholds_the_result_until_it_arrives(receive, staff, item):
    case = receive(zd={"state": "deferred", "promised_on": "2026-11-20"})
    case = accept(case, staff)
    acceptance = case.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert acceptance.content["deferred"][0]["name"] == "食品安全管理制度"
    case = _through_review(case, staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件",
                                expected_version=case.version, at=at("2026-11-04"))
    assert case.status == S.APPROVED_DEFERRED and case.delivery == Case.Delivery.WITHHELD
    with pytest.raises(CaseActionError) as err:
        services.case_deliver(actor=staff["result"], case=case, method="in_person", collected_by="王小明")
    assert "容缺材料尚未补齐" in err.value.messages[0]
    case = services.case_supplement_deferred(actor=staff["clerk"], case=case,
                                             requirement_ids=[material_ids(item)["zd"]])
    assert case.delivery == Case.Delivery.WAITING
    case = services.case_deliver(actor=staff["result"], case=case, method="in_person", collected_by="王小明")
    assert case.delivery == Case.Delivery.DELIVERED and case.closed_at is not None


def _through_review(case, staff, when="2026-11-03"):
    return services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全，符合条件",
                                       expected_version=case.version, at=at(when))


def test_a_special_procedure_moves_the_due_date_by_exactly_its_working_days(receive, staff):
    case = accept(receive(), staff)
    assert case.due_date == D(2026, 11, 9)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey",
                                       reason="现场核查经营场所", expected_days=3, expected_version=case.version,
                                       at=at("2026-11-03"))
    assert case.status == S.SPECIAL and case.alarm == Case.Alarm.PAUSED
    special_notice = case.notices.get(kind=Notice.Kind.SPECIAL)
    assert special_notice.content["expected_days"] == 3
    # Ends Friday 6 November: Wed 4, Thu 5, Fri 6 were spent on it — three working days.
    case = services.case_special_end(actor=staff["reviewer"], case=case, result="现场符合要求",
                                     expected_version=case.version, at=at("2026-11-06"))
    assert case.paused_days == 3
    assert case.due_date == add_workdays(D(2026, 11, 9), 3).date == D(2026, 11, 12)
    assert case.status == S.PROCESSING and case.alarm != Case.Alarm.PAUSED


def test_a_procedure_that_counts_toward_the_limit_does_not_move_the_due_date(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="publicity", reason="公示",
                                       expected_days=2, expected_version=case.version, at=at("2026-11-03"))
    case = services.case_special_end(actor=staff["reviewer"], case=case, result="公示无异议",
                                     expected_version=case.version, at=at("2026-11-05"))
    assert case.due_date == D(2026, 11, 9) and case.paused_days == 0


def test_a_procedure_that_counts_toward_the_limit_keeps_the_alarm_running(receive, staff):
    # 公示 counts toward the limit: the case is in a special procedure but nobody stopped its clock,
    # so it must still turn yellow, red and overdue like any running case.
    case = accept(receive(), staff)  # due Mon 9 Nov, warning Fri 6
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="publicity", reason="公示",
                                       expected_days=5, expected_version=case.version, at=at("2026-11-03"))
    assert case.status == S.SPECIAL and case.paused_since is None
    assert case.alarm == Case.Alarm.NORMAL
    for today, level in ((D(2026, 11, 6), "yellow"), (D(2026, 11, 9), "red"), (D(2026, 11, 10), "overdue")):
        services.case_alarms_refresh(today=today)
        case.refresh_from_db()
        assert case.alarm == level, today


def test_a_paused_special_procedure_is_left_alone_by_the_alarm_sweep(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="踏勘",
                                       expected_days=3, expected_version=case.version, at=at("2026-11-03"))
    services.case_alarms_refresh(today=D(2026, 11, 30))
    case.refresh_from_db()
    assert case.alarm == Case.Alarm.PAUSED


def test_only_procedures_the_item_allows_can_start(receive, staff):
    case = accept(receive(), staff)
    with pytest.raises(CaseActionError) as err:
        services.case_special_start(actor=staff["reviewer"], case=case, procedure="hearing", reason="听证",
                                    expected_days=5, expected_version=case.version)
    assert "现场踏勘" in err.value.messages[0]


def test_an_extension_needs_the_approver(receive, staff):
    case = accept(receive(), staff)
    services.case_extension_request(actor=staff["reviewer"], case=case, days=10, reason="需补充调查",
                                    expected_version=case.version, at=at("2026-11-03"))
    case.refresh_from_db()
    with pytest.raises(CasePermissionDenied):
        services.case_extension_decide(actor=staff["reviewer"], case=case, approve=True, expected_version=case.version)
    case = services.case_extension_decide(actor=staff["approver"], case=case, approve=True,
                                          expected_version=case.version, at=at("2026-11-04"))
    assert case.extension_days == 10
    assert case.due_date == add_workdays(D(2026, 11, 2), 15).date
    assert case.statutory_due_date == add_workdays(D(2026, 11, 2), 30).date
    notice = case.notices.get(kind=Notice.Kind.EXTENSION)
    assert notice.content["reason"] == "需补充调查" and notice.content["days"] == 10


def test_extensions_are_capped_at_ten_working_days(receive, staff):
    case = accept(receive(), staff)
    with pytest.raises(CaseActionError):
        services.case_extension_request(actor=staff["reviewer"], case=case, days=11, reason="复杂",
                                        expected_version=case.version)


def test_the_fourth_send_back_flags_the_case_for_an_interview(receive, staff, item):
    case = accept(receive(), staff)
    ids = material_ids(item)
    for n in range(1, 5):
        case = services.case_send_back(actor=staff["reviewer"], case=case, expected_version=case.version,
                                       problems=[{"material": ids["pmt"], "problem": f"第{n}次：平面图不清晰"}],
                                       at=at("2026-11-03"))
        assert case.status == S.CORRECTION and case.alarm == Case.Alarm.PAUSED
        assert case.interview_flag is (n > 3)
        case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                                 materials={ids["pmt"]: {"state": "received"}}, at=at("2026-11-03", 15))
        assert case.status == S.PROCESSING
    assert case.send_backs == 4
    assert "约谈" in case.events.filter(action="send_back").last().summary


def test_a_send_back_stops_the_clock_until_the_materials_return(receive, staff, item):
    case = accept(receive(), staff)
    ids = material_ids(item)
    case = services.case_send_back(actor=staff["reviewer"], case=case, expected_version=case.version,
                                   problems=[{"material": ids["pmt"], "problem": "平面图未标注面积"}], at=at("2026-11-03"))
    case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                             materials={ids["pmt"]: {"state": "received"}}, at=at("2026-11-05"))
    # Wed 4 and Thu 5 were the applicant's time, not the department's.
    assert case.paused_days == 2 and case.due_date == D(2026, 11, 11)
    assert case.steps.get(role="reviewer").state == CaseStep.State.OPEN


def test_a_refusal_notice_carries_reason_basis_and_the_way_forward(receive, staff):
    case = receive()
    with pytest.raises(CaseActionError) as err:
        services.case_refuse(actor=staff["clerk"], case=case, reason="经营场所位于住宅楼内", legal_basis="食品安全法第三十五条",
                             way_forward="", expected_version=case.version)
    assert "如何才能办理" in err.value.messages[0]
    case = services.case_refuse(actor=staff["clerk"], case=case, reason="经营场所位于住宅楼内",
                                legal_basis="《食品经营许可和备案管理办法》第十一条",
                                way_forward="另行选择符合要求的商业用房后重新申请", expected_version=case.version)
    notice = case.notices.get(kind=Notice.Kind.REFUSAL)
    assert notice.content["reason"] == "经营场所位于住宅楼内"
    assert "第十一条" in notice.content["basis"]
    assert notice.content["way_forward"] == "另行选择符合要求的商业用房后重新申请"
    assert "行政复议" in notice.content["remedies"] and "行政诉讼" in notice.content["remedies"]
    assert case.status == S.REFUSED


def test_a_denial_must_say_how_to_succeed(receive, staff):
    case = _through_review(accept(receive(), staff), staff)
    with pytest.raises(CaseActionError):
        services.case_decide(actor=staff["approver"], case=case, approve=False, reason="不符合选址要求",
                             legal_basis="第十一条", way_forward=" ", expected_version=case.version)
    case = services.case_decide(actor=staff["approver"], case=case, approve=False, reason="不符合选址要求",
                                legal_basis="第十一条", way_forward="更换经营场所后重新申请", expected_version=case.version)
    assert case.status == S.DENIED
    assert case.notices.get(kind=Notice.Kind.DENIAL).content["way_forward"] == "更换经营场所后重新申请"


def test_an_immediate_item_is_accepted_decided_and_handed_over_in_one_visit(staff, county, immediate_item, applicant):
    case = services.case_receive(actor=staff["clerk"], item_version=immediate_item, applicant=applicant,
                                 centre=county["centre"], materials=_all_received(immediate_item))
    case = services.case_handle_immediately(actor=staff["clerk"], case=case, collected_by="王小明",
                                            expected_version=case.version)
    assert case.status == S.APPROVED and case.delivery == Case.Delivery.DELIVERED
    assert case.visits == 1
    assert list(case.events.exclude(status_code="").values_list("status_code", flat=True)) == ["1", "3", "8", "11"]


def _all_received(version):
    return {rid: {"state": "received"} for rid in material_ids(version).values()}


def test_a_promised_item_cannot_be_handled_immediately(receive, staff):
    case = receive()
    with pytest.raises(CaseActionError):
        services.case_handle_immediately(actor=staff["clerk"], case=case, collected_by="王小明")


def test_another_departments_reviewer_cannot_act(receive, staff):
    case = accept(receive(), staff)
    with pytest.raises(CasePermissionDenied):
        services.case_step_complete(actor=staff["other_reviewer"], case=case, opinion="同意",
                                    expected_version=case.version)


def test_a_clerk_cannot_decide(receive, staff):
    case = _through_review(accept(receive(), staff), staff)
    with pytest.raises(CasePermissionDenied):
        services.case_decide(actor=staff["clerk"], case=case, approve=True, reason="同意", expected_version=case.version)


def test_a_stale_page_gets_a_conflict_and_nothing_is_applied_twice(receive, staff):
    case = receive()
    seen = case.version
    services.case_accept(actor=staff["clerk"], case=case, expected_version=seen)
    with pytest.raises(CaseConflict) as err:
        services.case_accept(actor=staff["clerk2"], case=case, expected_version=seen)
    assert "请刷新" in err.value.messages[0]
    assert Case.objects.get(pk=case.pk).events.filter(action="accept").count() == 1


def test_a_refused_action_leaves_only_the_audit_of_its_refusal(receive, staff):
    case = receive(pmt="missing")
    events, notices = case.events.count(), case.notices.count()
    with pytest.raises(CaseActionError):
        accept(case, staff)
    assert case.events.count() == events and case.notices.count() == notices
    refusal = AuditEntry.objects.filter(action="case.accept.refused", object_id=str(case.pk)).get()
    assert "经营场所平面图" in refusal.note
    assert audit_verify() is None


def test_withdrawal_before_acceptance_is_cancellation_and_after_is_withdrawal(receive, staff):
    first = services.case_withdraw(actor=staff["clerk"], case=receive(), reason="申请人不再办理")
    assert first.status == S.CANCELLED
    second = accept(receive(), staff)
    second = services.case_withdraw(actor=staff["clerk"], case=second, reason="申请人撤回", expected_version=second.version)
    assert second.status == S.WITHDRAWN and second.alarm == Case.Alarm.NONE
    assert not second.steps.filter(state=CaseStep.State.OPEN).exists()


def test_a_decided_case_cannot_be_withdrawn(receive, staff):
    case = _through_review(accept(receive(), staff), staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意", expected_version=case.version)
    with pytest.raises(CaseActionError):
        services.case_withdraw(actor=staff["clerk"], case=case, reason="不要了")


def test_only_a_supervisor_revokes_and_must_say_why(receive, staff):
    case = accept(receive(), staff)
    with pytest.raises(CasePermissionDenied):
        services.case_revoke(actor=staff["approver"], case=case, reason="违规受理")
    with pytest.raises(CaseActionError):
        services.case_revoke(actor=staff["supervisor"], case=case, reason="")
    case = services.case_revoke(actor=staff["supervisor"], case=case, reason="违规受理")
    assert case.status == S.REVOKED


def test_delivery_by_post_needs_carrier_and_tracking_and_closes_the_case(receive, staff):
    case = _through_review(accept(receive(), staff), staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意", expected_version=case.version)
    with pytest.raises(CaseActionError) as err:
        services.case_deliver(actor=staff["result"], case=case, method="post", address="示例县人民路 1 号",
                              recipient="王小明", carrier="EMS")
    assert "tracking_number" in err.value.message_dict
    case = services.case_deliver(actor=staff["result"], case=case, method="post", address="示例县人民路 1 号",
                                 recipient="王小明", recipient_phone="13800138000", carrier="EMS",
                                 tracking_number="1234567890123")
    assert case.delivery == Case.Delivery.DELIVERED and case.closed_at is not None
    assert case.visits == 1  # posted: the applicant did not come back
    assert case.delivery_record.tracking_number == "1234567890123"


def test_the_walk_in_flow_emits_the_national_status_codes_in_order(receive, staff):
    case = accept(receive(), staff)
    case = _through_review(case, staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意",
                                expected_version=case.version, at=at("2026-11-04"))
    case = services.case_deliver(actor=staff["result"], case=case, method="in_person", collected_by="王小明",
                                 at=at("2026-11-05"))
    codes = list(case.events.exclude(status_code="").values_list("status_code", flat=True))
    assert codes == ["1", "3", "8", "11"]
    assert case.visits == 2
    assert set(case.notices.values_list("kind", flat=True)) == {"receipt", "acceptance", "approval"}
    assert not case.steps.exclude(state__in=["done", "cancelled"]).exists()


def test_each_open_step_has_its_own_due_date_from_its_budget(receive, staff):
    case = accept(receive(), staff)
    review = case.steps.get(role="reviewer")
    assert review.state == CaseStep.State.OPEN
    assert review.due_date == add_workdays(D(2026, 11, 2), 2).date
    assert case.steps.get(role="clerk").state == CaseStep.State.DONE


def test_an_item_outside_the_points_tongban_scope_cannot_be_received_there(staff, county, item, applicant):
    with pytest.raises(CaseActionError) as err:
        services.case_receive(actor=staff["town_clerk"], item_version=item, applicant=applicant,
                              centre=county["point"], materials={})
    assert "通办范围" in err.value.messages[0]


def test_case_numbers_carry_centre_and_date_and_increase(receive):
    first, second = receive("2026-11-02"), receive("2026-11-02")
    assert first.number == "SLX2026110200001" and second.number == "SLX2026110200002"
    assert receive("2026-11-03").number == "SLX2026110300001"


def test_alarm_refresh_moves_cases_from_normal_to_yellow_red_and_overdue(receive, staff):
    case = accept(receive(), staff)  # due Mon 9 Nov, warning one working day before (Fri 6)
    for today, level in ((D(2026, 11, 5), "normal"), (D(2026, 11, 6), "yellow"),
                         (D(2026, 11, 9), "red"), (D(2026, 11, 10), "overdue")):
        services.case_alarms_refresh(today=today)
        case.refresh_from_db()
        assert case.alarm == level, today


def test_the_applicant_id_is_encrypted_at_rest_and_found_by_its_hash(staff):
    from django.db import connection

    person = services.applicant_register(actor=staff["clerk"], kind="person", name="王小明",
                                         id_number="11010519491231002X", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cases_applicant WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "11010519491231002X" not in stored
    again = services.applicant_register(actor=staff["clerk"], kind="person", name="王小明",
                                        id_number="11010519491231002x")
    assert again.pk == person.pk and again.masked_id == "1101**********002X"
    with pytest.raises(CaseActionError) as err:
        services.applicant_register(actor=staff["clerk"], kind="person", name="王小明", id_number="110105194912310021")
    assert "id_number" in err.value.message_dict


def test_materials_states_are_recorded_per_requirement(receive, item):
    case = receive(zd={"state": "deferred", "promised_on": "2026-11-20"})
    states = dict(case.materials.values_list("requirement__code", "state"))
    assert states["zd"] == CaseMaterial.State.DEFERRED and states["sqs"] == CaseMaterial.State.RECEIVED


def test_the_applicant_is_told_by_sms_at_each_moment_and_only_once(receive, staff):
    from yichuang.core.models import SmsMessage

    case = _through_review(accept(receive(), staff), staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意",
                                expected_version=case.version, at=at("2026-11-04"))
    templates = list(SmsMessage.objects.filter(phone="13800138000").order_by("id").values_list("template", flat=True))
    assert templates == ["case_received", "accepted", "decided", "ready_for_pickup"]
    accepted = SmsMessage.objects.get(template="accepted")
    assert "2026年11月9日" in accepted.text and case.number in accepted.text


def test_a_refused_intake_leaves_no_applicant_no_case_only_its_audit(staff, county, item):
    from yichuang.cases.models import Applicant

    applicant = {"kind": "company", "name": "示例县新开张餐饮有限公司", "uscc": "91330000142916567N", "phone": "13900139000"}
    with pytest.raises(CaseActionError):
        services.case_intake(actor=staff["clerk"], then="refuse", applicant=applicant, item_version=item,
                             centre=county["centre"], refusal={"reason": "不属于本机关职权范围", "legal_basis": "",
                                                               "way_forward": ""})
    assert not Applicant.objects.filter(uscc="91330000142916567N").exists()
    assert not Case.objects.exists()
    assert AuditEntry.objects.filter(action="case.intake.refused").count() == 1


def test_an_intake_can_end_in_the_one_time_notice(staff, county, item):
    applicant = {"kind": "company", "name": "示例县新开张餐饮有限公司", "uscc": "91330000142916567N"}
    case = services.case_intake(actor=staff["clerk"], then="correction", applicant=applicant, item_version=item,
                                centre=county["centre"], materials={})
    assert case.status == S.CORRECTION
    assert len(case.notices.get(kind=Notice.Kind.CORRECTION).content["items"]) == 3  # the optional one is not asked


def test_an_agent_of_another_centre_cannot_take_the_case(receive, staff, county):
    from yichuang.org.models import Role, User

    outsider = User.objects.create_user("far_agent", password="x", centre=county["point"])
    outsider.roles.set(Role.objects.filter(code="agent"))
    case = receive()
    with pytest.raises(CaseActionError) as err:
        services.case_assign_agent(actor=staff["clerk"], case=case, agent=User.objects.get(pk=outsider.pk))
    assert "不在本中心" in err.value.messages[0]


# --- every action checks who acts and where: role, then centre, department or region ----------


def _decided(receive, staff):
    case = _through_review(accept(receive(), staff), staff)
    return services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意",
                                expected_version=case.version)


def _refused_without_trace(action, case, code):
    """The action is refused as not allowed, and the case is exactly as it was."""
    before = Case.objects.get(pk=case.pk)
    events = case.events.count()
    with pytest.raises(CasePermissionDenied) as err:
        action()
    after = Case.objects.get(pk=case.pk)
    assert err.value.code == code
    assert (after.status, after.version, after.visits, after.delivery) == (
        before.status, before.version, before.visits, before.delivery)
    assert case.events.count() == events


def test_a_clerk_of_another_point_cannot_withdraw_the_case(receive, staff):
    case = accept(receive(), staff)
    _refused_without_trace(lambda: services.case_withdraw(actor=staff["town_clerk"], case=case, reason="撤回"),
                           case, "centre")


def test_a_clerk_of_another_point_cannot_hand_over_the_result(receive, staff):
    case = _decided(receive, staff)
    _refused_without_trace(lambda: services.case_deliver(actor=staff["town_clerk"], case=case, method="in_person",
                                                         collected_by="王小明"), case, "centre")
    case = services.case_deliver(actor=staff["result"], case=case, method="in_person", collected_by="王小明")
    assert case.delivery == Case.Delivery.DELIVERED


def test_the_centres_result_window_issues_the_results_of_its_town_points(staff, county, item, applicant):
    # 统一出件: a case received at the town point may be issued by the county centre's result window.
    ItemVersion.objects.filter(pk=item.pk).update(tongban_scope=ItemVersion.TongbanScope.COUNTY)
    item.refresh_from_db()
    case = services.case_receive(actor=staff["town_clerk"], item_version=item, applicant=applicant,
                                 centre=county["point"], materials=complete_checklist(item))
    case = services.case_accept(actor=staff["town_clerk"], case=case, expected_version=case.version)
    case = _through_review(case, staff)
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意",
                                expected_version=case.version)
    case = services.case_deliver(actor=staff["result"], case=case, method="post", address="城关镇解放街 1 号",
                                 recipient="王小明", carrier="EMS", tracking_number="EA1CN")
    assert case.delivery == Case.Delivery.DELIVERED


def test_a_visit_is_recorded_only_by_staff_of_the_receiving_centre_or_the_cases_agent(receive, staff):
    case = receive()
    _refused_without_trace(lambda: services.case_record_visit(actor=staff["town_clerk"], case=case, purpose="咨询"),
                           case, "centre")
    with pytest.raises(CaseActionError):
        services.case_record_visit(actor=staff["clerk"], case=case, purpose=" ")
    case = services.case_record_visit(actor=staff["clerk"], case=case, purpose="补交材料")
    assert case.visits == 2


def test_only_a_supervisor_of_the_cases_region_revokes(receive, staff):
    from yichuang.org.models import Region, Role, User

    other = Region.objects.create(code="339902000000", name="邻县", level=3, parent=Region.objects.get(code="339900000000"))
    far = User.objects.create_user("far_supervisor", password="x", region=other)
    far.roles.set(Role.objects.filter(code="supervisor"))
    case = accept(receive(), staff)
    _refused_without_trace(lambda: services.case_revoke(actor=User.objects.get(pk=far.pk), case=case, reason="违规"),
                           case, "region")
    assert services.case_revoke(actor=staff["supervisor"], case=case, reason="违规受理").status == S.REVOKED


def test_a_clerk_of_another_point_cannot_hand_the_case_to_an_agent(receive, staff):
    case = receive()
    _refused_without_trace(lambda: services.case_assign_agent(actor=staff["town_clerk"], case=case,
                                                              agent=staff["agent"]), case, "centre")
