"""Reads of ratings, rectifications, callbacks and complaints — for pages, the API, and other apps.

The window assessment and the dashboards (supervision) read through `rating_summary`,
`complaint_summary`, `rating_counts_by` and `complaints_upheld_by` only. A rating set aside by an
upheld appeal (state "excluded") is counted nowhere but in `excluded`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.core.ratelimit import Limit, rate_check, rate_hit
from yichuang.org.models import User
from yichuang.org.selectors import scope_for

from . import rules
from .models import (
    Appeal,
    CallbackSample,
    Complaint,
    PadInvitation,
    Rating,
    Rectification,
    RectificationStep,
)

LOOKUP_PER_ADDRESS = Limit("complaint-lookup-address", max_hits=20, window_seconds=10 * 60)
LOOKUP_FAILED_PER_NUMBER = Limit("complaint-lookup-failed", max_hits=5, window_seconds=60 * 60)

# The written definitions shown next to each figure (pages and the Excel export).
DEFINITIONS = {
    "total": _("有效评价数：统计期内作出的评价（各渠道），不含申诉成立后不计入的评价。"),
    "satisfaction_rate": _("满意率 = （非常满意 + 满意 + 基本满意）÷ 有效评价数 × 100%。"),
    "bad_rate": _("差评率 = （不满意 + 非常不满意）÷ 有效评价数 × 100%。申诉成立的差评不计入分子和分母。"),
    "rectification_rate": _("整改率 = 已复核办结的差评整改数 ÷ 统计期内差评启动的整改数 × 100%（申诉成立撤销的不计）。"),
    "callback_rate": _("回访率 = 整改中「回访」环节已完成（已回访或申请人拒绝回访）的差评数 ÷ 有效差评数 × 100%。"
                       "实名差评应达到 100%。"),
    "overdue": _("超期整改：未在整改时限（默认 15 个工作日）内复核办结的，含仍在办理且已过期限的。"),
}


def _day_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    finish = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return begin, finish


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def ratings_in(*, start, end, department_id=None, window_id=None, staff_id=None, centre_id=None, item_id=None,
               channel=None) -> QuerySet[Rating]:
    begin, finish = _day_range(start, end)
    qs = Rating.objects.filter(rated_at__gte=begin, rated_at__lt=finish)
    for name, value in (("department_id", department_id), ("window_id", window_id), ("staff_id", staff_id),
                        ("centre_id", centre_id), ("item_id", item_id), ("channel", channel)):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


def _summarise(ratings: QuerySet[Rating], *, today: datetime.date) -> dict:
    counted = ratings.exclude(state=Rating.State.EXCLUDED)
    by_level = {level: 0 for level in (5, 4, 3, 2, 1)}
    for row in counted.values("level").annotate(n=Count("id")):
        by_level[row["level"]] = row["n"]
    by_channel = {channel: 0 for channel in Rating.Channel.values}
    for row in counted.values("channel").annotate(n=Count("id")):
        by_channel[row["channel"]] = row["n"]
    total = sum(by_level.values())
    satisfied = sum(by_level[level] for level in rules.SATISFIED_LEVELS)
    bad = sum(by_level[level] for level in rules.BAD_LEVELS)
    rects = Rectification.objects.filter(rating__in=counted).exclude(state=Rectification.State.WITHDRAWN)
    opened = rects.count()
    done = rects.filter(state=Rectification.State.DONE).count()
    overdue = rects.filter(Q(state=Rectification.State.OPEN, due_date__lt=today)
                           | Q(state=Rectification.State.DONE, finished_late=True)).count()
    callback_done = RectificationStep.objects.filter(
        rectification__in=rects, kind=RectificationStep.Kind.CALLBACK, state=RectificationStep.State.DONE).count()
    weighted = sum(level * n for level, n in by_level.items())
    excluded = ratings.filter(state=Rating.State.EXCLUDED).count()
    return {
        # The names the window assessment (supervision) reads.
        "levels": {"very_satisfied": by_level[5], "satisfied": by_level[4], "basic": by_level[3],
                   "dissatisfied": by_level[2], "very_dissatisfied": by_level[1]},
        "appeals_upheld": excluded, "rectifications": opened, "rectified": done,
        "total": total, "by_level": by_level, "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, total),
        "bad": bad, "bad_rate": _rate(bad, total), "average": round(weighted / total, 2) if total else None,
        "excluded": excluded, "by_channel": by_channel,
        "rectification": {"opened": opened, "done": done, "overdue": overdue, "rate": _rate(done, opened),
                          "callback_done": callback_done, "callback_rate": _rate(callback_done, bad)},
    }


def rating_summary(*, start: datetime.date, end: datetime.date, department_id=None, window_id=None, staff_id=None,
                   centre_id=None, item_id=None, channel=None) -> dict:
    """Counts and rates of the ratings made from `start` to `end` (inclusive), by the rating's date."""
    qs = ratings_in(start=start, end=end, department_id=department_id, window_id=window_id, staff_id=staff_id,
                    centre_id=centre_id, item_id=item_id, channel=channel)
    return _summarise(qs, today=timezone.localdate())


