"""The supervision API (电子监察接口), mounted at /api/v1/supervision/, so that a provincial
supervision platform can pull every figure and list.

Staff sessions (the browser) or a bearer token bound to a staff account (`yichuang apitoken`);
the caller sees what that account sees in the pages: supervisors and centre admins their
region, a department's approvers and reviewers their department. The public dashboard's
figures need no login. Every figure comes with its definition (`/metrics`).
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import SessionAuth

from yichuang.org.tokens import TokenAuth

from . import selectors
from .feedback_link import RATING_METRICS
from .metrics import MEDIAN_OVER, METRICS
from .models import AlarmEvent, AuditDefect, FollowUp
from .ratings_stats import ratings_for
from .selectors import StatQuery


class SupervisionSessionAuth(SessionAuth):
    """The browser's login session, refusing in Chinese; tried after the token."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            raise AuthenticationError(401, _(
                "请先登录：浏览器使用工作人员账号登录；其他系统在请求头中带上接口令牌 Authorization: Bearer <令牌>。"
            ))
        try:
            self._get_key(request)
        except HttpError as exc:
            raise HttpError(403, _("安全校验（CSRF）未通过：请刷新页面后重试，或改用接口令牌。")) from exc
        return request.user


router = Router(tags=["supervision"], auth=[TokenAuth(), SupervisionSessionAuth()])


def _require(check, request: HttpRequest, message: str) -> None:
    if not check(request.user):
        raise HttpError(403, message)


STATISTICS_DENIED = "查看统计需要「电子监察人员」「中心管理员」或部门「决定人员」角色。"
ALARMS_DENIED = "查看预警需要「电子监察人员」「中心管理员」或部门审查、决定人员角色。"
SUPERVISOR_DENIED = "此接口需要「电子监察人员」角色。"


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    definition: str
    kind: str


def _metric(metric) -> dict:
    return {"key": metric.key, "label": str(metric.label), "unit": str(metric.unit),
            "definition": str(metric.definition), "kind": metric.kind}


@router.get("/metrics", response=list[MetricOut], summary="指标口径（每个统计数字的定义）", auth=None)
def metrics(request):
    return [_metric(m) for m in METRICS]


class StatisticsIn(Schema):
    start: datetime.date = Field(..., description="统计期开始日期（含）", examples=["2026-11-01"])
    end: datetime.date = Field(..., description="统计期结束日期（含）", examples=["2026-11-30"])
    slice: Literal["", "centre", "point", "department", "window", "staff", "item", "channel", "month", "day"] = Field(
        "", description="分组：不填为合计；centre 中心（含下属站点）、point 中心及站点、department 部门、window 窗口、"
                        "staff 工作人员、item 事项、channel 渠道、month 月份、day 日期")
    department: int | None = Field(None, description="部门 id")
    centre: int | None = Field(None, description="中心 id（含其下属乡镇村站点）")
    point: int | None = Field(None, description="中心或站点 id（仅该站点）")
    window: int | None = Field(None, description="窗口 id")
    staff: int | None = Field(None, description="工作人员 id")
    item: int | None = Field(None, description="事项 id")
    channel: Literal["window", "online", "town", "self_service"] | None = Field(None, description="渠道")


class StatRowOut(Schema):
    key: str
    label: str
    figures: dict[str, float | int | None]
    display: dict[str, str]
    ratings: dict[str, float | int | None] | None = Field(
        None, description="好差评指标（定义见 rating_metrics）；不适用时为 null（好差评不分事项和渠道）")


class StatisticsOut(Schema):
    start: datetime.date
    end: datetime.date
    slice: str
    metrics: list[MetricOut]
    rating_metrics: list[MetricOut]
    rating_note: str
    rows: list[StatRowOut]
    total: StatRowOut


def _row(row, ratings=None) -> dict:
    figures = {}
    for metric in METRICS:
        value = row.figures[metric.key]
        figures[metric.key] = None if (metric.kind == "median" and value == MEDIAN_OVER) else value
    return {"key": str(row.key), "label": str(row.label), "figures": figures,
            "display": {m.key: m.format(row.figures[m.key]) for m in METRICS},
            "ratings": ratings.as_dict() if ratings is not None and ratings.available else None}


