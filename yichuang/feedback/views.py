"""Public pages: rating a case online or by the SMS link, the window's rating pad, the rating's own page
(where the rater reads the answer to a 差评), and complaints (form and lookup). No staff login needed."""

from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yichuang.cases.models import Case
from yichuang.core.middleware import client_ip
from yichuang.core.ratelimit import Limit, rate_hit
from yichuang.org.models import ServiceCentre, Window

from . import rules, selectors, services
from .errors import FeedbackError, RatingLinkRefused
from .models import Complaint, Rating
from .services_complaints import complaint_submit

PAD_SALT = "yichuang.feedback.pad"
COMPLAINT_LIMIT = Limit("complaint-online", max_hits=5, window_seconds=60 * 60)
RATE_PAGE_LIMIT = Limit("rating-online", max_hits=30, window_seconds=10 * 60)


def _errors(err: FeedbackError) -> dict[str, list[str]]:
    if hasattr(err, "error_dict"):
        return {("general" if key == "__all__" else key): [m for e in errs for m in e.messages]
                for key, errs in err.error_dict.items()}
    return {"general": err.messages}


def _indicators(post, allowed) -> dict:
    return {key: post.get(f"ind_{key}", "") for key, _label in allowed if key != "overall"}


def _portal_owns(request: HttpRequest, case: Case) -> bool:
    """Is the signed-in portal account (the online hall) allowed to act for this case's applicant?"""
    try:
        from yichuang.portal.auth import current_account
        from yichuang.portal.selectors import applicants_for_account
    except ImportError:  # the online hall is not installed
        return False
    account = current_account(request)
    return account is not None and case.applicant_id in applicants_for_account(account)


# --- online / SMS rating (一事一评) -------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_online(request: HttpRequest, number: str) -> HttpResponse:
    """Rate a case after its result: from the SMS link (`?t=`, no login) or from the online hall's session."""
    case = Case.objects.select_related("item_version__item", "department", "window", "centre").filter(
        number=number).first()
    token = request.GET.get("t") or request.POST.get("t") or ""
    refusal = ""
    channel = None
    if case is None:
        refusal = _("没有找到办件 %(n)s。请打开短信中的完整链接。") % {"n": number}
    elif token:
        try:
            services.rating_link_check(number=case.number, token=token,
                                       max_age_days=services.settings_for(case.centre).sms_link_days)
            channel = Rating.Channel.SMS
        except RatingLinkRefused as err:
            refusal = " ".join(err.messages)
    elif _portal_owns(request, case):
        channel = Rating.Channel.ONLINE
    else:
        refusal = _("请通过短信中的评价链接打开本页，或登录网上办事大厅后在“我的办件”中评价。")
    if refusal:
        return render(request, "feedback/rate_refused.html", {"message": refusal}, status=403)
    existing = case.ratings.filter(channel=channel).first()
    allowed = rules.indicator_set(channel, case.channel)
    context = {"case": case, "token": token, "channel": channel, "indicators": allowed, "existing": existing,
               "levels": Rating.Level.choices, "errors": {}, "post": {}}
    if request.method == "POST" and existing is None:
        if not rate_hit(RATE_PAGE_LIMIT, client_ip(request) or "-").allowed:
            context["errors"] = {"general": [_("提交过于频繁，请稍后再试。")]}
        else:
            try:
                rating = services.rating_submit(
                    actor=case.applicant.name, channel=channel, case=case, level=request.POST.get("level"),
                    indicators=_indicators(request.POST, allowed), comment=request.POST.get("comment", ""),
                    real_name=request.POST.get("real_name") == "1", rater_name=request.POST.get("rater_name", ""),
                    rater_phone=request.POST.get("rater_phone", ""))
                return render(request, "feedback/rate_thanks.html", {"rating": rating})
            except FeedbackError as err:
                context["errors"], context["post"] = _errors(err), request.POST
    return render(request, "feedback/rate_online.html", context)


@never_cache
def rating_public(request: HttpRequest, token: str) -> HttpResponse:
    """The rating's own page: what was said, and — for a 差评 — where its rectification stands and the answer."""
    rating = selectors.rating_by_token(token)
    if rating is None:
        return render(request, "feedback/rate_refused.html", {"message": _("没有找到这条评价。")}, status=404)
    rect = getattr(rating, "rectification", None)
    return render(request, "feedback/rating_public.html", {
        "rating": rating, "rect": rect, "steps": list(rect.steps.all()) if rect else []})


# --- the window's rating pad (一次一评) ----------------------------------------------------------------


def pad_key(window: Window) -> str:
    """The pairing key in the pad's address: a tablet opened with it rates for that window only."""
    return signing.Signer(salt=PAD_SALT).sign(str(window.pk)).split(":", 1)[1]


def _pad_window(request: HttpRequest, window_id: int) -> Window | None:
    from yichuang.hall.services import may_use_window

    window = Window.objects.select_related("centre").filter(pk=window_id, is_active=True).first()
    if window is None:
        return None
    key = request.GET.get("k") or request.POST.get("k") or ""
    if key and signing.Signer(salt=PAD_SALT).sign(str(window.pk)).split(":", 1)[1] == key:
        return window
    return window if may_use_window(request.user, window) else None


