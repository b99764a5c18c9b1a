"""Demo cases (办件): a few hundred, in every state, spread over the last four months.

Every case is made through `yichuang.cases.services`, with `at=` moments in the past on the
county's working days, so numbers, timelines, notices, due dates, alarms and the audit chain
are exactly what the engine would have produced had the hall worked through those months.
A fixed random seed makes the demo the same on every machine for the same day.

Cases still open are placed relative to today so that every department inbox that has demo
accounts (市场监管局, 卫生健康局, 交通运输局) holds work at every alarm level: normal, yellow,
red (due today) and overdue. On a day the hall is closed (a weekend or holiday) nothing can be
due "today", so there is no red then: that is the calendar, not a gap in the data.

Departments without demo reviewer and approver accounts get front-desk work only (received,
correction, refusal, withdrawal, 即办件) and accepted cases waiting in their inbox.

`load_demo_cases` does nothing when the demo centres already have cases: the seed stays
idempotent and never mixes generated cases into cases people made by hand.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from yichuang.cases import services
from yichuang.cases.clock import warning_days
from yichuang.cases.models import Applicant, Case, CaseMaterial, Delivery
from yichuang.cases.rules import can_accept_at
from yichuang.catalog.models import ItemVersion, MaterialRequirement, ProcessStep
from yichuang.core.calendar import is_workday
from yichuang.core.validators import USCC_ALPHABET, id_number_check_char, uscc_check_char
from yichuang.org.models import ServiceCentre, User, Window

from . import org_data

RANDOM_SEED = 339901
HISTORY_DAYS = 125  # calendar days back: about four months of working days

# Departments with a demo reviewer and approver: their cases go all the way.
BACK_OFFICE = {"SCJG": ("reviewer_scjg", "approver_scjg"), "WJJ": ("reviewer_wjj", "approver_wjj"),
               "JTJ": ("reviewer_jtj", "approver_jtj")}

# Open work placed in each inbox (reviewer step open, approver step open), with alarm targets
# taken in turn from ALARM_CYCLE.
INBOX = {"SCJG": (14, 10), "WJJ": (8, 8), "JTJ": (8, 8)}
LEVELS = ["normal", "yellow", "red", "overdue"]
RANK = {level: rank for rank, level in enumerate(LEVELS, start=1)}
# Alarm targets taken in turn: first every level as the inbox row shows it (the more urgent of
# the case's and the step's alarm), then every level of the case's own clock, then a mix.
ALARM_CYCLE = [("shown", level) for level in LEVELS] + [("case", level) for level in LEVELS] + [
    ("shown", "normal"), ("case", "overdue"), ("shown", "yellow"), ("case", "normal")]
OTHER_ACCEPTED = 12

# The rest: (scenario, number of cases).
SCENARIOS = [
    ("immediate", 60),
    ("delivered_in_person", 42),
    ("delivered_post", 26),
    ("deferred_delivered", 5),
    ("approved_waiting", 12),
    ("deferred_withheld", 7),
    ("deferred_issued", 3),
    ("denied_delivered", 5),
    ("denied_waiting", 3),
    ("refused", 9),
    ("withdrawn", 6),
    ("cancelled", 6),
    ("revoked", 3),
    ("received", 7),
    ("correction_front", 11),
    ("correction_sendback", 5),
    ("interview", 1),
    ("special", 8),
    ("extension_requested", 4),
    ("extension_granted", 4),
]

LABELS = {
    "received": "已接件待受理",
    "correction_front": "窗口一次性告知补正中",
    "correction_sendback": "部门退回补正中",
    "interview": "退回超过 3 次（需约谈）",
    "accepted": "已受理待审查",
    "processing": "审查完毕待决定",
    "special": "特别程序中",
    "extension_requested": "延期待批准",
    "extension_granted": "已批准延期办理中",
    "approved_waiting": "准予许可待出件",
    "deferred_withheld": "容缺通过、结果待补齐材料后出件",
    "deferred_issued": "容缺通过、先证后补待出件",
    "deferred_delivered": "容缺材料补齐后已送达",
    "delivered_in_person": "办结、窗口领取",
    "delivered_post": "办结、邮寄送达",
    "denied_waiting": "不予许可待送达",
    "denied_delivered": "不予许可已送达",
    "refused": "不予受理",
    "withdrawn": "受理后撤回",
    "cancelled": "受理前撤件",
    "revoked": "已撤销",
    "immediate": "即办件当场办结",
}

# Relative frequency of each published item at the hall.
ITEM_WEIGHTS = {
    "食品经营许可（新办）": 30, "小餐饮店登记": 9, "食品生产许可（新办）": 4, "个体工商户设立登记": 30,
    "企业设立登记（有限责任公司）": 8, "药品零售经营许可（新办）": 4, "特种设备使用登记": 4,
    "公共场所卫生许可（新办）": 18, "医疗机构执业登记": 2, "放射诊疗许可": 2, "母婴保健技术服务执业许可": 1,
    "生育登记服务": 5, "道路货物运输经营许可": 6, "经营性道路货物运输驾驶员从业资格证核发": 5,
    "建筑工程施工许可证核发": 3, "城镇污水排入排水管网许可": 2, "房屋建筑和市政基础设施工程竣工验收备案": 2,
    "城市建筑垃圾处置核准": 2, "建设工程规划许可证核发": 2, "建设用地规划许可证核发": 1,
    "建设项目环境影响报告表审批": 2, "排污许可证核发": 1, "取水许可": 1, "人力资源服务许可": 1,
    "劳务派遣经营许可": 1, "城乡居民基本养老保险参保登记": 4, "就业创业证申领": 5, "社会保险登记（单位参保）": 3,
    "社会团体成立登记": 1, "民办非企业单位成立登记": 1, "结婚登记": 6, "养老机构备案": 1,
    "居民身份证换领": 4, "户口迁移（县内迁移）": 3, "出生登记": 4, "烟草专卖零售许可证核发": 3,
}
# Items people often bring to their town point instead of the county centre.
TOWN_ITEMS = {"个体工商户设立登记", "小餐饮店登记", "就业创业证申领", "生育登记服务", "城乡居民基本养老保险参保登记",
              "出生登记"}
# Applicants who are people, not organisations (the organisation does not exist yet, or it is a person's matter).
PERSON_ITEMS = {"个体工商户设立登记", "生育登记服务", "经营性道路货物运输驾驶员从业资格证核发", "城乡居民基本养老保险参保登记",
                "就业创业证申领", "社会团体成立登记", "民办非企业单位成立登记", "结婚登记", "居民身份证换领",
                "户口迁移（县内迁移）", "出生登记", "企业设立登记（有限责任公司）"}
# Which kind of business applies for an item: (个体工商户 share, suffixes for 个体工商户, suffixes for companies).
BUSINESS = {
    "食品经营许可（新办）": (0.6, ["面馆", "小吃店", "饭店", "食品商行", "烧烤店", "早餐店", "奶茶店"],
                     ["餐饮管理有限公司", "超市有限公司", "食品有限公司", "农家乐有限公司"]),
    "小餐饮店登记": (1.0, ["小吃店", "面馆", "馄饨店", "快餐店", "土菜馆"], []),
    "食品生产许可（新办）": (0.0, [], ["食品有限公司", "茶业有限公司", "酒业有限公司", "粮油有限公司"]),
    "药品零售经营许可（新办）": (0.2, ["大药房"], ["大药房有限公司", "医药连锁有限公司"]),
    "特种设备使用登记": (0.0, [], ["物业管理有限公司", "机械制造有限公司", "建材有限公司"]),
    "公共场所卫生许可（新办）": (0.55, ["理发店", "美容美发店", "足浴店", "旅馆"],
                        ["酒店管理有限公司", "宾馆有限公司", "健身游泳有限公司", "洗浴服务有限公司"]),
    "医疗机构执业登记": (0.0, [], ["口腔门诊部有限公司", "中医诊所有限公司"]),
    "放射诊疗许可": (0.0, [], ["口腔门诊部有限公司", "骨伤医院有限公司"]),
    "母婴保健技术服务执业许可": (0.0, [], ["妇产医院有限公司"]),
    "道路货物运输经营许可": (0.25, ["货运部"], ["物流有限公司", "运输有限公司", "供应链管理有限公司"]),
    "建筑工程施工许可证核发": (0.0, [], ["房地产开发有限公司", "城市建设投资有限公司"]),
    "城镇污水排入排水管网许可": (0.5, ["洗车店", "饭店"], ["餐饮管理有限公司", "汽车服务有限公司"]),
    "房屋建筑和市政基础设施工程竣工验收备案": (0.0, [], ["房地产开发有限公司", "城市建设投资有限公司"]),
    "城市建筑垃圾处置核准": (0.0, [], ["建设工程有限公司", "土石方工程有限公司"]),
    "建设工程规划许可证核发": (0.0, [], ["房地产开发有限公司", "城市建设投资有限公司"]),
    "建设用地规划许可证核发": (0.0, [], ["房地产开发有限公司", "新材料科技有限公司"]),
    "建设项目环境影响报告表审批": (0.0, [], ["新材料科技有限公司", "包装制品有限公司", "五金制品有限公司"]),
    "排污许可证核发": (0.0, [], ["包装制品有限公司", "五金制品有限公司", "印染有限公司"]),
    "取水许可": (0.0, [], ["酿造有限公司", "水务有限公司"]),
    "人力资源服务许可": (0.0, [], ["人力资源有限公司"]),
    "劳务派遣经营许可": (0.0, [], ["劳务派遣有限公司"]),
    "社会保险登记（单位参保）": (0.0, [], ["科技有限公司", "贸易有限公司", "商贸有限公司"]),
    "养老机构备案": (0.0, [], ["养老服务有限公司"]),
    "烟草专卖零售许可证核发": (1.0, ["便利店", "超市", "副食店"], []),
}
TRADE_NAMES = ("青禾 味源 鑫旺 宏达 恒丰 顺发 和美 佳乐 惠民 福满 德润 金穗 山海 云溪 竹韵 溪口 白云 朝阳 绿野 阳光 "
               "新辰 锦程 博雅 远航 泰和 万家 乐康 安康 益民 诚信 众联 联创 同心 睿思 星河 春晖 嘉禾 天韵 华安 永兴").split()
SURNAMES = ("王 陈 张 李 吴 周 徐 朱 胡 金 方 叶 应 楼 蒋 沈 杨 黄 郑 林 何 潘 程 俞 姜 刘 赵 孙 马 郭 罗 高 梁 谢 "
            "宋 唐 许 韩 冯 邓 曹 彭 曾 袁 蔡 余 杜 魏 丁 任 姚 卢 钟 汪 范 陆 毛 邵 钱 严 施 洪 章 童 柳").split()
MALE_NAMES = ("建华 志强 国平 伟 磊 军 勇 杰 涛 明 超 刚 斌 鹏 海峰 建军 晓东 俊杰 文斌 宇航 浩然 振华 永康 立新 卫国 "
              "明亮 家豪 一鸣 天佑 建平 国庆 金龙 荣华 志明 雪峰 海军 春雷 宏伟").split()
FEMALE_NAMES = ("秀英 丽 静 敏 燕 芳 婷 娟 霞 丽萍 晓燕 慧敏 雅琴 欣怡 梦瑶 佳怡 思琪 雨涵 玉兰 春梅 海燕 美玲 文静 "
                "诗涵 紫萱 小红 月娥 桂芳 彩霞 丽君").split()
BABY_NAMES = ("子墨 一诺 梓涵 沐阳 若汐 景行 安然 知夏 星辰 语桐 铭泽 可馨").split()
STREETS = [
    ("339901001000", "白云街道", ["人民大道", "朝阳路", "白云路", "文化路", "新华路"]),
    ("339901100000", "城关镇", ["解放街", "南门路", "东河路", "县前街", "城东路"]),
    ("339901101000", "青山镇", ["青山大道", "竹林路", "茶园路"]),
    ("339901200000", "河口乡", ["河滨路", "桥头街", "石门路"]),
]
PHONE_PREFIXES = ("138 139 135 137 150 151 152 158 159 187 188 182 183 130 131 132 155 156 185 186 "
                  "133 153 180 181 189 177 199 166").split()
CARRIERS = [("中国邮政EMS", "1", 12), ("顺丰速运", "SF", 13), ("京东物流", "JDV", 12)]

PROXY_CODE = "sqwts"
DEFECTS = [  # (words in the material's name, the defect a clerk or reviewer writes down)
    (("申请书", "申请表", "登记表"), "未由法定代表人（负责人）签字并加盖公章"),
    (("平面图", "布局图", "示意图", "设计"), "未标注各功能区面积及主要设备布局，与现场不一致"),
    (("身份证",), "复印件不清晰，无法辨认证件号码"),
    (("健康",), "部分从业人员健康证明已超过有效期"),
    (("租赁", "产权", "使用权", "场所"), "租赁合同已于上月到期，请提供续签的租赁合同"),
    (("制度",), "制度文本未结合本单位经营项目，缺少进货查验和清洗消毒内容"),
    (("检测", "检验", "评价"), "检测报告超过有效期，须提供近一年内的检测报告"),
    (("合格证", "证明"), "证明文件与申请单位名称不一致"),
]
SENDBACK_PROBLEMS = [
    (("平面图", "布局图", "示意图"), "现场核查发现实际布局与平面图不符（粗加工区与备餐区位置对调），请提交与现场一致的平面图"),
    (("制度",), "管理制度缺少食品安全自查和从业人员健康管理内容，请补充后重新提交"),
    (("申请书", "申请表"), "申请书所填经营项目与现场设备不相适应，请核实后重新填写"),
    (("健康",), "从业人员名单与健康证明人数不符，请补齐全部从业人员的健康证明"),
    (("身份证",), "法定代表人身份证件已过期，请提供有效证件"),
]
REVIEW_OPINIONS = [
    "申请材料齐全、符合法定形式；经现场核查，经营场所布局合理，设施设备与经营项目相适应，符合许可条件，建议准予许可。",
    "经审查，申请材料真实有效，符合《中华人民共和国行政许可法》及相关规定的条件，建议准予许可。",
    "材料齐全，经核查符合法定条件和标准，拟同意，请领导审定。",
    "经书面审查和现场核查，申请人具备相应条件，建议准予。",
]
REVIEW_OPINIONS_DENY = [
    "经现场核查，经营场所与公共厕所距离不足 25 米，存在污染风险，不符合许可条件，建议不予许可。",
    "经审查，申请人不具备与申请事项相适应的专业技术人员，不符合法定条件，建议不予许可。",
]
APPROVE_REASONS = ["同意审查意见，准予许可。", "符合法定条件，准予许可。", "经审定，准予行政许可。"]
DENIALS = [
    ("经现场核查，经营场所与公共厕所、垃圾站的距离不足规定要求，食品处理区存在交叉污染风险，不符合许可条件。",
     "《中华人民共和国食品安全法》第三十三条；《食品经营许可和备案管理办法》第十一条",
     "另行选择与污染源保持规定距离的经营场所，或按要求整改布局（设置独立的粗加工、清洗消毒区）后，可重新提出申请。"),
    ("申请人未配备与申请事项相适应的专业技术人员，不符合法定条件。",
     "《中华人民共和国行政许可法》第三十八条第二款",
     "按规定配备并提交专业技术人员资格证明后，可重新提出申请；如需指导，可到帮办代办窗口（D01）咨询。"),
    ("现场核查发现实际经营场所与申请材料不一致，申请人未能在规定期限内说明情况。",
     "《中华人民共和国行政许可法》第三十四条第三款、第三十八条第二款",
     "以实际经营场所如实提交申请材料后，可重新提出申请。"),
]
REFUSALS = [
    ("申请人仅从事预包装食品销售，依法实行备案管理，不需要取得食品经营许可。",
     "《中华人民共和国食品安全法》第三十五条第一款；《食品经营许可和备案管理办法》第五条",
     "请办理仅销售预包装食品备案：可在一窗政务服务网提交，或在本中心 A01 窗口当场办理。"),
    ("经一次性告知后，申请人未在告知期限内补正全部材料。",
     "《中华人民共和国行政许可法》第三十二条第一款第（四）项",
     "备齐《补正材料一次性告知书》所列全部材料后，可随时重新提出申请。"),
    ("申请事项依法不属于本机关职权范围：申请所涉场所不在本县行政区域内。",
     "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
     "请向申请所涉场所所在地的县级审批部门提出申请；该地政务服务中心的地址和电话已告知申请人。"),
]
WITHDRAW_REASONS = [
    "申请人因经营场所租赁合同解除，申请撤回。",
    "申请人决定变更经营地址，撤回后重新申请。",
    "企业经营计划调整，暂不开业，申请撤回。",
    "申请人书面申请撤回，材料已退还。",
]
CANCEL_REASONS = [
    "申请人表示暂不办理，取回已提交的材料。",
    "申请人未能备齐材料，主动撤件。",
    "申请人改为网上办理，撤回窗口申请。",
]
REVOKE_REASONS = [
    "经核查，申请人提交的房屋租赁合同系伪造，以欺骗手段取得许可，依据《中华人民共和国行政许可法》第六十九条第二款予以撤销。",
    "复查发现对不具备申请资格的申请人准予许可，依据《中华人民共和国行政许可法》第六十九条第一款第（四）项予以撤销。",
]
SPECIAL_REASONS = {
    "site_survey": "需对经营场所布局和设施设备进行现场核查",
    "testing": "需委托检测机构对场所空气质量、水质进行卫生检测",
    "expert_review": "需组织专家对放射防护条件进行技术评审",
    "publicity": "依法进行批前公示",
    "hearing": "利害关系人申请听证",
}
SPECIAL_RESULTS = ["现场核查完毕，场所布局和设施设备符合要求。", "检测完毕，各项指标合格。", "专家评审通过，同意进入审批。"]
EXTENSION_REASONS = [
    "需补充核查经营场所周边污染源情况，十日内难以作出决定，经本机关负责人批准延长期限。",
    "涉及多处经营场所，核查工作量大，经本机关负责人批准延长期限。",
]
VISIT_PURPOSES = ["咨询办理进度", "补交纸质材料原件核验", "现场确认申请信息"]


def _aware(day: datetime.date, minutes: int) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


@dataclass
class Person:
    name: str
    id_number: str
    phone: str
    address: str
    region: str


@dataclass
class Party:
    """Who applies: a person, or a business with its legal representative."""

    person: Person
    company_name: str = ""
    uscc: str = ""
    applicant: Applicant | None = None

    @property
    def is_company(self) -> bool:
        return bool(self.uscc)

    @property
    def display(self) -> str:
        return self.company_name or self.person.name


@dataclass
class Plan:
    scenario: str
    version: ItemVersion
    centre: ServiceCentre
    party: Party
    script: list[tuple[int, str, dict[str, Any]]]
    r: int  # index of the receiving day in the working-day list
    start_minute: int
    agent: Person | None = None
    case: Case | None = None
    last: datetime.datetime | None = None


@dataclass
class Script:
    steps: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    day: int = 0

    def add(self, action: str, gap: int = 0, **kwargs: Any) -> int:
        self.day += gap
        self.steps.append((self.day, action, kwargs))
        return len(self.steps) - 1


class _VersionInfo:
    def __init__(self, version: ItemVersion):
        self.version = version
        self.materials = list(version.materials.all())
        steps = list(version.steps.all())
        self.roles = [s.role for s in steps]
        self.review_budget = next((s.budget_days for s in steps if s.role == ProcessStep.Role.REVIEWER), 0)
        self.has_reviewer = ProcessStep.Role.REVIEWER in self.roles
        department_steps = [s for s in steps if s.role in (ProcessStep.Role.REVIEWER, ProcessStep.Role.APPROVER)]
        # The step that opens at acceptance, and the decision step that opens after the review.
        self.first_budget = department_steps[0].budget_days if department_steps else 0
        self.approver_budget = next((s.budget_days for s in steps if s.role == ProcessStep.Role.APPROVER), 1)
        self.procedures = [a for a in version.allowed_procedures.all() if not a.counts_toward_limit]
        self.deferrable = [m for m in self.materials if m.necessity == MaterialRequirement.Necessity.DEFERRABLE]
        self.immediate = version.handling_type == ItemVersion.HandlingType.IMMEDIATE
        self.limit = version.promised_limit
        self.extension_days = 5 if "延长 5" in version.statutory_limit_note else 10


class DemoCases:
    def __init__(self, *, today: datetime.date, now: datetime.datetime, seed: int = RANDOM_SEED):
        self.rng = random.Random(f"{seed}:{today.isoformat()}")
        self.today = today
        self.now = now
        users = {u.username: u for u in User.objects.filter(
            username__in=[r["username"] for r in org_data.STAFF]).prefetch_related("roles")}
        self.users = users
        self.county = ServiceCentre.objects.select_related("region").get(code=org_data.COUNTY_CENTRE)
        self.region = self.county.region
        self.points = {c.code: c for c in ServiceCentre.objects.select_related("region").filter(
            code__in=[users["town_clerk"].centre.code, users["village_clerk"].centre.code])}
        self.front = {self.county.pk: [users["clerk"], users["clerk2"]],
                      users["town_clerk"].centre_id: [users["town_clerk"]],
                      users["village_clerk"].centre_id: [users["village_clerk"]]}
        self.windows = {(w.centre_id, w.number): w for w in Window.objects.filter(
            centre__in=[self.county, *self.points.values()])}
        versions = {v.name: v for v in (
            ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED, name__in=ITEM_WEIGHTS)
            .select_related("department__region", "department__centre", "item")
            .prefetch_related("materials", "steps", "allowed_procedures__procedure", "accepting_centres",
                              "form_fields"))}
        # In a fixed order, so the same seed makes the same demo on every database.
        self.info = {name: _VersionInfo(versions[name]) for name in ITEM_WEIGHTS if name in versions}
        self.days = self._working_days()
        self.last = len(self.days) - 1
        self.used_ids: set[str] = set()
        self.used_usccs: set[str] = set()
        self.companies: dict[str, list[Party]] = {}
        self.report: Counter = Counter()
        # Rare situations the demo must show at least once, whatever the dice say.
        self.pending = {"second_correction", "assign_agent"}

    def once(self, situation: str) -> bool:
        if situation in self.pending:
            self.pending.discard(situation)
            return True
        return False

    # --- calendar ------------------------------------------------------------------------------

    def _working_days(self) -> list[datetime.date]:
        first = self.today - datetime.timedelta(days=HISTORY_DAYS)
        days = [first + datetime.timedelta(days=i) for i in range(HISTORY_DAYS + 1)]
        days = [d for d in days if is_workday(d, self.region)]
        # Before the hall opens nothing has happened today yet.
        if days and days[-1] == self.today and timezone.localtime(self.now).time() < datetime.time(9, 30):
            days.pop()
        return days

    def when(self, plan: Plan, index: int, *, first: bool = False) -> datetime.datetime:
        """A moment on working day `index`, after the case's previous event and never in the future."""
        index = min(max(index, 0), self.last)
        day = self.days[index]
        if plan.last is not None and timezone.localdate(plan.last) == day:
            moment = plan.last + datetime.timedelta(minutes=self.rng.randint(4, 35))
        else:
            minutes = plan.start_minute if first else self.rng.randint(0, 450)
            moment = _aware(day, minutes)
        cap = _aware(day, 500)
        if day == self.today:
            cap = min(cap, self.now - datetime.timedelta(minutes=1))
        if moment > cap:
            moment = cap
        if plan.last is not None and moment <= plan.last:
            moment = plan.last + datetime.timedelta(seconds=30)
        plan.last = moment
        return moment

    # --- people --------------------------------------------------------------------------------

    def person(self, *, female: bool | None = None, born: tuple[int, int] = (1960, 2001)) -> Person:
        rng = self.rng
        female = rng.random() < 0.5 if female is None else female
        surname = rng.choice(SURNAMES)
        name = surname + rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        while True:
            birth = datetime.date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
            order = rng.randint(0, 49) * 2 + (0 if female else 1)
            area = rng.choice(["339901", "339901", "339901", "339902", "339900"])
            first17 = f"{area}{birth:%Y%m%d}{rng.randint(0, 9)}{order:02d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        region, town, streets = rng.choice(STREETS)
        address = f"示例县{town}{rng.choice(streets)} {rng.randint(1, 220)} 号"
        return Person(name, number, self.phone(), address, region)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"

    def uscc(self, category: str) -> str:
        while True:
            body = "MA" + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(6))
            org_code = body + _org_code_check(body)
            first17 = f"{category}339901{org_code}"
            code = first17 + uscc_check_char(first17)
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    def party(self, info: _VersionInfo, centre: ServiceCentre) -> Party:
        name = info.version.name
        rng = self.rng
        if name in PERSON_ITEMS:
            female = {"生育登记服务": True, "结婚登记": False}.get(name)
            born = (1986, 2001) if name in {"生育登记服务", "结婚登记", "出生登记"} else (1960, 2003)
            return Party(self.person(female=female, born=born))
        gt_share, gt_suffixes, co_suffixes = BUSINESS.get(name, (0.0, [], ["商贸有限公司"]))
        pool = self.companies.setdefault(name, [])
        if pool and rng.random() < 0.12:
            return rng.choice(pool)
        owner = self.person()
        town = next((t for code, t, _s in STREETS if code == owner.region), "城关镇")
        if centre.pk != self.county.pk:
            town = centre.name.replace("便民服务中心", "").replace("便民服务站", "")
        if rng.random() < gt_share:
            company = f"示例县{town}{rng.choice([owner.name[0] + '记', rng.choice(TRADE_NAMES)])}{rng.choice(gt_suffixes)}"
            uscc = self.uscc("92")
        else:
            company = f"示例县{rng.choice(TRADE_NAMES)}{rng.choice(co_suffixes)}"
            uscc = self.uscc("91")
        party = Party(owner, company, uscc)
        pool.append(party)
        return party

    def register(self, party: Party, clerk: User) -> Applicant:
        if party.applicant is None:
            if party.is_company:
                party.applicant = services.applicant_register(
                    actor=clerk, kind=Applicant.Kind.COMPANY, name=party.company_name, uscc=party.uscc,
                    phone=party.person.phone, address=party.person.address,
                    legal_representative=party.person.name)
            else:
                party.applicant = services.applicant_register(
                    actor=clerk, kind=Applicant.Kind.PERSON, name=party.person.name, id_number=party.person.id_number,
                    phone=party.person.phone, address=party.person.address)
        return party.applicant

    # --- choosing -------------------------------------------------------------------------------

    def pick_item(self, names: list[str]) -> _VersionInfo:
        weights = [ITEM_WEIGHTS[n] for n in names]
        return self.info[self.rng.choices(names, weights=weights)[0]]

    def items_where(self, condition) -> list[str]:
        return [name for name, info in self.info.items() if condition(info)]

    def back_office(self, info: _VersionInfo) -> bool:
        return not info.immediate and info.version.department.code in BACK_OFFICE

    def pick_centre(self, info: _VersionInfo) -> ServiceCentre:
        if info.version.name in TOWN_ITEMS and self.rng.random() < 0.4:
            allowed = [c for c in self.points.values() if can_accept_at(info.version, c)]
            if allowed:
                return self.rng.choice(allowed)
        return self.county

    # --- scripts ----------------------------------------------------------------------------------

    @staticmethod
    def level(age: int, days: int, warn: int) -> str:
        """The alarm today of a limit of `days` working days that started `age` working days ago."""
        if age > days:
            return "overdue"
        if age == days:
            return "red"
        return "yellow" if age >= days - warn else "normal"

    def ages(self, scenario: str, info: _VersionInfo, target: str, *, shown: bool = False,
             extension: int = 0) -> tuple[int, int] | None:
        """Working days since acceptance (k) and since the open step began (j), or None if impossible.

        With `shown`, the inbox row (the more urgent of the case's and the step's alarm) is to
        show `target`; otherwise the case's own alarm. A one-day decision step is yellow from
        its first day, so an approver's inbox row is never "normal": for that target the case is
        normal and its step as fresh as can be.
        """
        if shown:
            exact, case_only = self.candidates(scenario, info, target, extension)
            choices = exact or (case_only if scenario == "processing" else [])
            return self.rng.choice(choices) if choices else None
        total = info.limit + extension
        ks = [k for k in range(total + 5) if self.level(k, total, warning_days(info.limit)) == target]
        if not ks:
            return None
        k = self.rng.choice(ks)
        return k, (self.rng.randint(0, min(k, 2)) if scenario == "processing" else k)

    def candidates(self, scenario: str, info: _VersionInfo, target: str,
                   extension: int = 0) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(k, j) pairs at which the inbox shows `target`; and those at which only the case does."""
        total = info.limit + extension
        case_warn = warning_days(info.limit)
        budget = info.approver_budget if scenario == "processing" else info.first_budget
        step_warn = warning_days(budget)
        exact, case_only = [], []
        for k in range(total + 5):
            for j in (range(min(k, 2) + 1) if scenario == "processing" else (k,)):
                case_level = self.level(k, total, case_warn)
                shown = max(case_level, self.level(j, budget, step_warn), key=RANK.__getitem__)
                if shown == target:
                    exact.append((k, j))
                elif case_level == target and j == 0:
                    case_only.append((k, j))
        return exact, case_only

    def receive_part(self, s: Script, info: _VersionInfo, *, corrected: bool | None = None,
                     deferred: bool | None = None) -> bool:
        """接件, with a front-desk correction round first for some cases; True when a material was 容缺."""
        if corrected is None:
            corrected = deferred is not True and self.rng.random() < 0.15
        if corrected:
            s.add("receive", materials="incomplete")
            s.add("correction")
            s.add("correction_supplied", gap=self.rng.randint(1, 5))
            return False
        if deferred is None:
            deferred = bool(info.deferrable) and self.rng.random() < 0.12
        s.add("receive", materials="deferred" if deferred else "complete")
        return deferred

    def department_part(self, s: Script, info: _VersionInfo, *, variant: str = "", late: bool = False) -> None:
        """The department's review up to the decision, with a detour for some cases."""
        rng = self.rng
        if not info.has_reviewer:
            return
        budget = max(1, info.review_budget)
        gap = rng.randint(1, budget) + (rng.randint(2, 4) if late else 0)
        if variant == "send_back":
            s.add("send_back", gap=1)
            s.add("sendback_supplied", gap=rng.randint(1, 4))
            gap = rng.randint(0, 1)
        elif variant == "special" and info.procedures:
            procedure = rng.choice(info.procedures)
            expected = min(procedure.max_days or 5, rng.randint(3, 5))
            s.add("special_start", gap=1, procedure=procedure.procedure_id, expected=expected)
            s.add("special_end", gap=max(1, expected - rng.randint(0, 1)))
            gap = rng.randint(0, 1)
        elif variant == "extension":
            s.add("ext_request", gap=1, days=info.extension_days)
            s.add("ext_decide", gap=rng.randint(0, 1), approve=True)
            gap = rng.randint(1, 3)
        s.add("review", gap=gap)

    def build(self, scenario: str, info: _VersionInfo, centre: ServiceCentre,
              target: tuple[str, str] | None = None) -> tuple[Script, int]:
        """The script of one case and the index of its receiving day."""
        rng = self.rng
        s = Script()
        last = self.last
        # The demo's only agent (帮办代办) works at the county centre, and carries its cases only.
        has_agent = centre.pk == self.county.pk

        def place_end(k_low: int, k_high: int) -> int:
            return last - rng.randint(k_low, k_high) - s.day

        if scenario == "immediate":
            s.add("receive", materials="complete")
            s.add("immediate")
            return s, place_end(0, 82)
        if scenario in ("delivered_in_person", "delivered_post", "denied_delivered", "revoked", "deferred_delivered"):
            deferred = self.receive_part(s, info, deferred=True if scenario == "deferred_delivered" else None)
            s.add("accept")
            if has_agent and (self.once("assign_agent") or rng.random() < 0.08):
                s.add("assign_agent")
            variant = rng.choices(["", "send_back", "special", "extension"], weights=[76, 8, 12, 4])[0]
            self.department_part(s, info, variant=variant, late=rng.random() < 0.1)
            s.add("decide", gap=rng.randint(0, 1), approve=scenario != "denied_delivered")
            if deferred:
                s.add("supplement", gap=rng.randint(1, 5))
            method = "post" if scenario == "delivered_post" or (scenario == "revoked" and rng.random() < 0.3) else (
                "post" if scenario == "denied_delivered" and rng.random() < 0.4 else "in_person")
            s.add("deliver", gap=rng.randint(0, 1) if method == "post" else rng.randint(1, 3), method=method)
            if scenario == "revoked":
                s.add("revoke", gap=rng.randint(4, 15))
            return s, place_end(0, 80) if scenario != "revoked" else place_end(0, 40)
        if scenario in ("approved_waiting", "denied_waiting", "deferred_withheld", "deferred_issued"):
            self.receive_part(s, info, deferred=scenario.startswith("deferred"))
            s.add("accept")
            self.department_part(s, info, variant=rng.choices(["", "special"], weights=[85, 15])[0])
            s.add("decide", gap=rng.randint(0, 1), approve=scenario != "denied_waiting")
            return s, place_end(0, 6 if scenario != "deferred_withheld" else 12)
        if scenario == "refused":
            if rng.random() < 0.5:
                s.add("receive", materials="incomplete")
                s.add("correction")
                s.add("refuse", gap=rng.randint(5, 12), reason=1)
            else:
                s.add("receive", materials="complete")
                s.add("refuse", reason=rng.choice([0, 2]) if info.version.name == "食品经营许可（新办）" else 2)
            return s, place_end(0, 80)
        if scenario == "cancelled":
            if rng.random() < 0.5:
                s.add("receive", materials="incomplete")
                s.add("correction")
                s.add("withdraw", gap=rng.randint(1, 8))
            else:
                s.add("receive", materials="complete")
                s.add("withdraw", gap=rng.randint(0, 1))
            return s, place_end(0, 80)
        if scenario == "withdrawn":
            self.receive_part(s, info, corrected=False)
            s.add("accept")
            if self.back_office(info) and info.has_reviewer and rng.random() < 0.5:
                s.add("review", gap=rng.randint(1, max(1, info.review_budget)))
            s.add("withdraw", gap=rng.randint(1, 2))
            return s, place_end(0, 80)
        if scenario == "received":
            s.add("receive", materials="complete" if rng.random() < 0.6 else "incomplete")
            return s, last - rng.randint(0, 1)
        if scenario == "correction_front":
            s.add("receive", materials="incomplete")
            s.add("correction")
            if self.once("second_correction") or rng.random() < 0.1:
                s.add("correction_supplied", gap=rng.randint(2, 4))
                s.add("correction", gap=0, second=True)
            return s, place_end(0, 12)
        if scenario in ("correction_sendback", "interview"):
            self.receive_part(s, info, corrected=False)
            s.add("accept")
            rounds = 4 if scenario == "interview" else 1
            for n in range(rounds):
                s.add("send_back", gap=1 if n == 0 else rng.randint(0, 1))
                if n < rounds - 1:
                    s.add("sendback_supplied", gap=rng.randint(1, 3))
            return s, place_end(0, 6)
        if scenario in ("accepted", "processing", "special", "extension_requested", "extension_granted"):
            extension = info.extension_days if scenario == "extension_granted" else 0
            mode, level = target or ("case", rng.choice(LEVELS))
            shown = mode == "shown" and scenario in ("accepted", "processing")
            k, j = self.ages(scenario, info, level, shown=shown, extension=extension) or (0, 0)
            self.receive_part(s, info, corrected=rng.random() < 0.2)
            accept = s.add("accept")
            if has_agent and rng.random() < 0.06:
                s.add("assign_agent")
            room = k  # working days between acceptance and today
            if scenario == "processing":
                # Reviewed j working days ago: the decision step has been open since.
                s.add("review", gap=room - j if room - j > 0 else 0)
            elif scenario == "special":
                procedure = rng.choice(info.procedures)
                expected = min(procedure.max_days or 5, rng.randint(3, 5))
                s.add("special_start", gap=rng.randint(min(1, room), min(room, 3)) if room else 0,
                      procedure=procedure.procedure_id, expected=expected)
            elif scenario == "extension_requested":
                s.add("ext_request", gap=rng.randint(min(1, room), room) if room else 0, days=info.extension_days)
            elif scenario == "extension_granted":
                s.add("ext_request", gap=rng.randint(min(1, room), max(min(1, room), room - 1)) if room else 0,
                      days=info.extension_days)
                s.add("ext_decide", gap=1 if s.day - s.steps[accept][0] < room else 0, approve=True)
            accept_day = s.steps[accept][0]
            return s, last - k - accept_day
        raise ValueError(scenario)

    def plans(self) -> list[Plan]:
        rng = self.rng
        plans: list[Plan] = []

        def add(scenario: str, info: _VersionInfo, target: tuple[str, str] | None = None) -> None:
            centre = self.pick_centre(info)
            script, r = self.build(scenario, info, centre, target)
            if r < 0:  # a long item placed too far back: shift the whole story forward
                r = 0
            agent = self.person(born=(1975, 1998)) if rng.random() < 0.1 and not info.immediate else None
            plans.append(Plan(scenario, info.version, centre, self.party(info, centre), script.steps, r,
                              rng.randint(0, 400), agent))

        for department, (reviewing, deciding) in INBOX.items():
            names = self.items_where(lambda i, d=department: self.back_office(i) and i.version.department.code == d)
            for scenario, count in (("accepted", reviewing), ("processing", deciding)):
                for n in range(count):
                    target = ALARM_CYCLE[n % len(ALARM_CYCLE)]
                    info = self.pick_item(names)
                    for _ in range(20):  # a one-day step is never "normal": take another item
                        if (scenario == "accepted" or info.has_reviewer) and self.ages(
                                scenario, info, target[1], shown=target[0] == "shown") is not None:
                            break
                        info = self.pick_item(names)
                    add(scenario, info, target)
        others = self.items_where(lambda i: not i.immediate and i.version.department.code not in BACK_OFFICE)
        for n in range(OTHER_ACCEPTED):
            add("accepted", self.pick_item(others), ALARM_CYCLE[n % len(ALARM_CYCLE)])

        eligible = {
            "immediate": lambda i: i.immediate,
            "front": lambda i: True,
            "back": lambda i: self.back_office(i),
            "withheld": lambda i: self.back_office(i) and i.deferrable and not i.version.deliver_before_supplement,
            "issued": lambda i: self.back_office(i) and i.deferrable and i.version.deliver_before_supplement,
            "special": lambda i: self.back_office(i) and i.has_reviewer and bool(i.procedures),
            "reviewed": lambda i: self.back_office(i) and i.has_reviewer,
            "promised": lambda i: not i.immediate,
        }
        kinds = {
            "immediate": "immediate", "received": "front", "correction_front": "front",
            "cancelled": "front", "withdrawn": "promised", "refused": "promised", "deferred_withheld": "withheld",
            "deferred_delivered": "withheld", "deferred_issued": "issued", "special": "special",
            "correction_sendback": "reviewed", "interview": "reviewed", "extension_requested": "reviewed",
            "extension_granted": "reviewed",
        }
        for scenario, count in SCENARIOS:
            names = self.items_where(eligible[kinds.get(scenario, "back")])
            for n in range(count):
                target = ALARM_CYCLE[n % len(ALARM_CYCLE)]
                add(scenario, self.pick_item(names), target)
        return plans

    # --- running ---------------------------------------------------------------------------------

    def run(self) -> Counter:
        plans = self.plans()
        plans.sort(key=lambda p: (p.r, p.start_minute))
        for plan in plans:
            for offset, action, kwargs in plan.script:
                getattr(self, f"do_{action}")(plan, plan.r + offset, **kwargs)
            self.report[LABELS[plan.scenario]] += 1
        services.case_alarms_refresh(today=self.today)
        # In the order of LABELS: from the front desk to the closed cases.
        return Counter({label: self.report[label] for label in LABELS.values() if self.report[label]})

    def clerk(self, plan: Plan) -> User:
        return self.rng.choice(self.front[plan.centre.pk])

    def dept_user(self, plan: Plan, role: int) -> User:
        return self.users[BACK_OFFICE[plan.version.department.code][role]]

    def materials(self, plan: Plan, kind: str, at: datetime.datetime) -> dict[int, dict[str, Any]]:
        info = self.info[plan.version.name]
        rng = self.rng
        rows: dict[int, dict[str, Any]] = {}
        required = [m for m in info.materials if m.necessity != MaterialRequirement.Necessity.OPTIONAL]
        broken = set()
        if kind == "incomplete":
            candidates = [m for m in required if m.source == "applicant"] or required
            broken = {m.pk for m in rng.sample(candidates, k=min(len(candidates), rng.choice([1, 1, 2])))}
        deferred = rng.choice(info.deferrable).pk if kind == "deferred" and info.deferrable else None
        for m in info.materials:
            if m.pk in broken:
                defect = _defect(m.name, DEFECTS)
                if defect and rng.random() < 0.7:
                    rows[m.pk] = {"state": CaseMaterial.State.DEFECTIVE, "note": defect}
                else:
                    rows[m.pk] = {"state": CaseMaterial.State.MISSING, "note": "未提交"}
            elif m.pk == deferred:
                promise = timezone.localdate(at) + datetime.timedelta(days=rng.randint(7, 20))
                rows[m.pk] = {"state": CaseMaterial.State.DEFERRED, "promised_on": promise,
                              "note": "申请人书面承诺在期限内补齐"}
            elif m.necessity != MaterialRequirement.Necessity.OPTIONAL:
                rows[m.pk] = {"state": CaseMaterial.State.RECEIVED}
            elif m.code == PROXY_CODE:
                rows[m.pk] = ({"state": CaseMaterial.State.RECEIVED} if plan.agent
                              else {"state": CaseMaterial.State.NOT_APPLICABLE, "note": "申请人本人办理"})
            else:
                rows[m.pk] = ({"state": CaseMaterial.State.RECEIVED} if rng.random() < 0.5
                              else {"state": CaseMaterial.State.NOT_APPLICABLE, "note": "不涉及"})
        return rows

    def problems_fixed(self, plan: Plan) -> dict[int, dict[str, Any]]:
        return {m.requirement_id: {"state": CaseMaterial.State.RECEIVED, "note": ""}
                for m in plan.case.materials.filter(state__in=[CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE])
                .select_related("requirement") if m.requirement.necessity != MaterialRequirement.Necessity.OPTIONAL}

    def refresh(self, plan: Plan) -> Case:
        plan.case = Case.objects.get(pk=plan.case.pk)
        return plan.case

    def do_receive(self, plan: Plan, index: int, materials: str) -> None:
        at = self.when(plan, index, first=True)
        clerk = self.clerk(plan)
        applicant = self.register(plan.party, clerk)
        window = self.window_for(plan, clerk)
        agent = plan.agent
        channel = Case.Channel.WINDOW if plan.centre.pk == self.county.pk else Case.Channel.TOWN
        plan.case = services.case_receive(
            actor=clerk, item_version=plan.version, applicant=applicant, centre=plan.centre, window=window,
            channel=channel, materials=self.materials(plan, materials, at), form_data=self.form_data(plan, at),
            contact_phone=plan.party.person.phone, agent_name=agent.name if agent else "",
            agent_id_number=agent.id_number if agent else "", agent_power_of_attorney=bool(agent), at=at)

    def window_for(self, plan: Plan, clerk: User) -> Window | None:
        if plan.centre.pk != self.county.pk:
            return self.windows.get((plan.centre.pk, "01"))
        special = {"ZRZY": "B01", "GAJ": "B02"}.get(plan.version.department.code)
        if plan.version.name == "结婚登记":
            special = "B03"
        number = special or ("A01" if clerk.username == "clerk" else "A02")
        return self.windows.get((self.county.pk, number))

    def do_correction(self, plan: Plan, index: int, second: bool = False) -> None:
        at = self.when(plan, index)
        if second:
            # The applicant brought only part of it, and a new problem turned up: a second notice,
            # which the supervisor approves first, with the reason, as the console asks.
            services.case_correction_approve(actor=self.users["supervisor"], case=plan.case, at=at,
                                             reason="补正材料中出现新的问题，需再次一次性告知")
            materials = {m.requirement_id: {"state": CaseMaterial.State.DEFECTIVE,
                                            "note": "补正后的材料与原件核对不一致，请携带原件核验"}
                         for m in plan.case.materials.filter(state=CaseMaterial.State.RECEIVED)
                         .select_related("requirement")[:1]}
        else:
            materials = None
        plan.case = services.case_request_correction(actor=self.clerk(plan), case=plan.case, materials=materials,
                                                     at=at)

    def do_correction_supplied(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_correction_supplied(actor=self.clerk(plan), case=plan.case,
                                                      materials=self.problems_fixed(plan), at=at)

    def do_accept(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_accept(actor=self.clerk(plan), case=plan.case, at=at)

    def do_immediate(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_handle_immediately(
            actor=self.clerk(plan), case=plan.case, collected_by=plan.party.person.name, at=at,
            opinion="材料齐全，符合法定条件，当场办结。")

    def do_refuse(self, plan: Plan, index: int, reason: int) -> None:
        at = self.when(plan, index)
        text, basis, way = REFUSALS[reason]
        plan.case = services.case_refuse(actor=self.clerk(plan), case=plan.case, reason=text, legal_basis=basis,
                                         way_forward=way, at=at)

    def do_withdraw(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        reasons = WITHDRAW_REASONS if plan.case.accepted_at else CANCEL_REASONS
        plan.case = services.case_withdraw(actor=self.clerk(plan), case=plan.case, reason=self.rng.choice(reasons),
                                           at=at)

    def do_assign_agent(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_assign_agent(actor=self.clerk(plan), case=plan.case, agent=self.users["agent"], at=at)

    def do_review(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        deny = plan.scenario.startswith("denied")
        opinion = self.rng.choice(REVIEW_OPINIONS_DENY if deny else REVIEW_OPINIONS)
        plan.case = services.case_step_complete(actor=self.dept_user(plan, 0), case=plan.case, opinion=opinion, at=at)

    def do_send_back(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        rows = list(plan.case.materials.select_related("requirement").filter(
            requirement__necessity__in=[MaterialRequirement.Necessity.REQUIRED]))
        problems = []
        for row in rows:
            text = _defect(row.requirement.name, SENDBACK_PROBLEMS)
            if text:
                problems.append({"material": row.requirement_id, "problem": text})
        if not problems:
            problems = [{"material": rows[0].requirement_id, "problem": "材料内容与现场核查情况不一致，请核实后重新提交"}]
        problems = problems[: self.rng.choice([1, 1, 2])]
        plan.case = services.case_send_back(actor=self.dept_user(plan, 0), case=plan.case, problems=problems, at=at)

    def do_sendback_supplied(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_correction_supplied(actor=self.clerk(plan), case=plan.case,
                                                      materials=self.problems_fixed(plan), at=at)

    def do_special_start(self, plan: Plan, index: int, procedure: str, expected: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_special_start(
            actor=self.dept_user(plan, 0), case=plan.case, procedure=procedure, expected_days=expected,
            reason=SPECIAL_REASONS.get(procedure, "依法需要"), at=at)

    def do_special_end(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_special_end(actor=self.dept_user(plan, 0), case=plan.case,
                                              result=self.rng.choice(SPECIAL_RESULTS), at=at)

    def do_ext_request(self, plan: Plan, index: int, days: int) -> None:
        at = self.when(plan, index)
        services.case_extension_request(actor=self.dept_user(plan, 0), case=plan.case, days=days,
                                        reason=self.rng.choice(EXTENSION_REASONS), at=at)
        self.refresh(plan)

    def do_ext_decide(self, plan: Plan, index: int, approve: bool) -> None:
        at = self.when(plan, index)
        plan.case = services.case_extension_decide(actor=self.dept_user(plan, 1), case=plan.case, approve=approve,
                                                   at=at)

    def do_decide(self, plan: Plan, index: int, approve: bool = True) -> None:
        at = self.when(plan, index)
        approver = self.dept_user(plan, 1)
        if approve:
            plan.case = services.case_decide(actor=approver, case=plan.case, approve=True,
                                             reason=self.rng.choice(APPROVE_REASONS), at=at)
        else:
            reason, basis, way = self.rng.choice(DENIALS)
            plan.case = services.case_decide(actor=approver, case=plan.case, approve=False, reason=reason,
                                             legal_basis=basis, way_forward=way, at=at)

    def do_supplement(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        ids = list(plan.case.materials.filter(state=CaseMaterial.State.DEFERRED).values_list("requirement_id", flat=True))
        plan.case = services.case_supplement_deferred(actor=self.clerk(plan), case=plan.case, requirement_ids=ids,
                                                      at=at)

    def do_deliver(self, plan: Plan, index: int, method: str) -> None:
        at = self.when(plan, index)
        person = plan.agent if plan.agent and self.rng.random() < 0.5 else plan.party.person
        if method == "post":
            carrier, prefix, digits = self.rng.choice(CARRIERS)
            plan.case = services.case_deliver(
                actor=self.users["result"], case=plan.case, method=Delivery.Method.POST,
                address=plan.party.person.address, recipient=plan.party.person.name,
                recipient_phone=plan.party.person.phone, carrier=carrier,
                tracking_number=prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(digits)), at=at)
        else:
            actor = self.users["result"] if plan.centre.pk == self.county.pk else self.clerk(plan)
            plan.case = services.case_deliver(
                actor=actor, case=plan.case, method=Delivery.Method.IN_PERSON, collected_by=person.name,
                collector_id_last4=person.id_number[-4:], at=at)

    def do_revoke(self, plan: Plan, index: int) -> None:
        at = self.when(plan, index)
        plan.case = services.case_revoke(actor=self.users["supervisor"], case=plan.case,
                                         reason=self.rng.choice(REVOKE_REASONS), at=at)

    # --- the application form ---------------------------------------------------------------------

    def form_data(self, plan: Plan, at: datetime.datetime) -> dict[str, Any]:
        rng = self.rng
        party = plan.party
        person = party.person
        day = timezone.localdate(at)
        spouse = self.person(female=True, born=(1988, 2001))
        values: dict[str, Any] = {
            "entity_name": party.company_name or f"示例县{rng.choice(TRADE_NAMES)}{person.name[0]}氏商行",
            "uscc": party.uscc, "legal_rep": person.name, "legal_rep_id": person.id_number,
            "applicant_name": person.name, "applicant_id": person.id_number,
            "contact_name": person.name, "contact_mobile": person.phone,
            "premises": person.address, "address": person.address, "site": person.address, "location": person.address,
            "region": person.region, "delivery_address": person.address if rng.random() < 0.5 else "",
            "project_name": f"示例县{rng.choice(TRADE_NAMES)}{rng.choice(['安置小区二期工程', '综合楼新建工程', '厂房扩建项目', '物流仓储中心项目'])}",
            "project_code": f"{day.year}-339901-{rng.choice(['47', '48', '70', '29'])}-0{rng.randint(1, 3)}-{rng.randint(100000, 999999)}",
            "floor_area": str(rng.choice([36, 48, 60, 85, 120, 160, 220, 380])) + ".00",
            "mother_name": person.name, "mother_id": person.id_number,
            "groom_name": person.name, "groom_id": person.id_number,
            "bride_name": spouse.name, "bride_id": spouse.id_number,
            "guardian_name": person.name, "guardian_id": person.id_number,
            "child_name": person.name[0] + rng.choice(BABY_NAMES),
            "birth_date": str(day - datetime.timedelta(days=rng.randint(10, 40))),
            "appointment_date": str(day), "completion_date": str(day - datetime.timedelta(days=rng.randint(5, 30))),
            "business_scope": "餐饮服务；食品销售（仅销售预包装食品）" if rng.random() < 0.5 else "日用百货、五金交电零售",
            "route": "经人民大道、城东路至县建筑垃圾消纳场，避开早晚高峰",
            "disposal_site": "示例县城东建筑垃圾资源化利用中心",
            "from_address": person.address, "to_address": self.person().address,
            "pharmacist": self.person().name, "industry": "塑料制品制造",
            "departments": "口腔科、医学影像科", "field_of_work": "为社区老年人提供助餐、日间照料服务",
            "purpose": "生产用水", "trade_name": party.company_name,
        }
        for alias in ("shop_name", "institution_name", "org_name"):
            values[alias] = party.company_name or f"示例县{rng.choice(TRADE_NAMES)}{'协会' if alias == 'org_name' else ''}"
        data: dict[str, Any] = {}
        for f in plan.version.form_fields.all():  # prefetched
            if f.key in values and values[f.key] != "":
                data[f.key] = values[f.key]
            elif f.type == "choice" and f.choices:
                data[f.key] = rng.choice(f.choices)
            elif f.type == "multi_choice" and f.choices:
                data[f.key] = rng.sample(f.choices, k=min(len(f.choices), rng.randint(1, 2)))
            elif f.type == "integer":
                data[f.key] = rng.randint(1, 30)
            elif f.type == "decimal":
                data[f.key] = f"{rng.randint(5, 500)}.00"
            elif f.required:
                data[f.key] = ""
        return data


def _defect(name: str, table: list[tuple[tuple[str, ...], str]]) -> str:
    for words, text in table:
        if any(w in name for w in words):
            return text
    return ""


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an organisation code's first eight characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


@contextmanager
def no_sms_for_history() -> Iterator[None]:
    """The demo's history happened weeks ago: texting applicants about it now would be noise,
    and the local outbox (/dev/sms/) is where demo visitors read their verification codes."""
    from yichuang.core.notify import sms_suppressed

    # At the source, so that every part's messages (online hall, bundles, ratings) stay unsent too.
    with sms_suppressed():
        yield


def demo_cases_exist() -> bool:
    codes = [row["code"] for row in org_data.CENTRES]
    return Case.objects.filter(centre__code__in=codes).exists()


def load_demo_cases(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> Counter | None:
    """Add the demo cases; None (and nothing written) when the demo centres already have cases.

    `today` defaults to `timezone.localdate()`; tests pass a working day so that every alarm
    level, red included, can be present. Returns how many cases were made in each state.
    """
    if demo_cases_exist():
        return None
    real_today = timezone.localdate()
    today = today or real_today
    if now is None:
        now = timezone.now() if today == real_today else _aware(today, 510)
    with no_sms_for_history():
        return DemoCases(today=today, now=now).run()
