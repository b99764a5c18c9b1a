"""The interview list (约谈): who is on it, with what evidence, and the record of the interview held."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from yichuang.cases import services as cases
from yichuang.cases.models import Case
from yichuang.supervision.models import Interview, SupervisionSettings
from yichuang.supervision.selectors import interview_list
from yichuang.supervision.services import interview_record

from .conftest import accept, at, material_ids

D = datetime.date


def test_a_case_sent_back_more_than_three_times_is_listed_with_each_send_back(receive, staff, item):
    case = accept(receive("2026-11-02"), staff["clerk"], "2026-11-02")
    ids = material_ids(item)
    for day in ("03", "05", "09", "11"):
        case = Case.objects.get(pk=case.pk)
        case = cases.case_send_back(actor=staff["reviewer"], case=case, expected_version=case.version,
                                    problems=[{"material": ids["pmt"], "problem": f"平面图第 {day} 日仍不符"}],
                                    at=at(f"2026-11-{day}"))
        case = cases.case_correction_supplied(actor=staff["clerk"], case=case, expected_version=case.version,
                                              materials={ids["pmt"]: {"state": "received"}},
                                              at=at(f"2026-11-{day}", 15))
    found = interview_list(staff["supervisor"], today=D(2026, 11, 20))
    assert [entry["case"].pk for entry in found["cases"]] == [case.pk]
    assert len(found["cases"][0]["evidence"]) == 4
    # A reviewer of another department does not see it.
    assert interview_list(staff["other_reviewer"], today=D(2026, 11, 20))["cases"] == []


def test_a_handler_with_repeated_late_steps_is_listed(november, staff):
    # The approver's 决定 steps (one working day each) of B, D and E finished late.
    found = interview_list(staff["supervisor"], today=D(2026, 11, 20))
    handlers = {entry["staff"].username: entry for entry in found["handlers"]}
    assert set(handlers) == {"approver"}
    assert sorted(s.case_id for s in handlers["approver"]["evidence"]) == sorted(
        november[k].pk for k in "BDE")


def test_a_department_below_the_on_time_rate_is_listed_with_its_figures(november, staff, county):
    SupervisionSettings.objects.create(min_closed=5, on_time_rate_threshold=90)
    found = interview_list(staff["supervisor"], today=D(2026, 12, 10))
    [entry] = found["departments"]
    assert entry["department"] == county["scjg"]
    assert (entry["closed"], entry["on_time"], entry["rate"]) == (5, 4, 80.0)
    SupervisionSettings.objects.update(on_time_rate_threshold=80)
    assert interview_list(staff["supervisor"], today=D(2026, 12, 10))["departments"] == []


def test_departments_with_too_few_closed_cases_are_not_judged(november, staff):
    assert interview_list(staff["supervisor"], today=D(2026, 12, 10))["departments"] == []  # 5 < 10


def test_an_interview_held_is_recorded_with_its_evidence_and_shown(november, staff, county):
    SupervisionSettings.objects.create(min_closed=5)
    interview_record(actor=staff["supervisor"], kind="department", department=county["scjg"],
                     held_on=D(2026, 12, 9), attendees="张卫东", summary="按时办结率偏低，说明原因",
                     measures="每日晨会过审批件", evidence={"rate": 80.0}, at=at("2026-12-10"))
    [entry] = interview_list(staff["supervisor"], today=D(2026, 12, 10))["departments"]
    assert [i.summary for i in entry["interviews"]] == ["按时办结率偏低，说明原因"]
    assert Interview.objects.get().evidence == {"rate": 80.0}


def test_an_interview_cannot_be_recorded_before_it_is_held(staff, county):
    with pytest.raises(ValidationError) as err:
        interview_record(actor=staff["supervisor"], kind="department", department=county["scjg"],
                         held_on=D(2026, 12, 11), attendees="", summary="", at=at("2026-12-10"))
    assert set(err.value.message_dict) == {"held_on", "attendees", "summary"}
