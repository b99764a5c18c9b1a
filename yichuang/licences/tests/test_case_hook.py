"""一枚印章发证照: the case engine's decision issues the licence in the same transaction."""

import datetime

import pytest

from yichuang.cases import services as case_services
from yichuang.cases.errors import CaseActionError
from yichuang.cases.models import Case
from yichuang.licences.selectors import licences_for_case

from .conftest import at, material_ids

pytestmark = pytest.mark.django_db


def _to_decision(receive, staff, **states):
    case = receive(**states)
    case = case_services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at("2026-11-02"))
    return case_services.case_step_complete(actor=staff["reviewer"], case=case, opinion="符合条件",
                                            expected_version=case.version, at=at("2026-11-03"))


def test_an_approval_issues_the_signed_licence_and_records_it_on_the_case(receive, staff, food_type):
    case = _to_decision(receive, staff)
    case = case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="准予",
                                     expected_version=case.version, at=at("2026-11-04"))
    licence = licences_for_case(case).get()
    event = case.events.get(action="licence_issue")
    assert event.data["licence"] == licence.identifier


def test_an_expired_seal_refuses_the_approval_and_leaves_no_licence(receive, staff, food_type, seal):
    seal.valid_to = datetime.date(2026, 10, 31)
    seal.save(update_fields=["valid_to"])
    case = _to_decision(receive, staff)
    with pytest.raises(CaseActionError):
        case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="准予",
                                  expected_version=case.version, at=at("2026-11-04"))
    case.refresh_from_db()
    assert case.status == Case.Status.PROCESSING and not licences_for_case(case).exists()


def test_a_withheld_result_gets_its_licence_when_the_deferred_material_arrives(receive, staff, food_type, item):
    case = _to_decision(receive, staff, zd={"state": "deferred", "promised_on": "2026-11-20"})
    case = case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="准予",
                                     expected_version=case.version, at=at("2026-11-04"))
    assert not licences_for_case(case).exists()
    case_services.case_supplement_deferred(actor=staff["clerk"], case=case, requirement_ids=[material_ids(item)["zd"]],
                                           at=at("2026-11-06"))
    assert licences_for_case(case).count() == 1
