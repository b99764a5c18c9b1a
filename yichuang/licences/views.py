"""Pages: public verification (scan the QR code or type the identifier) and the staff library."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from yichuang.cases.selectors import case_for_user
from yichuang.core.middleware import client_ip
from yichuang.core.qr import qr_svg
from yichuang.core.ratelimit import Limit, rate_hit

from . import selectors, services
from .errors import LicenceError, LicencePermissionDenied
from .identifiers import parse_identifier
from .models import Licence, LicenceEvent, Seal
from .pdf import licence_rows, render_licence_pdf, validity_text, verify_url

# Verification is public and cheap to ask: enough for a clerk scanning a queue of papers, not
# for someone walking the serial numbers.
VERIFY_LIMIT = Limit("licence-verify", max_hits=60, window_seconds=60)

ACTIONS = {
    "change": (services.licence_change, LicenceEvent.Action.CHANGE),
    "renew": (services.licence_renew, LicenceEvent.Action.RENEW),
    "cancel": (services.licence_cancel, LicenceEvent.Action.CANCEL),
    "revoke": (services.licence_revoke, LicenceEvent.Action.REVOKE),
    "withdraw": (services.licence_withdraw, LicenceEvent.Action.WITHDRAW),
    "expire": (services.licence_expire, LicenceEvent.Action.EXPIRE),
}
# What each action means, in the words the page uses.
ACTION_HELP = {
    "change": _lazy("名称、地址、经营项目等内容变化：生成新版本，原版本标记为「已变更」。"),
    "renew": _lazy("有效期届满前申请延续：生成新版本，有效期自原有效期届满次日起算。"),
    "cancel": _lazy("持证主体申请注销、终止经营或许可事项终止。"),
    "revoke": _lazy("以欺骗、贿赂等不正当手段取得或违法准予的许可，依法撤销（行政许可法第六十九条）。"),
    "withdraw": _lazy("作为行政处罚吊销许可证件。"),
    "expire": _lazy("依据的法律法规废止等原因，宣布证照失效。"),
}


def _too_many(request: HttpRequest) -> HttpResponse | None:
    verdict = rate_hit(VERIFY_LIMIT, client_ip(request) or "unknown")
    if verdict.allowed:
        return None
    response = render(request, "licences/verify.html", {
        "error": _("查询过于频繁，请 %(s)d 秒后再试。") % {"s": verdict.retry_after}, "typed": "",
    }, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("identifier", "").strip()[:200]
    if not typed:
        return render(request, "licences/verify.html", {"typed": ""})
    limited = _too_many(request)
    if limited:
        return limited
    try:
        identifier = str(parse_identifier(typed))
    except ValidationError as err:
        return render(request, "licences/verify.html", {"typed": typed, "error": err.messages[0]}, status=400)
    return redirect("licences:verify_result", identifier=identifier)


@require_safe
def verify_result(request: HttpRequest, identifier: str) -> HttpResponse:
    limited = _too_many(request)
    if limited:
        return limited
    try:
        result = selectors.licence_verify(identifier)
    except ValidationError as err:
        return render(request, "licences/verify.html", {"typed": identifier, "error": err.messages[0]}, status=400)
    if not result.found:
        return render(request, "licences/verify.html", {
            "typed": result.identifier,
            "error": _("未找到标识为 %(i)s 的电子证照。请核对标识，或向发证机关咨询。") % {"i": result.identifier},
        }, status=404)
    licence = result.licence
    return render(request, "licences/verify.html", {
        "typed": result.identifier, "result": result, "licence": licence,
        "rows": licence_rows(licence), "validity": validity_text(licence),
    })


# --- staff --------------------------------------------------------------------------------------


def staff_required(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.is_licence_staff(request.user):
            raise PermissionDenied(_("电子证照库仅对工作人员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@staff_required
def library(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", Licence.HolderKind.COMPANY)
    if kind not in Licence.HolderKind.values:
        kind = Licence.HolderKind.COMPANY
    code = request.GET.get("code", "").strip()[:30]
    show_all = request.GET.get("all") == "1"
    visible = selectors.licences_visible_to(request.user)
    found = None
    if code:
        holder = selectors.licences_of_holder(kind, code, only_valid=not show_all)
        found = list(visible.filter(pk__in=holder.values("pk")).order_by("-issued_at", "-id")[:200])
    return render(request, "licences/library.html", {
        "kind": kind, "code": code, "show_all": show_all, "found": found,
        "kinds": Licence.HolderKind.choices,
        "awaiting": selectors.cases_awaiting_licence(request.user),
        "recent": list(visible.order_by("-issued_at", "-id")[:20]),
    })


def _detail_context(request: HttpRequest, licence: Licence, **extra) -> dict:
    check = selectors.licence_check_signature(licence)
    posted = extra.pop("posted", {})
    return {
        "licence": licence,
        "check": check,
        "status": selectors.effective_status(licence),
        "rows": licence_rows(licence),
        "validity": validity_text(licence),
        "qr": qr_svg(verify_url(licence), size=132, label=_("扫码核验")),
        "verify_url": verify_url(licence),
        "events": list(licence.events.select_related("actor").order_by("at", "id")),
        "reuses": list(licence.reuses.select_related("case", "requirement").order_by("-at")),
        "newer": licence.next_versions.order_by("-version").first(),
        "panels": _panels(request, licence, extra.get("errors", {}), extra.get("open", "")),
        # The holder's name and number are changed once, above the fields that repeat them.
        "change_fields": [
            (row["key"], row["label"], posted.get(f"field__{row['key']}", row["value"])) for row in licence.data
            if row["value"] not in (licence.holder_name, licence.holder_code)
        ],
        "posted": posted,
        **extra,
    }


def _panels(request: HttpRequest, licence: Licence, errors: dict, open_action: str) -> list[dict]:
    """The status actions this user may take on this licence, in the order the page shows them."""
    if licence.status != Licence.Status.VALID:
        return []
    panels = []
    for name, (_service, action) in ACTIONS.items():
        if services.may_act(request.user, licence, action):
            panels.append({
                "name": name, "label": LicenceEvent.Action(action).label, "help": ACTION_HELP[name],
                "danger": name in ("revoke", "withdraw"), "errors": errors.get(name, []), "open": name == open_action,
            })
    return panels


def _licence_or_404(request: HttpRequest, identifier: str) -> Licence:
    licence = selectors.licence_for_staff(request.user, identifier)
    if licence is None:
        raise Http404(_("未找到该电子证照，或它不在您的查看范围内。"))
    return licence


@require_safe
@staff_required
def detail(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _licence_or_404(request, identifier)
    return render(request, "licences/detail.html", _detail_context(request, licence))


@require_safe
@staff_required
def licence_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _licence_or_404(request, identifier)
    response = HttpResponse(render_licence_pdf(licence), content_type="application/pdf")
    name = f"{licence.title}-{licence.serial}-{licence.version:03d}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


def _parse_date(text: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise LicenceError({"valid_to": [_("日期格式应为 年-月-日，如 2031-12-31。")]}) from None


@require_POST
@staff_required
def act(request: HttpRequest, identifier: str, action: str) -> HttpResponse:
    licence = _licence_or_404(request, identifier)
    if action not in ACTIONS:
        raise Http404(_("没有这个操作。"))
    service, label = ACTIONS[action]
    reason = request.POST.get("reason", "")
    try:
        if action == "change":
            changes = {row["key"]: request.POST.get(f"field__{row['key']}", row["value"]) for row in licence.data}
            changes["holder_name"] = request.POST.get("holder_name", licence.holder_name)
            result = service(actor=request.user, licence=licence, changes=changes, reason=reason)
        elif action == "renew":
            result = service(actor=request.user, licence=licence, reason=reason,
                             valid_to=_parse_date(request.POST.get("valid_to", "")))
        else:
            result = service(actor=request.user, licence=licence, reason=reason)
    except LicenceError as err:
        licence.refresh_from_db()
        context = _detail_context(request, licence, errors={action: err.messages}, posted=request.POST, open=action)
        return render(request, "licences/detail.html", context, status=403 if isinstance(err, LicencePermissionDenied) else 400)
    messages.success(request, _("已%(a)s：%(i)s") % {"a": LicenceEvent.Action(label).label, "i": result.identifier})
    # The form's address ends in #action-…; a fragment of our own keeps the browser from carrying it over.
    return redirect(reverse("licences:detail", args=[result.identifier]) + "#licence")


@require_POST
@staff_required
def issue(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if case is None:
        raise Http404(_("未找到该办件，或它不在您的办理范围内。"))
    try:
        licence = services.licence_issue(actor=request.user, case=case)
    except LicenceError as err:
        for message in err.messages:
            messages.error(request, message)
        return redirect(reverse("licences:library"))
    messages.success(request, _("电子证照已签发：%(i)s") % {"i": licence.identifier})
    return redirect("licences:detail", identifier=licence.identifier)


@require_safe
@staff_required
def seal_image(request: HttpRequest, pk: int) -> HttpResponse:
    seal = get_object_or_404(Seal, pk=pk)
    response = HttpResponse(bytes(seal.image_png or b""), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
