"""Downloads for staff: a case's notices as PDF, within the reader's scope.

A case outside the user's scope answers 404, as if it did not exist.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .notice_pdf import notice_filename, render_notice
from .selectors import case_for_user


@require_safe
@never_cache
@login_required
def notice_pdf(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    notice = case.notices.filter(pk=notice_pk).first() if case is not None else None
    if notice is None:
        raise Http404(_("未找到该文书。"))
    response = HttpResponse(render_notice(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=notice_filename(notice))
    return response
