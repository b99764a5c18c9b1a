"""The demo cases: every state, real timelines, a whole audit chain, and full inboxes.

Making ~300 cases through the services takes several seconds, so the demo is loaded once for
the module inside a transaction that is rolled back at the end; each test runs in a savepoint.
The demo is anchored on the last working day before today, so that "due today" (red) exists
whatever day the suite runs.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from yichuang.cases import services
from yichuang.cases.clock import alarm_level
from yichuang.cases.models import (
    CLOCK_RUNNING_STATUSES,
    Applicant,
    Case,
    CaseEvent,
    CorrectionRequest,
    Delivery,
    Extension,
    SpecialProcedure,
)
from yichuang.cases.rules import can_accept_at
from yichuang.cases.selectors import inbox_steps
from yichuang.catalog.models import ItemVersion
from yichuang.core.audit import audit_verify
from yichuang.core.calendar import is_workday
from yichuang.core.models import AuditEntry, SmsMessage
from yichuang.core.validators import is_valid_id_number, is_valid_uscc
from yichuang.demo import cases as demo_cases
from yichuang.demo import org_data
from yichuang.demo.seed import load_demo
from yichuang.org.models import User

S = Case.Status
INBOX_USERS = ["reviewer_scjg", "approver_scjg", "reviewer_wjj", "approver_wjj", "reviewer_jtj", "approver_jtj"]


def last_working_day_before(day: datetime.date) -> datetime.date:
    day -= datetime.timedelta(days=1)
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        today = last_working_day_before(timezone.localdate())
        with transaction.atomic():
            report = load_demo(today=today)
            yield {"report": report, "today": today}
            transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, db):
    return demo


def generated_cases():
    """The cases this module made. The later parts add their own: the e-licence demo one later
    application (a licence holder whose material is taken from the library), the online hall its
    online applications, parallel approval and projects their bundles' parent and child cases."""
    return (Case.objects.filter(licence_reuses__isnull=True, parent__isnull=True, parallel__isnull=True)
            .exclude(events__action="draft_create"))


def test_demo_has_about_three_hundred_cases_in_every_national_status(seeded):
    statuses = set(generated_cases().values_list("status", flat=True))
    assert statuses == {
        S.RECEIVED, S.CANCELLED, S.ACCEPTED, S.REFUSED, S.CORRECTION, S.PROCESSING, S.SPECIAL,
        S.APPROVED, S.APPROVED_DEFERRED, S.DENIED, S.WITHDRAWN, S.REVOKED,
    }
    # The online hall's demo adds the online states.
    assert {S.DRAFT, S.PREREVIEW, S.PREREVIEW_RETURNED} <= set(Case.objects.values_list("status", flat=True))
    assert 250 <= generated_cases().count() <= 350


