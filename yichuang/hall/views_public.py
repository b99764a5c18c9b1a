"""Public hall pages: the kiosk, the door QR page, a person's ticket on their phone, the display
screens and appointment booking. Anonymous; writes are rate-limited per address."""

from __future__ import annotations

import datetime
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from yichuang.core.middleware import client_ip
from yichuang.core.qr import qr_svg
from yichuang.core.ratelimit import Limit, rate_hit
from yichuang.core.validators import mask_id_number, validate_id_number

from . import selectors, services
from .errors import HallError
from .models import Appointment, ServiceLine, Ticket

# A kiosk serves a queue of people; a phone serves one person.
KIOSK_LIMIT = Limit("hall-kiosk", max_hits=60, window_seconds=60)
PHONE_LIMIT = Limit("hall-phone", max_hits=6, window_seconds=10 * 60)
LOOKUP_LIMIT = Limit("hall-lookup", max_hits=20, window_seconds=10 * 60)
BOOKING_LIMIT = Limit("hall-booking", max_hits=10, window_seconds=10 * 60)
# A display redraws at least this often even without a new call, for the waiting figures.
DISPLAY_REFRESH_SECONDS = 10
PHONE_COOKIE = "hall_ticket_{centre}"

PRIORITY_CATEGORIES = [c for c in Ticket.Category.choices if c[0] != Ticket.Category.NORMAL]


def _centre(code: str):
    centre = selectors.centre_by_code(code)
    if centre is None:
        raise Http404(_("没有这个服务中心。"))
    return centre


def _line(centre, code: str) -> ServiceLine:
    line = selectors.active_lines(centre).filter(code=code).first()
    if line is None:
        raise Http404(_("没有这个业务。"))
    return line


def _problems(err: ValidationError) -> list[str]:
    return err.messages


def _over_limit(request: HttpRequest, limit: Limit) -> int:
    """Seconds to wait if this address is over the limit, else 0 (and the hit is counted)."""
    verdict = rate_hit(limit, client_ip(request) or "unknown")
    return 0 if verdict.allowed else max(1, verdict.retry_after)


def _item(code: str):
    return selectors.item_by_code(code)


def _ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("hall:ticket", args=[ticket.token])


def _category(value: str) -> str:
    return value if value in Ticket.Category.values else Ticket.Category.NORMAL


# --- kiosk ----------------------------------------------------------------------------------------


