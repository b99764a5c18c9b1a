"""The demo county's item catalogue, in the dictionary shape of `catalog.serialization`.

The items, their legal bases, conditions and materials follow what county service guides
publish for these items. Statutory limits are those the cited law or regulation sets; where a
law counts in calendar days (日) rather than working days the note says so. Where the limit
could not be checked against the current text of a regulation, the comment beside the item
says so: treat those as demo values and check the province's own guide before relying on them.

Codes are made up in the national shape: 实施编码 = the department's 统一社会信用代码 + the
12-digit 基本编码. They are not the province's real codes.
"""

from typing import Any

from .org_data import COUNTY_CENTRE, DEPARTMENTS, HOURS

USCC = {d["code"]: d["uscc"] for d in DEPARTMENTS}
_DEPT = {d["code"]: d for d in DEPARTMENTS}

PLACE = "示例县政务服务中心一楼 A 区综合受理窗口（A01–A06）"
COMPLAINT = (
    "12345 政务服务便民热线；示例县政务服务中心监督投诉电话 0570-6012399；"
    "中心一楼「办不成事」反映窗口；一窗政务服务网「我要投诉」"
)
REFUSAL_LICENCE = (
    "（一）申请事项依法不需要取得行政许可或者不属于本机关职权范围的；"
    "（二）申请材料不齐全或者不符合法定形式，经一次性告知后申请人未按要求补正的；"
    "（三）申请人隐瞒有关情况或者提供虚假材料的；"
    "（四）法律、法规规定不予受理的其他情形。"
)
REFUSAL_SERVICE = (
    "（一）申请事项不属于本机关职责范围的；"
    "（二）申请材料不齐全，经一次性告知后申请人未按要求补正的；"
    "（三）申请人提供虚假材料的。"
)
TOWN_POINTS = ["SLXBY", "SLXCG", "SLXHK", "SLXQS"]


def consult(dept: str) -> str:
    d = _DEPT[dept]
    return (
        f"现场咨询：示例县政务服务中心一楼咨询导办台；电话咨询：中心 0570-6012345，"
        f"{d['short_name']} {d['phone']}；网上咨询：一窗政务服务网「我要咨询」"
    )


def mat(code: str, name: str, **kw: Any) -> dict[str, Any]:
    """A material requirement; unspecified elements take the model's defaults (纸质+电子、原件、必要、申请人自备)."""
    row = {
        "code": code, "name": name, "form": "both", "kind": "original", "necessity": "required",
        "source": "applicant", "source_note": "", "paper_copies": 1, "acceptance_standard": "",
        "legal_basis": "", "notes": "",
    }
    row.update(kw)
    return row


def mat_licence(code: str, name: str, issuer: str, **kw: Any) -> dict[str, Any]:
    """A licence another department issued: the window fetches it from the e-licence library."""
    elements = {
        "form": "electronic", "source": "government", "paper_copies": 0,
        "source_note": f"{issuer}核发；窗口通过电子证照库调取，申请人无需提交纸质材料",
    }
    return mat(code, name, **{**elements, **kw})


def mat_id(code: str, name: str, **kw: Any) -> dict[str, Any]:
    elements = {
        "kind": "both", "source": "government", "source_note": "公安机关核发；可通过电子证照库调取",
        "acceptance_standard": "在有效期内；窗口核验原件，留存复印件",
    }
    return mat(code, name, **{**elements, **kw})


BUSINESS_LICENCE = mat_licence("yyzz", "营业执照", "市场监督管理部门")
LEGAL_REP_ID = mat_id("fddbrsfz", "法定代表人（负责人）居民身份证")
PROXY = mat(
    "sqwts", "授权委托书及受托人居民身份证", necessity="optional",
    acceptance_standard="委托书载明委托事项和权限，由委托人签字或盖章",
    notes="委托他人代为办理时提交；本人办理无需提交",
)


def field(key: str, label: str, type: str = "text", **kw: Any) -> dict[str, Any]:
    row = {
        "key": key, "label": label, "type": type, "required": True, "choices": [], "max_length": None,
        "min_value": None, "max_value": None, "help_text": "",
    }
    row.update(kw)
    return row


# Keys shared across items, so that a bundle's one form (一表制) asks each of them once.
F_ENTITY = field("entity_name", "申请单位名称", max_length=100, help_text="与营业执照或登记证书上的名称一致")
F_USCC = field("uscc", "统一社会信用代码", "uscc")
F_LEGAL_REP = field("legal_rep", "法定代表人（负责人）", max_length=40)
F_LEGAL_REP_ID = field("legal_rep_id", "法定代表人（负责人）身份证号码", "id_number")
F_PERSON = field("applicant_name", "申请人姓名", max_length=40)
F_PERSON_ID = field("applicant_id", "申请人身份证号码", "id_number")
F_MOBILE = field("contact_mobile", "联系人手机号码", "mobile", help_text="用于接收受理、办结短信")
F_CONTACT = field("contact_name", "联系人", max_length=40)
F_PREMISES = field("premises", "经营场所", max_length=200, help_text="写到门牌号，如：示例县城关镇解放街 36 号")
F_PROJECT = field("project_name", "项目名称", max_length=100)
F_PROJECT_CODE = field("project_code", "投资项目代码", max_length=30, help_text="投资项目在线审批监管平台赋予的项目代码")
F_REGION = field("region", "所在乡镇（街道）", "region")


def flow(accept: int = 1, review: int = 1, decide: int = 1, deliver: int = 1, *, review_name: str = "审查") -> list:
    """The usual four steps of a 承诺件; budgets are working days."""
    return [
        {"name": "受理", "role": "clerk", "budget_days": accept, "department": None},
        {"name": review_name, "role": "reviewer", "budget_days": review, "department": None},
        {"name": "决定", "role": "approver", "budget_days": decide, "department": None},
        {"name": "制证送达", "role": "result_clerk", "budget_days": deliver, "department": None},
    ]


ON_THE_SPOT = [{"name": "受理并当场办结", "role": "clerk", "budget_days": 0, "department": None}]


def procedure(code: str, *, counts: bool = False, max_days: int | None = None, note: str = "") -> dict[str, Any]:
    return {"procedure": code, "counts_toward_limit": counts, "max_days": max_days, "note": note}


def item(dept: str, item_type: str, number: int, name: str, **elements: Any) -> dict[str, Any]:
    """An item of `dept` with the county's usual place, hours and channels unless given.

    `number` is the item's number within its type and makes its codes: it must never change,
    or a re-run of the seed would see a new item instead of an update.
    """
    basic_code = f"0000{item_type}{number:03d}000"
    data: dict[str, Any] = {
        "implementation_code": USCC[dept] + basic_code,
        "basic_code": basic_code,
        "item_type": item_type,
        "department": dept,
        "name": name,
        "level": "county",
        "for_persons": False,
        "for_companies": True,
        "refusal_grounds": REFUSAL_LICENCE if item_type == "01" else REFUSAL_SERVICE,
        "statutory_limit_note": "",
        "promised_limit_note": "",
        "handling_type": 2,
        "handling_forms": "窗口办理、网上办理、快递申请",
        "visits_required": 1,
        "online_depth": 4,
        "place": PLACE,
        "hours": HOURS,
        "consult_channel": consult(dept),
        "complaint_channel": COMPLAINT,
        "fee_free": True,
        "result_type": "licence",
        "intermediary_services": "",
        "appointment_supported": True,
        "post_delivery_supported": True,
        "online_payment_supported": False,
        "deliver_before_supplement": False,
        "tongban_scope": "centre",
        "accepting_centres": [],
        "topics": [],
        "special_procedures": [],
        "fees": [],
    }
    data.update(elements)
    if "steps" not in data:
        data["steps"] = standard_flow(data["promised_limit"])
    return data


def standard_flow(promised: int) -> list:
    """受理 1 day, 决定 1, 制证送达 1 (when the limit leaves room) and 审查 the rest: the usual split."""
    deliver = 1 if promised >= 4 else 0
    return flow(accept=1, review=promised - 2 - deliver, decide=1, deliver=deliver)


TOPICS = [
    # (code, name, audience)
    ("person-huji", "户籍办理", "person"),
    ("person-shebao", "社会保障", "person"),
    ("person-hunyu", "婚育收养", "person"),
    ("person-jiaotong", "交通出行", "person"),
    ("person-yiliao", "医疗卫生", "person"),
    ("person-jiuye", "就业创业", "person"),
    ("company-sheli", "设立变更", "company"),
    ("company-zhunying", "准营准办", "company"),
    ("company-gongcheng", "工程建设", "company"),
    ("company-jiaotong", "交通运输", "company"),
    ("company-huanbao", "环境保护", "company"),
    ("life-canyin", "开办餐饮店", "life_event"),
    ("life-xinsheng", "新生儿出生", "life_event"),
    ("life-qiye", "企业开办", "life_event"),
]

ITEMS: list[dict[str, Any]] = []

# ------------------------------------------------------------------------------ 市场监督管理局