def test_demo_covers_every_situation_within_the_statuses(seeded):
    open_corrections = CorrectionRequest.objects.filter(case__status=S.CORRECTION, resolved_at__isnull=True)
    # Correction asked at the front desk, and sent back by a department (clock paused).
    assert set(open_corrections.values_list("origin", flat=True)) == {"front", "sendback"}
    assert Case.objects.filter(status=S.CORRECTION, paused_since__isnull=False).exists()
    # A second correction notice exists only with a supervisor's approval.
    second = CorrectionRequest.objects.filter(origin="front", round__gte=2)
    assert second.exists() and not second.filter(approved_by__isnull=True).exists()
    # ... given by the supervisor on the case, with a reason, before the clerk issued it.
    for notice in second:
        approval = notice.case.events.get(action="correction_approve", data__notice=notice.round)
        assert approval.actor.username == "supervisor" and approval.data["reason"] and approval.at <= notice.requested_at
    # More than three send-backs: flagged for an interview (约谈).
    assert Case.objects.filter(send_backs__gt=3, interview_flag=True).exists()
    # A special procedure running, and extensions both waiting and granted on open cases.
    assert SpecialProcedure.objects.filter(ended_on__isnull=True, case__status=S.SPECIAL).exists()
    open_cases = [S.ACCEPTED, S.PROCESSING, S.SPECIAL]
    assert Extension.objects.filter(state="requested", case__status__in=open_cases).exists()
    assert Case.objects.filter(status__in=open_cases, extension_days__gt=0).exists()
    # Results: waiting, withheld for 容缺, issued before the 容缺 material (先证后补), delivered both ways.
    assert Case.objects.filter(status=S.APPROVED, delivery=Case.Delivery.WAITING).exists()
    assert Case.objects.filter(status=S.APPROVED_DEFERRED, delivery=Case.Delivery.WITHHELD).exists()
    assert Case.objects.filter(status=S.APPROVED_DEFERRED, delivery=Case.Delivery.WAITING,
                               item_version__deliver_before_supplement=True).exists()
    assert set(Delivery.objects.values_list("method", flat=True)) == {Delivery.Method.IN_PERSON, Delivery.Method.POST}
    assert Case.objects.filter(status=S.DENIED, delivery=Case.Delivery.WAITING).exists()
    assert Case.objects.filter(status=S.DENIED, delivery=Case.Delivery.DELIVERED).exists()
    # 即办件 settled in the same visit.
    immediate = Case.objects.filter(item_version__handling_type=ItemVersion.HandlingType.IMMEDIATE,
                                    status=S.APPROVED, delivery=Case.Delivery.DELIVERED)
    assert immediate.count() >= 30
    assert all(c.received_at.date() == c.closed_at.date() for c in immediate)
    # Help from an agent (帮办代办) and applicants represented by someone with a power of attorney.
    assert Case.objects.filter(agent_staff__username="agent").exists()
    assert Case.objects.filter(agent_power_of_attorney=True).exclude(agent_name="").exists()


def test_denials_and_refusals_say_why_on_what_basis_and_how_to_succeed(seeded):
    for case in Case.objects.filter(status__in=[S.DENIED, S.REFUSED]):
        assert case.decision_reason and case.decision_basis and case.decision_way_forward, case.number


def test_the_seed_report_prints_how_many_cases_in_each_state(seeded):
    report = seeded["report"]
    ours = {label: n for label, n in report.case_states.items() if label in demo_cases.LABELS.values()}
    assert set(ours) == set(demo_cases.LABELS.values())
    assert sum(ours.values()) == generated_cases().count()
    assert sum(report.case_states.values()) == report.created["办件"] <= Case.objects.count()
    summary = report.summary()
    for label, count in ours.items():
        assert f"{label} {count} 件" in summary


def shown_alarm(step) -> str:
    """What the inbox shows: the more urgent of the step's and the case's alarm."""
    rank = {"normal": 1, "yellow": 2, "red": 3, "overdue": 4}
    if step.case.paused_since is not None:
        return "paused"
    return max(step.alarm, step.case.alarm, key=lambda level: rank.get(level, 0))


def test_inboxes_have_work_at_every_alarm_level(seeded):
    every = {"normal", "yellow", "red", "overdue"}
    for username in INBOX_USERS:
        steps = list(inbox_steps(User.objects.get(username=username)))
        assert every <= {step.case.alarm for step in steps}, username
        shown = {shown_alarm(step) for step in steps}
        if username.startswith("reviewer"):
            assert every <= shown, username
        else:
            # A one-day decision step is yellow from the day it opens (clock.warning_days):
            # an approver's inbox shows "normal" only in the case's own column.
            assert every - {"normal"} <= shown, username


def test_stored_alarms_are_what_the_clock_says_today(seeded):
    today = seeded["today"]
    running = generated_cases().filter(status__in=CLOCK_RUNNING_STATUSES, paused_since__isnull=True)
    assert running.count() > 40
    for case in running:
        assert case.alarm == alarm_level(today=today, warning_date=case.warning_date, due_date=case.due_date)
    assert not Case.objects.filter(paused_since__isnull=False).exclude(alarm=Case.Alarm.PAUSED).exists()


