"""The deadline explanation on a case page: which days counted, which were skipped or paused."""

import datetime

from django.db.models import prefetch_related_objects

from yichuang.cases import services
from yichuang.cases.deadline import COUNTED, SKIPPED, days_left, explain_case_deadline
from yichuang.cases.models import Case

from .conftest import at, material_ids

D = datetime.date


def accept(case, staff, when="2026-11-02"):
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at(when))


def explain(case, today):
    case = Case.objects.select_related("department__region").get(pk=case.pk)
    return explain_case_deadline(case, today=today)


def counted_days(explanation):
    return sum(s.days for s in explanation.segments if s.kind == COUNTED)


def test_a_plain_case_counts_the_promised_days_after_acceptance_and_skips_the_weekend(receive, staff):
    case = accept(receive(), staff)  # Monday 2 November 2026, 5 working days
    e = explain(case, D(2026, 11, 3))
    assert e.due_date == D(2026, 11, 9) == case.due_date and e.matches_stored
    assert counted_days(e) == 5
    assert [(s.first, s.last, s.kind) for s in e.segments] == [
        (D(2026, 11, 3), D(2026, 11, 6), COUNTED),
        (D(2026, 11, 7), D(2026, 11, 8), SKIPPED),
        (D(2026, 11, 9), D(2026, 11, 9), COUNTED),
    ]
    assert e.segments[-1].to_n == 5
    assert "当天不计入" in e.summary[0]
    assert any("承诺办结日 2026年11月9日" in line for line in e.summary)
    # The calendar's own explanation is part of it, word for word.
    assert e.calendar_lines[-1] == "期限届满日：2026年11月9日（当日工作时间结束）。"


def test_a_special_procedure_lists_its_paused_days_and_the_shifted_due_date(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="现场核查",
                                       expected_days=3, expected_version=case.version, at=at("2026-11-03"))
    case = services.case_special_end(actor=staff["reviewer"], case=case, result="现场符合要求",
                                     expected_version=case.version, at=at("2026-11-06"))
    e = explain(case, D(2026, 11, 6))
    # Wed 4 – Fri 6 November are paused: 5 + 3 working days end on Thursday 12 November.
    assert e.paused_days == 3 and e.total_days == 8
    assert e.due_date == D(2026, 11, 12) == case.due_date and e.matches_stored
    paused = e.paused_segments
    assert [(s.first, s.last, s.label) for s in paused] == [(D(2026, 11, 4), D(2026, 11, 6), "现场踏勘")]
    assert counted_days(e) == 5
    text = "\n".join(e.summary)
    assert "特别程序「现场踏勘」：2026年11月3日至11月6日，用时 3 个工作日，不计入办理时限，期限顺延 3 个工作日。" in text
    assert "合计 5 + 3（暂停顺延） = 8 个工作日，承诺办结日 2026年11月12日（星期四）。" in text


def test_a_running_special_procedure_shifts_the_due_date_by_its_expected_length(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="现场核查",
                                       expected_days=4, expected_version=case.version, at=at("2026-11-03"))
    e = explain(case, D(2026, 11, 4))
    assert e.state == "paused"
    assert e.due_date == case.due_date == D(2026, 11, 13)
    # Wed 4 November has been paused already; Thu 5 – Fri 6 and Mon 9 are the length still expected.
    assert [(s.first, s.last, s.label) for s in e.paused_segments] == [
        (D(2026, 11, 4), D(2026, 11, 4), "现场踏勘"),
        (D(2026, 11, 5), D(2026, 11, 6), "现场踏勘（预计）"), (D(2026, 11, 9), D(2026, 11, 9), "现场踏勘（预计）")]
    assert any("预计 4 个工作日" in line and "期限暂按预计时长顺延" in line for line in e.summary)
    assert not any("超出预计" in line for line in e.summary)


def test_a_procedure_running_past_the_length_told_says_by_how_much(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="现场核查",
                                       expected_days=4, expected_version=case.version, at=at("2026-11-03"))
    # Told 4 working days (to Mon 9 November); on Thu 12 it has taken 7.
    e = explain(case, D(2026, 11, 12))
    overrun = [s for s in e.paused_segments if s.label == "现场踏勘（超出预计）"]
    assert [(s.first, s.last, s.days) for s in overrun] == [(D(2026, 11, 10), D(2026, 11, 12), 3)]
    assert any("至今已用 7 个" in line and "已超出预计 3 个工作日" in line for line in e.summary)


def test_a_procedure_that_counts_toward_the_limit_moves_nothing(receive, staff):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="publicity", reason="公示",
                                       expected_days=2, expected_version=case.version, at=at("2026-11-03"))
    case = services.case_special_end(actor=staff["reviewer"], case=case, result="公示无异议",
                                     expected_version=case.version, at=at("2026-11-05"))
    e = explain(case, D(2026, 11, 5))
    assert e.due_date == D(2026, 11, 9) == case.due_date
    assert e.paused_segments == []
    assert any("计入办理时限，期限不顺延" in line for line in e.summary)


