"""A small public catalogue for the guide, search and API tests (built through the services)."""

from importlib import import_module

from yichuang.catalog import services
from yichuang.catalog.models import ItemType, ItemVersion, SpecialProcedureType, Topic
from yichuang.org.models import Department, Region, ServiceCentre

FOOD = "11339901MB0000001X4000117001000"
FOOD_PRODUCTION = "11339901MB0000001X4000117002000"
SPORTS = "11339901MB0000001X4000118001000"
HOUSEHOLD = "11339901MB0000002X2000220001000"
SUSPENDED = "11339901MB0000001X4000119001000"
ABOLISHED = "11339901MB0000001X4000119002000"


def food_data(**overrides):
    data = {
        "implementation_code": FOOD,
        "basic_code": "000117001000",
        "name": "食品经营许可",
        "item_type": "01",
        "department": "SCJG",
        "for_companies": True,
        "for_persons": True,
        "topics": ["kdcy", "kbcg"],
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所",
        "refusal_grounds": "申请事项依法不需要取得行政许可的",
        "statutory_limit": 20,
        "statutory_limit_note": "自受理之日起计算",
        "promised_limit": 5,
        "promised_limit_note": "现场核查时间不计入",
        "handling_type": 2,
        "visits_required": 1,
        "online_depth": 5,
        "place": "示例县政务服务中心一楼综合受理区",
        "hours": "工作日 上午 9:00–12:00，下午 13:30–17:00",
        "consult_channel": "0571-87650001",
        "complaint_channel": "12345 政务服务便民热线",
        "fee_free": True,
        "result_type": "licence",
        "result_name": "食品经营许可证",
        "intermediary_services": "食品安全管理制度编制咨询",
        "tongban_scope": "county",
        "special_procedures": [
            {"procedure": "site_survey", "counts_toward_limit": False, "max_days": 10, "note": "现场核查经营场所"},
        ],
        "materials": [
            {"code": "sqs", "name": "食品经营许可申请书", "kind": "original", "form": "both",
             "acceptance_standard": "申请人签字或盖章", "notes": "可在窗口领取空白表格"},
            {"code": "yyzz", "name": "营业执照", "kind": "copy", "source": "government",
             "source_note": "由市场监督管理部门核发"},
            {"code": "zdsm", "name": "食品安全管理制度文本", "necessity": "deferrable", "paper_copies": 2},
            {"code": "pmt", "name": "经营场所平面布局图", "necessity": "optional", "form": "electronic"},
        ],
        "steps": [
            {"name": "窗口受理", "role": "clerk", "budget_days": 1},
            {"name": "材料审查", "role": "reviewer", "budget_days": 2},
            {"name": "审批决定", "role": "approver", "budget_days": 1},
            {"name": "制证送达", "role": "result_clerk", "budget_days": 1},
        ],
        "form_fields": [
            {"key": "shop_name", "label": "经营者名称", "max_length": 100},
            {"key": "business_kind", "label": "经营项目", "type": "multi_choice",
             "choices": ["热食类食品制售", "冷食类食品制售"]},
            {"key": "area", "label": "经营面积（平方米）", "type": "decimal", "min_value": "1", "max_value": "100000",
             "help_text": "按房产证或租赁合同填写"},
            {"key": "remark", "label": "备注", "type": "textarea", "required": False},
        ],
    }
    data.update(overrides)
    return data


def simple_data(code, name, **overrides):
    data = food_data(
        implementation_code=code, name=name, basic_code=code[-12:], topics=[], special_procedures=[],
        materials=[{"code": "sqs", "name": f"{name}申请表"}],
        steps=[{"name": "受理", "role": "clerk", "budget_days": 1}],
        form_fields=[], for_persons=False, intermediary_services="",
    )
    data.update(overrides)
    return data


def ensure_reference_codes():
    """The code tables the migration seeds; a transactional test's flush may have emptied them."""
    seeded = import_module("yichuang.catalog.migrations.0003_reference_codes")
    for order, (code, name) in enumerate(seeded.ITEM_TYPES):
        ItemType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for code, name in seeded.PROCEDURES:
        SpecialProcedureType.objects.get_or_create(code=code, defaults={"name": name})


def build_catalogue():
    """Two departments, three topics, listed items, one suspended and one abolished item."""
    ensure_reference_codes()
    region = Region.objects.create(code="339901000000", name="示例县", level=3)
    centre = ServiceCentre.objects.create(code="SLX", name="示例县政务服务中心", region=region, phone="0571-87650000")
    Department.objects.create(code="SCJG", name="示例县市场监督管理局", short_name="市场监管局", region=region,
                              centre=centre, phone="0571-87650001", sort_order=1)
    Department.objects.create(code="GA", name="示例县公安局", short_name="公安局", region=region, sort_order=2)
    Department.objects.create(code="EMPTY", name="示例县档案馆", region=region, sort_order=3)
    Topic.objects.create(code="kdcy", name="开店创业", audience=Topic.Audience.COMPANY)
    Topic.objects.create(code="hjbl", name="户籍办理", audience=Topic.Audience.PERSON)
    Topic.objects.create(code="kbcg", name="开办餐馆一件事", audience=Topic.Audience.LIFE_EVENT)

    items = {}
    items["food"], _ = services.item_upsert(actor=None, data=food_data())
    items["food_production"], _ = services.item_upsert(
        actor=None, data=simple_data(FOOD_PRODUCTION, "食品生产许可", topics=["kdcy"])
    )
    items["sports"], _ = services.item_upsert(actor=None, data=simple_data(SPORTS, "经营高危险性体育项目许可"))
    items["household"], _ = services.item_upsert(actor=None, data=simple_data(
        HOUSEHOLD, "户口迁移登记", department="GA", item_type="07", for_persons=True, for_companies=False,
        topics=["hjbl"], visits_required=0, handling_type=1, promised_limit=0, statutory_limit=0, steps=[],
        fee_free=False, fees=[{"name": "工本费", "standard": "每证 10 元", "basis": "价格主管部门文件",
                               "exemption": "首次申领免收"}],
    ))
    suspended, _ = services.item_upsert(actor=None, data=simple_data(SUSPENDED, "食品摊贩登记"))
    items["suspended"] = services.item_version_set_status(
        actor=None, version=suspended, status=ItemVersion.Status.SUSPENDED, reason="系统升级"
    )
    abolished, _ = services.item_upsert(actor=None, data=simple_data(ABOLISHED, "食品小作坊登记"))
    items["abolished"] = services.item_version_set_status(
        actor=None, version=abolished, status=ItemVersion.Status.ABOLISHED, reason="事项取消"
    )
    return items
