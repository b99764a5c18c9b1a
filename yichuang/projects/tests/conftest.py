"""The cases engine's small county, plus the people who run investment projects."""

import pytest

from yichuang.cases.tests.conftest import (  # noqa: F401  (fixtures re-exported for these tests)
    TZ,
    _staff,
    applicant,
    at,
    county,
    food_licence_data,
    item,
    receive,
    staff,
)
from yichuang.projects import services

OWNER_USCC = "91339901MA2B3C4D5E"


def valid_uscc(first17: str) -> str:
    from yichuang.core.validators import uscc_check_char

    return first17 + uscc_check_char(first17)


@pytest.fixture
def project_data():
    def _data(**overrides):
        data = {
            "owner_name": "示例县城投建设有限公司", "owner_uscc": valid_uscc("91339901MA2B3C4D5"),
            "name": "示例县第二人民医院迁建工程", "region_code": "339901000000", "total_investment": "36800",
            "industry": "84", "investment_kind": "government", "owner_contact": "陈工", "owner_phone": "13900001111",
        }
        data.update(overrides)
        return data

    return _data


@pytest.fixture
def project(staff, project_data):  # noqa: F811
    return services.project_register(actor=staff["clerk"], at=at("2026-11-02"), **project_data())
