"""Reuse: a later application takes a material from the library instead of an upload."""

import datetime

import pytest

from yichuang.cases import services as case_services
from yichuang.catalog.models import MaterialRequirement
from yichuang.catalog.services import item_upsert
from yichuang.licences import services
from yichuang.licences.errors import LicenceError, LicencePermissionDenied
from yichuang.licences.models import LicenceEvent, LicenceReuse
from yichuang.licences.selectors import (
    licences_of_applicant,
    licences_of_holder,
    reusable_licence_for,
    reusable_licences_for_case,
)

from .conftest import at, food_licence_data


@pytest.fixture
def second_item(county):
    """An item that needs the food licence, which a government department issued."""
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-XKBG-001", name="食品经营许可（变更）", result_name="食品经营许可证（变更）",
        materials=[
            {"code": "sqs", "name": "变更申请书"},
            {"code": "spjyxkz", "name": "食品经营许可证", "source": "government", "form": "electronic"},
            {"code": "zz", "name": "食品经营许可证", "source": "applicant"},
        ],
    ))
    return version


def _requirement(version, code):
    return MaterialRequirement.objects.get(version=version, code=code)


@pytest.fixture
def second_case(staff, county, applicant, second_item):
    return case_services.case_receive(
        actor=staff["clerk"], item_version=second_item, applicant=applicant, centre=county["centre"],
        window=county["window"], materials={}, at=at("2026-11-10", 9),
    )


def test_the_holders_library_lists_valid_licences_by_uscc(issued, applicant):
    assert list(licences_of_holder("company", applicant.uscc.lower())) == [issued]
    assert list(licences_of_applicant(applicant)) == [issued]
    assert list(licences_of_holder("company", "91350100M000200Y4T")) == []


def test_a_government_material_is_offered_the_holders_valid_licence(issued, applicant, second_case, second_item):
    requirement = _requirement(second_item, "spjyxkz")
    assert reusable_licence_for(applicant, requirement) == issued
    assert reusable_licences_for_case(second_case) == {requirement.pk: issued}


def test_a_material_the_applicant_brings_is_never_offered(issued, applicant, second_item):
    assert reusable_licence_for(applicant, _requirement(second_item, "zz")) is None


def test_a_revoked_licence_is_not_offered_and_cannot_be_reused(issued, staff, applicant, second_case, second_item):
    services.licence_revoke(actor=staff["approver"], licence=issued, reason="依法撤销")
    requirement = _requirement(second_item, "spjyxkz")
    assert reusable_licence_for(applicant, requirement) is None
    assert reusable_licences_for_case(second_case) == {}
    with pytest.raises(LicenceError) as err:
        services.licence_reuse(actor=staff["clerk"], case=second_case, requirement=requirement, licence=issued)
    assert "已撤销" in err.value.messages[0]
    assert not LicenceReuse.objects.exists()


def test_an_expired_licence_is_not_offered(issued, applicant, second_item):
    requirement = _requirement(second_item, "spjyxkz")
    assert reusable_licence_for(applicant, requirement, today=datetime.date(2031, 11, 4)) is None


def test_another_holders_licence_cannot_be_reused(issued, staff, county, second_item):
    other = case_services.applicant_register(actor=staff["clerk"], kind="company", name="别家餐饮有限公司",
                                             uscc="91350100M000200Y4T")
    case = case_services.case_receive(actor=staff["clerk"], item_version=second_item, applicant=other,
                                      centre=county["centre"], materials={}, at=at("2026-11-10", 9))
    requirement = _requirement(second_item, "spjyxkz")
    assert reusable_licences_for_case(case) == {}
    with pytest.raises(LicenceError) as err:
        services.licence_reuse(actor=staff["clerk"], case=case, requirement=requirement, licence=issued)
    assert "持证主体不是本办件的申请人" in err.value.messages[0]


def test_a_reuse_is_recorded_once_with_trust_level_a(issued, staff, second_case, second_item):
    requirement = _requirement(second_item, "spjyxkz")
    reuse = services.licence_reuse(actor=staff["clerk"], case=second_case, requirement=requirement, licence=issued,
                                   at=at("2026-11-10"))
    assert reuse.trust_level == "A" and reuse.by == staff["clerk"]
    event = issued.events.get(action=LicenceEvent.Action.REUSE)
    assert event.data == {"case": second_case.number, "material": "食品经营许可证", "trust": "A"}
    with pytest.raises(LicenceError):
        services.licence_reuse(actor=staff["clerk"], case=second_case, requirement=requirement, licence=issued)


def test_a_reuse_for_the_wrong_material_is_refused(issued, staff, second_case, second_item):
    with pytest.raises(LicenceError) as err:
        services.licence_reuse(actor=staff["clerk"], case=second_case, requirement=_requirement(second_item, "sqs"),
                               licence=issued)
    assert "政府部门核发" in err.value.messages[0]


def test_reuse_needs_a_role_and_the_case_in_scope(issued, staff, second_case, second_item):
    requirement = _requirement(second_item, "spjyxkz")
    with pytest.raises(LicencePermissionDenied):
        services.licence_reuse(actor=staff["supervisor"], case=second_case, requirement=requirement, licence=issued)
    with pytest.raises(LicencePermissionDenied):
        services.licence_reuse(actor=staff["other_reviewer"], case=second_case, requirement=requirement, licence=issued)


def test_offers_for_a_case_take_three_queries(issued, second_case, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(reusable_licences_for_case(second_case)) == 1
