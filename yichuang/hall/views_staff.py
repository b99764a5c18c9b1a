"""Staff pages of the hall: the metrics page and the printable QR poster for the door."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from yichuang.core.qr import qr_svg

from . import selectors, services

GROUP_LABELS = {
    "line": gettext_lazy("按队列"), "window": gettext_lazy("按窗口"), "clerk": gettext_lazy("按工作人员"),
    "hour": gettext_lazy("按时段"),
}
# A longer period is a report, not a page: the API serves it.


def _date(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not services.may_read_metrics(request.user):
        return render(request, "hall/forbidden.html", {"message": _("查看大厅统计需要窗口、监察或管理角色。")}, status=403)
    centres = list(selectors.metrics_centres(request.user))
    if not centres:
        return render(request, "hall/forbidden.html", {"message": _("您的账号没有所属中心或管辖地区，无法查看大厅统计。")}, status=403)
    centre = next((c for c in centres if c.code == request.GET.get("centre")), centres[0])
    today = timezone.localdate()
    date_to = _date(request.GET.get("to", ""), today)
    date_from = _date(request.GET.get("from", ""), date_to)
    problems = []
    if date_from > date_to:
        problems.append(_("开始日期晚于结束日期，已改为同一天。"))
        date_from = date_to
    if (date_to - date_from).days >= selectors.METRICS_MAX_DAYS:
        problems.append(_("一次最多统计 %(n)d 天，已从结束日期往前截取。") % {"n": selectors.METRICS_MAX_DAYS})
        date_from = date_to - datetime.timedelta(days=selectors.METRICS_MAX_DAYS - 1)
    by = request.GET.get("by", "line")
    by = by if by in GROUP_LABELS else "line"
    return render(request, "hall/metrics.html", {
        "centres": centres, "centre": centre, "date_from": date_from, "date_to": date_to, "by": by,
        "groups": GROUP_LABELS, "group_label": GROUP_LABELS[by], "problems": problems,
        "metrics": selectors.hall_metrics(centre, date_from=date_from, date_to=date_to, by=by),
    })


@login_required
@require_safe
def door_poster(request: HttpRequest, centre: str) -> HttpResponse:
    """A page to print and hang at the door: scan to take a ticket, scan to book."""
    if not services.may_read_metrics(request.user):
        return render(request, "hall/forbidden.html", {"message": _("打印门口二维码需要窗口、监察或管理角色。")}, status=403)
    found = selectors.metrics_centres(request.user).filter(code=centre).first()
    if found is None:
        return render(request, "hall/forbidden.html", {"message": _("没有这个中心，或不在您的管辖范围内。")}, status=404)
    take_url = settings.SITE_URL + reverse("hall:phone_take", args=[found.code])
    book_url = settings.SITE_URL + reverse("hall:book_lines", args=[found.code])
    return render(request, "hall/door_poster.html", {
        "centre": found, "take_url": take_url, "book_url": book_url,
        "take_qr": qr_svg(take_url, size=360, label=_("扫码取号")), "book_qr": qr_svg(book_url, size=200, label=_("扫码预约")),
    })
