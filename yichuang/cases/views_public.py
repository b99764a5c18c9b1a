"""Public pages of the case engine: the progress query (办件进度查询)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yichuang.core.middleware import client_ip

from .progress import NUMBER_MAX, ProgressAnswer, normalize_number, progress_query


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """GET shows the form (`?number=` fills in the case number, as the notices' QR code does);
    POST asks. The phone number or ID digits travel in the body, never in the address."""
    answer: ProgressAnswer | None = None
    if request.method == "POST":
        number = request.POST.get("number", "")[:NUMBER_MAX * 2]
        secret = request.POST.get("secret", "")[:40]
        answer = progress_query(number=number, secret=secret, address=client_ip(request))
    else:
        number = request.GET.get("number", "")[:NUMBER_MAX * 2]
    context = {"number": normalize_number(number)[:NUMBER_MAX], "answer": answer}
    if request.method == "POST" and request.headers.get("HX-Request") == "true":
        response = render(request, "cases/public/_progress_panel.html", context)
    else:
        response = render(request, "cases/public/progress.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
