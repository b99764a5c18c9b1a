"""The demo centre's 好差评与投诉: called by yichuang.demo.seed after the cases (idempotent).

Ratings on the demo's closed cases across channels (mostly good, drawn from a fixed seed so the
demo is the same every time), one 差评 whose rectification is answered and reviewed, one still
being rectified, one appealed and upheld, one complaint handled through every stage and archived,
one open complaint, and last week's callback sample with a few calls recorded.
"""

import datetime
import random

from django.utils import timezone

from yichuang.cases.models import Case
from yichuang.core.calendar import add_workdays
from yichuang.org.models import ServiceCentre, User

from . import rules, services
from .models import Complaint, Rating
from .services_complaints import complaint_advance, complaint_extend, complaint_submit

CENTRE = "SLX"
GOOD_COMMENTS = ["窗口人员很耐心，一次就办好了。", "比以前快多了，点赞！", "", "指南写得清楚，材料一次备齐。", "", "服务热情。"]


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _department_staff(case: Case, fallback: User) -> User:
    return User.objects.filter(department=case.department, roles__code="reviewer").first() or fallback


def seed_demo_feedback(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    centre = ServiceCentre.objects.filter(code=CENTRE).first()
    supervisor, clerk = _user("supervisor"), _user("clerk")
    if centre is None or supervisor is None or clerk is None:
        return []
    if Rating.objects.filter(centre=centre).exists() or Complaint.objects.filter(centre=centre).exists():
        return []  # seeded before: a second run changes nothing
    today = today or timezone.localdate()
    now = timezone.now()
    closed = list(Case.objects.filter(centre=centre, closed_at__isnull=False, closed_at__lt=now)
                  .select_related("item_version", "applicant", "department").order_by("closed_at", "pk"))
    if len(closed) < 4:
        return []
    lines: list[str] = []
    draw = random.Random("yichuang-demo-feedback")
    special = {"bad_done": closed[0], "appealed": closed[1], "bad_open": closed[-1]}
    special_ids = {case.pk for case in special.values()}

    # Mostly good ratings across the channels, the day after the result was delivered.
    counts: dict[str, int] = {}
    for index, case in enumerate(c for c in closed[:80] if c.pk not in special_ids):
        channel = ["sms", "sms", "online", "hotline", "platform", "sms"][index % 6]
        if channel == "online" and case.channel != Case.Channel.ONLINE:
            channel = "sms"
        level = draw.choice([5, 5, 5, 5, 5, 4, 4, 4, 3])
        at = min(case.closed_at + datetime.timedelta(hours=draw.randint(2, 30)), now - datetime.timedelta(minutes=5))
        services.rating_submit(
            actor=supervisor if channel == "hotline" else (None if channel == "platform" else case.applicant.name),
            channel=channel, case=case, level=level, comment=draw.choice(GOOD_COMMENTS),
            indicators={"efficiency": draw.choice([5, 5, 4])}, external_ref=f"ZJHCP{case.pk:08d}"
            if channel == "platform" else "", at=at)
        counts[channel] = counts.get(channel, 0) + 1
    lines.append("好差评：" + "、".join(f"{Rating.Channel(c).label} {n} 条" for c, n in counts.items()))

    # A real-name 差评, rectified through every step and reviewed.
    case = special["bad_done"]
    at = case.closed_at + datetime.timedelta(hours=3)
    rating = services.rating_submit(
        actor=case.applicant.name, channel="sms", case=case, level=2, real_name=True, rater_name=case.applicant.name,
        comment="取号后等了一个多小时，窗口只开了两个，中午还有人离岗。", at=at)
    dept = _department_staff(case, supervisor)
    day = timezone.localdate(at)
    steps = [
        ("verify", dept, "调取叫号记录和监控：当日 10:00–11:30 等候超过 60 分钟，A04 窗口人员午间提前离岗 20 分钟。", {}),
        ("rectify", dept, "对离岗人员批评教育；高峰时段增开 A05 窗口，午间实行轮岗不断档。", {}),
        ("reply", dept, "已答复评价人。", {"answer": "您反映的等候时间长、午间离岗问题属实。我们已对相关人员批评教育，"
                                              "上午高峰增开一个综合窗口，午间轮岗不断档。感谢您的监督！"}),
        ("callback", supervisor, "电话回访评价人，对整改措施表示认可。", {"outcome": "reached", "level_after": 4}),
        ("review", supervisor, "整改措施已落实，查 3 个工作日叫号数据，高峰等候降至 20 分钟内。复核通过。", {}),
    ]
    rect = rating.rectification
    for offset, (kind, who, note, extra) in enumerate(steps, start=1):
        day = add_workdays(timezone.localdate(at), offset * 2).date
        rect = services.rectification_step_complete(actor=who, rectification=rect, kind=kind, note=note,
                                                    at=min(_moment(day, 15), now), **extra)
    lines.append(f"差评整改：{case.number} 已核实、整改、答复、回访并复核办结")

    # An appeal upheld: the applicant pressed the wrong key, as the recording shows.
    case = special["appealed"]
    at = case.closed_at + datetime.timedelta(hours=2)
    rating = services.rating_submit(actor=case.applicant.name, channel="sms", case=case, level=1,
                                    comment="", at=at)
    # The staff member who served appeals (the demo's history decides who that was).
    appellant = rating.staff or _department_staff(case, supervisor)
    appeal = services.appeal_request(actor=appellant, rating=rating, at=at + datetime.timedelta(hours=20),
                                     reason="申请人办结时当面表示满意，短信评价系误选“非常不满意”；已电话联系申请人确认误评。")
    services.appeal_decide(actor=supervisor, appeal=appeal, uphold=True, at=at + datetime.timedelta(days=2),
                           reason="回访录音证实申请人误选，评价不计入窗口考核。")
    lines.append(f"差评申诉：{case.number} 申诉成立，不计入考核")

    # A 差评 still being rectified (on its 核实 step), so the lists show a live one.
    case = special["bad_open"]
    services.rating_submit(actor=supervisor, channel="hotline", case=case, level=2, real_name=True,
                           rater_name=case.applicant.name, comment="来电反映：补正告知写得不清楚，多跑了一次。",
                           at=now - datetime.timedelta(hours=1))
    lines.append(f"差评整改：{case.number} 正在核实")

    # A complaint through every stage, archived.
    start = today - datetime.timedelta(days=14)
    received = _moment(start, 9)
    staff = User.objects.filter(windows__centre=centre, roles__code="clerk").first()
    complaint = complaint_submit(
        actor=supervisor, centre=centre, source=Complaint.Source.HOTLINE_12345, category=Complaint.Category.ATTITUDE,
        subject="窗口人员态度生硬", content="市民来电：在综合窗口咨询食品经营许可，工作人员不耐烦，没有一次说清要带的材料。",
        complainant_name="市民李先生", complainant_phone="13900001234", source_platform="12345 热线",
        source_ref="12345-2026-118820", window=staff.windows.filter(centre=centre).first() if staff else None,
        staff=staff, at=received)
    acts = [("accept", {}), ("investigate", {"note": "调阅录音录像并约谈当事人：解释不够耐心、未出具一次性告知书属实。",
                                             "finding": Complaint.Finding.UPHELD}),
            ("handle", {"note": "当事人书面检查，补发一次性告知书；中心通报批评。", "accountability": "通报批评"}),
            ("answer", {"answer": "经核实您反映的情况属实，已对当事人通报批评并补发一次性告知书。欢迎继续监督。"}),
            ("archive", {"note": "投诉人对处理结果表示满意。"})]
    for offset, (action, extra) in enumerate(acts):
        when = _moment(add_workdays(start, offset).date, 14 if offset else 16)
        complaint = complaint_advance(actor=supervisor, complaint=complaint, action=action, at=min(when, now), **extra)
    lines.append(f"投诉：{complaint.number} 受理、调查、处置（问责：通报批评）、答复并归档")

    # An open complaint from the online form, without contact details, being investigated and extended.
    received = now - datetime.timedelta(days=2)
    complaint = complaint_submit(
        actor=None, centre=centre, source=Complaint.Source.ONLINE, category=Complaint.Category.PROCESS,
        subject="不动产登记要求重复提交材料", content="同一套材料上周已交过，这次又要求再交一遍复印件，希望能共享。",
        at=received)
    complaint = complaint_advance(actor=supervisor, complaint=complaint, action="accept",
                                  at=received + datetime.timedelta(hours=3))
    complaint_extend(actor=supervisor, complaint=complaint, days=5, at=received + datetime.timedelta(hours=5),
                     reason="涉及不动产登记系统与证照库的数据共享，需信息中心和自然资源局共同核查。")
    lines.append(f"投诉：{complaint.number} 网上匿名投诉，已受理并延期，调查中")

    # Last week's callback sample, three calls recorded.
    year, week, _monday, _sunday = rules.previous_iso_week(today)
    sample = services.callback_sample_draw(actor=supervisor, centre=centre, iso_year=year, iso_week=week, at=now)
    recorded = 0
    for task, outcome in zip(sample.tasks.select_related("case")[:3], ["reached", "not_reached", "refused"],
                             strict=False):
        if task.case.ratings.filter(channel="callback").exists():
            continue
        services.callback_record(actor=supervisor, task=task, outcome=outcome, level=5 if outcome == "reached" else None,
                                 comment="办事顺利。" if outcome == "reached" else "", note="", at=now)
        recorded += 1
    lines.append(f"回访抽样：{sample}（种子 {sample.seed}）抽取 {sample.size} 件，已记录 {recorded} 件")
    return lines

