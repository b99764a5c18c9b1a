"""Fixtures of the parallel-approval tests: a 开办餐饮店 bundle of three departments' items."""

import pytest

from yichuang.cases import services
from yichuang.cases.services_parallel import bundle_apply
from yichuang.catalog.selectors_bundles import bundle_checklist
from yichuang.catalog.services import item_upsert
from yichuang.catalog.services_bundles import bundle_upsert
from yichuang.org.models import Department

from .conftest import _staff, at, food_licence_data

FLOW = [
    {"name": "受理", "role": "clerk", "budget_days": 1},
    {"name": "审查", "role": "reviewer", "budget_days": 1},
    {"name": "决定", "role": "approver", "budget_days": 1},
    {"name": "制证送达", "role": "result_clerk", "budget_days": 1},
]


@pytest.fixture
def departments(county):
    zhzf = Department.objects.create(code="ZHZF", name="示例县综合行政执法局", region=county["county"],
                                     centre=county["centre"])
    return {"scjg": county["scjg"], "wjj": county["wjj"], "zhzf": zhzf}


@pytest.fixture
def deciders(staff, county, departments):
    out = {"scjg": (staff["reviewer"], staff["approver"])}
    for code in ("wjj", "zhzf"):
        dept = departments[code]
        out[code] = (
            _staff(f"{code}_reviewer2", "reviewer", department=dept, centre=county["centre"]),
            _staff(f"{code}_approver", "approver", department=dept, centre=county["centre"]),
        )
    return out


@pytest.fixture
def restaurant_items(county, departments, deciders, item):
    licence, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-QYSL-001", name="企业设立登记", result_name="营业执照", special_procedures=[],
        steps=FLOW,
        materials=[{"code": "sqs", "name": "公司登记申请书"}, {"code": "zc", "name": "公司章程"},
                   {"code": "sfz", "name": "法定代表人身份证件"}],
        form_fields=[{"key": "company_name", "label": "企业名称"}, {"key": "legal_rep", "label": "法定代表人"}],
    ))
    health, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="WJJ-GGCS-001", name="公共场所卫生许可", department="WJJ", result_name="公共场所卫生许可证",
        special_procedures=[], steps=FLOW,
        materials=[{"code": "sqb", "name": "公共场所卫生许可申请表"}, {"code": "pmt", "name": "经营场所平面图"},
                   {"code": "yyzz", "name": "营业执照"}, {"code": "sfz", "name": "法定代表人身份证件"}],
        form_fields=[{"key": "shop_name", "label": "经营者名称"}, {"key": "area", "label": "营业面积（平方米）"}],
    ))
    sign, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="ZHZF-ZP-001", name="户外招牌设置", department="ZHZF", result_name="户外招牌设置核准书",
        special_procedures=[], steps=FLOW,
        materials=[{"code": "sqb", "name": "户外招牌设置申请表"}, {"code": "xgt", "name": "招牌效果图"}],
        form_fields=[{"key": "shop_name", "label": "经营者名称"}, {"key": "sign_text", "label": "招牌文字"}],
    ))
    return {"licence": licence, "food": item, "health": health, "sign": sign}


def restaurant_data(**overrides):
    data = {
        "code": "kaiban-canyin", "name": "开办餐饮店", "promised_limit": 10, "mode": "parallel",
        "items": [{"item": "SCJG-QYSL-001"}, {"item": "SCJG-SPJY-001"}, {"item": "WJJ-GGCS-001"},
                  {"item": "ZHZF-ZP-001"}],
        "field_map": [{"item": "SCJG-QYSL-001", "item_field_key": "company_name", "bundle_key": "shop_name"}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def restaurant(restaurant_items, staff):
    bundle, _ = bundle_upsert(actor=staff["supervisor"], data=restaurant_data())
    return bundle


FORM = {"shop_name": "示例县好味道餐饮有限公司", "legal_rep": "王小明", "area": "120", "sign_text": "好味道"}


def all_received(bundle, **states):
    out = {}
    for row in bundle_checklist(bundle):
        if row.produced_by is None:
            out[row.key] = states.get(row.name, {"state": "received"})
    return out


@pytest.fixture
def apply_bundle(staff, county, applicant):
    def _apply(bundle, when="2026-11-02", form=None, **states):
        return bundle_apply(actor=staff["clerk"], applicant=applicant, bundle=bundle, form_data=form or dict(FORM),
                            materials=all_received(bundle, **states), centre=county["centre"],
                            window=county["window"], at=at(when, 9))

    return _apply


def decide(child, deciders, *, approve=True, when="2026-11-03", reason="符合法定条件"):
    """The child's department reviews and decides it."""
    code = child.department.code.lower()
    reviewer, approver = deciders[code]
    child = services.case_step_complete(actor=reviewer, case=child, opinion="材料齐全", at=at(when, 10))
    if approve:
        return services.case_decide(actor=approver, case=child, approve=True, reason=reason, at=at(when, 11))
    return services.case_decide(actor=approver, case=child, approve=False, reason=reason,
                                legal_basis="《公共场所卫生管理条例》第八条",
                                way_forward="按卫生规范设置通风和消毒设施后重新申请", at=at(when, 11))
