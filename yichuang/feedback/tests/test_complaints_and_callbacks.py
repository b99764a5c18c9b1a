import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yichuang.core.models import SmsMessage
from yichuang.feedback import rules, selectors, services
from yichuang.feedback.errors import FeedbackError
from yichuang.feedback.models import CallbackSample, Complaint
from yichuang.feedback.services_complaints import complaint_advance, complaint_extend, complaint_submit

from .conftest import at, finish_case


def _online(county, **kw):
    data = {"subject": "窗口人员离岗", "content": "上午十点 A01 窗口无人，等了半小时。", "at": at("2026-11-02", 9)}
    data.update(kw)
    return complaint_submit(actor=None, centre=county["centre"], source="online", **data)


def test_a_complaint_without_contact_cannot_be_answered_by_sms_and_says_so(county, staff):
    complaint = _online(county)
    assert not complaint.can_sms
    assert "无法短信答复" in complaint.events.get().summary
    for action, extra in [("accept", {}), ("investigate", {"note": "核实属实", "finding": "upheld"}),
                          ("handle", {"note": "批评教育"}), ("answer", {"answer": "已处理，谢谢监督。"})]:
        complaint = complaint_advance(actor=staff["supervisor"], complaint=complaint, action=action,
                                      at=at("2026-11-03", 10), **extra)
    assert "未能短信答复" in complaint.events.last().summary
    assert not SmsMessage.objects.filter(template__startswith="complaint").exists()


def test_a_complaint_with_a_phone_gets_its_number_and_answer_by_sms(county, staff):
    complaint = _online(county, complainant_phone="13900001111")
    assert SmsMessage.objects.filter(template="complaint_received", phone="13900001111").exists()
    complaint_advance(actor=staff["supervisor"], complaint=complaint, action="not_accept",
                      note="不属于本中心职责，请向县市场监管局反映。")
    assert SmsMessage.objects.filter(template="complaint_answered").count() == 1


def test_complaint_stage_deadlines_are_in_working_days(county, staff):
    # Received Friday 2026-11-06: accept by the next working day, Monday 11-09.
    complaint = _online(county, at=at("2026-11-06", 16))
    assert complaint.stage_due_date == datetime.date(2026, 11, 9)
    # Accepted Monday: answer within 5 working days (Monday 11-16), investigation within 3 (Thursday 11-12).
    complaint = complaint_advance(actor=staff["supervisor"], complaint=complaint, action="accept",
                                  at=at("2026-11-09", 9))
    assert complaint.answer_due_date == datetime.date(2026, 11, 16)
    assert complaint.stage_due_date == datetime.date(2026, 11, 12)
    complaint = complaint_extend(actor=staff["supervisor"], complaint=complaint, days=5,
                                 reason="涉及三个部门，需要联合调查。", at=at("2026-11-10", 9))
    assert complaint.answer_due_date == datetime.date(2026, 11, 23)
    assert "联合调查" in complaint.events.last().summary
    with pytest.raises(FeedbackError, match="理由"):
        complaint_extend(actor=staff["supervisor"], complaint=complaint, days=2, reason="")


def test_a_complaint_goes_through_every_stage_to_the_archive_and_a_late_stage_is_recorded(county, staff, receive):
    case = receive("2026-11-02")
    complaint = _online(county, case=case, complainant_phone="13900001111")
    assert complaint.department == case.department and complaint.staff == staff["clerk"]
    sup = staff["supervisor"]
    complaint = complaint_advance(actor=sup, complaint=complaint, action="accept", at=at("2026-11-04", 9))  # late
    with pytest.raises(FeedbackError, match="结论"):
        complaint_advance(actor=sup, complaint=complaint, action="investigate", note="查了")
    complaint = complaint_advance(actor=sup, complaint=complaint, action="investigate", note="属实", finding="partly",
                                  at=at("2026-11-05", 9))
    complaint = complaint_advance(actor=sup, complaint=complaint, action="handle", note="批评教育",
                                  accountability="诫勉谈话", at=at("2026-11-05", 10))
    complaint = complaint_advance(actor=sup, complaint=complaint, action="answer", answer="已处理", at=at("2026-11-06"))
    complaint = complaint_advance(actor=sup, complaint=complaint, action="archive", at=at("2026-11-06", 15))
    assert complaint.stage == Complaint.Stage.ARCHIVED and complaint.late_stages == ["submitted"]
    summary = selectors.complaint_summary(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30),
                                          staff_id=staff["clerk"].pk)
    assert summary["upheld"] == 1 and summary["accountability"] == 1 and summary["archived"] == 1
    assert summary["overdue"] == 1
    assert list(complaint.events.values_list("action", flat=True)) == [
        "receive", "accept", "investigate", "handle", "answer", "archive"]


