"""The alarm sweep: levels, one event and one reminder per change, idempotence, rules per item."""

import datetime

import pytest

from yichuang.cases import services
from yichuang.cases.models import Case, CaseStep
from yichuang.supervision.models import AlarmEvent, AlarmRule, AlarmState, Notification
from yichuang.supervision.services import alarm_rule_set, alarm_sweep

from .conftest import accept, at, decide, step, sweep

D = datetime.date


@pytest.fixture
def case(receive, staff):
    # Accepted Monday 2 Nov, 5 working days: due Mon 9 Nov, yellow from Fri 6 Nov (1 day of warning).
    # Its 审查 step (2 days) is due Wed 4 Nov, yellow from Tue 3 Nov.
    return accept(receive("2026-11-02"), staff["clerk"], "2026-11-02")


def alarm_notifications(case):
    return Notification.objects.filter(case=case, kind=Notification.Kind.ALARM)


def test_a_case_crossing_from_yellow_to_red_notifies_once(case, staff):
    sweep("2026-11-06")
    state = AlarmState.objects.get(case=case, step__isnull=True)
    assert state.level == "yellow"
    first = set(alarm_notifications(case).values_list("recipient__username", "level"))
    # The handler (the department's reviewer, whose step is open) is told; the head is told of the overdue step.
    assert first == {("reviewer", "yellow"), ("approver", "yellow")}

    sweep("2026-11-09")
    sweep("2026-11-09", 9)  # the next minute: nothing new
    red = AlarmEvent.objects.filter(case=case, step__isnull=True, to_level="red")
    assert red.count() == 1 and red.get().from_level == "yellow"
    notes = alarm_notifications(case).filter(alarm_event=red.get())
    # Red: the handler and the department head (approver), one reminder each.
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["approver", "reviewer"]
    assert "今日" in notes.first().text
    assert alarm_notifications(case).count() == 4
    case.refresh_from_db()
    assert case.alarm == Case.Alarm.RED


def test_the_sweep_is_idempotent(case):
    first = sweep("2026-11-10")
    again = sweep("2026-11-10", 9)
    assert first.events == 2  # the case and its step, both overdue
    assert again.events == 0 and again.notifications == 0 and again.alarm_updates == 0
    assert AlarmEvent.objects.count() == 2


def test_yellow_goes_only_to_the_handler_red_and_overdue_also_to_the_head(case, staff):
    sweep("2026-11-03")  # only the step is yellow
    assert list(alarm_notifications(case).values_list("recipient__username", "level")) == [("reviewer", "yellow")]
    sweep("2026-11-04")  # the step is red (due today)
    assert set(alarm_notifications(case).filter(level="red").values_list("recipient__username", flat=True)) == {
        "reviewer", "approver"}


def test_a_step_alarm_moves_with_the_step(case, staff):
    sweep("2026-11-03")
    review = CaseStep.objects.get(case=case, name="审查")
    assert review.alarm == "yellow"
    step(case, staff["reviewer"], "2026-11-03", 11)
    sweep("2026-11-03", 12)
    assert not AlarmState.objects.filter(step=review).exists()
    gone = AlarmEvent.objects.get(step=review, to_level="stopped")
    assert gone.from_level == "yellow"
    # The next step (决定, 1 day, due 4 Nov) is yellow at once: one working day of warning.
    decision = CaseStep.objects.get(case=case, name="决定")
    assert AlarmState.objects.get(step=decision).level == "yellow"
    assert Notification.objects.filter(alarm_event__step=decision, recipient=staff["approver"]).count() == 1


def test_deciding_stops_the_alarm_without_a_reminder(case, staff):
    sweep("2026-11-09")
    step(case, staff["reviewer"], "2026-11-09", 11)
    decide(case, staff["approver"], "2026-11-09", 12)
    before = Notification.objects.count()
    sweep("2026-11-09", 13)
    assert not AlarmState.objects.filter(case=case).exists()
    assert AlarmEvent.objects.filter(case=case, step__isnull=True, to_level="stopped", from_level="red").count() == 1
    assert Notification.objects.count() == before


