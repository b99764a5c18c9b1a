"""Fixtures for the portal: the cases' county and online items, and accounts made the way a person would."""

import pytest
from django.core.cache import cache

from yichuang.cases.tests.conftest import county, item, staff  # noqa: F401 - fixtures
from yichuang.cases.tests.online_fixtures import GOOD_FORM, once_item, pdf_upload, zero_item  # noqa: F401
from yichuang.core.models import SmsMessage
from yichuang.core.validators import id_number_check_char
from yichuang.portal import services


def id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


ZHANG_ID = id_number("33010219900101123")
LI_ID = id_number("33010219850505567")
WANG_ID = id_number("33010219780808789")
COMPANY_USCC = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def last_code(mobile: str) -> str:
    message = SmsMessage.objects.filter(phone=mobile, template="verification_code").order_by("-pk").first()
    return message.params["code"]


def sign_up(mobile: str, name: str = "", id_no: str = "", ip: str = "10.0.0.1"):
    services.sms_code_request(mobile=mobile, ip=ip)
    account, _created = services.account_sign_in_code(mobile=mobile, code=last_code(mobile), ip=ip)
    cache.clear()  # the next person's code is not held back by this one's rate limits
    if name:
        account = services.account_verify_person(account=account, name=name, id_number=id_no)
    return account


@pytest.fixture
def zhang(county):  # noqa: F811
    return sign_up("13800000001", "张三", ZHANG_ID)


@pytest.fixture
def li(county):  # noqa: F811
    return sign_up("13800000002", "李四", LI_ID)


@pytest.fixture
def wang(county):  # noqa: F811
    return sign_up("13800000003", "王五", WANG_ID)


def portal_client(client, account):
    from yichuang.portal.auth import EPOCH_KEY, SESSION_KEY

    session = client.session
    session[SESSION_KEY] = account.pk
    session[EPOCH_KEY] = account.session_epoch
    session.save()
    return client


def apply_online(account, version, as_applicant=None, *, submit=True, agent=None):
    """Draft, fill, upload the required materials (and submit) as the portal does."""
    from yichuang.cases import services_online as online
    from yichuang.portal.acting import actor_for

    applicant = as_applicant or account.applicant
    actor = actor_for(services.Principal(account=agent or account), applicant)
    case = online.case_draft_create(acted_by=actor, applicant=applicant, item_version=version,
                                    contact_phone=account.mobile)
    case = online.case_draft_update(acted_by=actor, case=case, form_data=GOOD_FORM)
    for row in case.materials.select_related("requirement"):
        if row.requirement.necessity == "required":
            online.case_online_file_add(acted_by=actor, case=case, material_id=row.pk,
                                        upload=pdf_upload(f"{row.requirement.name}.pdf"))
    if submit:
        case = online.case_submit_online(acted_by=actor, case=case)
    return case
