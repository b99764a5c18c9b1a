"""我的证照: the applicant's e-licences in the online hall — listed, downloaded as the signed PDF,
and verified on the public page. Reuse in an application is offered on the application itself."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from yichuang.licences.pdf import render_licence_pdf

from . import selectors
from .auth import account_required, current_account
from .views import _render


@require_safe
@account_required
def licences(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    return _render(request, "portal/licences.html", {"licences": selectors.licences_for_account(account)})


@require_safe
@account_required
def licence_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = selectors.licence_for_account(current_account(request), identifier)
    if licence is None:
        raise Http404(_("未找到该电子证照。"))
    response = HttpResponse(render_licence_pdf(licence), content_type="application/pdf")
    name = f"{licence.title}-{licence.serial}-{licence.version:03d}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response
