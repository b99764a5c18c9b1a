"""Staff pages: ratings and their rectification, appeals, hotline entry, weekly callbacks, complaints, reports."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yichuang.cases.models import Case
from yichuang.org.models import Department, User, Window

from . import rules, selectors, services
from .errors import FeedbackError
from .export import report_workbook
from .models import Appeal, CallbackTask, Complaint, Rating, RectificationStep
from .services_complaints import complaint_advance, complaint_extend, complaint_submit
from .views import _errors, _indicators, pad_key


def _date(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    start = _date(request.GET.get("start", ""), today.replace(day=1))
    end = _date(request.GET.get("end", ""), today)
    return (start, end) if start <= end else (end, start)


def _flash_errors(request: HttpRequest, err: FeedbackError) -> None:
    for _field, msgs in _errors(err).items():
        for message in msgs:
            messages.error(request, message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    user = request.user
    from yichuang.hall.selectors import windows_for_user

    pads = [(w, reverse("feedback:pad", args=[w.pk]) + "?k=" + pad_key(w)) for w in windows_for_user(user)]
    ratings = selectors.ratings_visible_to(user)
    return render(request, "feedback/staff/home.html", {
        "start": start, "end": end,
        "summary": selectors._summarise(ratings.filter(rated_at__range=selectors._day_range(start, end)),
                                        today=timezone.localdate()),
        "rects": selectors.rectifications_open(user)[:50], "appeals": selectors.appeals_pending(user),
        "complaints": selectors.complaints_visible_to(user).exclude(
            stage__in=[Complaint.Stage.ARCHIVED, Complaint.Stage.NOT_ACCEPTED]).order_by("stage_due_date")[:50],
        "recent": ratings[:15], "pads": pads, "definitions": selectors.DEFINITIONS,
    })


@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.ratings_visible_to(request.user)
    channel, level, state = request.GET.get("channel", ""), request.GET.get("level", ""), request.GET.get("state", "")
    if channel in Rating.Channel.values:
        qs = qs.filter(channel=channel)
    if level in ("bad", "good"):
        qs = qs.filter(level__in=rules.BAD_LEVELS if level == "bad" else rules.SATISFIED_LEVELS)
    if state in Rating.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "feedback/staff/ratings.html", {
        "page": page, "channels": Rating.Channel.choices, "states": Rating.State.choices,
        "channel": channel, "level": level, "state": state})


@login_required
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(selectors.ratings_visible_to(request.user), pk=pk)
    rect = getattr(rating, "rectification", None)
    steps = list(rect.steps.select_related("actor")) if rect else []
    open_step = next((s for s in steps if s.state == RectificationStep.State.OPEN), None)
    today = timezone.localdate()
    for step in steps:
        step.live_alarm = rules.alarm_level(today=today, warning_date=step.warning_date, due_date=step.due_date) \
            if step.state == RectificationStep.State.OPEN else step.alarm
    return render(request, "feedback/staff/rating_detail.html", {
        "rating": rating, "rect": rect, "steps": steps, "open_step": open_step,
        "may_act": open_step is not None and services.may_act_on_step(request.user, rect, open_step.kind),
        "events": rating.events.all(), "appeals": rating.appeals.select_related("requested_by", "decided_by"),
        "is_supervisor": services._is_supervisor(request.user, rating.centre_id),
        "outcomes": [c for c in CallbackTask.Outcome.choices if c[0] != "pending"], "levels": Rating.Level.choices,
        "public_url": reverse("feedback:rating_public", args=[rating.token]),
    })


@login_required
@require_POST
def rectification_step(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(selectors.ratings_visible_to(request.user), pk=pk)
    post = request.POST
    try:
        services.rectification_step_complete(
            actor=request.user, rectification=rating.rectification, kind=post.get("kind", ""),
            note=post.get("note", ""), answer=post.get("answer", ""), outcome=post.get("outcome", ""),
            level_after=post.get("level_after") or None, passed=post.get("passed", "1") == "1")
        messages.success(request, _("已保存。"))
    except FeedbackError as err:
        _flash_errors(request, err)
    return redirect("feedback:rating_detail", pk=rating.pk)


@login_required
@require_POST
def appeal_new(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(selectors.ratings_visible_to(request.user), pk=pk)
    try:
        services.appeal_request(actor=request.user, rating=rating, reason=request.POST.get("reason", ""))
        messages.success(request, _("申诉已提交，等待电子监察人员裁定。"))
    except FeedbackError as err:
        _flash_errors(request, err)
    return redirect("feedback:rating_detail", pk=rating.pk)


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.filter(rating__in=selectors.ratings_visible_to(request.user)), pk=pk)
    try:
        services.appeal_decide(actor=request.user, appeal=appeal, uphold=request.POST.get("uphold") == "1",
                               reason=request.POST.get("reason", ""))
        messages.success(request, _("已裁定。"))
    except FeedbackError as err:
        _flash_errors(request, err)
    return redirect("feedback:rating_detail", pk=appeal.rating_id)


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    """热线代评: an operator enters the rating a caller gives over the phone, by case number."""
    context = {"levels": Rating.Level.choices, "errors": {}, "post": {}, "case": None,
               "indicators": rules.ONSITE_INDICATORS, "channels": [
                   (Rating.Channel.HOTLINE, Rating.Channel.HOTLINE.label),
                   (Rating.Channel.CALLBACK, Rating.Channel.CALLBACK.label)]}
    number = (request.POST.get("number") or request.GET.get("number") or "").strip().upper()
    if number:
        case = Case.objects.filter(number=number).select_related("item_version", "applicant").first()
        context["case"] = case
        if case is None:
            context["errors"] = {"number": [_("没有找到办件 %(n)s。") % {"n": number}]}
        else:
            context["indicators"] = rules.indicator_set(Rating.Channel.HOTLINE, case.channel)
    context["number"] = number
    if request.method == "POST" and context["case"] is not None:
        case = context["case"]
        try:
            rating = services.rating_submit(
                actor=request.user, channel=request.POST.get("channel", Rating.Channel.HOTLINE), case=case,
                level=request.POST.get("level"), indicators=_indicators(request.POST, context["indicators"]),
                comment=request.POST.get("comment", ""), real_name=request.POST.get("real_name") == "1",
                rater_name=request.POST.get("rater_name", ""), rater_phone=request.POST.get("rater_phone", ""))
        except FeedbackError as err:
            context["errors"], context["post"] = _errors(err), request.POST
        else:
            messages.success(request, _("已代录评价。"))
            return redirect("feedback:rating_detail", pk=rating.pk)
    return render(request, "feedback/staff/hotline.html", context)


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    user = request.user
    samples = selectors.callback_samples(user)
    sample = samples.filter(pk=request.GET.get("sample") or 0).first() or samples.first()
    today = timezone.localdate()
    last_year, last_week, monday, sunday = rules.previous_iso_week(today)
    gap = selectors.real_name_bad_without_callback(user, start=today - datetime.timedelta(days=90), end=today)
    return render(request, "feedback/staff/callbacks.html", {
        "samples": samples[:20], "sample": sample,
        "tasks": sample.tasks.select_related("case__applicant", "case__item_version", "called_by", "rating")
        if sample else [],
        "last_week": (last_year, last_week, monday, sunday), "gap": gap, "levels": Rating.Level.choices,
        "outcomes": [c for c in CallbackTask.Outcome.choices if c[0] != "pending"],
        "centres": selectors.scope_for(user).centres(),
    })


@login_required
@require_POST
def callback_draw(request: HttpRequest) -> HttpResponse:
    from yichuang.org.models import ServiceCentre

    centre = ServiceCentre.objects.filter(pk=request.POST.get("centre") or 0).first() or request.user.centre
    year, week, _m, _s = rules.previous_iso_week(timezone.localdate())
    try:
        if centre is None:
            raise FeedbackError(_("请选择中心。"))
        sample = services.callback_sample_draw(actor=request.user, centre=centre, iso_year=year, iso_week=week)
    except FeedbackError as err:
        _flash_errors(request, err)
        return redirect("feedback:callbacks")
    return redirect(reverse("feedback:callbacks") + f"?sample={sample.pk}")


@login_required
@require_POST
def callback_record(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(CallbackTask.objects.filter(sample__in=selectors.callback_samples(request.user)), pk=pk)
    try:
        services.callback_record(actor=request.user, task=task, outcome=request.POST.get("outcome", ""),
                                 note=request.POST.get("note", ""), level=request.POST.get("level") or None,
                                 comment=request.POST.get("comment", ""),
                                 real_name=request.POST.get("real_name", "1") == "1")
        messages.success(request, _("回访结果已记录。"))
    except FeedbackError as err:
        _flash_errors(request, err)
    return redirect(reverse("feedback:callbacks") + f"?sample={task.sample_id}")


# --- complaints ------------------------------------------------------------------------------------------


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.complaints_visible_to(request.user)
    stage = request.GET.get("stage", "")
    if stage == "open":
        qs = qs.exclude(stage__in=[Complaint.Stage.ARCHIVED, Complaint.Stage.NOT_ACCEPTED])
    elif stage in Complaint.Stage.values:
        qs = qs.filter(stage=stage)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "feedback/staff/complaints.html", {"page": page, "stages": Complaint.Stage.choices,
                                                              "stage": stage})


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Staff intake: at the hall, from a hotline (12345 / 8890), or transferred from another platform."""
    user = request.user
    centres = selectors.scope_for(user).centres()
    context = {"sources": [c for c in Complaint.Source.choices if c[0] != Complaint.Source.ONLINE],
               "categories": Complaint.Category.choices, "centres": centres,
               "departments": Department.objects.filter(is_active=True),
               "windows": Window.objects.filter(centre__in=centres, is_active=True),
               "errors": {}, "post": {}}
    if request.method == "POST":
        post = request.POST
        try:
            centre = centres.filter(pk=post.get("centre") or 0).first() or user.centre or centres.first()
            if centre is None:
                raise FeedbackError({"centre": [_("请选择中心。")]})
            case = None
            if post.get("case_number", "").strip():
                case = Case.objects.filter(number=post["case_number"].strip().upper()).first()
                if case is None:
                    raise FeedbackError({"case_number": [_("没有找到这个办件编号。")]})
            staff = None
            if post.get("staff", "").strip():
                name = post["staff"].strip()
                staff = (User.objects.filter(username=name).first()
                         or User.objects.filter(display_name=name, centre=centre).first())
                if staff is None:
                    raise FeedbackError({"staff": [_("没有找到工作人员“%(n)s”，请填写姓名或账号，或留空。") % {"n": name}]})
            complaint = complaint_submit(
                actor=user, centre=centre, source=post.get("source", ""), subject=post.get("subject", ""),
                content=post.get("content", ""), category=post.get("category", ""),
                complainant_name=post.get("name", ""), complainant_phone=post.get("phone", ""),
                source_platform=post.get("source_platform", ""), source_ref=post.get("source_ref", ""), case=case,
                department=Department.objects.filter(pk=post.get("department") or 0).first(),
                window=Window.objects.filter(pk=post.get("window") or 0, centre=centre).first(), staff=staff)
        except FeedbackError as err:
            context["errors"], context["post"] = _errors(err), post
        else:
            messages.success(request, _("投诉已登记：%(n)s，查询码 %(c)s。") % {"n": complaint.number,
                                                                             "c": complaint.query_code})
            return redirect("feedback:complaint_detail", pk=complaint.pk)
    return render(request, "feedback/staff/complaint_new.html", context)


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(selectors.complaints_visible_to(request.user), pk=pk)
    from .services_complaints import ADVANCE

    next_action = ADVANCE.get(complaint.stage, (None, None))[0]
    return render(request, "feedback/staff/complaint_detail.html", {
        "c": complaint, "events": complaint.events.all(), "next_action": next_action,
        "is_supervisor": services._is_supervisor(request.user, complaint.centre_id),
        "findings": [f for f in Complaint.Finding.choices if f[0]],
        "live_alarm": rules.alarm_level(
            today=timezone.localdate(),
            warning_date=rules.workday_before(complaint.stage_due_date, complaint.centre.region),
            due_date=complaint.stage_due_date) if complaint.is_open and complaint.stage_due_date else "none",
    })


