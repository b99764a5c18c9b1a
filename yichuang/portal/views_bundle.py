"""一件事 online (网上办事大厅): one form, one checklist with uploads, in whose name → submit.

The page calls ONE service, `cases.services_parallel_online.bundle_submit_online`; the parent
case then shows in 我的办件 with every child's state once the front desk has passed it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yichuang.catalog.models import Bundle
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_entries, bundle_form

from . import selectors, services
from .acting import actor_for
from .auth import current_account, verified_required
from .forms import form_data_from_post, rendered_fields, split_errors
from .views import _render


def _bundle(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code, status=Bundle.Status.PUBLISHED).first()
    if bundle is None:
        raise Http404(_("未找到该一件事，或暂停办理。"))
    return bundle


@verified_required
@never_cache
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    """The bundle's one form and merged checklist; submitted, the parent case waits for pre-review."""
    from yichuang.cases.services_parallel_online import bundle_submit_online

    account = current_account(request)
    bundle = _bundle(code)
    fields = bundle_form(bundle)
    checklist = [m for m in bundle_checklist(bundle) if m.produced_by is None]
    choices = selectors.applicant_choices(account)
    post = request.POST if request.method == "POST" else {}
    values = form_data_from_post(fields, request.POST) if post else {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if post:
        applicant = next((a for a in choices if str(a.pk) == request.POST.get("applicant")), None)
        if applicant is None:
            errors["applicant"] = [_("请选择申请人。")]
        else:
            uploads = {m.key: request.FILES.getlist(f"m_{m.key}") for m in checklist}
            try:
                parent = bundle_submit_online(
                    acted_by=actor_for(services.Principal(account=account), applicant), applicant=applicant,
                    bundle=bundle, form_data=values, uploads=uploads,
                    contact_phone=request.POST.get("contact_phone", "").strip())
            except ValidationError as err:
                errors, general = split_errors(err)
            else:
                messages.success(request, _("一件事已提交，中心将在预审期限内完成预审，结果以短信告知。"))
                return redirect("portal:case_detail", number=parent.number)
    materials = [{"m": m, "errors": errors.get(f"material:{m.key}", [])} for m in checklist]
    context = {
        "bundle": bundle, "items": [e.version for e in bundle_entries(bundle)],
        "fields": rendered_fields(fields, values, errors), "materials": materials, "editable": True,
        "choices": choices, "errors": errors, "general": general,
        "phone": request.POST.get("contact_phone", account.mobile),
        "chosen": request.POST.get("applicant", str(choices[0].pk) if choices else ""),
    }
    return _render(request, "portal/bundle_apply.html", context, status=400 if post else 200)


__all__ = ["bundle_apply"]