@require_safe
def kiosk(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    take_url = settings.SITE_URL + reverse("hall:phone_take", args=[centre.code])
    return render(request, "hall/kiosk.html", {
        "centre": centre, "lines": selectors.line_overview(centre), "categories": PRIORITY_CATEGORIES,
        "phone_qr": qr_svg(take_url, size=150, label=_("扫码手机取号")),
        "closed": services.ticket_taking_closed(centre, timezone.now()),
    })


@require_safe
def kiosk_lines(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    return render(request, "hall/_kiosk_lines.html", {
        "centre": centre, "lines": selectors.line_overview(centre), "categories": PRIORITY_CATEGORIES,
    })


@require_safe
def kiosk_items(request: HttpRequest, centre: str) -> HttpResponse:
    """按事项取号: a department, then one of its items; the ticket goes to the line that takes it."""
    centre = _centre(centre)
    departments = selectors.kiosk_departments(centre)
    chosen = next((d for d in departments if d.code == request.GET.get("dept")), None)
    return render(request, "hall/_kiosk_items.html", {
        "centre": centre, "departments": departments, "chosen": chosen,
        "category": _category(request.GET.get("category", "")),
    })


@require_http_methods(["GET", "POST"])
def kiosk_confirm(request: HttpRequest, centre: str, line: str) -> HttpResponse:
    """The tap before the ticket. A POST comes from the ID-number lookup and carries the number on,
    so the ticket knows the person (elderly priority, the front desk's form) without it in an address."""
    centre = _centre(centre)
    line = _line(centre, line)
    data = request.POST if request.method == "POST" else request.GET
    status = next((s for s in selectors.line_overview(centre) if s.line.pk == line.pk), None)
    category = _category(data.get("category", ""))
    id_number = ""
    if request.method == "POST":
        try:
            id_number = validate_id_number(data.get("id_number", "").strip().upper())
        except ValidationError:
            id_number = ""
    return render(request, "hall/_kiosk_confirm.html", {
        "centre": centre, "status": status, "line": line, "category": category,
        "category_label": Ticket.Category(category).label, "categories": PRIORITY_CATEGORIES,
        "item": _item(data.get("item", "")), "id_number": id_number,
        "masked_id": mask_id_number(id_number) if id_number else "",
        # Sent back with the tap: a repeated tap after a lost answer gets the same ticket.
        "request_key": uuid.uuid4().hex,
    })


def _kiosk_error(request, centre, problems: list[str], *, status: int = 200) -> HttpResponse:
    return render(request, "hall/_kiosk_error.html", {"centre": centre, "problems": problems}, status=status)


@require_POST
def kiosk_take(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    wait = _over_limit(request, KIOSK_LIMIT)
    if wait:
        return _kiosk_error(request, centre, [_("取号过于频繁，请 %(s)d 秒后再试。") % {"s": wait}])
    line = selectors.active_lines(centre).filter(code=request.POST.get("line", "")).first()
    try:
        ticket = services.ticket_take(
            centre=centre, line=line, item=_item(request.POST.get("item", "")),
            category=_category(request.POST.get("category", "")), phone=request.POST.get("phone", ""),
            id_number=request.POST.get("id_number", ""), source=Ticket.Source.KIOSK,
            request_key=request.POST.get("request_key", ""),
        )
    except HallError as err:
        return _kiosk_error(request, centre, _problems(err))
    return _render_kiosk_ticket(request, centre, ticket)


def _render_kiosk_ticket(request, centre, ticket: Ticket) -> HttpResponse:
    url = _ticket_url(ticket)
    return render(request, "hall/_kiosk_ticket.html", {
        "centre": centre, "progress": selectors.ticket_progress(ticket), "ticket": ticket,
        "qr": qr_svg(url, size=220, label=_("扫码查看排队进度")), "url": url,
    })


@require_http_methods(["GET", "POST"])
def kiosk_lookup(request: HttpRequest, centre: str) -> HttpResponse:
    """The person's appointments today (to check in) and open cases, by ID number or booking code."""
    centre = _centre(centre)
    if request.method == "GET":
        return render(request, "hall/_kiosk_lookup_form.html", {"centre": centre})
    wait = _over_limit(request, LOOKUP_LIMIT)
    if wait:
        return _kiosk_error(request, centre, [_("查询过于频繁，请 %(s)d 秒后再试。") % {"s": wait}])
    id_number = request.POST.get("id_number", "").strip().upper()
    code = request.POST.get("code", "").strip()
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except ValidationError as err:
            return _kiosk_error(request, centre, err.messages)
    elif not code:
        return _kiosk_error(request, centre, [_("请输入身份证号码或 6 位预约码。")])
    person = selectors.kiosk_person(centre, id_number=id_number, code=code)
    return render(request, "hall/_kiosk_lookup.html", {
        "centre": centre, "person": person, "id_number": id_number, "code": code,
    })


@require_POST
def kiosk_checkin(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    wait = _over_limit(request, KIOSK_LIMIT)
    if wait:
        return _kiosk_error(request, centre, [_("操作过于频繁，请 %(s)d 秒后再试。") % {"s": wait}])
    # The appointment is found again from the credential typed at the kiosk, never from its id alone.
    found = selectors.appointments_for_checkin(
        centre, id_number=request.POST.get("id_number", ""), code=request.POST.get("code", "")
    )
    appointment = next((a for a in found if str(a.pk) == request.POST.get("appointment", "")), None)
    if appointment is None:
        return _kiosk_error(request, centre, [_("没有找到这个预约，请重新输入身份证号码或预约码。")])
    try:
        if request.POST.get("late") == "1":
            ticket = services.appointment_walk_in_late(appointment=appointment)
        else:
            ticket = services.appointment_check_in(appointment=appointment)
    except HallError as err:
        return _kiosk_error(request, centre, _problems(err))
    return _render_kiosk_ticket(request, centre, ticket)


@require_safe
def kiosk_ping(request: HttpRequest, centre: str) -> HttpResponse:
    """The kiosk's heartbeat: an empty answer means the server is there."""
    _centre(centre)
    return HttpResponse(status=204)


# --- phone: take at the door, follow the ticket ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def phone_take(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    cookie = PHONE_COOKIE.format(centre=centre.code)
    held = selectors.ticket_by_token(request.COOKIES.get(cookie, ""))
    if held is not None and (held.day != timezone.localdate() or held.status not in (
            Ticket.Status.WAITING, Ticket.Status.CALLED, Ticket.Status.SERVING)):
        held = None
    problems: list[str] = []
    chosen = request.POST.get("line", "") or request.GET.get("line", "")
    if request.method == "POST":
        wait = _over_limit(request, PHONE_LIMIT)
        if wait:
            problems = [_("取号过于频繁，请 %(m)d 分钟后再试。") % {"m": (wait + 59) // 60}]
        else:
            try:
                ticket = services.ticket_take(
                    centre=centre, line=selectors.active_lines(centre).filter(code=chosen).first(),
                    category=_category(request.POST.get("category", "")), phone=request.POST.get("phone", ""),
                    source=Ticket.Source.PHONE, request_key=request.POST.get("request_key", ""),
                )
            except HallError as err:
                problems = _problems(err)
            else:
                response = redirect("hall:ticket", token=ticket.token)
                response.set_cookie(cookie, ticket.token, max_age=16 * 3600, httponly=True, samesite="Lax")
                return response
    return render(request, "hall/phone_take.html", {
        "centre": centre, "lines": selectors.line_overview(centre), "held": held, "problems": problems,
        "chosen": chosen, "categories": PRIORITY_CATEGORIES, "request_key": uuid.uuid4().hex,
        "phone": request.POST.get("phone", ""), "category": request.POST.get("category", ""),
    })


def _ticket_or_404(token: str) -> Ticket:
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise Http404(_("没有找到这个号，请核对链接。"))
    return ticket


@require_safe
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket_or_404(token)
    return render(request, "hall/ticket.html", {"progress": selectors.ticket_progress(ticket)})


@require_safe
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket_or_404(token)
    return render(request, "hall/_ticket_status.html", {"progress": selectors.ticket_progress(ticket)})


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket_or_404(token)
    try:
        services.ticket_cancel(ticket=ticket)
    except HallError as err:
        messages.error(request, " ".join(err.messages))
    else:
        messages.success(request, _("已取消排队。欢迎再来。"))
    return redirect("hall:ticket", token=token)


# --- display screens ------------------------------------------------------------------------------


def _display_context(centre, area, *, cursor_seen: int | None) -> dict:
    return {
        "centre": centre, "area": area, "rendered": int(time.time()),
        "board": selectors.display_board(centre, area=area, cursor_seen=cursor_seen),
    }


@require_safe
def display(request: HttpRequest, centre: str, area: str | None = None) -> HttpResponse:
    centre = _centre(centre)
    hall_area = None
    if area is not None:
        hall_area = selectors.area_by_code(centre, area)
        if hall_area is None:
            raise Http404(_("没有这个大厅区域。"))
    return render(request, "hall/display.html", _display_context(centre, hall_area, cursor_seen=None))


@require_safe
def display_fragment(request: HttpRequest, centre: str) -> HttpResponse:
    """Polled every second: 204 (nothing to redraw) unless a call happened or the figures are due."""
    centre = _centre(centre)
    area_code = request.GET.get("area", "")
    area = selectors.area_by_code(centre, area_code) if area_code else None
    try:
        seen = int(request.GET.get("cursor", "0"))
        rendered = int(request.GET.get("rendered", "0"))
    except ValueError:
        seen, rendered = 0, 0
    if selectors.latest_call_id(centre) == seen and time.time() - rendered < DISPLAY_REFRESH_SECONDS:
        return HttpResponse(status=204)
    return render(request, "hall/_display_board.html", _display_context(centre, area, cursor_seen=seen))


# --- appointments -------------------------------------------------------------------------------------


@require_safe
def book_centres(request: HttpRequest) -> HttpResponse:
    centres = list(selectors.booking_centres())
    if len(centres) == 1:
        return redirect("hall:book_lines", centre=centres[0].code)
    return render(request, "hall/book_centres.html", {"centres": centres})


@require_safe
def book_lines(request: HttpRequest, centre: str) -> HttpResponse:
    centre = _centre(centre)
    lines = selectors.active_lines(centre).filter(appointments_enabled=True)
    return render(request, "hall/book_lines.html", {"centre": centre, "lines": lines})


def _chosen_day(value: str, days: list[selectors.DayView]) -> datetime.date | None:
    try:
        wanted = datetime.date.fromisoformat(value)
    except ValueError:
        wanted = None
    open_days = [d.day for d in days if d.is_open]
    if wanted in open_days:
        return wanted
    return open_days[0] if open_days else None


def _parse_slot(value: str) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def book_slots(request: HttpRequest, centre: str, line: str) -> HttpResponse:
    centre = _centre(centre)
    line = _line(centre, line)
    if not line.appointments_enabled:
        raise Http404(_("此业务暂不开放预约。"))
    days = selectors.bookable_days(centre)
    day = _chosen_day(request.POST.get("day") or request.GET.get("day", ""), days)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        wait = _over_limit(request, BOOKING_LIMIT)
        slot = _parse_slot(request.POST.get("slot", ""))
        if wait:
            errors = {"general": [_("提交过于频繁，请 %(m)d 分钟后再试。") % {"m": (wait + 59) // 60}]}
        elif slot is None or day is None:
            errors = {"slot": [_("请选择日期和时段。")]}
        else:
            try:
                appointment = services.appointment_book(
                    line=line, day=day, starts_at=slot, name=request.POST.get("name", ""),
                    id_number=request.POST.get("id_number", ""), phone=request.POST.get("phone", ""),
                    item=_item(request.POST.get("item", "")),
                )
            except HallError as err:
                errors = dict(err.message_dict) if hasattr(err, "error_dict") else {"general": err.messages}
                errors.setdefault("general", []).extend(errors.pop("__all__", []))
            else:
                messages.success(request, _("预约成功。请保存本页链接，可随时改约或取消。"))
                return redirect("hall:appointment", token=appointment.token)
    account = _portal_account(request)
    form = request.POST
    if request.method != "POST" and account is not None and account.id_number:
        # Signed in to the online hall with real name: the person books for themself.
        form = {"name": account.real_name, "id_number": account.id_number, "phone": account.mobile}
    return render(request, "hall/book_slots.html", {
        "centre": centre, "line": line, "days": days, "day": day,
        "slots": selectors.day_slots(line, day) if day else [], "errors": errors, "form": form,
        "items": line.items.select_related("current").order_by("current__name"), "portal_account": account,
    })


def _portal_account(request: HttpRequest):
    """The applicant signed in to the online hall (网上办事大厅), if any."""
    from yichuang.portal.auth import current_account

    return current_account(request)


@require_safe
def my_appointments(request: HttpRequest) -> HttpResponse:
    """我的预约 in the online hall: the signed-in person's appointments, each with its own page."""
    account = _portal_account(request)
    if account is None:
        return redirect(f"{reverse('portal:login')}?next={reverse('hall:my_appointments')}")
    return render(request, "hall/my_appointments.html", {
        "portal_account": account, "today": timezone.localdate(),
        "appointments": selectors.appointments_for_person(account.id_number_hash),
    })


def _appointment_or_404(token: str) -> Appointment:
    appointment = selectors.appointment_by_token(token)
    if appointment is None:
        raise Http404(_("没有找到这个预约，请核对链接。"))
    return appointment


@require_safe
def appointment(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    context = {"appointment": appointment, "errors": {},
               "early_minutes": services.settings_for(appointment.centre).checkin_early_minutes}
    if appointment.status == Appointment.Status.BOOKED and request.GET.get("change"):
        days = selectors.bookable_days(appointment.centre)
        day = _chosen_day(request.GET.get("day", ""), days)
        context.update(days=days, day=day, slots=selectors.day_slots(appointment.line, day) if day else [], changing=True)
    return render(request, "hall/appointment.html", context)


@require_POST
def appointment_cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    try:
        services.appointment_cancel(appointment=appointment)
    except HallError as err:
        messages.error(request, " ".join(err.messages))
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("hall:appointment", token=token)


@require_POST
def appointment_reschedule(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    slot = _parse_slot(request.POST.get("slot", ""))
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = None
    try:
        if slot is None or day is None:
            raise HallError(_("请选择新的日期和时段。"))
        services.appointment_reschedule(appointment=appointment, day=day, starts_at=slot)
    except HallError as err:
        messages.error(request, " ".join(err.messages))
        return redirect(f"{reverse('hall:appointment', args=[token])}?change=1&day={request.POST.get('day', '')}")
    messages.success(request, _("已改约。新的预约码已发送到您的手机。"))
    return redirect("hall:appointment", token=token)