def rating_counts_by(*, start: datetime.date, end: datetime.date, field: str, centre_id=None) -> list[dict]:
    """Per department, window or staff member: total, satisfied and bad ratings (excluded ones left out)."""
    if field not in ("department", "window", "staff"):
        raise ValueError(field)
    qs = ratings_in(start=start, end=end, centre_id=centre_id).exclude(state=Rating.State.EXCLUDED).filter(
        **{f"{field}__isnull": False})
    rows = qs.values(f"{field}_id").annotate(
        total=Count("id"), satisfied=Count("id", filter=Q(level__in=rules.SATISFIED_LEVELS)),
        bad=Count("id", filter=Q(level__in=rules.BAD_LEVELS)),
    ).order_by(f"{field}_id")
    return [{"id": row[f"{field}_id"], "total": row["total"], "satisfied": row["satisfied"], "bad": row["bad"],
             "satisfaction_rate": _rate(row["satisfied"], row["total"]), "bad_rate": _rate(row["bad"], row["total"])}
            for row in rows]


def complaints_in(*, start, end, department_id=None, window_id=None, staff_id=None, centre_id=None):
    begin, finish = _day_range(start, end)
    qs = Complaint.objects.filter(received_at__gte=begin, received_at__lt=finish)
    for name, value in (("department_id", department_id), ("window_id", window_id), ("staff_id", staff_id),
                        ("centre_id", centre_id)):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


def complaint_summary(*, start: datetime.date, end: datetime.date, department_id=None, window_id=None,
                      staff_id=None, centre_id=None) -> dict:
    qs = complaints_in(start=start, end=end, department_id=department_id, window_id=window_id, staff_id=staff_id,
                       centre_id=centre_id)
    St, F = Complaint.Stage, Complaint.Finding
    today = timezone.localdate()
    counts = qs.aggregate(
        received=Count("id"),
        accepted=Count("id", filter=Q(accepted_at__isnull=False)),
        not_accepted=Count("id", filter=Q(stage=St.NOT_ACCEPTED)),
        open=Count("id", filter=~Q(stage__in=[St.ARCHIVED, St.NOT_ACCEPTED])),
        archived=Count("id", filter=Q(stage=St.ARCHIVED)),
        upheld_full=Count("id", filter=Q(finding=F.UPHELD)),
        upheld_partial=Count("id", filter=Q(finding=F.PARTLY)),
        unfounded=Count("id", filter=Q(finding=F.UNFOUNDED)),
        accountability=Count("id", filter=~Q(accountability="")),
        overdue_open=Count("id", filter=~Q(stage__in=[St.ARCHIVED, St.NOT_ACCEPTED]) & Q(stage_due_date__lt=today)),
    )
    late_closed = sum(1 for stages in qs.exclude(late_stages=[]).values_list("late_stages", flat=True) if stages)
    counts["overdue"] = counts.pop("overdue_open") + late_closed
    counts["upheld"] = counts["upheld_full"] + counts["upheld_partial"]
    counts["total"] = counts["received"]
    return counts


def complaints_upheld_by(*, start: datetime.date, end: datetime.date, field: str, centre_id=None) -> dict[int, int]:
    if field not in ("department", "window", "staff"):
        raise ValueError(field)
    qs = complaints_in(start=start, end=end, centre_id=centre_id).filter(
        finding__in=[Complaint.Finding.UPHELD, Complaint.Finding.PARTLY], **{f"{field}__isnull": False})
    return {row[f"{field}_id"]: row["n"] for row in qs.values(f"{field}_id").annotate(n=Count("id"))}


# --- report by department / window ------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    figures: dict = field(default_factory=dict)


def report_rows(*, start: datetime.date, end: datetime.date, by: str, user: User) -> list[ReportRow]:
    """差评率, 整改率, 回访率 (and the counts behind them) per department or window, within the user's scope."""
    scope = scope_for(user)
    base = ratings_in(start=start, end=end).filter(centre__in=scope.centres()) if not scope.everything else \
        ratings_in(start=start, end=end)
    today = timezone.localdate()
    key = "department" if by == "department" else "window"
    ids = list(base.filter(**{f"{key}__isnull": False}).values_list(f"{key}_id", flat=True).distinct())
    model = Rating._meta.get_field(key).related_model
    names = {obj.pk: str(getattr(obj, "display_name", obj)) for obj in model.objects.filter(pk__in=ids)}
    rows = [ReportRow(names[pk], _summarise(base.filter(**{f"{key}_id": pk}), today=today))
            for pk in sorted(ids, key=lambda pk: names[pk])]
    rows.append(ReportRow(str(_("合计")), _summarise(base, today=today)))
    return rows


