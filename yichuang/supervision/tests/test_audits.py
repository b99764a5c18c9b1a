"""Case-file audits: a reproducible random sample, findings, defects tracked to closure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yichuang.supervision.models import AuditDefect, AuditRound, AuditSample, AuditSetting, Notification
from yichuang.supervision.services import (
    audit_defect_respond,
    audit_defect_review,
    audit_draw,
    audit_draw_due,
    audit_finding_record,
    audit_population,
    audit_sample_ids,
)

from .conftest import at

D = datetime.date
NOVEMBER = D(2026, 11, 1)
DECEMBER_1 = at("2026-12-01", 9)


def test_the_sample_is_reproducible_from_its_seed():
    population = list(range(100, 160))
    first = audit_sample_ids(population, 5, seed=20261101)
    assert first == audit_sample_ids(list(reversed(population)), 5, seed=20261101)
    assert len(set(first)) == 5 and set(first) <= set(population)
    assert audit_sample_ids(population, 5, seed=20261102) != first
    assert audit_sample_ids(population[:3], 5, seed=1) == audit_sample_ids(population[:3], 5, seed=1)
    assert sorted(audit_sample_ids(population[:3], 5, seed=1)) == population[:3]  # fewer closed cases than the size


def test_a_drawn_round_records_its_seed_and_redrawing_with_it_gives_the_same_cases(november, county, staff):
    audit_round = audit_draw(actor=staff["supervisor"], month=NOVEMBER, department=county["scjg"], size=3,
                             at=DECEMBER_1)
    assert audit_round.population == 5  # A B C D E were decided in November
    drawn = list(audit_round.samples.order_by("position").values_list("case_id", flat=True))
    assert len(drawn) == 3
    population = audit_population(county["scjg"].pk, NOVEMBER)
    assert audit_sample_ids(population, 3, audit_round.seed) == drawn
    assert set(drawn) <= {november[k].pk for k in "ABCDE"}


def test_a_month_is_drawn_once_per_department_and_only_when_it_is_over(november, county, staff):
    audit_draw(actor=staff["supervisor"], month=NOVEMBER, department=county["scjg"], at=DECEMBER_1)
    with pytest.raises(ValidationError):
        audit_draw(actor=staff["supervisor"], month=NOVEMBER, department=county["scjg"], at=DECEMBER_1)
    with pytest.raises(ValidationError, match="尚未结束"):
        audit_draw(actor=staff["supervisor"], month=NOVEMBER, department=county["wjj"], at=at("2026-11-30"))


def test_only_supervisors_draw(november, county, staff):
    with pytest.raises(PermissionDenied):
        audit_draw(actor=staff["approver"], month=NOVEMBER, department=county["scjg"], at=DECEMBER_1)


def test_the_sweep_draws_last_month_automatically_with_the_configured_size(november, county):
    AuditSetting.objects.create(department=None, sample_size=2, rectify_days=5)
    drawn = audit_draw_due(today=D(2026, 12, 1), now=DECEMBER_1)
    assert [(r.department_id, r.samples.count(), r.drawn_by) for r in drawn] == [(county["scjg"].pk, 2, None)]
    assert audit_draw_due(today=D(2026, 12, 2), now=DECEMBER_1) == []  # once


@pytest.fixture
def sample(november, county, staff):
    audit_round = audit_draw(actor=staff["supervisor"], month=NOVEMBER, department=county["scjg"], size=2,
                             seed=7, at=DECEMBER_1)
    return audit_round.samples.order_by("position").first()


def test_a_defect_goes_back_to_the_department_with_a_deadline_in_working_days(sample, staff):
    AuditSetting.objects.create(department=None, sample_size=5, rectify_days=10)
    audit_finding_record(actor=staff["supervisor"], sample=sample, finding="defect", at=DECEMBER_1,
                         defects=[{"category": "documents", "description": "受理通知书缺少加盖印章"}])
    defect = AuditDefect.objects.get(sample=sample)
    # Tuesday 1 Dec 2026 + 10 working days = Tuesday 15 Dec.
    assert defect.deadline == D(2026, 12, 15) and defect.state == "open"
    note = Notification.objects.get(kind="audit")
    assert note.recipient == staff["approver"] and "2026-12-15" in note.text


def test_a_defect_is_tracked_to_closure(sample, staff):
    audit_finding_record(actor=staff["supervisor"], sample=sample, finding="defect", at=DECEMBER_1,
                         defects=[{"category": "materials", "description": "缺少经营场所平面图原件"}])
    defect = AuditDefect.objects.get(sample=sample)
    with pytest.raises(PermissionDenied):
        audit_defect_respond(actor=staff["other_reviewer"], defect=defect, response="已补")
    audit_defect_respond(actor=staff["reviewer"], defect=defect, response="已补充平面图原件归档", at=at("2026-12-03"))
    with pytest.raises(ValidationError, match="写明仍存在的问题"):
        audit_defect_review(actor=staff["supervisor"], defect=defect, accept=False)
    audit_defect_review(actor=staff["supervisor"], defect=defect, accept=False, note="原件未签字",
                        at=at("2026-12-04"))
    defect.refresh_from_db()
    assert defect.state == "open" and defect.deadline > D(2026, 12, 4)
    audit_defect_respond(actor=staff["reviewer"], defect=defect, response="已签字", at=at("2026-12-07"))
    audit_defect_review(actor=staff["supervisor"], defect=defect, accept=True, at=at("2026-12-08"))
    defect.refresh_from_db()
    assert defect.state == "closed" and defect.closed_by == staff["supervisor"]


@pytest.mark.parametrize("finding, defects, message", [
    ("defect", [], "至少列出一个问题"),
    ("complete", [{"category": "other", "description": "x"}], "不应列出问题"),
    ("defect", [{"category": "", "description": "缺章"}], "选择类别"),
    ("unknown", [], "评查结论"),
])
def test_a_finding_must_be_coherent(sample, staff, finding, defects, message):
    with pytest.raises(ValidationError, match=message):
        audit_finding_record(actor=staff["supervisor"], sample=sample, finding=finding, defects=defects)
    assert AuditSample.objects.get(pk=sample.pk).finding == "pending"


def test_a_finding_is_recorded_once(sample, staff):
    audit_finding_record(actor=staff["supervisor"], sample=sample, finding="complete")
    with pytest.raises(ValidationError, match="不能更改"):
        audit_finding_record(actor=staff["supervisor"], sample=sample, finding="complete")
    assert AuditRound.objects.count() == 1
