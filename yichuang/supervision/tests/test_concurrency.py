"""Two sweeps at once (two workers): real concurrent connections, one thread each, on PostgreSQL."""

import datetime

import pytest
from django.db import connection

from yichuang.core.tests.concurrency import run_together
from yichuang.supervision.models import AlarmEvent, AlarmState, Notification, StatRollup
from yichuang.supervision.services import alarm_sweep

from .conftest import accept, at

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的真实并发连接（设置 DATABASE_URL）"),
]


def test_two_concurrent_sweeps_notify_once(receive, staff):
    cases = [accept(receive("2026-11-02"), staff["clerk"], "2026-11-02") for _ in range(20)]
    alarm_sweep(today=datetime.date(2026, 11, 6), now=at("2026-11-06", 8))
    before = Notification.objects.count()

    def run(_index):
        return alarm_sweep(today=datetime.date(2026, 11, 9), now=at("2026-11-09", 8))

    reports = run_together(4, run)
    assert all(not isinstance(r, Exception) for r in reports), reports
    assert sorted(r.events for r in reports) == [0, 0, 0, 20]  # twenty cases yellow → red, once
    for case in cases:
        red = AlarmEvent.objects.get(case=case, step__isnull=True, to_level="red")
        assert sorted(Notification.objects.filter(alarm_event=red).values_list("recipient__username", flat=True)) == [
            "approver", "reviewer"]
    assert Notification.objects.count() == before + 40
    assert AlarmState.objects.filter(step__isnull=True, level="red").count() == 20
    # The rollups counted each event once as well.
    assert sum(StatRollup.objects.filter(period="D").values_list("received", flat=True)) == 20


def test_two_concurrent_first_sweeps_create_each_alarm_once(receive, staff):
    # Nothing tracked yet: every sweep wants to create the same alarm states (normal → yellow).
    cases = [accept(receive("2026-11-02"), staff["clerk"], "2026-11-02") for _ in range(20)]
    assert alarm_sweep(today=datetime.date(2026, 11, 2), now=at("2026-11-02", 18)).events == 0

    def run(_index):
        return alarm_sweep(today=datetime.date(2026, 11, 6), now=at("2026-11-06", 8))

    reports = run_together(4, run)
    assert all(not isinstance(r, Exception) for r in reports), reports
    assert sorted(r.notifications for r in reports) == [0, 0, 0, 40]  # reviewer and approver, per case
    assert AlarmState.objects.filter(step__isnull=True, level="yellow").count() == len(cases)
    assert AlarmEvent.objects.filter(step__isnull=True, to_level="yellow").count() == len(cases)


def test_two_supervisors_computing_a_new_month_at_once_make_one_assessment(county, staff):
    from yichuang.supervision.models import AssessmentEvent, AssessmentMonth, AssessmentResult
    from yichuang.supervision.services_assessment import assessment_compute

    staff["clerk"].windows.set([county["window"]])

    def run(_index):
        return assessment_compute(actor=staff["supervisor"], month=datetime.date(2026, 10, 1), at=at("2026-11-03"))

    results = run_together(3, run)
    assert all(not isinstance(r, Exception) for r in results), results
    assert AssessmentMonth.objects.count() == 1
    assert AssessmentResult.objects.count() == 2  # window A01 and the clerk, once each
    assert sorted(AssessmentEvent.objects.values_list("action", flat=True)) == ["compute", "recompute", "recompute"]