# --- staff lists -------------------------------------------------------------------------------------


def ratings_visible_to(user: User) -> QuerySet[Rating]:
    scope = scope_for(user)
    qs = Rating.objects.select_related("case", "department", "window", "staff", "item__current", "centre")
    if scope.everything:
        return qs
    cond = Q(centre__in=scope.centres())
    if scope.department_id is not None:
        cond |= Q(department_id=scope.department_id)
    return qs.filter(cond)


def rectifications_open(user: User) -> QuerySet[Rectification]:
    return (Rectification.objects.filter(state=Rectification.State.OPEN, rating__in=ratings_visible_to(user))
            .select_related("rating__department", "rating__window", "rating__case").prefetch_related("steps")
            .order_by("due_date"))


def appeals_pending(user: User) -> QuerySet[Appeal]:
    return (Appeal.objects.filter(state=Appeal.State.PENDING, rating__in=ratings_visible_to(user))
            .select_related("rating__department", "rating__staff", "requested_by"))


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    scope = scope_for(user)
    qs = Complaint.objects.select_related("centre", "department", "window", "staff", "case")
    if scope.everything:
        return qs
    cond = Q(centre__in=scope.centres())
    if scope.department_id is not None:
        cond |= Q(department_id=scope.department_id)
    return qs.filter(cond)


def real_name_bad_without_callback(user: User, *, start: datetime.date, end: datetime.date) -> dict:
    """Real-name 差评 must all be called back: how many there are, how many were, and which are not yet."""
    bad = ratings_visible_to(user).filter(
        real_name=True, level__in=rules.BAD_LEVELS, rated_at__range=_day_range(start, end)
    ).exclude(state=Rating.State.EXCLUDED)
    done_ids = set(RectificationStep.objects.filter(
        rectification__rating__in=bad, kind=RectificationStep.Kind.CALLBACK, state=RectificationStep.State.DONE,
    ).values_list("rectification__rating_id", flat=True))
    total = bad.count()
    return {"total": total, "done": len(done_ids), "rate": _rate(len(done_ids), total),
            "gap": [r for r in bad.select_related("rectification") if r.pk not in done_ids]}


def callback_samples(user: User) -> QuerySet[CallbackSample]:
    return CallbackSample.objects.filter(centre__in=scope_for(user).centres()).order_by("-iso_year", "-iso_week") \
        if not user.is_superuser else CallbackSample.objects.order_by("-iso_year", "-iso_week")


# --- public ------------------------------------------------------------------------------------------


def rating_by_token(token: str) -> Rating | None:
    return (Rating.objects.select_related("case", "window", "department", "item__current", "rectification")
            .filter(token=token).first())


def pad_invitation(window, *, now: datetime.datetime | None = None) -> PadInvitation | None:
    from .services import pad_current

    return pad_current(window, now=now)


@dataclass
class LookupAnswer:
    complaint: Complaint | None = None
    error: str = ""
    events: list = field(default_factory=list)


def complaint_lookup(*, number: str, code: str, address: str) -> LookupAnswer:
    """The complainant's lookup by number and query code; rate-limited per address and per number like /progress/."""
    number = (number or "").strip().upper()[:40]
    code = (code or "").strip()[:6]
    if not rate_hit(LOOKUP_PER_ADDRESS, address).allowed:
        return LookupAnswer(error=str(_("查询过于频繁，请 10 分钟后再试。")))
    if not number or not code:
        return LookupAnswer(error=str(_("请填写投诉编号和查询码（登记投诉时给出的 6 位数字）。")))
    if not rate_check(LOOKUP_FAILED_PER_NUMBER, number).allowed:
        return LookupAnswer(error=str(_("此编号查询失败次数过多，请 1 小时后再试，或拨打 12345 热线。")))
    complaint = Complaint.objects.filter(number=number, query_code=code).first()
    if complaint is None:
        rate_hit(LOOKUP_FAILED_PER_NUMBER, number)
        return LookupAnswer(error=str(_("投诉编号或查询码不正确，请核对。")))
    return LookupAnswer(complaint=complaint, events=list(complaint.events.filter(public=True).order_by("at", "id")))
