"""The case engine's county, staff and item, plus a bureau seal with a fresh key and a licence type."""

import datetime

import pytest

from yichuang.cases import services as case_services
from yichuang.cases.models import Applicant
from yichuang.cases.tests import conftest as cases_conftest
from yichuang.licences import services
from yichuang.licences.selectors import licences_for_case
from yichuang.licences.signing import key_generate

# The case engine's fixtures, shared: a county centre, one staff member per role, the food item.
county = cases_conftest.county
staff = cases_conftest.staff
item = cases_conftest.item
immediate_item = cases_conftest.immediate_item
applicant = cases_conftest.applicant
receive = cases_conftest.receive
at = cases_conftest.at
complete_checklist = cases_conftest.complete_checklist
material_ids = cases_conftest.material_ids
food_licence_data = cases_conftest.food_licence_data

BUREAU_USCC = "11339901MB00012340"
PERSON_ID = "339901199001010026"

FOOD_FIELDS = [
    {"key": "operator", "label": "经营者名称", "source": "case:holder_name", "required": True},
    {"key": "code", "label": "社会信用代码", "source": "case:holder_code", "required": True},
    {"key": "legal_rep", "label": "法定代表人", "source": "case:legal_representative"},
    {"key": "shop", "label": "经营场所", "source": "form:shop_name"},
    {"key": "scope", "label": "经营项目", "source": "const:预包装食品销售"},
    {"key": "decided", "label": "发证日期", "source": "decision:date"},
]


@pytest.fixture
def signing_keys(settings, tmp_path):
    """A key file per test: LICENCE_SIGNING_KEYS points the provider at it."""
    settings.LICENCE_SIGNING_KEYS = {"bureau": str(tmp_path / "bureau.pem"), "other": str(tmp_path / "other.pem")}
    key_generate("bureau")
    return settings.LICENCE_SIGNING_KEYS


@pytest.fixture
def seal(signing_keys, county):
    return services.seal_create(
        actor=None, name="示例县行政审批局行政审批专用章", owner_name="示例县行政审批局", owner_uscc=BUREAU_USCC,
        key_ref="bureau", valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2030, 12, 31),
        purpose="行政审批专用章",
    )


@pytest.fixture
def food_type(seal, item):
    return services.licence_type_save(
        actor=None, code="SPJY001", name="食品经营许可证", fields=FOOD_FIELDS, validity_years=5,
        template="portrait", seal=seal, items=[item.item], satisfies_materials=["食品经营许可证"],
    )


@pytest.fixture
def person(staff):
    return case_services.applicant_register(
        actor=staff["clerk"], kind=Applicant.Kind.PERSON, name="李四", id_number=PERSON_ID, phone="13900139000",
    )


def approve(case, staff, *, when="2026-11-04"):
    """Accept, review and approve `case` through the case engine, then run the licence hook.

    Once the case engine calls `licence_issue_for_case` itself, the second call here returns the
    licence the approval already issued.
    """
    case = case_services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version,
                                     at=at("2026-11-02"))
    case = case_services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全，符合条件",
                                            expected_version=case.version, at=at("2026-11-03"))
    case = case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件，准予许可",
                                     expected_version=case.version, at=at(when))
    return case, services.licence_issue_for_case(actor=staff["approver"], case=case, at=at(when))


@pytest.fixture
def issued(receive, staff, food_type):
    """An approved food licence case and its licence."""
    case, licence = approve(receive(), staff)
    assert licence is not None and licences_for_case(case).count() == 1
    return licence