def test_audit_chain_verifies_after_the_demo(seeded):
    assert AuditEntry.objects.filter(action__startswith="case.").count() > 1000
    assert not AuditEntry.objects.filter(action__endswith=".refused").exists()
    assert audit_verify() is None


def test_every_case_history_is_a_consistent_chain_in_the_past_on_working_days(seeded):
    today = seeded["today"]
    end_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time(17, 30)))
    events: dict[int, list[CaseEvent]] = {}
    cases = generated_cases().in_bulk()
    for event in CaseEvent.objects.filter(case__in=list(cases)).order_by("case_id", "at", "id"):
        events.setdefault(event.case_id, []).append(event)
    assert set(events) == set(cases)
    workdays: dict[datetime.date, bool] = {}
    for case_id, history in events.items():
        case = cases[case_id]
        assert history[0].action == "receive" and history[0].at == case.received_at, case.number
        for previous, event in zip(history, history[1:], strict=False):
            assert event.from_status == previous.to_status, (case.number, event.action)
            assert event.at >= previous.at
        assert history[-1].to_status == case.status, case.number
        for event in history:
            assert event.at <= end_of_today
            day = timezone.localdate(event.at)
            if day not in workdays:
                workdays[day] = is_workday(day)
            assert workdays[day], (case.number, day)
    first = min(c.received_at for c in cases.values())
    assert (end_of_today - first).days >= 90  # spread over the last months


def test_case_numbers_follow_the_order_cases_were_received_per_centre_and_day(seeded):
    # Two cases received in the same minute are in the order they were registered (their ids).
    rows = generated_cases().order_by("centre_id", "received_at", "id").values_list(
        "centre__code", "received_at", "number")
    seen: dict[tuple[str, datetime.date], str] = {}
    for code, received_at, number in rows:
        day = timezone.localdate(received_at)
        assert number.startswith(f"{code}{day:%Y%m%d}")
        key = (code, day)
        assert key not in seen or seen[key] < number
        seen[key] = number


def test_applicants_carry_valid_id_numbers_and_credit_codes(seeded):
    people = Applicant.objects.filter(kind=Applicant.Kind.PERSON)
    companies = Applicant.objects.filter(kind=Applicant.Kind.COMPANY)
    assert people.count() >= 50 and companies.count() >= 50
    assert all(is_valid_id_number(p.id_number) for p in people)
    assert all(is_valid_uscc(c.uscc) and c.legal_representative for c in companies)
    for case in Case.objects.exclude(agent_name=""):
        assert is_valid_id_number(case.agent_id_number)
    assert Case.objects.exclude(contact_phone__regex=r"^1[3-9]\d{9}$").count() == 0


def test_some_cases_come_from_town_points_for_items_their_scope_allows(seeded):
    county = org_data.COUNTY_CENTRE
    town_cases = Case.objects.exclude(centre__code=county).select_related("item_version__department", "centre__region")
    assert town_cases.count() >= 5
    assert set(town_cases.values_list("channel", flat=True)) == {Case.Channel.TOWN}
    for case in town_cases:
        assert can_accept_at(case.item_version, case.centre), case.number
    assert Case.objects.filter(centre__code=county, window__isnull=False).count() > 200


def test_the_demo_history_sends_no_sms(seeded):
    assert not SmsMessage.objects.exists()
    assert services.tell_applicant.__module__ == "yichuang.cases.notifications"


def test_second_seed_adds_no_case_and_writes_nothing(seeded):
    counts = (Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count())
    report = load_demo(today=seeded["today"])
    assert not report.changed, report.summary()
    assert not report.case_states
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count()) == counts
    assert demo_cases.load_demo_cases() is None


def test_the_same_day_gives_the_same_demo(seeded):
    def outline(today):
        builder = demo_cases.DemoCases(today=today, now=timezone.now())
        return [(p.scenario, p.version.name, p.centre.code, p.party.display, p.r, p.script) for p in builder.plans()]

    today = seeded["today"]
    first = outline(today)
    assert len(first) == generated_cases().count()
    assert first == outline(today)
