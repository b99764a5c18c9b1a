"""Pages of electronic supervision: dashboards, alarm board, statistics, audits, interviews, reminders.

Views parse input, call one service or selector and render. Staff pages require login and a
role (403 otherwise) and read through the user's scope; the public dashboard shows figures only.
"""

import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from yichuang.cases.selectors import case_for_user
from yichuang.org.models import Department, User

from . import selectors, services
from .export import XLSX_CONTENT_TYPE, rows_workbook, statistics_workbook
from .feedback_link import RATING_METRICS
from .forms import (
    DEFECT_CHOICES,
    PRESETS,
    AlarmFilterForm,
    AuditDrawForm,
    DefectRespondForm,
    DefectReviewForm,
    FindingForm,
    FollowUpCloseForm,
    FollowUpForm,
    InterviewForm,
    StatisticsForm,
)
from .metrics import METRICS
from .models import AuditDefect, AuditSample, FollowUp
from .ratings_stats import ratings_for
from .selectors import StatQuery

PUBLIC_DASHBOARD_SECONDS = 15


def supervision_required(check, message):
    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


supervisor_only = supervision_required(selectors.can_supervise, _("此页面需要「电子监察人员」角色。"))
statistics_roles = supervision_required(
    selectors.can_see_statistics, _("统计和数据大屏需要「电子监察人员」「中心管理员」或部门「决定人员」角色。"))
alarm_roles = supervision_required(
    selectors.can_see_alarms, _("预警看板需要「电子监察人员」「中心管理员」或部门审查、决定人员角色。"))
department_or_supervisor = supervision_required(
    selectors.can_see_alarms, _("案卷评查问题由监察人员和部门审查、决定人员查看。"))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _errors(err: ValidationError) -> list[str]:
    return list(err.messages)


# --- dashboards --------------------------------------------------------------------------------


def _dashboard_context(*, staff: bool) -> dict:
    return {
        "data_url": reverse("supervision:dashboard_staff_data" if staff else "supervision:dashboard_public_data"),
        "staff": staff, "centre_name": selectors.dashboard_title(), "time_zone": settings.TIME_ZONE,
        # The words the charts draw, in the visitor's language.
        "chart_labels": {
            "received": _("接件"), "closed": _("办结"), "on_time": _("按时办结率"), "yellow": _("黄牌"),
            "red": _("红牌"), "overdue": _("超期"), "no_alarms": _("没有预警办件"),
            "no_closed": _("近 30 天暂无办结件"), "updated": _("数据更新于 {t}，每 30 秒刷新"),
            "offline": _("暂时无法获取数据，稍后自动重试"),
        },
    }


