"""The demo's online hall: accounts and cases in several states, made once."""

import pytest

from yichuang.cases.models import Case
from yichuang.portal.demo import DEMO_PASSWORD, PERSON_MOBILE, seed_demo_portal
from yichuang.portal.models import Account, CompanyAccess
from yichuang.portal.services import account_sign_in_password

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_accounts_and_online_cases_once(staff, zero_item, once_item):
    lines = seed_demo_portal(None)
    assert lines and DEMO_PASSWORD in lines[0]
    person = account_sign_in_password(mobile=PERSON_MOBILE, password=DEMO_PASSWORD)
    states = set(Case.objects.filter(applicant=person.applicant).values_list("status", flat=True))
    assert states == {"3", "prereview", "draft"}
    accepted = Case.objects.get(applicant=person.applicant, status="3")
    assert accepted.visits == 0
    company = CompanyAccess.objects.get(role="manager").company
    assert CompanyAccess.objects.filter(company=company, role="operator", revoked_at__isnull=True).count() == 1
    assert Case.objects.get(applicant=company).status == "prereview_returned"
    counts = (Account.objects.count(), Case.objects.count())
    assert seed_demo_portal(None) == []
    assert (Account.objects.count(), Case.objects.count()) == counts
