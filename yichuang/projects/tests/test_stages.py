"""The four stages of a project: applied for as bundles, in order, and timed in working days."""

import datetime

import pytest

from yichuang.cases import services as case_services
from yichuang.cases.models import Case
from yichuang.projects import selectors, services
from yichuang.projects.errors import ProjectError
from yichuang.projects.models import StageDefinition

from .conftest import approve_all, at, stage_materials


def apply(project, staff, bundles, number, when="2026-11-02"):
    return services.project_stage_apply(
        actor=staff["clerk"], project=project, number=number, form_data={"project_code": project.code},
        materials=stage_materials(bundles[number]), at=at(when, 9))


def test_stage_two_starts_only_after_stage_one_is_approved(staff, project, stage_bundles, wjj_deciders):
    with pytest.raises(ProjectError) as err:
        apply(project, staff, stage_bundles, 2)
    assert err.value.code == "previous_stage"
    stage1 = apply(project, staff, stage_bundles, 1)
    parent = stage1.parent_case
    assert parent.children.count() == 2 and parent.status == Case.Status.ACCEPTED
    # One child decided is not enough: the join has not approved the stage.
    first = parent.children.get(department__code="SCJG")
    case_services.case_step_complete(actor=staff["reviewer"], case=first, opinion="符合", at=at("2026-11-03"))
    case_services.case_decide(actor=staff["approver"], case=first, approve=True, reason="同意", at=at("2026-11-03"))
    with pytest.raises(ProjectError):
        apply(project, staff, stage_bundles, 2, when="2026-11-04")
    reviewer, approver = wjj_deciders
    second = parent.children.get(department__code="WJJ")
    case_services.case_step_complete(actor=reviewer, case=second, opinion="符合", at=at("2026-11-04"))
    case_services.case_decide(actor=approver, case=second, approve=True, reason="同意", at=at("2026-11-04"))
    parent.refresh_from_db()
    assert parent.status == Case.Status.APPROVED  # the cases engine's join decided the stage
    stage2 = apply(project, staff, stage_bundles, 2, when="2026-11-05")
    assert stage2.parent_case.children.count() == 2
    project.refresh_from_db()
    assert project.current_stage == 2
    assert project.events.filter(action="stage_apply").count() == 2


def test_a_stage_cannot_be_applied_for_twice_while_it_runs(staff, project, stage_bundles):
    apply(project, staff, stage_bundles, 1)
    with pytest.raises(ProjectError) as err:
        apply(project, staff, stage_bundles, 1)
    assert err.value.code == "stage_running"


def test_a_stage_without_a_configured_bundle_says_so(staff, project):
    with pytest.raises(ProjectError) as err:
        services.project_stage_apply(actor=staff["clerk"], project=project, number=1, form_data={}, materials={})
    assert "尚未" in err.value.messages[0] and "配置" in err.value.messages[0]


def test_elapsed_working_days_skip_holidays(staff, project, stage_bundles, wjj_deciders):
    # Accepted on Wednesday 30 September 2026, approved on Monday 12 October: 国庆 1–7 October is off,
    # Saturday 10 October is a 调休 working day. Counted: 8, 9, 10 and 12 October.
    stage1 = apply(project, staff, stage_bundles, 1, when="2026-09-30")
    approve_all(stage1.parent_case, staff, wjj_deciders, when="2026-10-12")
    overview = selectors.project_overview(project, today=datetime.date(2026, 10, 20))
    first = overview.stages[0]
    assert first.state == "approved"
    assert (first.started_on, first.finished_on) == (datetime.date(2026, 9, 30), datetime.date(2026, 10, 12))
    assert first.elapsed == 4
    assert overview.total_elapsed == 4 and overview.target_days == 50 and not overview.over_target


def test_a_running_stage_counts_up_to_today_and_names_what_blocks_it(staff, project, stage_bundles):
    stage1 = apply(project, staff, stage_bundles, 1, when="2026-11-02")
    overview = selectors.project_overview(project, today=datetime.date(2026, 11, 9))
    first = overview.stages[0]
    assert first.state == "running" and first.elapsed == 5  # 3, 4, 5, 6 and 9 November
    blocking = {b.department for b in overview.blockers if b.kind == "child"}
    assert blocking == {"示例县市场监督管理局", "示例县卫生健康局"}
    assert {b.case for b in overview.blockers} == set(stage1.parent_case.children.all())
    assert overview.status == "running"


def test_the_total_counts_only_stages_toward_the_target_and_flags_an_overrun(staff, project, stage_bundles,
                                                                            wjj_deciders):
    StageDefinition.objects.filter(number=1).update(target_days=2)
    project.stages.filter(number=1).update(target_days=2)
    stage1 = apply(project, staff, stage_bundles, 1, when="2026-11-02")
    approve_all(stage1.parent_case, staff, wjj_deciders, when="2026-11-06")
    overview = selectors.project_overview(project, today=datetime.date(2026, 11, 20))
    assert overview.stages[0].elapsed == 4 and overview.stages[0].over_target
    assert overview.status == "between"
    assert [b.kind for b in overview.blockers] == ["owner"]
    assert "工程建设许可" in overview.blockers[0].text


def test_a_joint_meeting_of_the_project_shows_who_has_not_answered(staff, county, project, stage_bundles):
    apply(project, staff, stage_bundles, 1)
    meeting = services.project_meeting_convene(
        actor=staff["clerk"], project=project, kind="review", title="设计方案联审",
        departments=[county["scjg"], county["wjj"]], held_on=datetime.date(2026, 11, 4), opinion_days=3,
        stage_number=1, at=at("2026-11-02"))
    overview = selectors.project_overview(project, today=datetime.date(2026, 11, 4))
    assert overview.stages[0].meetings == [meeting]
    meeting_blockers = [b for b in overview.blockers if b.kind == "meeting"]
    assert len(meeting_blockers) == 1 and "示例县卫生健康局" in meeting_blockers[0].department
    assert project.events.filter(action="meeting_convene").exists()
