"""Two clerks at once: real concurrent connections, one thread each (run on PostgreSQL in CI)."""

import pytest
from django.db import connection

from yichuang.cases import services
from yichuang.cases.errors import CaseActionError, CaseConflict
from yichuang.cases.models import Case
from yichuang.core.tests.concurrency import run_together

from .conftest import complete_checklist

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的真实并发连接（设置 DATABASE_URL）"),
]


def test_case_numbers_are_unique_under_concurrent_receipts(staff, county, item, applicant):
    checklist = complete_checklist(item)

    def receive(_index):
        return services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                     centre=county["centre"], materials=checklist).number

    numbers = run_together(8, receive)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 8
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 9))


def test_of_two_clerks_accepting_the_same_case_one_wins(staff, county, item, applicant):
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                 centre=county["centre"], materials=complete_checklist(item))
    seen = case.version
    clerks = [staff["clerk"], staff["clerk2"]]

    def accept(index):
        return services.case_accept(actor=clerks[index], case=Case.objects.get(pk=case.pk), expected_version=seen)

    outcomes = run_together(2, accept)
    wins = [o for o in outcomes if isinstance(o, Case)]
    conflicts = [o for o in outcomes if isinstance(o, CaseConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    case.refresh_from_db()
    assert case.events.filter(action="accept").count() == 1
    assert case.notices.filter(kind="acceptance").count() == 1


def test_accept_and_correction_at_once_one_wins_and_the_other_is_told(staff, county, item, applicant):
    # One clerk accepts while another issues the one-time notice for the same receipt.
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                 centre=county["centre"], materials=complete_checklist(item))
    seen = case.version
    actions = [
        lambda: services.case_accept(actor=staff["clerk"], case=Case.objects.get(pk=case.pk), expected_version=seen),
        lambda: services.case_request_correction(actor=staff["clerk2"], case=Case.objects.get(pk=case.pk),
                                                 expected_version=seen, other_problems=["申请表未签字"]),
    ]
    outcomes = run_together(2, lambda index: actions[index]())
    wins = [o for o in outcomes if isinstance(o, Case)]
    conflicts = [o for o in outcomes if isinstance(o, CaseConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    assert "请刷新" in conflicts[0].messages[0]
    case.refresh_from_db()
    assert case.status == wins[0].status and case.version == seen + 1
    assert case.events.filter(action__in=["accept", "correction"]).count() == 1
    assert case.notices.filter(kind__in=["acceptance", "correction"]).count() == 1


def test_without_a_version_the_row_lock_still_applies_an_action_once(staff, county, item, applicant):
    # A client that sends no expected_version is serialised by the row lock: the second finds
    # the case already accepted and is refused by its state, not applied twice.
    case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                 centre=county["centre"], materials=complete_checklist(item))
    clerks = [staff["clerk"], staff["clerk2"]]

    def accept(index):
        return services.case_accept(actor=clerks[index], case=Case.objects.get(pk=case.pk))

    outcomes = run_together(2, accept)
    wins = [o for o in outcomes if isinstance(o, Case)]
    refused = [o for o in outcomes if isinstance(o, CaseActionError) and not isinstance(o, CaseConflict)]
    assert len(wins) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "state"
    case.refresh_from_db()
    assert case.events.filter(action="accept").count() == 1
    assert case.notices.filter(kind="acceptance").count() == 1