def test_a_paused_case_has_no_alarm_until_it_resumes(case, staff, item):
    sweep("2026-11-06")
    services.case_special_start(actor=staff["reviewer"], case=Case.objects.get(pk=case.pk), procedure="site_survey",
                                reason="现场核查", expected_days=3, at=at("2026-11-06", 9))
    sweep("2026-11-06", 10)
    assert not AlarmState.objects.filter(case=case, step__isnull=True).exists()
    assert Case.objects.get(pk=case.pk).alarm == Case.Alarm.PAUSED


def test_an_item_rule_widens_the_warning(case, staff, item):
    sweep("2026-11-04")
    assert not AlarmState.objects.filter(case=case, step__isnull=True).exists()
    alarm_rule_set(actor=staff["supervisor"], item=item.item, warning_days=3)
    # Due Mon 9 Nov; on Wed 4 Nov three working days remain (5, 6, 9): yellow.
    sweep("2026-11-04", 9)
    assert AlarmState.objects.get(case=case, step__isnull=True).level == "yellow"
    assert Case.objects.get(pk=case.pk).alarm == "yellow"
    sweep("2026-11-03", 10)  # four remain: normal again (the rule is read, not the stored warning date)
    assert not AlarmState.objects.filter(case=case, step__isnull=True).exists()
    assert AlarmEvent.objects.filter(case=case, step__isnull=True, to_level="normal").count() == 1


def test_the_default_rule_replaces_the_engine_default(case, staff):
    alarm_rule_set(actor=staff["supervisor"], item=None, warning_days=4)
    sweep("2026-11-03")  # 4 working days remain (4, 5, 6, 9)
    assert AlarmState.objects.get(case=case, step__isnull=True).level == "yellow"
    assert AlarmRule.objects.get(item__isnull=True).warning_days == 4


def test_the_same_level_for_the_same_due_date_is_told_once(case, staff, item):
    # Yellow, back to normal when the rule changes, yellow again: one yellow event for the 9 Nov deadline.
    alarm_rule_set(actor=staff["supervisor"], item=item.item, warning_days=3)
    sweep("2026-11-04")
    alarm_rule_set(actor=staff["supervisor"], item=item.item, warning_days=1)
    sweep("2026-11-04", 9)
    alarm_rule_set(actor=staff["supervisor"], item=item.item, warning_days=3)
    sweep("2026-11-04", 10)
    assert AlarmEvent.objects.filter(case=case, step__isnull=True, to_level="yellow").count() == 1
    assert AlarmState.objects.get(case=case, step__isnull=True).level == "yellow"


def test_only_supervisors_and_admins_set_alarm_rules(staff, item):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        alarm_rule_set(actor=staff["clerk"], item=item.item, warning_days=2)


def test_the_sweep_records_a_snapshot_for_the_dashboard(case):
    from yichuang.supervision.models import SweepMark

    report = alarm_sweep(today=D(2026, 11, 10), now=at("2026-11-10", 8))
    mark = SweepMark.objects.get(pk=1)
    assert mark.snapshot["open"] == {str(case.department_id): 1}
    assert mark.snapshot["alarms"][str(case.department_id)] == {"overdue": 1}
    assert mark.last_sweep["events"] == report.events == 2


def test_reminders_are_handed_to_the_delivery_backends_after_commit(case, settings, django_capture_on_commit_callbacks):
    settings.SUPERVISION_NOTIFICATION_BACKENDS = ["yichuang.supervision.tests.test_sweep.RecordingBackend"]
    RecordingBackend.seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep("2026-11-06")
    assert report.notifications == 2
    assert sorted(n.recipient.username for n in RecordingBackend.seen) == ["approver", "reviewer"]


class RecordingBackend:
    seen: list = []

    def deliver(self, notifications):
        self.seen.extend(notifications)