@router.get("/statistics", response=StatisticsOut, summary="办件统计（任意统计期和分组）")
def statistics(request, params: Query[StatisticsIn]):
    _require(selectors.can_see_statistics, request, STATISTICS_DENIED)
    if params.end < params.start:
        raise HttpError(422, _("结束日期早于开始日期。"))
    if (params.end - params.start).days > 366 * 5:
        raise HttpError(422, _("统计期最长 5 年。"))
    filters = {name: getattr(params, name) for name in selectors.FILTERS if getattr(params, name) not in (None, "")}
    scope = selectors.scope_for(request.user)
    table = selectors.statistics(scope, StatQuery(params.start, params.end, params.slice, filters))
    ratings = ratings_for(table, scope)
    return {"start": params.start, "end": params.end, "slice": params.slice, "metrics": [_metric(m) for m in METRICS],
            "rating_metrics": [_metric(m) for m in RATING_METRICS], "rating_note": ratings.note,
            "rows": [_row(r, ratings.for_row(r.key)) for r in table.rows], "total": _row(table.total, ratings.total)}


@router.get("/dashboard", summary="数据大屏（工作人员版，按本人范围）")
def dashboard(request):
    _require(selectors.can_see_statistics, request, STATISTICS_DENIED)
    return selectors.dashboard_payload(selectors.scope_for(request.user), staff=True)


@router.get("/public/dashboard", summary="数据大屏（公开版，不含个人信息）", auth=None)
def public_dashboard(request):
    return selectors.dashboard_payload(selectors.Scope(None))


class AlarmOut(Schema):
    case_id: int
    case_number: str
    item: str
    department: str
    level: str
    level_label: str
    due_date: datetime.date
    age_workdays: int = Field(..., description="超期为已超工作日数，黄牌为剩余工作日数，红牌为 0")
    since: datetime.datetime
    handlers: list[str]
    steps: list[dict]
    followups: list[dict]


class AlarmFilters(Schema):
    department: int | None = None
    level: Literal["yellow", "red", "overdue"] | None = None


@router.get("/alarms", response=list[AlarmOut], summary="当前红黄牌预警（按部门）")
def alarms(request, filters: Query[AlarmFilters]):
    _require(selectors.can_see_alarms, request, ALARMS_DENIED)
    board = selectors.alarm_board(request.user, department_id=filters.department, level=filters.level or "")
    return [{
        "case_id": row.case.pk, "case_number": row.case.number, "item": row.case.item_version.name,
        "department": dept.name, "level": row.level, "level_label": row.level_label, "due_date": row.due_date,
        "age_workdays": row.age, "since": row.since, "handlers": row.handlers,
        "steps": [{"step": name, "level": level, "due_date": str(due)} for name, level, due in row.steps],
        "followups": [_followup(f) for f in row.followups],
    } for dept, rows in board for row in rows]


class EventFilters(Schema):
    since: datetime.datetime | None = Field(None, description="只返回此时间之后的变化")
    limit: int = Field(200, ge=1, le=1000)


class AlarmEventOut(Schema):
    id: int
    case_id: int
    case_number: str
    step: str | None
    department: str
    from_level: str
    to_level: str
    due_date: datetime.date | None
    at: datetime.datetime


@router.get("/alarm-events", response=list[AlarmEventOut], summary="预警变化记录（每次变化一条）")
def alarm_events(request, filters: Query[EventFilters]):
    _require(selectors.can_see_alarms, request, ALARMS_DENIED)
    rows = AlarmEvent.objects.filter(case__in=selectors.cases_visible_to(request.user).values("pk")).select_related(
        "case", "step", "department")
    if filters.since:
        rows = rows.filter(at__gt=filters.since)
    return [{"id": e.pk, "case_id": e.case_id, "case_number": e.case.number, "step": e.step.name if e.step else None,
             "department": e.department.name, "from_level": e.from_level, "to_level": e.to_level,
             "due_date": e.due_date, "at": e.at} for e in rows.order_by("-at", "-id")[: filters.limit]]


def _followup(f: FollowUp) -> dict:
    return {"id": f.pk, "case_id": f.case_id, "level": f.level, "instruction": f.instruction,
            "deadline": str(f.deadline or ""), "created_by": str(f.created_by), "created_at": f.created_at.isoformat(),
            "state": f.state, "outcome": f.outcome, "outcome_at": f.outcome_at.isoformat() if f.outcome_at else None}


@router.get("/follow-ups", summary="督办记录")
def followups(request, state: Literal["open", "closed"] | None = None):
    _require(selectors.can_see_alarms, request, ALARMS_DENIED)
    rows = FollowUp.objects.filter(case__in=selectors.cases_visible_to(request.user).values("pk")).select_related(
        "created_by", "case").order_by("-created_at")
    if state:
        rows = rows.filter(state=state)
    return [{**_followup(f), "case_number": f.case.number} for f in rows[:1000]]