# The 2023 办法 (总局令第78号) shortened the decision to 10 working days after acceptance
# (extendable by 5 with the head's approval); the 2015 办法 it replaced allowed 20.
ITEMS.append(item(
    "SCJG", "01", 1, "食品经营许可（新办）",
    legal_basis=(
        "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。从事食品生产、食品销售、"
        "餐饮服务，应当依法取得许可。\n"
        "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
    ),
    conditions=(
        "（一）已取得营业执照或者其他主体资格证明文件；"
        "（二）具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所，保持场所环境整洁，"
        "并与有毒、有害场所以及其他污染源保持规定的距离；"
        "（三）具有与经营的食品品种、数量相适应的经营设备或者设施；"
        "（四）有专职或者兼职的食品安全总监、食品安全员等食品安全管理人员和保证食品安全的规章制度；"
        "（五）具有合理的设备布局和工艺流程，防止待加工食品与直接入口食品、原料与成品交叉污染；"
        "（六）法律、法规规定的其他条件。"
    ),
    statutory_limit=10,
    statutory_limit_note="自受理之日起 10 个工作日内作出决定；因特殊原因经负责人批准可延长 5 个工作日",
    extension_limit=5,
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结，现场核查时间不计入",
    online_depth=7,
    result_name="食品经营许可证",
    topics=["company-zhunying", "life-canyin"],
    special_procedures=[procedure(
        "site_survey", max_days=5,
        note="需对申请材料实质内容核实的进行现场核查；仅销售预包装食品的可不进行现场核查",
    )],
    materials=[
        mat("sqs", "食品经营许可申请书", acceptance_standard="按规定格式填写，由法定代表人（负责人）签字并加盖公章"),
        BUSINESS_LICENCE,
        LEGAL_REP_ID,
        mat("bjpmt", "经营场所平面图及主要设备设施布局图", acceptance_standard="标明经营场所面积、功能分区、主要设备位置和操作流程"),
        mat("glzd", "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录清单",
            necessity="deferrable", notes="可容缺受理，须在取得许可证前补齐"),
        mat("aqry", "食品安全管理人员名单及培训考核合格证明", form="both", necessity="optional",
            notes="餐饮服务经营者、集中用餐单位食堂提交"),
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_LEGAL_REP_ID, F_PREMISES,
        field("business_form", "主体业态", "choice",
              choices=["食品销售经营者", "餐饮服务经营者", "集中用餐单位食堂"]),
        field("food_items", "经营项目", "multi_choice", choices=[
            "预包装食品（含冷藏冷冻食品）销售", "散装食品（含冷藏冷冻食品）销售", "特殊食品销售",
            "热食类食品制售", "冷食类食品制售", "生食类食品制售", "半成品制售", "自制饮品制售",
        ]),
        field("floor_area", "经营场所面积（平方米）", "decimal", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

# Zhejiang's 《食品小作坊小餐饮店小食杂店和食品摊贩管理规定》 sets the registration; the
# limits below are demo values in the range county guides publish.
ITEMS.append(item(
    "SCJG", "10", 1, "小餐饮店登记",
    legal_basis=(
        "《中华人民共和国食品安全法》第三十六条：食品生产加工小作坊和食品摊贩等的具体管理办法由省、自治区、"
        "直辖市制定。\n《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》"
    ),
    conditions=(
        "（一）经营场所面积在 50 平方米以下，从事餐饮服务；"
        "（二）有与经营品种、数量相适应的加工、就餐场所和设备设施，布局合理；"
        "（三）从业人员持有效健康证明；"
        "（四）有符合要求的给排水、油烟净化和垃圾存放设施。"
    ),
    statutory_limit=10,
    statutory_limit_note="依照省管理规定执行",
    promised_limit=3,
    promised_limit_note="自受理之日起 3 个工作日内办结",
    tongban_scope="listed",
    accepting_centres=[COUNTY_CENTRE, *TOWN_POINTS],
    place=f"{PLACE}；各乡镇（街道）便民服务中心综合受理窗口",
    result_type="filing",
    result_name="小餐饮店登记证",
    topics=["company-zhunying", "life-canyin"],
    special_procedures=[procedure("site_survey", max_days=3, note="对经营场所和设施进行现场核查")],
    materials=[
        mat("djb", "小餐饮店登记申请表", acceptance_standard="由经营者本人签字"),
        BUSINESS_LICENCE,
        mat_id("jyzsfz", "经营者居民身份证"),
        mat("jkzm", "从业人员健康证明", kind="copy", necessity="deferrable", notes="可容缺受理，5 个工作日内补交"),
        mat("cspmt", "经营场所平面布局图", form="paper"),
    ],
    form_fields=[
        field("shop_name", "店铺名称", max_length=100), F_USCC, F_PERSON, F_PERSON_ID, F_PREMISES,
        field("floor_area", "经营场所面积（平方米）", "decimal", min_value="0", help_text="小餐饮店面积应在 50 平方米以下"),
        F_REGION, F_MOBILE,
    ],
))

ITEMS.append(item(
    "SCJG", "01", 2, "食品生产许可（新办）",
    legal_basis=(
        "《中华人民共和国食品安全法》第三十五条\n"
        "《食品生产许可管理办法》（国家市场监督管理总局令第24号）"
    ),
    conditions=(
        "（一）具有与生产的食品品种、数量相适应的食品原料处理和食品加工、包装、贮存等场所；"
        "（二）具有与生产的食品品种、数量相适应的生产设备或者设施；"
        "（三）有专职或者兼职的食品安全专业技术人员、食品安全管理人员和保证食品安全的规章制度；"
        "（四）具有合理的设备布局和工艺流程；"
        "（五）法律、法规规定的其他条件。"
    ),
    statutory_limit=10,
    statutory_limit_note="自受理之日起 10 个工作日内作出决定；因特殊原因经负责人批准可延长 5 个工作日",
    extension_limit=5,
    promised_limit=7,
    promised_limit_note="自受理之日起 7 个工作日内办结，现场核查时间不计入",
    online_depth=7,
    result_name="食品生产许可证",
    topics=["company-zhunying"],
    special_procedures=[procedure("site_survey", max_days=5, note="核查人员自接受现场核查任务之日起 5 个工作日内完成")],
    materials=[
        mat("sqs", "食品生产许可申请书", acceptance_standard="由法定代表人（负责人）签字并加盖公章"),
        BUSINESS_LICENCE,
        mat("sbbj", "食品生产主要设备、设施清单", acceptance_standard="列明设备名称、规格型号、数量和使用场所"),
        mat("gylc", "食品生产工艺流程图和设备布局图"),
        mat("aqgl", "食品安全管理制度文本及专职或者兼职的食品安全专业技术人员、食品安全管理人员名单"),
        mat("cpbz", "执行的食品安全标准", kind="copy", necessity="optional",
            notes="执行企业标准的，提交经备案的企业标准"),
        LEGAL_REP_ID,
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_PREMISES,
        field("food_category", "申请食品类别", "multi_choice", choices=[
            "粮食加工品", "食用油、油脂及其制品", "调味品", "肉制品", "乳制品", "饮料", "方便食品",
            "糕点", "茶叶及相关制品", "酒类", "其他食品",
        ]),
        F_CONTACT, F_MOBILE,
    ],
))

# 市场主体登记管理条例 Art. 19: materials complete → registered on the spot; otherwise within 3
# working days.
ITEMS.append(item(
    "SCJG", "01", 3, "个体工商户设立登记",
    for_persons=True,
    legal_basis=(
        "《中华人民共和国市场主体登记管理条例》第三条、第十九条\n"
        "《促进个体工商户发展条例》\n"
        "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）"
    ),
    conditions="有经营能力的公民从事工商业经营；经营范围不属于法律、行政法规禁止的项目；有固定的经营场所。",
    statutory_limit=3,
    statutory_limit_note="材料齐全、符合法定形式的当场登记；不能当场登记的，3 个工作日内予以登记",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="材料齐全、符合法定形式的当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=7,
    tongban_scope="county",
    place=f"{PLACE}；各乡镇（街道）便民服务中心综合受理窗口",
    result_name="营业执照（个体工商户）",
    topics=["company-sheli", "life-qiye", "life-canyin", "person-jiuye"],
    steps=ON_THE_SPOT,
    materials=[
        mat("sqs", "个体工商户登记（备案）申请书", form="electronic",
            acceptance_standard="网上填报后由经营者电子签名；窗口办理的当场打印签字"),
        mat_id("jyzsfz", "经营者居民身份证"),
        mat("zscn", "住所（经营场所）申报承诺书", acceptance_standard="如实申报经营场所地址并签字承诺",
            notes="实行住所申报承诺制，无需提交产权证明或租赁合同"),
        PROXY,
    ],
    form_fields=[
        field("trade_name", "个体工商户名称", required=False, max_length=100, help_text="可以不起字号名称"),
        F_PERSON, F_PERSON_ID, F_PREMISES,
        field("organisation_form", "组成形式", "choice", choices=["个人经营", "家庭经营"]),
        field("business_scope", "经营范围", "textarea", max_length=500),
        field("capital", "资金数额（万元）", "decimal", min_value="0"),
        F_MOBILE,
    ],
))

ITEMS.append(item(
    "SCJG", "01", 4, "企业设立登记（有限责任公司）",
    legal_basis=(
        "《中华人民共和国公司法》第二十九条\n"
        "《中华人民共和国市场主体登记管理条例》第三条、第十九条\n"
        "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）"
    ),
    conditions=(
        "（一）股东符合法定人数；（二）有符合公司章程规定的全体股东认缴的出资额；"
        "（三）股东共同制定公司章程；（四）有公司名称，建立符合要求的组织机构；（五）有公司住所。"
    ),
    statutory_limit=3,
    statutory_limit_note="材料齐全、符合法定形式的当场登记；不能当场登记的，3 个工作日内予以登记",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="企业开办全流程 1 个工作日内办结，其中设立登记当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=7,
    result_name="营业执照",
    topics=["company-sheli", "life-qiye"],
    steps=ON_THE_SPOT,
    materials=[
        mat("sqs", "公司登记（备案）申请书", form="electronic", acceptance_standard="全体股东或法定代表人电子签名"),
        mat("zc", "公司章程", acceptance_standard="由全体股东签名或盖章"),
        mat("gdzm", "股东的主体资格证明或者自然人身份证明", kind="copy"),
        mat("rzwj", "法定代表人、董事、监事和经理的任职文件及身份证明", kind="copy"),
        mat("zscn", "住所（经营场所）申报承诺书"),
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_LEGAL_REP, F_LEGAL_REP_ID,
        field("registered_capital", "注册资本（万元）", "decimal", min_value="0"),
        field("business_scope", "经营范围", "textarea", max_length=500),
        field("address", "住所", max_length=200), F_CONTACT, F_MOBILE,
    ],
))

# 《药品经营和使用质量监督管理办法》（2023）: the retail licence is decided within 15
# working days of acceptance (demo value: check against the current text).
ITEMS.append(item(
    "SCJG", "01", 5, "药品零售经营许可（新办）",
    legal_basis=(
        "《中华人民共和国药品管理法》第五十一条、第五十二条\n"
        "《中华人民共和国药品管理法实施条例》\n"
        "《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）"
    ),
    conditions=(
        "（一）有依法经过资格认定的药师或者其他药学技术人员；"
        "（二）有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境；"
        "（三）有与所经营药品相适应的质量管理机构或者人员；"
        "（四）有保证药品质量的规章制度，并符合药品经营质量管理规范要求。"
    ),
    statutory_limit=15,
    statutory_limit_note="自受理之日起 15 个工作日内作出决定",
    promised_limit=8,
    promised_limit_note="自受理之日起 8 个工作日内办结，现场检查时间不计入",
    online_depth=7,
    result_name="药品经营许可证",
    topics=["company-zhunying"],
    special_procedures=[procedure("site_survey", max_days=10, note="按药品经营质量管理规范组织现场检查")],
    materials=[
        mat("sqs", "药品经营许可证申请表"),
        BUSINESS_LICENCE,
        mat("zgzm", "执业药师或者药学技术人员的资格证书及劳动合同", kind="copy"),
        mat("csxx", "经营场所、仓库平面布置图及房屋产权或者使用权证明", kind="copy"),
        mat("zlzd", "质量管理制度文件目录及计算机系统说明", necessity="deferrable", notes="可容缺受理，现场检查前补齐"),
        LEGAL_REP_ID,
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_PREMISES,
        field("scope", "经营范围", "multi_choice", choices=["中药饮片", "中成药", "化学药", "生物制品"]),
        field("pharmacist", "执业药师姓名", max_length=40),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "SCJG", "01", 6, "特种设备使用登记",
    legal_basis=(
        "《中华人民共和国特种设备安全法》第三十三条：特种设备使用单位应当在特种设备投入使用前或者投入使用后"
        "三十日内，向负责特种设备安全监督管理的部门办理使用登记，取得使用登记证书。\n"
        "《特种设备安全监察条例》第二十五条\n《特种设备使用管理规则》（TSG 08-2017）"
    ),
    conditions="特种设备经监督检验合格（需监督检验的），并在投入使用前或者投入使用后三十日内申请登记。",
    statutory_limit=15,
    statutory_limit_note="自受理之日起 15 个工作日内办理；一次申请超过 50 台的，30 个工作日内办理",
    promised_limit=1,
    promised_limit_note="材料齐全的 1 个工作日内办结",
    online_depth=6,
    result_name="特种设备使用登记证",
    topics=["company-zhunying"],
    steps=[
        {"name": "受理", "role": "clerk", "budget_days": 0, "department": None},
        {"name": "审核发证", "role": "approver", "budget_days": 1, "department": None},
    ],
    materials=[
        mat("djb", "特种设备使用登记表", paper_copies=2),
        BUSINESS_LICENCE,
        mat("cpzm", "特种设备产品合格证（含产品数据表）", kind="copy"),
        mat("jjbg", "监督检验证明或者定期检验报告", kind="copy", source="other", source_note="特种设备检验机构出具"),
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC,
        field("equipment_kind", "设备种类", "choice", choices=[
            "锅炉", "压力容器", "电梯", "起重机械", "场（厂）内专用机动车辆", "大型游乐设施", "客运索道",
        ]),
        field("equipment_count", "申请登记数量（台）", "integer", min_value="1"),
        field("location", "设备使用地点", max_length=200),
        F_CONTACT, F_MOBILE,
    ],
))

# ---------------------------------------------------------------------------------- 卫生健康局

ITEMS.append(item(
    "WJJ", "01", 7, "公共场所卫生许可（新办）",
    legal_basis=(
        "《公共场所卫生管理条例》第八条：除公园、体育场（馆）、公共交通工具外的公共场所，经营单位应当及时向"
        "卫生行政部门申请办理卫生许可证。\n"
        "《公共场所卫生管理条例实施细则》第二十二条"
    ),
    conditions=(
        "（一）经营宾馆、旅店、招待所，公共浴室，理发店、美容店，游泳场（馆）等仍须取得卫生许可的公共场所；"
        "（二）场所选址、设计、装修符合卫生标准和规范；"
        "（三）具有相应的卫生设施和卫生管理制度，配备专（兼）职卫生管理人员；"
        "（四）从业人员取得有效健康合格证明；"
        "（五）室内空气、水质等经检测符合卫生标准。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结，现场审查时间不计入",
    online_depth=7,
    deliver_before_supplement=True,
    result_name="公共场所卫生许可证",
    topics=["company-zhunying"],
    special_procedures=[
        procedure("site_survey", max_days=5, note="对场所卫生设施和布局进行现场审查"),
        procedure("testing", max_days=10, note="新建场所的空气、水质等卫生检测"),
    ],
    materials=[
        mat("sqs", "公共场所卫生许可申请表"),
        BUSINESS_LICENCE,
        LEGAL_REP_ID,
        mat("pmt", "公共场所地址方位示意图、平面图和卫生设施平面布局图"),
        mat("jcbg", "公共场所卫生检测或者评价报告", source="other", source_note="有资质的检测机构出具",
            necessity="deferrable", notes="可容缺受理、先证后补，30 日内补交"),
        mat("jkzm", "从业人员健康合格证明名单", kind="copy"),
        mat("glzd", "公共场所卫生管理制度"),
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_PREMISES,
        field("venue_type", "场所类别", "choice", choices=[
            "宾馆、旅店、招待所", "公共浴室", "理发店、美容店", "游泳场（馆）",
        ]),
        field("floor_area", "营业面积（平方米）", "decimal", min_value="0"),
        field("staff_count", "从业人员数", "integer", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "WJJ", "01", 8, "医疗机构执业登记",
    legal_basis=(
        "《医疗机构管理条例》第十五条：医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。\n"
        "《医疗机构管理条例实施细则》"
    ),
    conditions=(
        "（一）按照规定应当办理设置医疗机构批准书的，已取得设置医疗机构批准书；"
        "（二）符合医疗机构的基本标准；（三）有适合的名称、组织机构和场所；"
        "（四）有与其开展的业务相适应的经费、设施、设备和专业卫生技术人员；"
        "（五）有相应的规章制度；（六）能够独立承担民事责任。"
    ),
    statutory_limit=45,
    statutory_limit_note="自受理之日起 45 日内进行审核，作出决定",
    promised_limit=20,
    promised_limit_note="自受理之日起 20 个工作日内办结（含现场审核）",
    result_name="医疗机构执业许可证",
    topics=["company-zhunying"],
    special_procedures=[procedure("site_survey", counts=True, max_days=10, note="对房屋、设备、人员进行现场审核，计入办理时限")],
    steps=flow(accept=1, review=14, decide=3, deliver=2, review_name="审查（含现场审核）"),
    materials=[
        mat("djsqs", "医疗机构申请执业登记注册书"),
        mat_licence("szpzs", "设置医疗机构批准书", "卫生健康行政部门", necessity="optional",
                    notes="诊所等实行备案管理或无需设置审批的不提交"),
        mat("cszm", "医疗机构用房产权证明或者使用证明", kind="copy"),
        mat("pmt", "医疗机构建筑设计平面图"),
        mat("ryqd", "医疗机构人员名单及其执业证书", kind="copy"),
        mat("gzzd", "医疗机构规章制度"),
        LEGAL_REP_ID,
    ],
    form_fields=[
        field("institution_name", "医疗机构名称", max_length=100), F_USCC, F_LEGAL_REP, F_PREMISES,
        field("institution_kind", "医疗机构类别", "choice", choices=[
            "综合医院", "中医医院", "专科医院", "门诊部", "诊所", "卫生院", "其他",
        ]),
        field("beds", "床位数", "integer", min_value="0"),
        field("departments", "诊疗科目", "textarea", max_length=500),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "WJJ", "01", 9, "放射诊疗许可",
    legal_basis=(
        "《放射性同位素与射线装置安全和防护条例》第八条\n"
        "《放射诊疗管理规定》（原卫生部令第46号）第十一条、第十三条"
    ),
    conditions=(
        "（一）具有经核准登记的医学影像科诊疗科目；（二）具有符合国家相关标准和规定的放射诊疗场所和配套设施；"
        "（三）具有质量控制与安全防护专（兼）职管理人员和管理制度，并配备必要的防护用品和监测仪器；"
        "（四）产生放射性废气、废液、固体废物的，具有确保放射性废气、废液、固体废物达标排放的处理能力或者可行的处理方案；"
        "（五）具有放射事件应急处理预案。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出审查决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结，专家评审和检测时间不计入",
    result_name="放射诊疗许可证",
    topics=["company-zhunying"],
    special_procedures=[
        procedure("expert_review", max_days=10, note="组织专家对放射防护条件进行评审"),
        procedure("testing", max_days=10, note="放射诊疗设备性能和工作场所放射防护检测"),
    ],
    steps=flow(accept=1, review=6, decide=2, deliver=1),
    materials=[
        mat("sqs", "放射诊疗许可申请表"),
        mat_licence("yljg", "医疗机构执业许可证", "卫生健康行政部门"),
        mat("ryzz", "放射诊疗专业技术人员资质证明及放射工作人员个人剂量监测、健康检查资料", kind="copy"),
        mat("jcbg", "放射诊疗设备和场所的放射防护检测报告", source="other", source_note="有资质的放射卫生技术服务机构出具"),
        mat("yspj", "放射诊疗建设项目职业病危害放射防护竣工验收资料", kind="copy"),
        mat("glzd", "放射防护管理制度及放射事件应急处理预案"),
    ],
    form_fields=[
        field("institution_name", "医疗机构名称", max_length=100), F_USCC, F_LEGAL_REP,
        field("radiology_kind", "放射诊疗类别", "multi_choice", choices=[
            "放射治疗", "核医学", "介入放射学", "X射线影像诊断",
        ]),
        field("device_count", "放射诊疗设备数量（台）", "integer", min_value="1"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "WJJ", "01", 10, "母婴保健技术服务执业许可",
    legal_basis=(
        "《中华人民共和国母婴保健法》第三十二条：医疗保健机构依照本法规定开展婚前医学检查、遗传病诊断、产前诊断"
        "以及施行结扎手术和终止妊娠手术的，必须符合国务院卫生行政部门规定的条件和技术标准，并经县级以上地方人民政府"
        "卫生行政部门许可。\n《中华人民共和国母婴保健法实施办法》第三十五条"
    ),
    conditions="已取得医疗机构执业许可证；具有开展相应母婴保健技术服务的人员、设备、场所和规章制度，符合国家规定的技术标准。",
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结，现场审核时间不计入",
    result_name="母婴保健技术服务执业许可证",
    topics=["company-zhunying"],
    special_procedures=[procedure("site_survey", max_days=10, note="对人员、设备和场所进行现场审核")],
    steps=flow(accept=1, review=6, decide=2, deliver=1),
    materials=[
        mat("sqs", "母婴保健技术服务执业许可申请登记书"),
        mat_licence("yljg", "医疗机构执业许可证", "卫生健康行政部门"),
        mat("ryqd", "开展母婴保健技术服务的人员名单及其母婴保健技术考核合格证书", kind="copy"),
        mat("sbqd", "相关设备清单及场所平面图"),
        mat("glzd", "相关技术服务规章制度"),
    ],
    form_fields=[
        field("institution_name", "医疗机构名称", max_length=100), F_USCC, F_LEGAL_REP,
        field("services", "申请开展项目", "multi_choice", choices=[
            "婚前医学检查", "助产技术", "结扎手术", "终止妊娠手术", "产前筛查",
        ]),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "WJJ", "20", 1, "生育登记服务",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国人口与计划生育法》\n《浙江省人口与计划生育条例》",
    conditions="夫妻双方至少一方户籍在本县，或者在本县居住生活；生育子女后或者怀孕期间均可登记。",
    statutory_limit=1,
    statutory_limit_note="即时办理",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="网上申请即时办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=6,
    tongban_scope="county",
    place=f"{PLACE}；各乡镇（街道）便民服务中心；一窗政务服务网",
    result_type="filing",
    result_name="生育登记回执（电子）",
    appointment_supported=False,
    post_delivery_supported=False,
    topics=["person-hunyu", "life-xinsheng"],
    steps=ON_THE_SPOT,
    materials=[
        mat_id("fqsfz", "夫妻双方居民身份证"),
        mat_licence("jhz", "结婚证", "婚姻登记机关", necessity="optional", notes="未办理结婚登记的不影响生育登记"),
    ],
    form_fields=[
        field("mother_name", "女方姓名", max_length=40), field("mother_id", "女方身份证号码", "id_number"),
        field("father_name", "男方姓名", required=False, max_length=40),
        field("father_id", "男方身份证号码", "id_number", required=False),
        field("child_order", "本次登记为第几孩", "choice", choices=["一孩", "二孩", "三孩"]),
        F_MOBILE,
    ],
))

# -------------------------------------------------------------------------------- 交通运输局

ITEMS.append(item(
    "JTJ", "01", 11, "道路货物运输经营许可",
    legal_basis=(
        "《中华人民共和国道路运输条例》第二十一条、第二十四条\n"
        "《道路货物运输及站场管理规定》（交通运输部令）"
    ),
    conditions=(
        "（一）有与其经营业务相适应并经检测合格的车辆；"
        "（二）有符合规定条件的驾驶人员；"
        "（三）有健全的安全生产管理制度。"
        "使用总质量 4500 千克及以下普通货运车辆从事普通货运经营的，无需申请本许可。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内审查完毕，作出许可或者不予许可的决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结",
    online_depth=7,
    result_name="道路运输经营许可证",
    topics=["company-jiaotong"],
    materials=[
        mat("sqb", "道路货物运输经营申请表"),
        BUSINESS_LICENCE,
        LEGAL_REP_ID,
        mat("clzm", "拟投入车辆承诺书或者已有车辆的行驶证、车辆技术等级评定结论", kind="copy"),
        mat("jsy", "驾驶人员的机动车驾驶证、从业资格证", kind="copy"),
        mat("aqzd", "安全生产管理制度文本", necessity="deferrable", notes="可容缺受理，领证前补交"),
        PROXY,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, field("address", "经营地址", max_length=200),
        field("vehicle_count", "拟投入车辆数（辆）", "integer", min_value="1"),
        field("cargo_kind", "经营范围", "multi_choice", choices=["普通货运", "货物专用运输（集装箱）", "货物专用运输（冷藏保鲜）", "大型物件运输"]),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "JTJ", "01", 12, "经营性道路货物运输驾驶员从业资格证核发",
    for_persons=True, for_companies=False,
    legal_basis=(
        "《中华人民共和国道路运输条例》第二十二条\n"
        "《道路运输从业人员管理规定》（交通运输部令）"
    ),
    conditions=(
        "（一）取得相应的机动车驾驶证一年以上；（二）年龄不超过 60 周岁；"
        "（三）三年内无重大以上交通责任事故；（四）掌握相关道路货物运输法规、机动车维修和货物装载保管基本知识；"
        "（五）经考试合格。"
    ),
    statutory_limit=10,
    statutory_limit_note="考试合格之日起 10 日内核发从业资格证件",
    promised_limit=3,
    promised_limit_note="考试合格后 3 个工作日内核发",
    online_depth=7,
    result_name="道路运输从业资格证",
    topics=["person-jiaotong", "person-jiuye"],
    steps=flow(accept=1, review=1, decide=1, deliver=0),
    materials=[
        mat("sqb", "道路运输从业人员从业资格考试申请表"),
        mat_id("sfz", "申请人居民身份证"),
        mat_licence("jsz", "机动车驾驶证", "公安机关交通管理部门"),
        mat("wsgzm", "三年内无重大以上交通责任事故的书面承诺", acceptance_standard="由申请人本人签字"),
    ],
    form_fields=[F_PERSON, F_PERSON_ID, field("licence_class", "准驾车型", "choice", choices=["A1", "A2", "B1", "B2", "C1"]), F_MOBILE],
))

ITEMS.append(item(
    "JTJ", "01", 13, "出租汽车驾驶员从业资格证核发",
    for_persons=True, for_companies=False,
    legal_basis=(
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）\n"
        "《出租汽车驾驶员从业资格管理规定》（交通运输部令）"
    ),
    conditions=(
        "（一）取得相应准驾车型机动车驾驶证并具有 3 年以上驾驶经历；（二）无交通肇事犯罪、危险驾驶犯罪记录，"
        "无吸毒记录，无饮酒后驾驶记录，最近连续 3 个记分周期内没有记满 12 分记录；（三）无暴力犯罪记录；"
        "（四）经全国公共科目和区域科目考试合格。"
    ),
    statutory_limit=10,
    statutory_limit_note="考试合格之日起 10 日内核发从业资格证",
    promised_limit=5,
    promised_limit_note="考试合格后 5 个工作日内核发",
    result_name="出租汽车驾驶员从业资格证",
    topics=["person-jiaotong"],
    steps=flow(accept=1, review=2, decide=1, deliver=1),
    materials=[
        mat("sqb", "出租汽车驾驶员从业资格考试申请表"),
        mat_id("sfz", "申请人居民身份证"),
        mat_licence("jsz", "机动车驾驶证", "公安机关交通管理部门"),
        mat("wfzm", "无犯罪记录、无吸毒记录等情况的证明", source="government", source_note="公安机关出具；可由窗口协查"),
    ],
    form_fields=[F_PERSON, F_PERSON_ID, field("driving_years", "驾龄（年）", "integer", min_value="0"), F_MOBILE],
))

# ------------------------------------------------------------------------ 住房和城乡建设局

# 建筑法 Art. 8 says "七日内" (days); the item keeps 7 and the note says so.
ITEMS.append(item(
    "ZJJ", "01", 14, "建筑工程施工许可证核发",
    legal_basis=(
        "《中华人民共和国建筑法》第七条、第八条\n"
        "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）"
    ),
    conditions=(
        "（一）依法应当办理用地批准手续的，已办理；（二）依法应当办理建设工程规划许可证的，已取得；"
        "（三）施工场地已经基本具备施工条件，需要征收房屋的，其进度符合施工要求；"
        "（四）已经确定施工企业；（五）有满足施工需要的技术资料，施工图设计文件已按规定审查合格；"
        "（六）有保证工程质量和安全的具体措施；（七）建设资金已经落实。"
    ),
    statutory_limit=7,
    statutory_limit_note="《建筑法》第八条：自收到申请之日起七日内颁发施工许可证",
    promised_limit=3,
    promised_limit_note="自受理之日起 3 个工作日内办结",
    visits_required=0,
    handling_forms="网上办理、窗口办理",
    online_depth=7,
    place="示例县政务服务中心二楼 工程建设项目审批综合窗口",
    result_name="建筑工程施工许可证",
    topics=["company-gongcheng"],
    steps=flow(accept=1, review=1, decide=1, deliver=0),
    materials=[
        mat("sqb", "建筑工程施工许可申请表", acceptance_standard="建设单位盖章"),
        mat_licence("ghxk", "建设工程规划许可证", "自然资源和规划部门"),
        mat("zbtz", "中标通知书或者直接发包批准文件、施工合同", kind="copy"),
        mat("stsc", "施工图设计文件审查合格书", kind="copy", necessity="deferrable",
            notes="可容缺受理，须在发证前补交"),
        mat("zlaq", "保证工程质量和安全的具体措施", acceptance_standard="含工程质量安全监督手续"),
        mat("zjcn", "建设资金已经落实承诺书", acceptance_standard="建设单位法定代表人签字并盖章"),
    ],
    form_fields=[
        F_PROJECT, F_PROJECT_CODE, F_ENTITY, F_USCC,
        field("site", "建设地址", max_length=200),
        field("contract_price", "合同价格（万元）", "decimal", min_value="0"),
        field("floor_area", "建筑面积（平方米）", "decimal", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "ZJJ", "01", 15, "城镇污水排入排水管网许可",
    legal_basis=(
        "《城镇排水与污水处理条例》第二十一条\n"
        "《城镇污水排入排水管网许可管理办法》（住房和城乡建设部令第21号）"
    ),
    conditions=(
        "（一）排放口的设置符合城镇排水与污水处理规划的要求；（二）按照规定建设相应的预处理设施和水质、水量检测设施；"
        "（三）排放的污水符合国家或者地方规定的有关排放标准；"
        "（四）从事餐饮、洗车、美容美发等活动的，已设置隔油池、沉淀池等预处理设施。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结，现场核查和水质检测时间不计入",
    result_name="城镇污水排入排水管网许可证",
    topics=["company-gongcheng", "company-huanbao", "life-canyin"],
    special_procedures=[
        procedure("site_survey", max_days=5, note="核查排放口、预处理设施"),
        procedure("testing", max_days=10, note="排水水质、水量检测"),
    ],
    materials=[
        mat("sqb", "城镇污水排入排水管网许可申请表"),
        BUSINESS_LICENCE,
        mat("pst", "排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明", necessity="deferrable",
            notes="小型餐饮排水户可容缺受理，3 个工作日内补交"),
        mat("ycl", "预处理设施的说明材料"),
        mat("szbg", "排水水质、水量检测报告", source="other", source_note="有资质的检测机构出具",
            necessity="optional", notes="已投入使用的排水户提交"),
        LEGAL_REP_ID,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_PREMISES,
        field("discharge_kind", "排水户类别", "choice", choices=["餐饮", "洗车", "美容美发", "医疗", "工业", "其他"]),
        field("daily_volume", "日排水量（立方米）", "decimal", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "ZJJ", "10", 2, "房屋建筑和市政基础设施工程竣工验收备案",
    legal_basis=(
        "《建设工程质量管理条例》第四十九条：建设单位应当自建设工程竣工验收合格之日起 15 日内，将建设工程竣工验收报告"
        "和规划、公安消防、环保等部门出具的认可文件或者准许使用文件报建设行政主管部门或者其他有关部门备案。\n"
        "《房屋建筑和市政基础设施工程竣工验收备案管理办法》"
    ),
    conditions="工程已按规定组织竣工验收并验收合格，规划、消防等专项验收已完成。",
    statutory_limit=5,
    statutory_limit_note="备案文件齐全的当场签收备案",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="备案文件齐全的当场办结",
    handling_forms="网上办理、窗口办理",
    online_depth=6,
    place="示例县政务服务中心二楼 工程建设项目审批综合窗口",
    result_type="filing",
    result_name="工程竣工验收备案表",
    topics=["company-gongcheng"],
    steps=ON_THE_SPOT,
    materials=[
        mat("bab", "工程竣工验收备案表", paper_copies=2),
        mat("ysbg", "工程竣工验收报告", acceptance_standard="参建各方签字盖章"),
        mat("zxys", "规划、消防等专项验收或者备案的认可文件", kind="copy", source="government",
            source_note="相关主管部门出具，可通过工程建设项目审批管理系统共享"),
        mat("zlbx", "施工单位签署的工程质量保修书"),
    ],
    form_fields=[F_PROJECT, F_PROJECT_CODE, F_ENTITY, F_USCC, field("completion_date", "竣工验收日期", "date"), F_MOBILE],
))

# -------------------------------------------------------------------------- 综合行政执法局

ITEMS.append(item(
    "ZHZF", "01", 16, "城市建筑垃圾处置核准",
    legal_basis=(
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）第 101 项\n"
        "《城市建筑垃圾管理规定》（建设部令第139号）第七条"
    ),
    conditions=(
        "（一）提交的书面申请包括建筑垃圾的种类、数量、运输路线及处置场地等事项；"
        "（二）有消纳场的场地平面图、进场路线图、具有相应的摊铺、碾压、除尘、照明等机械和设备；"
        "（三）运输车辆具备全密闭运输机械装置或密闭苫盖装置，安装行驶及装卸记录仪；"
        "（四）有建筑垃圾分类处置的方案和对废混凝土、金属、木材等回收利用的方案。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定",
    promised_limit=3,
    promised_limit_note="自受理之日起 3 个工作日内办结",
    result_type="approval_doc",
    result_name="城市建筑垃圾处置核准证",
    topics=["company-gongcheng"],
    steps=flow(accept=1, review=1, decide=1, deliver=0),
    materials=[
        mat("sqs", "城市建筑垃圾处置核准申请书", acceptance_standard="载明建筑垃圾种类、数量、运输路线及处置场地"),
        BUSINESS_LICENCE,
        mat("xncxy", "与消纳场所签订的消纳协议", kind="copy"),
        mat("ysht", "与运输单位签订的运输合同及车辆行驶证", kind="copy"),
        mat("clfa", "建筑垃圾分类处置及回收利用方案"),
    ],
    form_fields=[
        F_PROJECT, F_ENTITY, F_USCC,
        field("waste_volume", "建筑垃圾数量（立方米）", "decimal", min_value="0"),
        field("route", "运输路线", "textarea", max_length=300),
        field("disposal_site", "处置场地", max_length=200),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "ZHZF", "01", 17, "户外广告设施设置审批",
    legal_basis=(
        "《城市市容和环境卫生管理条例》第十一条：大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，"
        "按照有关规定办理审批手续。\n《浙江省城市市容和环境卫生管理条例》"
    ),
    conditions="设置地点符合县城户外广告设施设置规划；设施结构安全，符合城市容貌标准；不影响交通安全和市政设施使用。",
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结，现场踏勘时间不计入",
    result_type="approval_doc",
    result_name="户外广告设施设置许可决定书",
    topics=["company-zhunying", "life-canyin"],
    special_procedures=[procedure("site_survey", max_days=3, note="现场踏勘设置位置")],
    steps=flow(accept=1, review=2, decide=1, deliver=1),
    materials=[
        mat("sqb", "户外广告设施设置申请表"),
        BUSINESS_LICENCE,
        mat("xgt", "设施设计效果图、尺寸及位置示意图"),
        mat("cqzm", "设置场地的产权证明或者使用协议", kind="copy"),
        mat("jgaq", "大型设施的结构安全证明", source="other", source_note="有资质的设计单位出具",
            necessity="optional", notes="设施面积超过 10 平方米或者高度超过 5 米的提交"),
    ],
    form_fields=[
        F_ENTITY, F_USCC, field("location", "设置地点", max_length=200),
        field("sign_area", "设施面积（平方米）", "decimal", min_value="0"),
        field("period", "设置期限（月）", "integer", min_value="1"),
        F_CONTACT, F_MOBILE,
    ],
))

# -------------------------------------------------------------------- 自然资源和规划局

ITEMS.append(item(
    "ZRZY", "01", 18, "建设工程规划许可证核发",
    legal_basis="《中华人民共和国城乡规划法》第四十条",
    conditions="建设工程设计方案符合控制性详细规划和规划条件；已取得建设项目用地批准文件或者不动产权证书。",
    statutory_limit=20,
    statutory_limit_note="依《行政许可法》第四十二条，自受理之日起 20 个工作日内作出决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结，批前公示时间不计入",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    place="示例县政务服务中心二楼 工程建设项目审批综合窗口",
    result_name="建设工程规划许可证",
    topics=["company-gongcheng"],
    special_procedures=[
        procedure("publicity", max_days=7, note="建设工程设计方案批前公示"),
        procedure("hearing", max_days=20, note="利害关系人依法要求听证的"),
    ],
    steps=flow(accept=1, review=6, decide=2, deliver=1),
    materials=[
        mat("sqb", "建设工程规划许可申请表", form="electronic"),
        mat_licence("ydwj", "建设项目用地批准文件或者不动产权证书", "自然资源和规划部门"),
        mat("sjfa", "建设工程设计方案（总平面图、建筑单体平立剖面图）", form="electronic"),
        mat("jsjb", "建设工程规划技术经济指标表", necessity="deferrable", notes="可容缺受理，公示前补交"),
    ],
    form_fields=[
        F_PROJECT, F_PROJECT_CODE, F_ENTITY, F_USCC,
        field("site", "建设位置", max_length=200),
        field("floor_area", "总建筑面积（平方米）", "decimal", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "ZRZY", "01", 19, "建设用地规划许可证核发",
    legal_basis="《中华人民共和国城乡规划法》第三十七条、第三十八条",
    conditions="以划拨方式提供国有土地使用权的建设项目，经有关部门批准、核准、备案；以出让方式取得国有土地使用权的，已签订国有土地使用权出让合同。",
    statutory_limit=20,
    statutory_limit_note="依《行政许可法》第四十二条，自受理之日起 20 个工作日内作出决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    place="示例县政务服务中心二楼 工程建设项目审批综合窗口",
    result_name="建设用地规划许可证",
    topics=["company-gongcheng"],
    steps=flow(accept=1, review=2, decide=1, deliver=1),
    materials=[
        mat("sqb", "建设用地规划许可申请表", form="electronic"),
        mat("xmpz", "建设项目批准、核准、备案文件", kind="copy", source="government", source_note="发展改革部门出具；可通过投资项目在线审批监管平台共享"),
        mat("crht", "国有土地使用权出让合同", kind="copy", necessity="optional", notes="以出让方式取得土地的提交"),
        mat("hxt", "用地红线图", form="electronic"),
    ],
    form_fields=[
        F_PROJECT, F_PROJECT_CODE, F_ENTITY, F_USCC,
        field("land_area", "用地面积（平方米）", "decimal", min_value="0"),
        field("land_use", "用地性质", "choice", choices=["居住用地", "商业服务业用地", "工业用地", "公共管理与公共服务用地", "其他"]),
        F_CONTACT, F_MOBILE,
    ],
))

# -------------------------------------------------------------------------- 生态环境分局

# 环境影响评价法 Art. 22 counts in days (日): 60 for a report, 30 for a report form.
ITEMS.append(item(
    "STHJ", "01", 20, "建设项目环境影响报告表审批",
    legal_basis="《中华人民共和国环境影响评价法》第十六条、第二十二条\n《建设项目环境保护管理条例》第九条",
    conditions="建设项目类型及其选址、布局、规模等符合环境保护法律法规和相关法定规划；环境影响报告表内容符合技术规范，结论明确。",
    statutory_limit=30,
    statutory_limit_note="《环境影响评价法》第二十二条：自收到环境影响报告表之日起三十日内作出审批决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结，技术评估和公示时间不计入",
    level="city",
    result_type="approval_doc",
    result_name="建设项目环境影响报告表批复",
    intermediary_services="建设项目环境影响报告表编制（由建设单位自主委托具备能力的技术单位）",
    topics=["company-gongcheng", "company-huanbao"],
    special_procedures=[
        procedure("expert_review", max_days=10, note="技术评估（专家评审）"),
        procedure("publicity", max_days=5, note="受理情况公示和拟审批决定公示"),
    ],
    steps=flow(accept=1, review=6, decide=2, deliver=1),
    materials=[
        mat("sqs", "建设项目环境影响报告表审批申请书"),
        mat("hpbg", "建设项目环境影响报告表（全本）", form="both", paper_copies=2),
        mat("sccn", "删除涉及国家秘密、商业秘密内容的公开版本及说明", form="electronic", necessity="optional"),
        BUSINESS_LICENCE,
    ],
    form_fields=[
        F_PROJECT, F_PROJECT_CODE, F_ENTITY, F_USCC,
        field("industry", "行业类别", max_length=60),
        field("investment", "总投资（万元）", "decimal", min_value="0"),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "STHJ", "01", 21, "排污许可证核发",
    legal_basis="《排污许可管理条例》第四条、第十三条\n《排污许可管理办法》（生态环境部令第32号）",
    conditions=(
        "（一）依法取得建设项目环境影响报告书（表）批准文件，或者已经办理环境影响登记表备案手续；"
        "（二）污染物排放符合污染物排放标准要求，重点污染物排放符合排污许可证申请与核发技术规范等规定的总量控制要求；"
        "（三）采用污染防治设施可以达到许可排放浓度要求或者符合污染防治可行技术；"
        "（四）自行监测方案的监测点位、指标、频次等符合国家自行监测规范。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 日内作出决定；实行重点管理需现场核查的，30 日内作出决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结，现场核查时间不计入",
    level="city",
    online_depth=5,
    result_name="排污许可证",
    topics=["company-huanbao"],
    special_procedures=[procedure("site_survey", max_days=10, note="实行重点管理的排污单位现场核查")],
    steps=flow(accept=1, review=6, decide=2, deliver=1),
    materials=[
        mat("sqb", "排污许可证申请表", form="electronic", notes="通过全国排污许可证管理信息平台填报"),
        mat("cns", "排污单位对申请材料真实性、合法性、完整性的承诺书"),
        mat_licence("hppf", "建设项目环境影响评价批复文件或者备案文件", "生态环境部门"),
        mat("zxjc", "自行监测方案"),
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_PREMISES,
        field("management_class", "管理类别", "choice", choices=["重点管理", "简化管理"]),
        F_CONTACT, F_MOBILE,
    ],
))

# ---------------------------------------------------------------------------------- 水利局

ITEMS.append(item(
    "SLJ", "01", 22, "取水许可",
    legal_basis=(
        "《中华人民共和国水法》第七条、第四十八条\n"
        "《取水许可和水资源费征收管理条例》第二条、第二十二条"
    ),
    conditions="取水符合水资源综合规划、流域综合规划和水功能区划，取水总量在本行政区域取水许可控制总量内；已按规定编制建设项目水资源论证报告。",
    statutory_limit=45,
    statutory_limit_note="自受理之日起 45 个工作日内决定批准或者不批准",
    promised_limit=20,
    promised_limit_note="自受理之日起 20 个工作日内办结，水资源论证报告专家评审时间不计入",
    result_type="approval_doc",
    result_name="取水申请批准文件",
    intermediary_services="建设项目水资源论证报告书（表）编制",
    topics=["company-zhunying", "company-huanbao"],
    special_procedures=[procedure("expert_review", max_days=15, note="水资源论证报告书专家审查")],
    steps=flow(accept=1, review=12, decide=5, deliver=2),
    materials=[
        mat("sqs", "取水申请书"),
        mat("lzbg", "建设项目水资源论证报告书（表）", paper_copies=3),
        mat("lhgx", "与第三者利害关系的相关说明", necessity="optional"),
        BUSINESS_LICENCE,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_PROJECT,
        field("source", "取水水源", "choice", choices=["地表水", "地下水"]),
        field("annual_volume", "年取水量（万立方米）", "decimal", min_value="0"),
        field("purpose", "取水用途", max_length=60),
        F_CONTACT, F_MOBILE,
    ],
))

# ------------------------------------------------------------------------ 人力资源和社会保障局

ITEMS.append(item(
    "RSJ", "01", 23, "人力资源服务许可",
    legal_basis="《中华人民共和国就业促进法》第四十条\n《人力资源市场暂行条例》第十八条、第十九条",
    conditions="有明确的章程和管理制度；有开展业务必备的固定场所、办公设施和开办资金；有一定数量具备相应职业资格的专职工作人员。",
    statutory_limit=20,
    statutory_limit_note="自收到申请之日起 20 日内依法作出行政许可决定",
    promised_limit=5,
    promised_limit_note="自受理之日起 5 个工作日内办结",
    online_depth=7,
    result_name="人力资源服务许可证",
    topics=["company-zhunying"],
    materials=[
        mat("sqb", "人力资源服务许可申请表"),
        BUSINESS_LICENCE,
        mat("zyry", "专职工作人员名单及劳动合同", kind="copy"),
        mat("cszm", "固定经营场所的产权证明或者租赁合同", kind="copy"),
        mat("glzd", "服务管理制度", necessity="deferrable", notes="可容缺受理，领证前补交"),
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP, F_PREMISES,
        field("services", "服务范围", "multi_choice", choices=["职业中介", "人力资源供求信息收集发布", "就业和创业指导", "人才测评", "高级人才寻访"]),
        F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "RSJ", "01", 24, "劳务派遣经营许可",
    legal_basis="《中华人民共和国劳动合同法》第五十七条\n《劳务派遣行政许可实施办法》（人力资源社会保障部令第19号）",
    conditions=(
        "（一）注册资本不得少于人民币二百万元；（二）有与开展业务相适应的固定的经营场所和设施；"
        "（三）有符合法律、行政法规规定的劳务派遣管理制度；（四）法律、行政法规规定的其他条件。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 个工作日内作出是否准予行政许可的决定",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内办结",
    online_depth=7,
    result_name="劳务派遣经营许可证",
    topics=["company-zhunying"],
    steps=flow(accept=1, review=5, decide=2, deliver=2),
    materials=[
        mat("sqs", "劳务派遣经营许可申请书"),
        BUSINESS_LICENCE,
        mat("zbzm", "公司章程及实缴注册资本证明", kind="copy"),
        mat("cszm", "经营场所的使用证明及设施设备清单", kind="copy"),
        mat("pqzd", "劳务派遣管理制度（劳动合同、劳动报酬、社会保险、工作时间、休息休假、劳动纪律等）"),
        LEGAL_REP_ID,
    ],
    form_fields=[
        F_ENTITY, F_USCC, F_LEGAL_REP,
        field("registered_capital", "注册资本（万元）", "decimal", min_value="0", help_text="不得少于 200 万元"),
        F_PREMISES, F_CONTACT, F_MOBILE,
    ],
))

ITEMS.append(item(
    "RSJ", "20", 2, "城乡居民基本养老保险参保登记",
    for_persons=True, for_companies=False,
    legal_basis=(
        "《中华人民共和国社会保险法》第二十条、第二十二条\n"
        "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"
    ),
    conditions="年满 16 周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的本县户籍城乡居民。",
    statutory_limit=1,
    statutory_limit_note="即时办理",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=6,
    tongban_scope="county",
    place=f"{PLACE}；各乡镇（街道）便民服务中心；村（社区）便民服务站",
    result_type="other",
    result_name="参保登记信息（社会保障卡可查询）",
    post_delivery_supported=False,
    topics=["person-shebao"],
    steps=ON_THE_SPOT,
    materials=[
        mat_id("sfz", "参保人居民身份证或者社会保障卡"),
        mat("djb", "城乡居民基本养老保险参保登记表", form="electronic", acceptance_standard="网上办理时在线填写，无需提交纸质表"),
    ],
    form_fields=[
        F_PERSON, F_PERSON_ID, F_REGION,
        field("contribution_grade", "缴费档次（元/年）", "choice", choices=["200", "300", "500", "800", "1000", "1500", "2000", "3000", "5000"]),
        F_MOBILE,
    ],
))

ITEMS.append(item(
    "RSJ", "20", 3, "就业创业证申领",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国就业促进法》\n《就业服务与就业管理规定》（劳动和社会保障部令第28号）",
    conditions="法定劳动年龄内、有劳动能力和就业要求的本县户籍或者常住人员。",
    statutory_limit=1,
    statutory_limit_note="即时办理",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=7,
    tongban_scope="listed",
    accepting_centres=[COUNTY_CENTRE, *TOWN_POINTS, "SLXCGNM", "SLXHKSM", "SLXQSZL"],
    place=f"{PLACE}；各乡镇（街道）便民服务中心；南门村、竹林村、石门村便民服务站",
    result_name="就业创业证（电子证）",
    topics=["person-jiuye", "person-shebao"],
    steps=ON_THE_SPOT,
    materials=[
        mat_id("sfz", "申请人居民身份证"),
        mat("dzzp", "近期一寸免冠照片", form="electronic", necessity="optional", notes="已有社会保障卡照片的无需提交"),
    ],
    form_fields=[
        F_PERSON, F_PERSON_ID,
        field("employment_status", "就业状态", "choice", choices=["就业", "失业", "灵活就业", "自主创业"]),
        F_REGION, F_MOBILE,
    ],
))

# 社会保险法 Art. 57: the agency checks within 15 days; the county does it on the spot.
ITEMS.append(item(
    "RSJ", "20", 4, "社会保险登记（单位参保）",
    legal_basis="《中华人民共和国社会保险法》第五十七条\n《社会保险费征缴暂行条例》",
    conditions="在本县依法设立的企业、机关事业单位、社会组织等用人单位，自成立之日起三十日内申请办理。",
    statutory_limit=15,
    statutory_limit_note="社会保险经办机构自收到申请之日起 15 日内审核",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="企业开办时同步办理，当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=6,
    result_type="other",
    result_name="单位社会保险登记信息",
    post_delivery_supported=False,
    topics=["company-sheli", "life-qiye"],
    steps=ON_THE_SPOT,
    materials=[
        BUSINESS_LICENCE,
        mat("djb", "社会保险登记表", form="electronic"),
        mat("yhzh", "单位银行基本账户信息", form="electronic", acceptance_standard="与营业执照名称一致"),
    ],
    form_fields=[F_ENTITY, F_USCC, F_LEGAL_REP, field("staff_count", "参保职工人数", "integer", min_value="0"), F_CONTACT, F_MOBILE],
))

# -------------------------------------------------------------------------------------- 民政局

ITEMS.append(item(
    "MZJ", "01", 25, "社会团体成立登记",
    legal_basis="《社会团体登记管理条例》第三条、第十条、第十二条",
    conditions=(
        "（一）有 50 个以上的个人会员或者 30 个以上的单位会员，或者个人会员、单位会员混合组成的会员总数不少于 50 个；"
        "（二）有规范的名称和相应的组织机构；（三）有固定的住所；（四）有与其业务活动相适应的专职工作人员；"
        "（五）县级社会团体有 1 万元以上活动资金；（六）有独立承担民事责任的能力。"
    ),
    statutory_limit=60,
    statutory_limit_note="自收到全部有效文件之日起 60 日内作出准予或者不准予登记的决定",
    promised_limit=20,
    promised_limit_note="自受理之日起 20 个工作日内办结",
    result_name="社会团体法人登记证书",
    topics=["company-sheli"],
    steps=flow(accept=1, review=12, decide=5, deliver=2),
    materials=[
        mat("sqs", "社会团体成立登记申请书"),
        mat("zc", "社会团体章程草案"),
        mat("zzcy", "验资报告或者资金来源证明", kind="copy", source="other", source_note="会计师事务所或者银行出具"),
        mat("zszm", "住所使用权证明", kind="copy"),
        mat("fzr", "拟任负责人基本情况及身份证明", kind="copy"),
        mat("ywzg", "业务主管单位的批准文件", necessity="optional", notes="依法需经业务主管单位审查同意的提交"),
    ],
    form_fields=[
        field("org_name", "社会团体名称", max_length=100), F_LEGAL_REP, F_LEGAL_REP_ID,
        field("members", "会员数", "integer", min_value="0"),
        field("funds", "活动资金（万元）", "decimal", min_value="0"),
        field("address", "住所", max_length=200), F_MOBILE,
    ],
))

ITEMS.append(item(
    "MZJ", "01", 26, "民办非企业单位成立登记",
    legal_basis="《民办非企业单位登记管理暂行条例》第三条、第八条、第十一条",
    conditions=(
        "（一）经业务主管单位审查同意（依法需要的）；（二）有规范的名称、必要的组织机构；"
        "（三）有与其业务活动相适应的从业人员；（四）有与其业务活动相适应的合法财产；（五）有必要的场所。"
    ),
    statutory_limit=60,
    statutory_limit_note="自收到成立登记申请的全部有效文件之日起 60 日内作出准予或者不准予登记的决定",
    promised_limit=20,
    promised_limit_note="自受理之日起 20 个工作日内办结",
    result_name="民办非企业单位（法人）登记证书",
    topics=["company-sheli"],
    steps=flow(accept=1, review=12, decide=5, deliver=2),
    materials=[
        mat("sqs", "民办非企业单位成立登记申请书"),
        mat("zc", "民办非企业单位章程草案"),
        mat("zczm", "验资报告", source="other", source_note="会计师事务所出具"),
        mat("cszm", "场所使用权证明", kind="copy"),
        mat("fzr", "拟任负责人的基本情况及身份证明", kind="copy"),
    ],
    form_fields=[
        field("org_name", "单位名称", max_length=100), F_LEGAL_REP, F_LEGAL_REP_ID,
        field("field_of_work", "业务范围", "textarea", max_length=300),
        field("funds", "开办资金（万元）", "decimal", min_value="0"),
        field("address", "住所", max_length=200), F_MOBILE,
    ],
))

ITEMS.append(item(
    "MZJ", "07", 1, "结婚登记",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国民法典》第一千零四十六条至第一千零四十九条\n《婚姻登记条例》",
    conditions=(
        "男女双方完全自愿；男方年满二十二周岁、女方年满二十周岁；双方均无配偶；"
        "双方不是直系血亲或者三代以内旁系血亲。双方须亲自到婚姻登记机关申请。"
    ),
    statutory_limit=0,
    statutory_limit_note="符合规定的当场予以登记，发给结婚证",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="窗口办理（可网上预约）",
    visits_required=1,
    online_depth=2,
    tongban_scope="cross_province",
    place="示例县政务服务中心一楼 B03 婚姻登记专窗（颁证厅）",
    result_type="licence",
    result_name="结婚证",
    post_delivery_supported=False,
    topics=["person-hunyu"],
    steps=ON_THE_SPOT,
    materials=[
        mat_id("sfz", "双方居民身份证"),
        mat("sm", "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明", form="paper",
            acceptance_standard="在婚姻登记员面前亲自签署"),
        mat("zp", "双方近期半身免冠合影照片", form="paper", paper_copies=3, acceptance_standard="2 寸红底，可现场拍摄"),
    ],
    form_fields=[
        field("groom_name", "男方姓名", max_length=40), field("groom_id", "男方身份证号码", "id_number"),
        field("bride_name", "女方姓名", max_length=40), field("bride_id", "女方身份证号码", "id_number"),
        field("appointment_date", "预约登记日期", "date"), F_MOBILE,
    ],
))

ITEMS.append(item(
    "MZJ", "10", 3, "养老机构备案",
    legal_basis="《中华人民共和国老年人权益保障法》第四十三条\n《养老机构管理办法》（民政部令第66号）第九条",
    conditions="已依法办理登记（事业单位法人、社会服务机构或者企业法人）；有符合要求的服务场所、设施和人员。",
    statutory_limit=0,
    statutory_limit_note="备案材料齐全的当场备案",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="网上办理、窗口办理",
    visits_required=0,
    online_depth=6,
    result_type="filing",
    result_name="养老机构备案回执",
    topics=["company-zhunying"],
    steps=ON_THE_SPOT,
    materials=[
        mat("bas", "养老机构备案书"),
        mat_licence("djzs", "登记证书或者营业执照", "登记管理机关"),
        mat("cns", "养老机构服务安全承诺书", acceptance_standard="法定代表人签字并盖章"),
        mat("xfzm", "消防安全检查或者验收材料", kind="copy", necessity="optional"),
    ],
    form_fields=[
        field("institution_name", "养老机构名称", max_length=100), F_USCC, F_LEGAL_REP,
        field("beds", "床位数", "integer", min_value="0"), field("address", "服务场所地址", max_length=200), F_MOBILE,
    ],
))

# ---------------------------------------------------------------------------- 公安局（户政）

# 居民身份证法: issued within 60 days of the application form (extendable by 30 in remote areas).
ITEMS.append(item(
    "GAJ", "07", 2, "居民身份证换领",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国居民身份证法》\n《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
    conditions="居民身份证有效期满、证件损坏或者登记项目变更的中国公民。",
    statutory_limit=60,
    statutory_limit_note="自提交居民身份证申领登记表之日起六十日内发放；交通不便地区可延长，但不超过三十日",
    promised_limit=10,
    promised_limit_note="自受理之日起 10 个工作日内制证，可选择邮寄送达",
    handling_forms="窗口办理（可网上预约）",
    visits_required=1,
    online_depth=2,
    tongban_scope="cross_province",
    place="示例县政务服务中心一楼 B02 公安户政专窗；各派出所户籍窗口",
    fee_free=False,
    fees=[{
        "name": "居民身份证工本费", "standard": "换领 20 元/证；损坏换领、丢失补领 40 元/证",
        "basis": "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        "exemption": "城市中领取最低生活保障金的居民、农村中有特殊生活困难的居民换领时免收工本费",
    }],
    online_payment_supported=True,
    result_name="居民身份证",
    topics=["person-huji"],
    steps=flow(accept=1, review=2, decide=1, deliver=6, review_name="审核（含人像、指纹采集核验）"),
    materials=[
        mat_id("ysfz", "原居民身份证", kind="original", acceptance_standard="交回原证；丢失的无需提交"),
        mat("hkb", "居民户口簿", necessity="optional", source="government", source_note="公安机关核发",
            notes="登记项目有变更的提交"),
        mat("zp", "数码相片", form="electronic", acceptance_standard="现场采集或使用符合标准的回执照片"),
    ],
    form_fields=[F_PERSON, F_PERSON_ID, field("reason", "换领原因", "choice", choices=["有效期满", "证件损坏", "登记项目变更"]), field("delivery_address", "邮寄地址", required=False, max_length=200), F_MOBILE],
))

ITEMS.append(item(
    "GAJ", "10", 4, "户口迁移（县内迁移）",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国户口登记条例》第十条、第十三条",
    conditions="在本县范围内有合法稳定住所，符合本县户口迁移政策的居民。",
    statutory_limit=0,
    statutory_limit_note="材料齐全、符合条件的当场办理",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="窗口办理",
    online_depth=3,
    place="示例县政务服务中心一楼 B02 公安户政专窗；各派出所户籍窗口",
    result_type="other",
    result_name="户口登记（居民户口簿相应页）",
    post_delivery_supported=False,
    topics=["person-huji"],
    steps=ON_THE_SPOT,
    materials=[
        mat("hkb", "迁出人居民户口簿", source="government", source_note="公安机关核发"),
        mat_id("sfz", "迁移人居民身份证"),
        mat_licence("fczm", "迁入地合法稳定住所证明（不动产权证书）", "不动产登记机构",
                    notes="投靠亲属的提交亲属关系证明及户主同意入户的书面意见"),
    ],
    form_fields=[
        F_PERSON, F_PERSON_ID, field("from_address", "迁出地址", max_length=200),
        field("to_address", "迁入地址", max_length=200),
        field("reason", "迁移原因", "choice", choices=["购房", "投靠亲属", "婚嫁", "其他"]), F_MOBILE,
    ],
))

ITEMS.append(item(
    "GAJ", "07", 3, "出生登记",
    for_persons=True, for_companies=False,
    legal_basis="《中华人民共和国户口登记条例》第七条：婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
    conditions="在本县出生或者父母一方户籍在本县的新生儿；出生后一个月内申报，逾期的可补办。",
    statutory_limit=0,
    statutory_limit_note="材料齐全的当场登记",
    handling_type=1,
    promised_limit=0,
    promised_limit_note="当场办结",
    handling_forms="窗口办理、网上办理",
    visits_required=0,
    online_depth=5,
    tongban_scope="county",
    place="示例县政务服务中心一楼 B02 公安户政专窗；各乡镇（街道）便民服务中心；各派出所户籍窗口",
    result_type="other",
    result_name="常住人口登记（居民户口簿新生儿页）",
    topics=["person-huji", "life-xinsheng"],
    steps=ON_THE_SPOT,
    materials=[
        mat_licence("csyxzm", "出生医学证明", "助产医疗机构"),
        mat("hkb", "父亲或者母亲的居民户口簿", source="government", source_note="公安机关核发"),
        mat_licence("jhz", "父母结婚证", "婚姻登记机关", necessity="optional", notes="有的提交；非婚生育的不影响登记"),
    ],
    form_fields=[
        field("child_name", "新生儿姓名", max_length=40), field("birth_date", "出生日期", "date"),
        field("gender", "性别", "choice", choices=["男", "女"]),
        field("guardian_name", "申报人姓名", max_length=40), field("guardian_id", "申报人身份证号码", "id_number"),
        F_MOBILE,
    ],
))

# ------------------------------------------------------------------------------ 烟草专卖局

ITEMS.append(item(
    "YCJ", "01", 27, "烟草专卖零售许可证核发",
    legal_basis=(
        "《中华人民共和国烟草专卖法》第十六条\n《中华人民共和国烟草专卖法实施条例》\n"
        "《烟草专卖许可证管理办法》（工业和信息化部令）"
    ),
    conditions=(
        "（一）有与经营烟草制品零售业务相适应的资金；（二）有固定的经营场所；"
        "（三）符合当地烟草制品零售网点合理布局的要求；（四）经营场所不在中小学校、幼儿园周边等禁止区域。"
    ),
    statutory_limit=20,
    statutory_limit_note="自受理之日起 20 个工作日内作出决定",
    promised_limit=7,
    promised_limit_note="自受理之日起 7 个工作日内办结（含实地核查）",
    result_name="烟草专卖零售许可证",
    topics=["company-zhunying"],
    special_procedures=[procedure("site_survey", counts=True, max_days=3, note="实地核查经营场所，计入办理时限")],
    steps=flow(accept=1, review=3, decide=2, deliver=1, review_name="审查（含实地核查）"),
    materials=[
        mat("sqb", "烟草专卖零售许可证申请表"),
        BUSINESS_LICENCE,
        mat_id("jyzsfz", "经营者居民身份证"),
        mat("cszm", "经营场所产权证明或者租赁协议", kind="copy"),
    ],
    form_fields=[field("shop_name", "店铺名称", max_length=100), F_USCC, F_PERSON, F_PERSON_ID, F_PREMISES, F_REGION, F_MOBILE],
))

# Items the demo shows in 暂停办理 state, with the reason the public guide displays.
SUSPENDED = {
    "出租汽车驾驶员从业资格证核发": "全省出租汽车驾驶员从业资格考试系统切换，暂停受理，恢复时间另行公告。",
    "户外广告设施设置审批": "县城户外广告设施设置规划修编期间暂停受理，规划批准后恢复。",
}