def test_the_national_day_holiday_is_listed_as_skipped(receive, staff):
    case = accept(receive("2026-09-28"), staff, when="2026-09-28")
    e = explain(case, D(2026, 9, 29))
    assert e.due_date == D(2026, 10, 10) == case.due_date
    holiday = [s for s in e.skipped_segments if "国庆" in s.label]
    assert holiday and holiday[0].first == D(2026, 10, 1) and holiday[0].last == D(2026, 10, 7)
    # Saturday 10 October is a make-up working day and is the fifth day counted.
    assert e.segments[-1].kind == COUNTED and e.segments[-1].last == D(2026, 10, 10) and e.segments[-1].to_n == 5
    assert any("国庆节" in line and "跳过的非工作日" in line for line in e.calendar_lines)


def test_a_send_back_pauses_from_the_request_until_the_materials_return(receive, staff, item):
    case = accept(receive(), staff)
    case = services.case_send_back(actor=staff["reviewer"], case=case, expected_version=case.version,
                                   problems=[{"material": material_ids(item)["pmt"], "problem": "比例尺不对"}],
                                   at=at("2026-11-03"))
    running = explain(case, D(2026, 11, 4))
    assert running.state == "paused"
    assert any("自 2026年11月3日 起暂停计时" in line for line in running.summary)
    case = services.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                             materials={material_ids(item)["pmt"]: {"state": "received"}},
                                             at=at("2026-11-05"))
    e = explain(case, D(2026, 11, 5))
    # Wed 4 and Thu 5 November paused: the due date moves from Monday 9 to Wednesday 11 November.
    assert e.paused_days == 2
    assert e.due_date == D(2026, 11, 11) == case.due_date and e.matches_stored
    assert [(s.first, s.last) for s in e.paused_segments] == [(D(2026, 11, 4), D(2026, 11, 5))]
    assert any("第 1 次补正（部门退回）" in line and "暂停计时 2 个工作日" in line for line in e.summary)


def test_only_a_granted_extension_lengthens_the_limit(receive, staff):
    case = accept(receive(), staff)
    services.case_extension_request(actor=staff["reviewer"], case=case, days=3, reason="需补充调查",
                                    expected_version=case.version, at=at("2026-11-03"))
    case.refresh_from_db()
    requested = explain(case, D(2026, 11, 3))
    assert requested.due_date == D(2026, 11, 9)
    assert any("待决定人员批准" in line for line in requested.summary)
    case = services.case_extension_decide(actor=staff["approver"], case=case, approve=True,
                                          expected_version=case.version, at=at("2026-11-04"))
    e = explain(case, D(2026, 11, 4))
    assert e.extension_days == 3 and e.due_date == D(2026, 11, 12) == case.due_date
    assert any("经批准延长 3 个工作日" in line for line in e.summary)


def test_a_due_date_in_an_unannounced_year_is_shown_unconfirmed(receive, staff):
    case = accept(receive("2026-12-28"), staff, when="2026-12-28")
    e = explain(case, D(2026, 12, 29))
    assert e.due_date.year == 2027
    assert e.unconfirmed_years == (2027,) and not e.confirmed
    assert any("2027年的节假日安排尚未公布" in line for line in e.summary)
    assert case.due_confirmed is False


def test_a_case_in_correction_before_acceptance_has_no_clock(receive, staff):
    case = receive(pmt="missing")
    case = services.case_request_correction(actor=staff["clerk"], case=case, expected_version=case.version)
    e = explain(case, D(2026, 11, 3))
    assert e.state == "not_started" and e.due is None and e.segments == []
    assert "补正期间期限尚未开始计算" in e.summary[0]


def test_a_decided_case_says_how_many_working_days_it_took(receive, staff):
    case = accept(receive(), staff)
    case = services.case_step_complete(actor=staff["reviewer"], case=case, opinion="符合", expected_version=case.version,
                                       at=at("2026-11-03"))
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="准予",
                                expected_version=case.version, at=at("2026-11-04"))
    e = explain(case, D(2026, 11, 20))
    assert e.state == "decided"
    assert any("实际用时 2 个工作日" in line and "在承诺时限内办结" in line for line in e.summary)


def test_the_explanation_reads_prefetched_rows_without_queries(receive, staff, django_assert_num_queries):
    case = accept(receive(), staff)
    case = services.case_special_start(actor=staff["reviewer"], case=case, procedure="site_survey", reason="现场核查",
                                       expected_days=3, expected_version=case.version, at=at("2026-11-03"))
    case = Case.objects.select_related("department__region").get(pk=case.pk)
    prefetch_related_objects([case], "special_procedures__procedure", "corrections", "extensions")
    explain_case_deadline(case, today=D(2026, 11, 4))  # warm the calendar cache
    with django_assert_num_queries(0):
        explain_case_deadline(case, today=D(2026, 11, 4))


def test_days_left_counts_working_days_and_marks_overdue(db):
    # Friday 6 November 2026 due: on Thursday one day left, on Friday due today,
    # on Sunday overdue although no working day has passed, on Monday one working day late.
    due = D(2026, 11, 6)
    assert days_left(due, D(2026, 11, 5)).label == "剩 1 个工作日"
    assert days_left(due, D(2026, 11, 6)).label == "今日到期"
    assert days_left(due, D(2026, 11, 8)).label == "已超期"
    assert days_left(due, D(2026, 11, 9)).label == "超期 1 个工作日"
    assert days_left(D(2026, 11, 9), D(2026, 11, 6)).days == 1
    assert days_left(None, D(2026, 11, 6)) is None