@router.get("/audits", summary="案卷评查批次")
def audits(request):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    return [{"id": r.pk, "month": f"{r.month:%Y-%m}", "department": r.department.name, "seed": r.seed,
             "sample_size": r.sample_size, "population": r.population, "drawn": r.drawn, "audited": r.audited,
             "defects": r.defects, "drawn_at": r.drawn_at.isoformat(), "drawn_by": str(r.drawn_by or _("系统"))}
            for r in selectors.audit_rounds(request.user)[:500]]


@router.get("/audits/{pk}", summary="一个评查批次的抽查案卷、结论和问题")
def audit_detail(request, pk: int):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    audit_round = selectors.audit_round_for(request.user, pk)
    if audit_round is None:
        raise HttpError(404, _("找不到此评查批次。"))
    return {
        "id": audit_round.pk, "month": f"{audit_round.month:%Y-%m}", "department": audit_round.department.name,
        "seed": audit_round.seed, "population": audit_round.population,
        "samples": [{
            "position": s.position, "case_id": s.case_id, "case_number": s.case.number, "finding": s.finding,
            "note": s.note, "defects": [_defect(d) for d in s.defects.all()],
        } for s in selectors.audit_samples(audit_round)],
    }


def _defect(d: AuditDefect) -> dict:
    return {"id": d.pk, "category": d.category, "category_label": d.get_category_display(),
            "description": d.description, "deadline": str(d.deadline), "state": d.state, "response": d.response,
            "review_note": d.review_note, "overdue": d.state != "closed" and d.deadline < timezone.localdate()}


@router.get("/defects", summary="评查问题及整改情况")
def defects(request, state: Literal["open", "responded", "closed"] | None = None):
    _require(selectors.can_see_alarms, request, ALARMS_DENIED)
    return [{**_defect(d), "department": d.department.name, "case_number": d.sample.case.number}
            for d in selectors.defects_for(request.user, state=state or "")[:1000]]


@router.get("/interviews", summary="约谈名单及依据")
def interviews(request):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    data = selectors.interview_list(request.user)

    def held(rows):
        return [{"held_on": str(i.held_on), "summary": i.summary, "measures": i.measures} for i in rows]

    return {
        "rules": {"overdue_steps_threshold": data["rules"].overdue_steps_threshold,
                  "lookback_days": data["rules"].lookback_days,
                  "on_time_rate_threshold": float(data["rules"].on_time_rate_threshold),
                  "min_closed": data["rules"].min_closed},
        "cases": [{"case_id": c["case"].pk, "case_number": c["case"].number, "department": c["case"].department.name,
                   "send_backs": c["case"].send_backs, "evidence": [e.summary for e in c["evidence"]],
                   "interviews": held(c["interviews"])} for c in data["cases"]],
        "handlers": [{"staff_id": h["staff"].pk, "staff": str(h["staff"]), "department": h["department"].name,
                      "late_steps": [{"case_number": s.case.number, "step": s.name, "due_date": str(s.due_date),
                                      "finished_on": str(timezone.localdate(s.finished_at))} for s in h["evidence"]],
                      "interviews": held(h["interviews"])} for h in data["handlers"]],
        "departments": [{"department_id": d["department"].pk, "department": d["department"].name,
                         "month": f"{d['month']:%Y-%m}", "closed": d["closed"], "on_time": d["on_time"],
                         "on_time_rate": d["rate"], "interviews": held(d["interviews"])} for d in data["departments"]],
    }


