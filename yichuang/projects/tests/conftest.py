# ruff: noqa: F811  (pytest fixtures re-exported from the cases tests are parameters here)
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
def project(staff, project_data):
    return services.project_register(actor=staff["clerk"], at=at("2026-11-02"), **project_data())


FLOW = [
    {"name": "受理", "role": "clerk", "budget_days": 1},
    {"name": "审查", "role": "reviewer", "budget_days": 2},
    {"name": "决定", "role": "approver", "budget_days": 1},
    {"name": "制证送达", "role": "result_clerk", "budget_days": 1},
]


@pytest.fixture
def wjj_deciders(county):
    return (_staff("wjj_reviewer2", "reviewer", department=county["wjj"], centre=county["centre"]),
            _staff("wjj_approver", "approver", department=county["wjj"], centre=county["centre"]))


def _stage_item(code, name, department):
    from yichuang.catalog.services import item_upsert

    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code=code, name=name, department=department, result_name=name + "决定书",
        special_procedures=[], steps=FLOW, materials=[{"code": "sqs", "name": name + "申请表"}],
        form_fields=[{"key": "project_code", "label": "项目代码"}],
    ))
    return version


@pytest.fixture
def stage_bundles(county, staff, wjj_deciders):
    """Stage 1 and stage 2 each a bundle of a 市场监管 item and a 卫健 item; stage 4 too (竣工验收)."""
    from yichuang.catalog.services_bundles import bundle_upsert
    from yichuang.projects.models import StageDefinition

    bundles = {}
    for number in (1, 2, 3, 4):
        _stage_item(f"SCJG-P{number}", f"阶段{number}市场监管事项", "SCJG")
        _stage_item(f"WJJ-P{number}", f"阶段{number}卫健事项", "WJJ")
        bundle, _ = bundle_upsert(actor=staff["supervisor"], data={
            "code": f"project-stage-{number}", "name": f"工程建设第{number}阶段", "promised_limit": 15,
            "mode": "parallel", "items": [{"item": f"SCJG-P{number}"}, {"item": f"WJJ-P{number}"}]})
        StageDefinition.objects.filter(number=number).update(government_bundle=bundle)
        bundles[number] = bundle
    return bundles


def stage_materials(bundle):
    from yichuang.catalog.selectors_bundles import bundle_checklist

    return {row.key: {"state": "received"} for row in bundle_checklist(bundle) if row.produced_by is None}


def approve_all(parent, staff, wjj_deciders, when="2026-11-05"):
    from yichuang.cases import services as case_services

    for child in parent.children.select_related("department").order_by("id"):
        reviewer, approver = ((staff["reviewer"], staff["approver"]) if child.department.code == "SCJG"
                              else wjj_deciders)
        case_services.case_step_complete(actor=reviewer, case=child, opinion="符合要求", at=at(when, 10))
        case_services.case_decide(actor=approver, case=child, approve=True, reason="同意", at=at(when, 11))