@require_safe
def dashboard_public(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/dashboard.html", _dashboard_context(staff=False))


@require_safe
def dashboard_public_data(request: HttpRequest) -> JsonResponse:
    # Many screens poll the same figures; they change once a minute (the sweep).
    payload = cache.get_or_set("supervision:dashboard:public", lambda: selectors.dashboard_payload(
        selectors.Scope(None)), PUBLIC_DASHBOARD_SECONDS)
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={PUBLIC_DASHBOARD_SECONDS}"
    return response


@require_safe
@statistics_roles
def dashboard_staff(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/dashboard.html", _dashboard_context(staff=True))


@require_safe
@statistics_roles
def dashboard_staff_data(request: HttpRequest) -> JsonResponse:
    payload = selectors.dashboard_payload(selectors.scope_for(request.user), staff=True)
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


# --- alarm board -------------------------------------------------------------------------------------


@require_safe
@alarm_roles
def home(request: HttpRequest) -> HttpResponse:
    return redirect("supervision:alarms")


@require_safe
@alarm_roles
def alarms(request: HttpRequest) -> HttpResponse:
    form = AlarmFilterForm(request.GET)
    form.is_valid()
    department_id = form.cleaned_data.get("department")
    level = form.cleaned_data.get("level") or ""
    today = timezone.localdate()
    board = selectors.alarm_board(request.user, department_id=department_id, level=level, today=today)
    if request.GET.get("format") == "xlsx":
        rows = [[dept.name, str(row.level_label), row.case.number, row.case.item_version.name,
                 row.due_date, row.age, "、".join(row.handlers), "；".join(f.instruction for f in row.followups)]
                for dept, group in board for row in group]
        return _xlsx(rows_workbook(title=_("预警看板"), headers=[
            _("部门"), _("预警"), _("办件编号"), _("事项"), _("到期日"), _("超期或剩余（工作日）"), _("经办人"),
            _("督办")], rows=rows), f"预警看板-{today}.xlsx")
    scope = selectors.scope_for(request.user)
    return render(request, "supervision/alarms.html", {
        "board": board, "counts": selectors.alarm_counts(board), "today": today,
        "departments": selectors.departments_in_scope(scope), "department_id": department_id, "level": level,
        "can_follow": selectors.can_supervise(request.user), "followup_form": FollowUpForm(),
        "close_form": FollowUpCloseForm(), "open_followups": selectors.followups_open(request.user)[:50],
        "sweep": selectors.latest_sweep(), "active": "alarms",
    })


def _followup_block(request, case, *, form=None, close_errors=None, closed_pk=None):
    followups = FollowUp.objects.filter(case=case).select_related("created_by", "outcome_by").order_by("-created_at")
    return render(request, "supervision/_followups.html", {
        "case": case, "followups": followups, "followup_form": form or FollowUpForm(),
        "close_form": FollowUpCloseForm(), "close_errors": close_errors or [], "closed_pk": closed_pk,
        "can_follow": True,
    })


@require_POST
@supervisor_only
def followup_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(request.user, case_pk)
    if case is None:
        raise Http404(_("找不到此办件。"))
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.followup_create(actor=request.user, case=case, instruction=form.cleaned_data["instruction"],
                                     deadline_days=form.cleaned_data.get("deadline_days"))
        except ValidationError as err:
            for message in _errors(err):
                form.add_error(None, message)
        else:
            if not _is_htmx(request):
                messages.success(request, _("已督办办件 %(n)s，部门负责人和经办人已收到提醒。") % {"n": case.number})
                return redirect("supervision:alarms")
            form = None
    if not _is_htmx(request):
        for message in form.errors.values():
            messages.error(request, "；".join(message))
        return redirect("supervision:alarms")
    return _followup_block(request, case, form=form)


@require_POST
@supervisor_only
def followup_close(request: HttpRequest, pk: int) -> HttpResponse:
    followup = FollowUp.objects.filter(pk=pk, case__in=selectors.cases_visible_to(request.user).values("pk")).first()
    if followup is None:
        raise Http404(_("找不到此督办。"))
    form = FollowUpCloseForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.followup_close(actor=request.user, followup=followup, outcome=form.cleaned_data["outcome"])
        except ValidationError as err:
            errors = _errors(err)
    else:
        errors = [m for ms in form.errors.values() for m in ms]
    if not _is_htmx(request):
        if errors:
            messages.error(request, "；".join(errors))
        else:
            messages.success(request, _("督办结果已登记。"))
        return redirect("supervision:alarms")
    return _followup_block(request, followup.case, close_errors=errors, closed_pk=followup.pk)


# --- statistics ---------------------------------------------------------------------------------------


@require_safe
@statistics_roles
def statistics_page(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    if request.GET:
        valid = form.is_valid()
    else:
        form = StatisticsForm({"preset": "this_month"})
        valid = form.is_valid()
    scope = selectors.scope_for(request.user)
    table = ratings = None
    if valid:
        query = StatQuery(form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data.get("slice") or "",
                          form.filters())
        table = selectors.statistics(scope, query)
        ratings = ratings_for(table, scope)
        if request.GET.get("format") == "xlsx":
            return _xlsx(statistics_workbook(table, ratings=ratings),
                         f"办件统计-{query.start}-{query.end}{('-' + table.slice_label) if query.slice else ''}.xlsx")
    context = {
        "form": form, "table": table, "metrics": METRICS, "slices": selectors.SLICES.items(), "presets": PRESETS.items(),
        "export_query": _with_format(request, "xlsx"), "active": "statistics", **_present(table, request, ratings),
        "rating_metrics": RATING_METRICS,
    }
    if _is_htmx(request):
        return render(request, "supervision/_statistics_result.html", context)
    context["choices"] = selectors.filter_choices(scope)
    context["staff_choices"] = _staff_choices(scope)
    return render(request, "supervision/statistics.html", context)


DRILLABLE = {"department", "centre", "point", "window", "staff", "item", "channel"}


def _present(table, request, ratings=None) -> dict:
    """Each figure formatted for display, in the order of the registry; the ratings after the case figures."""
    if table is None:
        return {}

    def rating_values(figures) -> list[str]:
        shown = figures.display()
        return [shown[m.key] for m in RATING_METRICS]

    rows = [(r.label, r.key, [m.format(r.figures[m.key]) for m in METRICS] + rating_values(ratings.for_row(r.key)))
            for r in table.rows]
    drill = ""
    if table.query.slice in DRILLABLE:
        # A row's link narrows the statistics to it, grouped by day.
        query = request.GET.copy()
        for name in ("slice", "format", "page", table.query.slice):
            query.pop(name, None)
        query["slice"] = "day"
        drill = query.urlencode()
    total_ratings = ratings.total.display()
    return {"cards": [(m, m.format(table.total.figures[m.key])) for m in METRICS], "rows": rows,
            "total": [m.format(table.total.figures[m.key]) for m in METRICS] + rating_values(ratings.total),
            "rating_cards": [(m, total_ratings[m.key]) for m in RATING_METRICS], "rating_note": ratings.note,
            "drill": drill}


def _staff_choices(scope) -> list[tuple[int, str]]:
    people = User.objects.filter(is_active=True).exclude(roles=None)
    if not scope.everything:
        people = people.filter(department_id__in=scope.departments) | people.filter(centre_id__in=scope.centres)
    return [(u.pk, str(u)) for u in people.distinct().order_by("department_id", "username")]


def _with_format(request: HttpRequest, fmt: str) -> str:
    query = request.GET.copy()
    query["format"] = fmt
    return query.urlencode()


# --- audits -------------------------------------------------------------------------------------------------


def _previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@require_safe
@supervisor_only
def audits(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    if request.GET.get("format") == "xlsx":
        rows = [[f"{r.month:%Y-%m}", r.department.name, r.population, r.drawn, r.audited, r.defects, str(r.seed),
                 timezone.localtime(r.drawn_at).strftime("%Y-%m-%d %H:%M"), str(r.drawn_by or _("系统自动"))]
                for r in selectors.audit_rounds(request.user)]
        return _xlsx(rows_workbook(title=_("案卷评查"), headers=[
            _("月份"), _("部门"), _("当月办结"), _("抽查"), _("已评查"), _("有问题"), _("随机种子"), _("抽取时间"),
            _("抽取人")], rows=rows), f"案卷评查-{timezone.localdate()}.xlsx")
    rounds = Paginator(selectors.audit_rounds(request.user), 40).get_page(request.GET.get("page"))
    return render(request, "supervision/audits.html", {
        "rounds": rounds, "form": AuditDrawForm(initial={"month": _previous_month(timezone.localdate())}),
        "departments": selectors.departments_in_scope(scope), "active": "audits",
        "default_month": f"{_previous_month(timezone.localdate()):%Y-%m}",
    })


@require_POST
@supervisor_only
def audit_draw(request: HttpRequest) -> HttpResponse:
    form = AuditDrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("supervision:audits")
    scope = selectors.scope_for(request.user)
    departments = selectors.departments_in_scope(scope)
    if form.cleaned_data.get("department"):
        departments = departments.filter(pk=form.cleaned_data["department"])
    drawn, problems = [], []
    for department in departments:
        try:
            drawn.append(services.audit_draw(actor=request.user, month=form.cleaned_data["month"],
                                             department=department, size=form.cleaned_data.get("size")))
        except ValidationError as err:
            problems += _errors(err)
    if drawn:
        messages.success(request, _("已抽取 %(n)d 个部门的案卷，共 %(k)d 件。") % {
            "n": len(drawn), "k": sum(r.samples.count() for r in drawn)})
    for problem in problems:
        messages.error(request, problem)
    if len(drawn) == 1:
        return redirect("supervision:audit_detail", pk=drawn[0].pk)
    return redirect("supervision:audits")


@require_safe
@supervisor_only
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = selectors.audit_round_for(request.user, pk)
    if audit_round is None:
        raise Http404(_("找不到此评查批次。"))
    return render(request, "supervision/audit_detail.html", {
        "round": audit_round, "samples": selectors.audit_samples(audit_round), "categories": DEFECT_CHOICES,
        "active": "audits",
    })


@require_POST
@supervisor_only
def audit_finding(request: HttpRequest, pk: int) -> HttpResponse:
    sample = AuditSample.objects.filter(pk=pk, round__in=selectors.audit_rounds(request.user)).select_related(
        "round").first()
    if sample is None:
        raise Http404(_("找不到此抽查案卷。"))
    form = FindingForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.audit_finding_record(actor=request.user, sample=sample, finding=form.cleaned_data["finding"],
                                          note=form.cleaned_data.get("note", ""), defects=form.defects(request.POST))
        except ValidationError as err:
            errors = _errors(err)
    else:
        errors = [m for ms in form.errors.values() for m in ms]
    if _is_htmx(request):
        sample = selectors.audit_samples(sample.round).get(pk=sample.pk)
        return render(request, "supervision/_audit_sample.html", {
            "sample": sample, "categories": DEFECT_CHOICES, "errors": errors, "posted": request.POST})
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("评查结论已登记。"))
    return redirect("supervision:audit_detail", pk=sample.round_id)


@require_safe
@department_or_supervisor
def defects(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in AuditDefect.State.values:
        state = ""
    rows = selectors.defects_for(request.user, state=state)
    if request.GET.get("format") == "xlsx":
        table = [[d.sample.case.number, d.department.name, d.get_category_display(), d.description, d.deadline,
                  d.get_state_display(), d.response, d.review_note] for d in rows]
        return _xlsx(rows_workbook(title=_("评查问题整改"), headers=[
            _("办件编号"), _("部门"), _("问题类别"), _("问题描述"), _("整改期限"), _("状态"), _("整改情况"),
            _("复核意见")], rows=table), f"评查问题整改-{timezone.localdate()}.xlsx")
    return render(request, "supervision/defects.html", {
        "defects": Paginator(rows, 50).get_page(request.GET.get("page")), "state": state,
        "states": AuditDefect.State.choices, "today": timezone.localdate(),
        "is_supervisor": selectors.can_supervise(request.user), "active": "defects",
    })


def _defect_for(request, pk) -> AuditDefect:
    defect = selectors.defects_for(request.user).filter(pk=pk).first()
    if defect is None:
        raise Http404(_("找不到此问题。"))
    return defect


@require_POST
@department_or_supervisor
def defect_respond(request: HttpRequest, pk: int) -> HttpResponse:
    defect = _defect_for(request, pk)
    form = DefectRespondForm(request.POST)
    if form.is_valid():
        try:
            services.audit_defect_respond(actor=request.user, defect=defect, response=form.cleaned_data["response"])
            messages.success(request, _("整改情况已反馈，等待监察人员复核。"))
        except ValidationError as err:
            messages.error(request, "；".join(_errors(err)))
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect("supervision:defects")


@require_POST
@supervisor_only
def defect_review(request: HttpRequest, pk: int) -> HttpResponse:
    defect = _defect_for(request, pk)
    form = DefectReviewForm(request.POST)
    if form.is_valid():
        try:
            services.audit_defect_review(actor=request.user, defect=defect, accept=form.cleaned_data["accept"] == "yes",
                                         note=form.cleaned_data.get("note", ""))
            messages.success(request, _("复核意见已登记。"))
        except ValidationError as err:
            messages.error(request, "；".join(_errors(err)))
    else:
        messages.error(request, _("请选择复核结论。"))
    return redirect("supervision:defects")


# --- interviews --------------------------------------------------------------------------------------------


@require_safe
@supervisor_only
def interviews(request: HttpRequest) -> HttpResponse:
    data = selectors.interview_list(request.user)
    if request.GET.get("format") == "xlsx":
        rows = [[_("办件"), c["case"].number, c["case"].department.name, _("退回 %(n)d 次") % {"n": c["case"].send_backs},
                 "；".join(str(i.held_on) for i in c["interviews"])] for c in data["cases"]]
        rows += [[_("经办人"), str(h["staff"]), h["department"].name, _("超期环节 %(n)d 个") % {"n": len(h["evidence"])},
                  "；".join(str(i.held_on) for i in h["interviews"])] for h in data["handlers"]]
        rows += [[_("部门"), d["department"].name, d["department"].name,
                  _("%(m)s 按时办结率 %(r)s%%") % {"m": f"{d['month']:%Y-%m}", "r": d["rate"]},
                  "；".join(str(i.held_on) for i in d["interviews"])] for d in data["departments"]]
        return _xlsx(rows_workbook(title=_("约谈名单"), headers=[_("类型"), _("对象"), _("部门"), _("依据"), _("已约谈")],
                                   rows=rows), f"约谈名单-{timezone.localdate()}.xlsx")
    return render(request, "supervision/interviews.html", {**data, "form": InterviewForm(), "active": "interviews",
                                                            "today": timezone.localdate()})


@require_POST
@supervisor_only
def interview_record(request: HttpRequest) -> HttpResponse:
    form = InterviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
        return redirect("supervision:interviews")
    data = form.cleaned_data
    case = staff = None
    evidence: dict = {}
    if data.get("case"):
        case = case_for_user(request.user, data["case"])
        if case is None:
            raise Http404(_("找不到此办件。"))
        department = case.department
        evidence = {"send_backs": case.send_backs, "case": case.number}
    elif data.get("staff"):
        staff = User.objects.filter(pk=data["staff"]).select_related("department").first()
        if staff is None or staff.department is None:
            raise Http404(_("找不到此经办人。"))
        department = staff.department
        evidence = {"staff": str(staff)}
    else:
        department = selectors.departments_in_scope(selectors.scope_for(request.user)).filter(
            pk=data.get("department") or 0).first()
        if department is None:
            raise Http404(_("找不到此部门。"))
    found = selectors.interview_list(request.user)
    evidence.update(_evidence_for(found, data["kind"], case, staff, department))
    try:
        services.interview_record(actor=request.user, kind=data["kind"], department=department, case=case, staff=staff,
                                  held_on=data["held_on"], attendees=data["attendees"], summary=data["summary"],
                                  measures=data.get("measures", ""), evidence=evidence)
        messages.success(request, _("约谈记录已保存。"))
    except ValidationError as err:
        messages.error(request, "；".join(_errors(err)))
    return redirect("supervision:interviews")


def _evidence_for(found: dict, kind: str, case, staff, department: Department) -> dict:
    """A frozen copy of why the interview was held, as the list showed it."""
    if kind == "case" and case is not None:
        for entry in found["cases"]:
            if entry["case"].pk == case.pk:
                return {"send_back_events": [e.summary for e in entry["evidence"]]}
    if kind == "handler" and staff is not None:
        for entry in found["handlers"]:
            if entry["staff"].pk == staff.pk:
                return {"late_steps": [{"case": s.case.number, "step": s.name, "due": str(s.due_date),
                                        "finished": str(timezone.localdate(s.finished_at))} for s in entry["evidence"]]}
    if kind == "department":
        for entry in found["departments"]:
            if entry["department"].pk == department.pk:
                return {"month": f"{entry['month']:%Y-%m}", "closed": entry["closed"], "on_time": entry["on_time"],
                        "rate": entry["rate"]}
    return {}


# --- reminders ------------------------------------------------------------------------------------------------


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_notifications(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/notifications.html", {
        "page": page, "unread": selectors.unread_count(request.user), "active": "notifications",
    })


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(actor=request.user, ids=ids)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/supervision/")
                    else "supervision:notifications")
