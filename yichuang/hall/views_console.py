"""The window console: a clerk calls, recalls, skips, transfers, serves and pauses, without reloads.

Every action is an HTMX POST that answers with the redrawn panel (and the queue, out of band).
A clerk works only at the windows assigned to them (their staff record); anyone else gets 403.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from yichuang.org.models import Window

from . import selectors, services
from .errors import HallConflict, HallError
from .models import WindowState


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "hall/forbidden.html", {"message": message}, status=403)


def _window(request: HttpRequest, window_id: int | None) -> tuple[Window | None, list[Window]]:
    windows = selectors.windows_for_user(request.user)
    if window_id is None:
        return (windows[0] if windows else None), windows
    window = selectors.window_by_id(window_id)
    if window is None or not services.may_use_window(request.user, window):
        return None, windows
    return window, windows


def _no_window_message() -> str:
    return _("您的账号没有分配窗口，或无权使用该窗口。请联系中心管理员在“工作人员”中为您添加窗口。")


@login_required
@require_safe
def console(request: HttpRequest, window_id: int | None = None) -> HttpResponse:
    window, windows = _window(request, window_id)
    if window is None:
        return _forbidden(request, _no_window_message())
    return render(request, "hall/console.html", {
        "view": selectors.console_view(request.user, window), "windows": windows,
        "reasons": WindowState.Reason.choices,
    })


@login_required
@require_safe
def panel(request: HttpRequest, window_id: int) -> HttpResponse:
    window, _windows = _window(request, window_id)
    if window is None:
        return _forbidden(request, _no_window_message())
    return render(request, "hall/_console_panel.html", {
        "view": selectors.console_view(request.user, window), "reasons": WindowState.Reason.choices,
    })


@login_required
@require_safe
def queue(request: HttpRequest, window_id: int) -> HttpResponse:
    window, _windows = _window(request, window_id)
    if window is None:
        return _forbidden(request, _no_window_message())
    return render(request, "hall/_console_queue.html", {"view": selectors.console_view(request.user, window)})


@login_required
@require_safe
def desk(request: HttpRequest, window_id: int) -> HttpResponse:
    """开始受理 for a ticket taken by line: the clerk picks the item here and the front desk opens
    its form for the person at the window (the desk reads their details from the ticket, not from the address)."""
    window, _windows = _window(request, window_id)
    if window is None:
        return _forbidden(request, _no_window_message())
    ticket = selectors.ticket_at_window(window, _int(request.GET.get("ticket")) or 0)
    if ticket is None or ticket.window_id != window.pk:
        return _forbidden(request, _("这个号不在本窗口，请回到叫号页面刷新后重试。"))
    query = urlencode({"ticket": ticket.pk, "number": ticket.number})
    code = request.GET.get("item", "").strip()
    if code and code in {c for c, _name in selectors.line_items(ticket.line)}:
        return redirect(f"{reverse('cases:front_new', args=[code])}?{query}")
    return redirect(f"{reverse('cases:front_home')}?{query}")


def _ticket(window: Window, request: HttpRequest):
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError:
        ticket_id = 0
    ticket = selectors.ticket_at_window(window, ticket_id)
    if ticket is None:
        raise HallConflict(_("没有找到这个号，页面可能已过时，请刷新。"), code="missing")
    return ticket


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _run(action: str, request: HttpRequest, window: Window) -> tuple[str, dict]:
    """Do the action; return a confirmation line for the clerk and an event for the page."""
    user, post = request.user, request.POST
    if action == "call-next":
        ticket = services.ticket_call_next(actor=user, window=window)
        if ticket is None:
            return _("目前没有等候的号。"), {}
        return _("已叫 %(n)s。") % {"n": ticket.number}, {"hall-called": {"number": ticket.number}}
    if action == "call":
        number = post.get("number", "").strip().upper()
        ticket = selectors.ticket_by_number_today(window, number)
        if ticket is None:
            raise HallError(_("没有找到号码 %(n)s，请核对。") % {"n": number or "—"}, code="missing")
        services.ticket_call(actor=user, window=window, ticket=ticket)
        return _("已叫 %(n)s。") % {"n": ticket.number}, {"hall-called": {"number": ticket.number}}
    if action == "recall":
        ticket = services.ticket_recall(actor=user, window=window, ticket=_ticket(window, request))
        return _("已重呼 %(n)s（第 %(k)d 次）。") % {"n": ticket.number, "k": ticket.recalls}, {}
    if action == "skip":
        ticket = services.ticket_skip(actor=user, window=window, ticket=_ticket(window, request))
        return _("%(n)s 已过号。") % {"n": ticket.number}, {}
    if action == "requeue":
        ticket = services.ticket_requeue(actor=user, window=window, ticket=_ticket(window, request))
        return _("%(n)s 已重新排队。") % {"n": ticket.number}, {}
    if action == "start":
        ticket = services.ticket_start(actor=user, window=window, ticket=_ticket(window, request))
        return _("开始办理 %(n)s。") % {"n": ticket.number}, {}
    if action == "finish":
        ticket = services.ticket_finish(actor=user, window=window, ticket=_ticket(window, request))
        # The rating pad (好差评), once installed, listens for this event.
        return _("%(n)s 已办结。") % {"n": ticket.number}, {"hall-finished": {"ticket": ticket.pk, "window": window.pk}}
    if action == "transfer":
        line_id, window_to = _int(post.get("to_line")), _int(post.get("to_window"))
        to_line = selectors.line_in_centre(window.centre_id, pk=line_id)
        to_window = selectors.window_in_centre(window.centre_id, pk=window_to)
        ticket = services.ticket_transfer(actor=user, window=window, ticket=_ticket(window, request),
                                          to_line=to_line, to_window=to_window, note=post.get("note", ""))
        return _("%(n)s 已转移。") % {"n": ticket.number}, {}
    if action == "pause":
        state = services.window_pause(actor=user, window=window, reason=post.get("reason", ""))
        return _("窗口已暂停（%(r)s），不再计入等候估算。") % {"r": state.get_reason_display()}, {}
    if action == "resume":
        services.window_resume(actor=user, window=window)
        return _("窗口已恢复服务。"), {}
    if action == "close":
        services.window_close(actor=user, window=window)
        return _("窗口已关闭。"), {}
    raise HallError(_("未知操作。"), code="action")


@login_required
@require_POST
def act(request: HttpRequest, window_id: int, action: str) -> HttpResponse:
    window, _windows = _window(request, window_id)
    if window is None:
        return _forbidden(request, _no_window_message())
    done, problems, events, stale = "", [], {}, False
    try:
        done, events = _run(action, request, window)
    except HallError as err:
        problems = err.messages
        stale = isinstance(err, HallConflict)
    if request.headers.get("HX-Request") != "true":
        return redirect(reverse("hall:console_window", args=[window.pk]))
    response = render(request, "hall/_console_act.html", {
        "view": selectors.console_view(request.user, window), "reasons": WindowState.Reason.choices,
        "done": done, "problems": problems, "stale": stale,
    })
    if events:
        response["HX-Trigger"] = json.dumps(events)
    return response
