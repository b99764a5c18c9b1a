"""The demo centre's monthly window assessment: last full month computed, its honours confirmed.

Called by yichuang.demo.seed after the ratings and complaints (`seed_demo_feedback`), so the
scores use them. Idempotent: a confirmed month is left alone.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from yichuang.org.models import User

from . import rollups
from .models import AssessmentMonth, AttendanceRecord
from .selectors_assessment import month_view, previous_month
from .services_assessment import assessment_compute, assessment_confirm, attendance_record

# A few attendance records of the month, as a supervisor would have entered them.
ATTENDANCE = (("clerk2", 8, "late", "迟到 15 分钟"), ("clerk2", 21, "late", "提前离岗 20 分钟"),
              ("result", 14, "absent", "未请假缺勤"))


def _rollups_current(now: datetime.datetime) -> None:
    """Bring the statistics rollups up to the demo's case events (what the worker's sweep does each minute)."""
    while True:
        with transaction.atomic():
            read = rollups.rollup_advance(mark=rollups.lock_mark(), now=now)
        if read < rollups.BATCH:
            return


def seed_demo_assessment(actor, *, today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    month = previous_month(today)
    if AssessmentMonth.objects.filter(month=month, state=AssessmentMonth.State.CONFIRMED).exists():
        return []
    supervisor = User.objects.filter(username="supervisor", is_active=True).first()
    if supervisor is None:
        return []
    now = timezone.now()
    _rollups_current(now)
    people = {u.username: u for u in User.objects.filter(username__in={row[0] for row in ATTENDANCE})}
    for username, day, kind, note in ATTENDANCE:
        staff = people.get(username)
        when = month.replace(day=day)
        if staff is None or AttendanceRecord.objects.filter(staff=staff, day=when, kind=kind).exists():
            continue
        attendance_record(actor=supervisor, staff=staff, day=when, kind=kind, note=note, at=now)
    assessment = assessment_compute(actor=supervisor, month=month, at=now)
    view = month_view(assessment)
    assessment_confirm(actor=supervisor, month=month, at=now)
    red = "、".join(f"{r.label}（{r.score} 分）" for r in view.proposed_windows) or "无"
    stars = "、".join(f"{r.label}（{r.score} 分）" for r in view.proposed_staff) or "无"
    return [f"窗口考核 {month:%Y-%m}：{len(view.windows)} 个窗口、{len(view.staff)} 名工作人员计分；"
            f"红旗窗口 {red}；服务明星 {stars}（已确认公示）"]