@router.get("/notifications", summary="我的提醒")
def notifications(request, unread: bool = False):
    rows = selectors.my_notifications(request.user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return [{"id": n.pk, "kind": n.kind, "level": n.level, "text": n.text, "link": n.link,
             "created_at": n.created_at.isoformat(), "read": n.read_at is not None} for n in rows[:200]]


# --- monthly window assessment (窗口考核) --------------------------------------------------------------


def _assessment_month(month: str):
    from .selectors_assessment import parse_month

    day = parse_month(month)
    if day is None:
        raise HttpError(422, _("月份格式应为 年-月，如 2026-10。"))
    return day


def _result(r) -> dict:
    return {"kind": r.kind, "window_id": r.window_id, "staff_id": r.staff_id, "label": r.label, "rank": r.rank,
            "score": str(r.score), "lines": r.lines, "figures": r.figures, "eligible": r.eligible,
            "ineligible_reason": r.ineligible_reason, "proposed": r.proposed, "honour": r.honour}


def _month_out(assessment, *, results: bool) -> dict:
    out = {"month": f"{assessment.month:%Y-%m}", "state": assessment.state, "base_score": str(assessment.base_score),
           "computed_at": assessment.computed_at.isoformat(), "sources": assessment.sources,
           "confirmed_at": assessment.confirmed_at.isoformat() if assessment.confirmed_at else None,
           "confirmed_by": str(assessment.confirmed_by or ""), "note": assessment.note}
    if results:
        from .selectors_assessment import month_view

        view = month_view(assessment)
        out["rules"] = assessment.rules
        out["windows"] = [_result(r) for r in view.windows]
        out["staff"] = [_result(r) for r in view.staff]
    return out


def _validation(err) -> HttpError:
    return HttpError(422, "；".join(err.messages))


@router.get("/assessment/rules", summary="窗口考核的计分规则、评选规则和口径")
def assessment_rules(request):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    from .selectors_assessment import rules_context
    from .templatetags.supervision_tags import rule_text

    context = rules_context()
    settings = context["settings"]
    return {
        "base_score": f"{Decimal(settings.base_score):.2f}", "red_flag_count": settings.red_flag_count,
        "star_count": settings.star_count, "min_ratings": settings.min_ratings,
        "complaint_veto": settings.complaint_veto, "tie_rule": str(context["tie_rule"]),
        "rules": [{"id": r.pk, "metric": r.metric, "label": str(r), "applies_to": r.applies_to, "points": str(r.points),
                   "threshold": None if r.threshold is None else str(r.threshold),
                   "cap": None if r.cap is None else str(r.cap), "text": rule_text(r),
                   "definition": str(context["metric_notes"].get(r.metric, ""))} for r in context["rules"]],
    }


@router.get("/assessments", summary="已计算的月度考核")
def assessment_list(request):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    from .selectors_assessment import assessment_months

    return [_month_out(a, results=False) for a in assessment_months()[:120]]


@router.get("/assessments/{month}", summary="一个月的考核：每个窗口和人员的得分及明细、建议和确认的荣誉")
def assessment_detail(request, month: str):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    from .selectors_assessment import assessment_for

    assessment = assessment_for(_assessment_month(month))
    if assessment is None:
        raise HttpError(404, _("%(m)s 的考核尚未计算。") % {"m": month})
    return _month_out(assessment, results=True)


@router.post("/assessments/{month}/compute", summary="计算（或重新计算）一个月的考核；已确认的月份不能重算")
def assessment_compute(request, month: str):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    from django.core.exceptions import ValidationError

    from .services_assessment import assessment_compute as compute

    try:
        assessment = compute(actor=request.user, month=_assessment_month(month))
    except ValidationError as err:
        raise _validation(err) from err
    return _month_out(assessment, results=True)


class ConfirmIn(Schema):
    red_flag_window_ids: list[int] | None = Field(None, description="红旗窗口的窗口 id；不填则采用系统建议")
    star_staff_ids: list[int] | None = Field(None, description="服务明星的人员 id；不填则采用系统建议")
    note: str = Field("", description="说明；与系统建议不同时必填")


@router.post("/assessments/{month}/confirm", summary="确认红旗窗口和服务明星（确认后锁定并公示）")
def assessment_confirm(request, month: str, payload: ConfirmIn):
    _require(selectors.can_supervise, request, SUPERVISOR_DENIED)
    from django.core.exceptions import ValidationError

    from .services_assessment import assessment_confirm as confirm

    try:
        assessment = confirm(actor=request.user, month=_assessment_month(month),
                             red_flag_window_ids=payload.red_flag_window_ids, star_staff_ids=payload.star_staff_ids,
                             note=payload.note)
    except ValidationError as err:
        raise _validation(err) from err
    return _month_out(assessment, results=True)


@router.get("/public/honours", summary="公示的红旗窗口和服务明星（每月，含得分明细）", auth=None)
def public_honours(request):
    from .selectors_assessment import public_honours as honours

    return [{"month": f"{m.month:%Y-%m}", "base_score": str(m.base_score),
             "red_flag_windows": [{"label": r.label, "score": str(r.score), "lines": r.lines} for r in red],
             "service_stars": [{"label": r.staff.display_name if r.staff else r.label, "score": str(r.score),
                                "lines": r.lines} for r in stars]}
            for m, red, stars in honours()]
