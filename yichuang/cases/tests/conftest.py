"""A small county centre with one promised-limit item, and one staff member per role."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from yichuang.cases import services
from yichuang.cases.models import Applicant
from yichuang.catalog.models import ItemVersion, MaterialRequirement
from yichuang.catalog.services import item_upsert
from yichuang.org.models import Department, Region, Role, ServiceCentre, User, Window

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime.datetime:
    """A moment in the hall's time zone: at("2026-11-02") is Monday 10:00."""
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=TZ)


@pytest.fixture
def county(db):
    province = Region.objects.create(code="330000000000", name="浙江省", level=1)
    city = Region.objects.create(code="339900000000", name="示例市", level=2, parent=province)
    county = Region.objects.create(code="339901000000", name="示例县", level=3, parent=city)
    town = Region.objects.create(code="339901001000", name="城关镇", level=4, parent=county)
    centre = ServiceCentre.objects.create(code="SLX", name="示例县政务服务中心", region=county)
    point = ServiceCentre.objects.create(code="SLXCG", name="城关镇便民服务中心", region=town, kind="town", parent=centre)
    scjg = Department.objects.create(code="SCJG", name="示例县市场监督管理局", region=county, centre=centre)
    wjj = Department.objects.create(code="WJJ", name="示例县卫生健康局", region=county, centre=centre)
    window = Window.objects.create(centre=centre, number="A01", name="综合受理", kind="general")
    return {"county": county, "centre": centre, "point": point, "scjg": scjg, "wjj": wjj, "window": window}


def _staff(username: str, *roles: str, **fields) -> User:
    user = User.objects.create_user(username, password="x", display_name=username, **fields)
    user.roles.set(Role.objects.filter(code__in=roles))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff(county):
    return {
        "clerk": _staff("clerk", "clerk", centre=county["centre"]),
        "clerk2": _staff("clerk2", "clerk", centre=county["centre"]),
        "reviewer": _staff("reviewer", "reviewer", department=county["scjg"], centre=county["centre"]),
        "approver": _staff("approver", "approver", department=county["scjg"], centre=county["centre"]),
        "other_reviewer": _staff("wjj_reviewer", "reviewer", department=county["wjj"]),
        "result": _staff("result", "result_clerk", centre=county["centre"]),
        "agent": _staff("agent", "agent", centre=county["centre"]),
        "supervisor": _staff("supervisor", "supervisor", region=county["county"]),
        "town_clerk": _staff("town_clerk", "town_clerk", centre=county["point"]),
    }


def food_licence_data(**overrides):
    data = {
        "implementation_code": "SCJG-SPJY-001",
        "basic_code": "000117001000",
        "name": "食品经营许可",
        "item_type": "01",
        "department": "SCJG",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营的食品品种、数量相适应的经营场所",
        "statutory_limit": 20,
        "promised_limit": 5,
        "place": "示例县政务服务中心一楼",
        "hours": "工作日 9:00–17:00",
        "consult_channel": "0570-6012345",
        "complaint_channel": "12345",
        "result_name": "食品经营许可证",
        "materials": [
            {"code": "sqs", "name": "食品经营许可申请书"},
            {"code": "pmt", "name": "经营场所平面图"},
            {"code": "zd", "name": "食品安全管理制度", "necessity": "deferrable"},
            {"code": "wts", "name": "授权委托书", "necessity": "optional"},
        ],
        "steps": [
            {"name": "受理", "role": "clerk", "budget_days": 1},
            {"name": "审查", "role": "reviewer", "budget_days": 2},
            {"name": "决定", "role": "approver", "budget_days": 1},
            {"name": "制证送达", "role": "result_clerk", "budget_days": 1},
        ],
        "special_procedures": [
            {"procedure": "site_survey", "max_days": 10},
            {"procedure": "publicity", "counts_toward_limit": True, "max_days": 5},
        ],
        "form_fields": [{"key": "shop_name", "label": "经营者名称"}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def item(county) -> ItemVersion:
    version, _ = item_upsert(actor=None, data=food_licence_data())
    return version


@pytest.fixture
def immediate_item(county) -> ItemVersion:
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-XCY-001", name="小餐饮登记", handling_type=1, promised_limit=0, statutory_limit=0,
        steps=[{"name": "受理办结", "role": "clerk", "budget_days": 0}], special_procedures=[],
    ))
    return version


@pytest.fixture
def applicant(staff):
    return services.applicant_register(
        actor=staff["clerk"], kind=Applicant.Kind.COMPANY, name="示例县好味道餐饮有限公司",
        uscc="91350100M000100Y43", phone="13800138000", legal_representative="王小明",
    )


def material_ids(version: ItemVersion) -> dict[str, int]:
    return dict(MaterialRequirement.objects.filter(version=version).values_list("code", "id"))


def complete_checklist(version: ItemVersion, **states) -> dict[int, dict]:
    """Every material received, unless a code is given another state."""
    ids = material_ids(version)
    checklist = {}
    for code, requirement_id in ids.items():
        value = states.get(code, {"state": "received"})
        checklist[requirement_id] = value if isinstance(value, dict) else {"state": value}
    return checklist


@pytest.fixture
def receive(staff, county, item, applicant):
    """Receive a case at window A01 with the given checklist (default: everything received)."""

    def _receive(when="2026-11-02", version=None, **states):
        version = version or item
        return services.case_receive(
            actor=staff["clerk"], item_version=version, applicant=applicant, centre=county["centre"],
            window=county["window"], materials=complete_checklist(version, **states), at=at(when, 9),
        )

    return _receive