def test_only_the_supervision_office_moves_a_complaint(county, staff):
    complaint = _online(county)
    with pytest.raises(FeedbackError, match="电子监察"):
        complaint_advance(actor=staff["clerk"], complaint=complaint, action="accept")


def test_the_complainant_looks_it_up_with_number_and_code(county):
    complaint = _online(county)
    found = selectors.complaint_lookup(number=complaint.number, code=complaint.query_code, address="1.2.3.4")
    assert found.complaint == complaint and found.events
    wrong = selectors.complaint_lookup(number=complaint.number, code="000000" if complaint.query_code != "000000"
                                       else "111111", address="1.2.3.4")
    assert wrong.complaint is None and "不正确" in wrong.error


def test_complaint_numbers_come_from_the_sequence(county):
    first, second = _online(county), _online(county)
    assert first.number == "TSSLX202611020001" and second.number == "TSSLX202611020002"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10_000), unique=True, max_size=80),
       st.integers(min_value=2020, max_value=2030), st.integers(min_value=1, max_value=52))
def test_the_callback_sample_is_reproducible(population, year, week):
    seed = rules.callback_seed("SLX", year, week)
    first = rules.callback_draw(population, seed=seed, size=20)
    again = rules.callback_draw(list(reversed(population)), seed=seed, size=20)
    assert first == again
    assert len(first) == min(20, len(population)) and set(first) <= set(population)


def test_the_weekly_sample_draws_last_weeks_closed_cases_once(county, staff, receive):
    cases = [finish_case(staff, receive("2026-11-02"), when="2026-11-04") for _ in range(3)]
    sample = services.callback_sample_draw(actor=staff["supervisor"], centre=county["centre"], iso_year=2026,
                                           iso_week=45, at=at("2026-11-10"))
    assert sample.seed == "SLX:2026-W45" and sample.population == 3
    assert {t.case_id for t in sample.tasks.all()} == {c.pk for c in cases}
    again = services.callback_sample_draw(actor=staff["supervisor"], centre=county["centre"], iso_year=2026,
                                          iso_week=45)
    assert again.pk == sample.pk and CallbackSample.objects.count() == 1
    task = sample.tasks.first()
    with pytest.raises(FeedbackError, match="评价"):
        services.callback_record(actor=staff["supervisor"], task=task, outcome="reached")
    services.callback_record(actor=staff["supervisor"], task=task, outcome="reached", level=4, comment="挺好")
    task.refresh_from_db()
    assert task.rating.channel == "callback" and task.rating.real_name and task.rating.entered_by == staff["supervisor"]


def test_real_name_bad_ratings_show_the_callback_gap(closed_case, staff):
    rating = services.rating_submit(actor=None, channel="sms", case=closed_case, level=1, real_name=True,
                                    rater_name="王小明", at=at("2026-11-04"))
    gap = selectors.real_name_bad_without_callback(staff["supervisor"], start=datetime.date(2026, 11, 1),
                                                   end=datetime.date(2026, 11, 30))
    assert gap["total"] == 1 and gap["done"] == 0 and gap["gap"] == [rating]


def test_the_sweep_raises_alarms_and_draws_last_weeks_sample(county, staff, receive):
    from django.core.management import call_command

    finish_case(staff, receive("2026-11-02"), when="2026-11-04")
    complaint = _online(county, at=at("2026-11-02", 9))  # accept due Tuesday 11-03
    call_command("feedback", "sweep", "--today", "2026-11-10")
    complaint.refresh_from_db()
    assert complaint.alarm == "overdue"
    assert CallbackSample.objects.get().seed == "SLX:2026-W45"
