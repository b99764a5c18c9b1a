"""The monthly window assessment: scores that add up, the proposal and its tie rule, the frozen month."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from yichuang.cases.tests.conftest import _staff, at
from yichuang.core.models import AuditEntry
from yichuang.org.models import Window
from yichuang.supervision import feedback_link
from yichuang.supervision.feedback_link import LEVELS, satisfaction_rate
from yichuang.supervision.models import (
    AssessmentEvent,
    AssessmentMonth,
    AssessmentResult,
    AssessmentRule,
    AttendanceRecord,
)
from yichuang.supervision.services_assessment import (
    SubjectFigures,
    assessment_compute,
    assessment_confirm,
    attendance_record,
    attendance_remove,
    score_lines,
    score_of,
)

OCTOBER = datetime.date(2026, 10, 1)
NOW = at("2026-11-03")


class FakeFeedback:
    """Stands in for yichuang.feedback.selectors (same keys): ratings and complaints per window / person, so
    the scoring rules are tested on figures written out here; the appeal test below uses feedback itself."""

    def __init__(self):
        self.ratings: dict = {}
        self.upheld: dict = {}

    def rating_summary(self, *, start, end, department_id=None, window_id=None, staff_id=None, centre_id=None):
        levels = self.ratings.get(("window", window_id) if window_id else ("staff", staff_id), {})
        by_level = {5 - i: levels.get(k, 0) for i, k in enumerate(LEVELS)}
        return {"total": sum(by_level.values()), "by_level": by_level, "bad": by_level[2] + by_level[1],
                "excluded": 0, "rectification": {"opened": 0, "done": 0}}

    def complaint_summary(self, *, start, end, department_id=None, window_id=None, staff_id=None, centre_id=None):
        return {"received": 0,
                "upheld": self.upheld.get(("window", window_id) if window_id else ("staff", staff_id), 0)}


@pytest.fixture
def feedback(monkeypatch):
    fake = FakeFeedback()
    monkeypatch.setattr(feedback_link, "feedback_selectors", fake)
    return fake


@pytest.fixture
def hall(county, staff):
    """Two windows, A01 (clerk) and A02 (clerk2), each with its clerk assigned."""
    a01 = county["window"]
    a02 = Window.objects.create(centre=county["centre"], number="A02", name="综合受理二", kind="general")
    staff["clerk"].windows.set([a01])
    staff["clerk2"].windows.set([a02])
    return {"A01": a01, "A02": a02, "clerk": staff["clerk"], "clerk2": staff["clerk2"]}


def result_for(assessment, subject) -> AssessmentResult:
    if isinstance(subject, Window):
        return assessment.results.get(window=subject)
    return assessment.results.get(staff=subject)


RULE = st.fixed_dictionaries({
    "id": st.integers(1, 99), "label": st.just("规则"),
    "metric": st.sampled_from(["bad_ratings", "praise", "overdue", "complaints_upheld", "send_backs", "audit_defects",
                               "absences", "late_arrivals", "satisfaction_below", "satisfaction_at_least"]),
    "applies_to": st.sampled_from(["both", "window", "staff"]),
    "points": st.decimals(-20, 20, places=2).map(str),
    "threshold": st.one_of(st.none(), st.decimals(0, 100, places=1).map(str)),
    "cap": st.one_of(st.none(), st.decimals(0, 30, places=2).map(str)),
})
FIGURES = st.builds(
    lambda levels, counts: SubjectFigures(
        ratings=feedback_link.RatingFigures(total=sum(levels), levels=dict(zip(LEVELS, levels, strict=True)),
                                            bad=levels[3] + levels[4]),
        overdue=counts[0], complaints_upheld=counts[1], send_backs=counts[2], audit_defects=counts[3],
        absences=counts[4], late_arrivals=counts[5]),
    st.lists(st.integers(0, 40), min_size=5, max_size=5), st.lists(st.integers(0, 12), min_size=6, max_size=6))


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(RULE, max_size=10), figures=FIGURES, kind=st.sampled_from(["window", "staff"]),
       base=st.decimals(0, 200, places=2))
def test_the_breakdown_adds_up_to_the_score(rules, figures, kind, base):
    lines = score_lines(rules, kind, figures)
    score = score_of(base, lines)
    assert base + sum(Decimal(line["points"]) for line in lines) == score
    assert len(lines) == sum(1 for r in rules if r["applies_to"] in ("both", kind))
    for line, rule in zip(lines, [r for r in rules if r["applies_to"] in ("both", kind)], strict=True):
        if rule["cap"] is not None:
            assert abs(Decimal(line["points"])) <= Decimal(rule["cap"])


def test_the_stored_breakdown_adds_up_to_the_stored_score(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 8, "satisfied": 1, "dissatisfied": 2}
    feedback.upheld[("window", hall["A01"].pk)] = 1
    attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 10, 12), kind="absent",
                      at=NOW)
    attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 10, 13), kind="late",
                      at=NOW)
    assessment = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    for result in assessment.results.all():
        assert assessment.base_score + sum(Decimal(line["points"]) for line in result.lines) == result.score
    a01 = result_for(assessment, hall["A01"])
    points = {line["metric"]: Decimal(line["points"]) for line in a01.lines}
    # 满意率 9/11 = 81.8% < 95: −5; 2 差评 × −2; 1 投诉属实 × −5; the clerk's absence −5 and lateness −1
    # count for the window only if a rule applies to windows (the default attendance rules are for staff).
    assert points["satisfaction_below"] == Decimal("-5") and points["bad_ratings"] == Decimal("-4")
    assert points["complaints_upheld"] == Decimal("-5") and "absences" not in points
    assert a01.score == Decimal("86.00")
    clerk = result_for(assessment, hall["clerk"])
    clerk_points = {line["metric"]: Decimal(line["points"]) for line in clerk.lines}
    assert clerk_points["absences"] == Decimal("-5") and clerk_points["late_arrivals"] == Decimal("-1")
    assert clerk.score == Decimal("94.00")


def test_satisfaction_rate_is_the_satisfied_levels_over_all_valid_ratings():
    # 5 非常满意 + 3 满意 + 2 基本满意 = 10 satisfied of 12: 83.33…% → 83.3
    levels = {"very_satisfied": 5, "satisfied": 3, "basic": 2, "dissatisfied": 1, "very_dissatisfied": 1}
    assert satisfaction_rate(levels) == 83.3
    assert satisfaction_rate({"very_satisfied": 2, "dissatisfied": 1}) == 66.7
    assert satisfaction_rate({"very_satisfied": 0}) is None


def test_the_proposal_picks_the_top_window_and_breaks_a_tie_by_satisfaction_rate(hall, staff, feedback):
    # Both score 100 (A01: 19 of 20 satisfied = 95.0%, not below 95; the 差评 rule off); A02 has 100%.
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 18, "basic": 1, "dissatisfied": 1}
    feedback.ratings[("window", hall["A02"].pk)] = {"very_satisfied": 10}
    AssessmentRule.objects.filter(metric="bad_ratings").update(is_active=False)
    assessment = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    a01, a02 = result_for(assessment, hall["A01"]), result_for(assessment, hall["A02"])
    assert a01.score == a02.score == Decimal("100.00")
    assert (a02.rank, a02.proposed) == (1, "red_flag")
    assert (a01.rank, a01.proposed) == (2, "")


def test_equal_in_everything_the_lower_window_number_comes_first(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 4}
    feedback.ratings[("window", hall["A02"].pk)] = {"very_satisfied": 4}
    assessment = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    assert result_for(assessment, hall["A01"]).proposed == "red_flag"
    assert result_for(assessment, hall["A02"]).proposed == ""


def test_a_window_with_an_upheld_complaint_or_without_ratings_is_not_proposed(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 10}
    feedback.upheld[("window", hall["A01"].pk)] = 1
    assessment = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    a01, a02 = result_for(assessment, hall["A01"]), result_for(assessment, hall["A02"])
    assert not a01.eligible and "投诉" in a01.ineligible_reason
    assert not a02.eligible and "评价" in a02.ineligible_reason
    assert not assessment.results.exclude(proposed="").filter(kind="window").exists()


def test_computing_is_idempotent_while_a_draft(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 3, "dissatisfied": 1}
    first = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    scores = dict(first.results.values_list("label", "score"))
    again = assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    assert again.pk == first.pk and dict(again.results.values_list("label", "score")) == scores
    assert AssessmentResult.objects.count() == len(scores)
    assert list(AssessmentEvent.objects.values_list("action", flat=True)) == ["compute", "recompute"]


def test_a_confirmed_month_is_frozen(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 5}
    feedback.ratings[("staff", hall["clerk"].pk)] = {"very_satisfied": 5}
    assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    confirmed = assessment_confirm(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    assert confirmed.state == AssessmentMonth.State.CONFIRMED
    assert result_for(confirmed, hall["A01"]).honour == "red_flag"
    assert result_for(confirmed, hall["clerk"]).honour == "star"
    scores = dict(confirmed.results.values_list("label", "score"))
    feedback.ratings[("window", hall["A01"].pk)] = {"very_dissatisfied": 5}
    with pytest.raises(ValidationError, match="已确认"):
        assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    with pytest.raises(ValidationError, match="已确认"):
        assessment_confirm(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    with pytest.raises(ValidationError, match="已确认"):
        attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 10, 20),
                          kind="absent", at=NOW)
    assert dict(AssessmentMonth.objects.get().results.values_list("label", "score")) == scores
    assert AuditEntry.objects.filter(action="supervision.assessment_confirm").count() == 1


def test_choosing_other_than_proposed_needs_a_reason(hall, staff, feedback):
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 5}
    feedback.ratings[("window", hall["A02"].pk)] = {"very_satisfied": 4, "basic": 1}
    assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    with pytest.raises(ValidationError, match="理由"):
        assessment_confirm(actor=staff["supervisor"], month=OCTOBER, red_flag_window_ids=[hall["A02"].pk], at=NOW)
    confirmed = assessment_confirm(actor=staff["supervisor"], month=OCTOBER, red_flag_window_ids=[hall["A02"].pk],
                                   note="A01 当月有群众来信反映，经研究改评 A02", at=NOW)
    assert result_for(confirmed, hall["A02"]).honour == "red_flag"
    assert result_for(confirmed, hall["A01"]).honour == ""


def test_only_a_supervisor_computes_and_not_a_month_that_is_not_over(hall, staff, feedback):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        assessment_compute(actor=staff["clerk"], month=OCTOBER, at=NOW)
    with pytest.raises(ValidationError, match="尚未结束"):
        assessment_compute(actor=staff["supervisor"], month=datetime.date(2026, 11, 1), at=NOW)


def test_send_backs_count_against_the_receiving_window_and_clerk(hall, staff, feedback, november):
    # Case D of the November set was received at A01 by the clerk and sent back once on 3 November.
    assessment = assessment_compute(actor=staff["supervisor"], month=datetime.date(2026, 11, 1),
                                    at=at("2026-12-01"))
    assert result_for(assessment, hall["A01"]).figures["send_backs"] == 1
    assert result_for(assessment, hall["clerk"]).figures["send_backs"] == 1
    assert result_for(assessment, hall["A02"]).figures["send_backs"] == 0
    # D was decided late: A01's overdue count comes from the rollups.
    assert result_for(assessment, hall["A01"]).figures["overdue"] == 1


def test_attendance_is_recorded_once_per_day_and_withdrawn_with_a_reason(hall, staff):
    record = attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 10, 12),
                               kind="late", note="迟到 20 分钟", at=NOW)
    with pytest.raises(ValidationError, match="已登记"):
        attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 10, 12),
                          kind="late", at=NOW)
    with pytest.raises(ValidationError):
        attendance_record(actor=staff["supervisor"], staff=hall["clerk"], day=datetime.date(2026, 11, 30),
                          kind="late", at=NOW)
    with pytest.raises(ValidationError, match="理由"):
        attendance_remove(actor=staff["supervisor"], record=record, reason=" ")
    attendance_remove(actor=staff["supervisor"], record=record, reason="系统打卡故障，已核实准时到岗")
    assert not AttendanceRecord.objects.exists()
    assert AuditEntry.objects.filter(action="supervision.attendance_remove").count() == 1


def test_an_upheld_appeal_removes_the_rating_from_the_window_score(hall, staff, county, november):
    """Through feedback's own services and selectors (no stand-in): a 差评 on case A (received at A01 by the
    clerk) costs A01 and the clerk points; once a second supervisor upholds the clerk's appeal it counts no more."""
    from yichuang.feedback.services import appeal_decide, appeal_request, rating_submit

    supervisor2 = _staff("supervisor2", "supervisor", region=county["county"])
    rating = rating_submit(actor=staff["supervisor"], channel="hotline", level=1, case=november["A"],
                           comment="窗口态度生硬", at=at("2026-11-10"))
    month = datetime.date(2026, 11, 1)
    before = assessment_compute(actor=staff["supervisor"], month=month, at=at("2026-12-01"))
    a01_before = result_for(before, hall["A01"])
    bad_before = next(line for line in a01_before.lines if line["metric"] == "bad_ratings")
    assert (a01_before.figures["ratings"], bad_before["value"], bad_before["points"]) == (1, "1", "-2.00")
    assert result_for(before, hall["clerk"]).figures["bad_ratings"] == 1

    appeal = appeal_request(actor=staff["clerk"], rating=rating, reason="来电人并非本件申请人，所述情况与录像不符",
                            at=at("2026-11-11"))
    appeal_decide(actor=supervisor2, appeal=appeal, uphold=True, reason="经调取窗口录像核实，属误评",
                  at=at("2026-11-12"))
    after = assessment_compute(actor=staff["supervisor"], month=month, at=at("2026-12-01"))
    a01_after = result_for(after, hall["A01"])
    bad_after = next(line for line in a01_after.lines if line["metric"] == "bad_ratings")
    assert (a01_after.figures["ratings"], bad_after["value"], bad_after["points"]) == (0, "0", "0.00")
    assert a01_after.figures["appeals_upheld"] == 1
    # The 差评 and the 满意率 below 95% (0 of 1) both went away: +2 and +5.
    assert a01_after.score - a01_before.score == Decimal("7.00")
    assert result_for(after, hall["clerk"]).figures["bad_ratings"] == 0
