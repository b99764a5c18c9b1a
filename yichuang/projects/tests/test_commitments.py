"""告知承诺制: an item approved on the owner's written commitment, and its follow-up check."""

import datetime

import pytest

from yichuang.cases import services as case_services
from yichuang.cases.models import Case
from yichuang.core.calendar import add_workdays
from yichuang.projects import selectors, services
from yichuang.projects.errors import ProjectError
from yichuang.projects.models import Commitment

from .conftest import at, stage_materials


@pytest.fixture
def reviewed_child(staff, project, stage_bundles):
    stage = services.project_stage_apply(
        actor=staff["clerk"], project=project, number=1, form_data={"project_code": project.code},
        materials=stage_materials(stage_bundles[1]), at=at("2026-11-02", 9))
    child = stage.parent_case.children.get(department__code="SCJG")
    return case_services.case_step_complete(actor=staff["reviewer"], case=child, opinion="按告知承诺制办理",
                                            at=at("2026-11-03"))


def test_a_commitment_approval_schedules_a_follow_up_check(staff, county, project, reviewed_child):
    commitment = services.commitment_approve(
        actor=staff["approver"], case=reviewed_child, text="本单位承诺施工图设计文件符合消防技术标准，如有不实愿承担法律责任。",
        signed_by="陈工", check_days=20, at=at("2026-11-04"))
    reviewed_child.refresh_from_db()
    assert reviewed_child.status == Case.Status.APPROVED
    assert reviewed_child.decided_at == at("2026-11-04")
    assert commitment.state == Commitment.State.PENDING
    assert commitment.department == county["scjg"]
    assert commitment.check_due == add_workdays(datetime.date(2026, 11, 4), 20, county["county"]).date
    # The check is on the department's list, not on another department's.
    assert list(selectors.commitment_checks_for(staff["reviewer"])) == [commitment]
    assert not selectors.commitment_checks_for(staff["other_reviewer"]).exists()
    assert project.events.filter(action="commitment_approve").exists()
    assert selectors.project_overview(project).commitments == [commitment]


def test_a_commitment_needs_the_text_and_who_signed_it_and_leaves_the_case_undecided(staff, reviewed_child):
    with pytest.raises(ProjectError) as err:
        services.commitment_approve(actor=staff["approver"], case=reviewed_child, text=" ", signed_by="")
    assert {"text", "signed_by"} <= set(err.value.message_dict)
    reviewed_child.refresh_from_db()
    assert reviewed_child.status == Case.Status.PROCESSING
    assert not Commitment.objects.exists()


def test_only_the_departments_approver_can_approve_on_commitment(staff, reviewed_child):
    with pytest.raises(Exception):  # noqa: B017 — the cases engine's own refusal (role/department)
        services.commitment_approve(actor=staff["other_reviewer"], case=reviewed_child, text="承诺", signed_by="陈工")
    assert not Commitment.objects.exists()


def test_a_passed_check_closes_the_commitment(staff, reviewed_child):
    commitment = services.commitment_approve(actor=staff["approver"], case=reviewed_child, text="承诺", signed_by="陈工")
    checked = services.commitment_check_record(actor=staff["reviewer"], commitment=commitment, passed=True,
                                               note="现场核查与承诺一致")
    assert checked.state == Commitment.State.PASSED and checked.checked_by == staff["reviewer"]
    assert not selectors.commitment_checks_for(staff["reviewer"]).exists()
    with pytest.raises(ProjectError):
        services.commitment_check_record(actor=staff["reviewer"], commitment=commitment, passed=True, note="再次")


def test_a_failed_check_records_the_revocation_follow_up(staff, county, project, reviewed_child):
    commitment = services.commitment_approve(actor=staff["approver"], case=reviewed_child, text="承诺", signed_by="陈工",
                                             at=at("2026-11-04"))
    with pytest.raises(ProjectError) as err:
        services.commitment_check_record(actor=staff["reviewer"], commitment=commitment, passed=False, note="不符")
    assert {"follow_up", "follow_up_note"} <= set(err.value.message_dict)
    checked = services.commitment_check_record(
        actor=staff["reviewer"], commitment=commitment, passed=False, note="现场无消防通道，与承诺不符",
        follow_up="revoke", follow_up_note="依据《行政许可法》第六十九条撤销许可", follow_up_days=10,
        at=at("2026-11-20"))
    assert checked.state == Commitment.State.FAILED and checked.follow_up == "revoke"
    assert checked.follow_up_due == add_workdays(datetime.date(2026, 11, 20), 10, county["county"]).date
    event = project.events.get(action="commitment_check")
    assert event.data["passed"] is False and "撤销" in event.summary


def test_another_department_cannot_record_the_check(staff, reviewed_child):
    commitment = services.commitment_approve(actor=staff["approver"], case=reviewed_child, text="承诺", signed_by="陈工")
    with pytest.raises(ProjectError):
        services.commitment_check_record(actor=staff["other_reviewer"], commitment=commitment, passed=True, note="好")