def _pad_context(request, window, **extra):
    return {"window": window, "key": request.GET.get("k") or request.POST.get("k") or "",
            "indicators": rules.ONSITE_INDICATORS, "levels": Rating.Level.choices, "reasons": rules.PAD_REASONS,
            **extra}


@never_cache
def pad(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _pad_window(request, window_id)
    if window is None:
        return render(request, "feedback/pad_unpaired.html", status=403)
    invitation = services.pad_current(window)
    return render(request, "feedback/pad.html", _pad_context(request, window, invitation=invitation))


@never_cache
def pad_next(request: HttpRequest, window_id: int) -> HttpResponse:
    """Polled by the idle pad every two seconds: the form once the clerk has finished a service."""
    window = _pad_window(request, window_id)
    if window is None:
        return HttpResponse(status=403)
    invitation = services.pad_current(window)
    return render(request, "feedback/_pad_body.html", _pad_context(request, window, invitation=invitation))


@never_cache
@require_POST
def pad_rate(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _pad_window(request, window_id)
    if window is None:
        return HttpResponse(status=403)
    invitation = services.pad_current(window)
    if invitation is None or str(invitation.pk) != request.POST.get("invitation"):
        return render(request, "feedback/_pad_body.html", _pad_context(
            request, window, invitation=invitation, notice=_("这次服务已评价或已过时，谢谢！")))
    if request.POST.get("skip") == "1":
        services.pad_skip(invitation=invitation)
        return render(request, "feedback/_pad_body.html", _pad_context(request, window, invitation=None))
    reasons = [r for r in request.POST.getlist("reason") if r in {str(x) for x in rules.PAD_REASONS}]
    comment = "；".join([*reasons, request.POST.get("comment", "").strip()]).strip("；")
    try:
        rating = services.pad_rate(invitation=invitation, level=request.POST.get("level"),
                                   indicators=_indicators(request.POST, rules.ONSITE_INDICATORS), comment=comment)
    except FeedbackError as err:
        return render(request, "feedback/_pad_body.html", _pad_context(
            request, window, invitation=invitation, errors=_errors(err)))
    return render(request, "feedback/_pad_thanks.html", _pad_context(request, window, rating=rating))


@require_POST
def pad_invite(request: HttpRequest, window_id: int) -> HttpResponse:
    """Called by the window console's script on its `hall-finished` event."""
    window = get_object_or_404(Window, pk=window_id)
    try:
        ticket_id = int(request.POST.get("ticket", ""))
        invitation = services.pad_invite(actor=request.user, window=window, ticket_id=ticket_id)
    except ValueError:
        return JsonResponse({"detail": _("缺少叫号。")}, status=422)
    except FeedbackError as err:
        return JsonResponse({"detail": " ".join(err.messages)}, status=403 if err.code == "window" else 422)
    return JsonResponse({"invitation": invitation.pk, "case": invitation.case.number if invitation.case else None})


# --- complaints ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_new_public(request: HttpRequest) -> HttpResponse:
    """投诉建议: anyone, no login; contact details optional (without them there is no SMS answer)."""
    centres = ServiceCentre.objects.filter(is_active=True, kind=ServiceCentre.Kind.CENTRE).order_by("name")
    context = {"centres": centres, "categories": Complaint.Category.choices, "errors": {}, "post": {}}
    if request.method == "POST":
        centre = centres.filter(pk=request.POST.get("centre") or 0).first() or (
            centres.first() if centres.count() == 1 else None)
        case = None
        number = request.POST.get("case_number", "").strip().upper()
        if number:
            case = Case.objects.filter(number=number).first()
        try:
            if centre is None:
                raise FeedbackError({"centre": [_("请选择投诉涉及的服务中心。")]})
            if number and case is None:
                raise FeedbackError({"case_number": [_("没有找到办件 %(n)s；不清楚可以不填。") % {"n": number}]})
            if not rate_hit(COMPLAINT_LIMIT, client_ip(request) or "-").allowed:
                raise FeedbackError(_("提交过于频繁，请稍后再试，或拨打 12345 热线。"))
            complaint = complaint_submit(
                actor=None, centre=centre, source=Complaint.Source.ONLINE, subject=request.POST.get("subject", ""),
                content=request.POST.get("content", ""), category=request.POST.get("category", ""),
                complainant_name=request.POST.get("name", ""), complainant_phone=request.POST.get("phone", ""),
                case=case)
        except FeedbackError as err:
            context["errors"], context["post"] = _errors(err), request.POST
        else:
            return render(request, "feedback/complaint_received.html", {"complaint": complaint})
    return render(request, "feedback/complaint_new.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_lookup(request: HttpRequest) -> HttpResponse:
    answer = None
    number = request.GET.get("number", "")
    if request.method == "POST":
        number = request.POST.get("number", "")
        answer = selectors.complaint_lookup(number=number, code=request.POST.get("code", ""),
                                            address=client_ip(request) or "-")
    return render(request, "feedback/complaint_lookup.html", {"answer": answer, "number": number.strip().upper()[:40],
                                                              "lookup_url": reverse("feedback:complaint_lookup")})