@login_required
@require_POST
def complaint_act(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(selectors.complaints_visible_to(request.user), pk=pk)
    post = request.POST
    try:
        if post.get("action") == "extend":
            complaint_extend(actor=request.user, complaint=complaint, days=post.get("days", ""),
                             reason=post.get("reason", ""))
        else:
            complaint_advance(actor=request.user, complaint=complaint, action=post.get("action", ""),
                              note=post.get("note", ""), finding=post.get("finding", ""),
                              accountability=post.get("accountability", ""), answer=post.get("answer", ""))
        messages.success(request, _("已保存。"))
    except FeedbackError as err:
        _flash_errors(request, err)
    return redirect("feedback:complaint_detail", pk=complaint.pk)


# --- reports ---------------------------------------------------------------------------------------------


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    by = "window" if request.GET.get("by") == "window" else "department"
    rows = selectors.report_rows(start=start, end=end, by=by, user=request.user)
    if request.GET.get("format") == "xlsx":
        from .export import XLSX_CONTENT_TYPE

        response = HttpResponse(report_workbook(rows, start=start, end=end, by=by), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="feedback-{by}-{start}-{end}.xlsx"'
        return response
    return render(request, "feedback/staff/reports.html", {
        "rows": rows, "start": start, "end": end, "by": by, "definitions": selectors.DEFINITIONS})

