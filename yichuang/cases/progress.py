"""The public progress query (办件进度查询): what a member of the public may learn about a case.

A case is found only by its number together with something only the applicant knows: the
phone number registered for it, or the last four characters of the ID number (or of the
company's USCC). A wrong combination answers exactly like a number that does not exist, so the
page never reveals that a case exists. The answer is in plain Chinese and carries no personal
data and no staff names: the applicant's name is masked, the history is worded from the kind of
event (never from the free text staff typed).

Queries are rate-limited per client address, and failed tries per case number, so numbers
cannot be paired with guessed phone numbers. The web page and the API both call
`progress_query`.
"""

import datetime
import hmac
import math
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yichuang.core.ratelimit import Limit, rate_check, rate_hit

from .models import Applicant, Case, CaseEvent, CaseStep, Delivery, SpecialProcedure

S = Case.Status

# Twenty queries per address in ten minutes is plenty for a family checking a few cases; five
# failed tries on one number in an hour stops anyone from walking through phone numbers.
PER_ADDRESS = Limit("progress-address", max_hits=20, window_seconds=10 * 60)
FAILED_PER_NUMBER = Limit("progress-number-failed", max_hits=5, window_seconds=60 * 60)

NUMBER_MAX = 40
_NUMBER_RE = re.compile(r"^[A-Z0-9-]{4,40}$")


def not_found_message() -> str:
    return _("未找到匹配的办件。请核对办件编号，以及申请时登记的手机号码（或证件号码后4位）。")


# --- what the public sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    text: str


@dataclass(frozen=True)
class StepView:
    name: str
    state: str  # CaseStep.State value
    state_label: str
    finished_on: datetime.date | None
    due_date: datetime.date | None


@dataclass(frozen=True)
class Progress:
    number: str
    item: str
    department: str
    centre: str
    applicant: str  # masked
    status: str
    status_label: str
    status_note: str
    tone: str  # info / ok / warn / bad: the colour of the status
    current_step: str
    received_on: datetime.date
    accepted_on: datetime.date | None
    decided_on: datetime.date | None
    due_date: datetime.date | None
    due_confirmed: bool
    clock_note: str
    steps: list[StepView] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    result_ready: bool = False
    result_note: str = ""
    consult: str = ""
    complaint: str = ""


@dataclass(frozen=True)
class ProgressAnswer:
    """What the query page shows: a progress, or a message (not found, locked, bad input)."""

    progress: Progress | None = None
    message: str = ""
    locked: bool = False
    retry_after: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def mask_name(name: str, *, company: bool) -> str:
    """王** for a person; 示例县好味道**公司 for a company (enough to recognise one's own case)."""
    name = (name or "").strip()
    if not name:
        return ""
    if not company:
        return name[0] + "*" * max(len(name) - 1, 1)
    if len(name) <= 4:
        return name[0] + "**"
    return name[: len(name) // 2] + "**" + name[-2:]


# The status in words a member of the public understands, a note on what it means for them,
# and the colour it is shown in.
_STATUS_WORDS: dict[str, tuple[str, str, str]] = {
    S.DRAFT: (gettext_noop("暂存"), "", "info"),
    S.PREREVIEW: (gettext_noop("网上申请待预审"), gettext_noop("工作人员将对网上提交的材料进行预审。"), "info"),
    S.PREREVIEW_PASSED: (gettext_noop("预审通过，等待受理"), "", "info"),
    S.PREREVIEW_RETURNED: (gettext_noop("预审退回"), gettext_noop("请按退回意见修改材料后重新提交。"), "warn"),
    S.RECEIVED: (gettext_noop("已收件，等待受理"), gettext_noop("窗口已收到申请材料，将依法决定是否受理。"), "info"),
    S.CANCELLED: (gettext_noop("已撤件"), gettext_noop("申请已在受理前撤回。"), "bad"),
    S.ACCEPTED: (gettext_noop("已受理，正在办理"), "", "info"),
    S.NOT_RECEIVED: (gettext_noop("不予收件"), "", "bad"),
    S.REFUSED: (gettext_noop("不予受理"), gettext_noop("理由、依据和办理建议见不予受理决定书。"), "bad"),
    S.CORRECTION: (gettext_noop("需要补正材料"), gettext_noop("请按一次性告知书的要求补齐材料后提交；补正期间不计入办理时限。"), "warn"),
    S.PROCESSING: (gettext_noop("部门审查办理中"), "", "info"),
    S.SPECIAL: (gettext_noop("特别程序进行中"), gettext_noop("特别程序所需时间不计入办理时限，结束后继续办理。"), "warn"),
    S.APPROVED: (gettext_noop("已办结：准予许可"), "", "ok"),
    S.APPROVED_DEFERRED: (gettext_noop("已办结：准予许可（容缺受理）"), "", "ok"),
    S.DENIED: (gettext_noop("已办结：不予许可"), gettext_noop("理由、依据和办理建议见不予行政许可决定书。"), "bad"),
    S.WITHDRAWN: (gettext_noop("已撤回"), gettext_noop("申请人已撤回申请。"), "bad"),
    S.REVOKED: (gettext_noop("已撤销"), "", "bad"),
}


def _plain_status(case: Case) -> tuple[str, str, str]:
    label, note, tone = _STATUS_WORDS.get(case.status, (case.get_status_display(), "", "info"))
    return _(label), _(note) if note else "", tone


def _local(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def _timeline(case: Case, procedures: dict[str, SpecialProcedure]) -> list[TimelineEntry]:
    """The history worded from the kind of each event; free text typed by staff is never shown."""
    entries = []
    for event in case.events.all():
        data = event.data or {}
        text = ""
        action = event.action
        if action == "receive":
            text = _("网上申请已提交") if data.get("channel") == Case.Channel.ONLINE else _("窗口收件，已出具收件凭证")
        elif action == "correction":
            text = _("一次性告知补正材料（共 %(n)d 项）") % {"n": len(data.get("items") or [])}
        elif action == "correction_supplied":
            text = _("补正材料已提交")
        elif action == "accept":
            text = _("已受理，出具受理通知书")
            if data.get("deferred"):
                text += _("（容缺受理）")
        elif action == "department_start":
            text = _("办理部门开始审查")
        elif action == "step_complete":
            text = _("「%(s)s」环节已完成") % {"s": data.get("step") or _("审查")}
        elif action == "send_back":
            text = _("需要补正材料，已一次性告知；补正期间暂停计时")
        elif action == "special_start":
            procedure = procedures.get(data.get("procedure", ""))
            name = procedure.procedure.name if procedure else _("特别程序")
            text = _("启动「%(p)s」，预计 %(n)s 个工作日") % {"p": name, "n": data.get("expected_days", "—")}
            if procedure is not None and not procedure.counts_toward_limit:
                text += _("，所需时间不计入办理时限")
        elif action == "special_end":
            text = _("特别程序结束，继续办理")
        elif action == "extension_decide" and data.get("approved"):
            text = _("办理期限依法延长 %(n)s 个工作日，已书面告知") % {"n": data.get("days", "—")}
        elif action == "decide":
            text = _("作出决定：准予许可") if data.get("approved") else _("作出决定：不予许可")
        elif action == "refuse":
            text = _("决定不予受理，已出具不予受理决定书")
        elif action == "supplement":
            text = _("容缺材料已补齐")
        elif action == "deliver":
            text = {
                Delivery.Method.IN_PERSON: _("办理结果已在窗口领取"),
                Delivery.Method.POST: _("办理结果已邮寄送达"),
                Delivery.Method.ELECTRONIC: _("办理结果已电子送达"),
            }.get(data.get("method"), _("办理结果已送达"))
        elif action == "assign_agent":
            text = _("已安排帮办代办服务")
        elif action == "withdraw":
            text = _("申请人撤回申请")
        elif action == "revoke":
            text = _("办件已撤销")
        if text:
            entries.append(TimelineEntry(at=timezone.localtime(event.at), text=text))
    return entries


def _current_step(case: Case, steps: list[CaseStep]) -> str:
    open_steps = [s.name for s in steps if s.state == CaseStep.State.OPEN]
    if open_steps and case.status not in (S.CORRECTION, S.SPECIAL):
        return "、".join(open_steps)
    if case.status == S.RECEIVED:
        return _("窗口受理审查")
    if case.status == S.CORRECTION:
        return _("等待申请人补正材料")
    if case.status == S.SPECIAL:
        return _("特别程序")
    if case.delivery == Case.Delivery.WAITING:
        return _("统一出件窗口待领取")
    if case.delivery == Case.Delivery.WITHHELD:
        return _("等待补齐容缺材料")
    if case.delivery == Case.Delivery.DELIVERED:
        return _("已送达")
    return _("已结束")


def _clock_note(case: Case) -> str:
    if case.paused_since:
        return _("自 %(d)s 起暂停计时") % {"d": f"{case.paused_since:%Y-%m-%d}"}
    if case.accepted_at is None:
        return _("受理后开始计时（受理当日不计入）")
    return ""


def _result(case: Case) -> tuple[bool, str]:
    place = case.item_version.place
    if case.delivery == Case.Delivery.WAITING:
        where = _("请携带有效身份证件到%(c)s统一出件窗口领取") % {"c": case.centre.name}
        if place:
            where += _("（%(p)s）") % {"p": place}
        return True, _("办理结果已可领取。") + where + _("，也可申请邮寄送达。")
    if case.delivery == Case.Delivery.WITHHELD:
        return False, _("已作出决定；容缺后补的材料补齐后即可领取办理结果。")
    if case.delivery == Case.Delivery.DELIVERED:
        record = getattr(case, "delivery_record", None)
        when = f"{_local(record.delivered_at):%Y-%m-%d}" if record else ""
        how = record.get_method_display() if record else _("送达")
        carrier = f"（{record.carrier}）" if record and record.method == Delivery.Method.POST and record.carrier else ""
        return False, _("办理结果已于 %(d)s %(how)s%(carrier)s。") % {"d": when, "how": how, "carrier": carrier}
    return False, ""


def progress_of(case: Case) -> Progress:
    """The public view of one case (the case must come from `_find`, with its relations loaded)."""
    steps = list(case.steps.all())
    procedures = {p.procedure_id: p for p in case.special_procedures.all()}
    label, note, tone = _plain_status(case)
    ready, result_note = _result(case)
    running = case.status in (S.ACCEPTED, S.PROCESSING, S.SPECIAL, S.CORRECTION) and case.accepted_at is not None
    return Progress(
        number=case.number,
        item=case.item_version.name,
        department=case.department.name,
        centre=case.centre.name,
        applicant=mask_name(case.applicant.name, company=case.applicant.kind == Applicant.Kind.COMPANY),
        status=case.status,
        status_label=label,
        status_note=note,
        tone=tone,
        current_step=_current_step(case, steps),
        received_on=_local(case.received_at),
        accepted_on=_local(case.accepted_at),
        decided_on=_local(case.decided_at),
        due_date=case.due_date if running else None,
        due_confirmed=case.due_confirmed,
        clock_note=_clock_note(case) if case.status in (S.RECEIVED, S.ACCEPTED, S.PROCESSING, S.SPECIAL, S.CORRECTION)
        else "",
        steps=[StepView(name=s.name, state=s.state, state_label=s.get_state_display(),
                        finished_on=_local(s.finished_at), due_date=s.due_date) for s in steps
               if s.state != CaseStep.State.CANCELLED],
        timeline=_timeline(case, procedures),
        result_ready=ready,
        result_note=result_note,
        consult=case.item_version.consult_channel,
        complaint=case.item_version.complaint_channel,
    )


# --- finding a case by number and secret -----------------------------------------------------------


def normalize_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:NUMBER_MAX + 1]


def _digits_phone(value: str) -> str:
    digits = re.sub(r"[\s()+\-]", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def _secret_kind(secret: str) -> tuple[str, str]:
    """("last4" | "phone" | "", normalised value)."""
    compact = re.sub(r"[\s\-]", "", secret or "").upper()
    if len(compact) == 4 and compact.isalnum():
        return "last4", compact
    phone = _digits_phone(secret)
    if phone.isdigit() and 7 <= len(phone) <= 12:
        return "phone", phone
    return "", ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _matches(case: Case, kind: str, value: str) -> bool:
    applicant = case.applicant
    if kind == "phone":
        return any(_same(_digits_phone(p), value) for p in {case.contact_phone, applicant.phone} if p)
    if kind == "last4":
        last4 = applicant.uscc[-4:] if applicant.kind == Applicant.Kind.COMPANY else applicant.id_last4
        return _same((last4 or "").upper(), value)
    return False


def _find(number: str) -> Case | None:
    return (
        Case.objects.exclude(status=S.DRAFT)
        .select_related("item_version", "applicant", "centre", "department", "delivery_record")
        .prefetch_related(
            Prefetch("steps", queryset=CaseStep.objects.order_by("order")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id")),
            Prefetch("special_procedures", queryset=SpecialProcedure.objects.select_related("procedure")),
        )
        .filter(number=number)
        .first()
    )


def progress_find(number: str, secret: str) -> Progress | None:
    """The progress of the case with this number if the secret matches it; None otherwise."""
    kind, value = _secret_kind(secret)
    number = normalize_number(number)
    if not kind or not _NUMBER_RE.match(number):
        return None
    case = _find(number)
    if case is None or not _matches(case, kind, value):
        return None
    return progress_of(case)


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def progress_query(*, number: str, secret: str, address: str | None) -> ProgressAnswer:
    """Answer one query from one address: check the limits and the input, then look the case up."""
    address = address or "unknown"
    verdict = rate_hit(PER_ADDRESS, address)
    if not verdict.allowed:
        return ProgressAnswer(
            message=_("查询过于频繁，请 %(m)d 分钟后再试。") % {"m": _minutes(verdict.retry_after)},
            locked=True, retry_after=verdict.retry_after,
        )
    number = normalize_number(number)
    errors = {}
    if not number:
        errors["number"] = _("请输入办件编号。")
    elif not _NUMBER_RE.match(number):
        errors["number"] = _("办件编号由字母、数字组成，见收件凭证或受理通知书右上方。")
    kind, _value = _secret_kind(secret)
    if not (secret or "").strip():
        errors["secret"] = _("请输入申请时登记的手机号码，或证件号码后4位。")
    elif not kind:
        errors["secret"] = _("请输入手机号码（11位），或身份证号码 / 统一社会信用代码的后4位。")
    if errors:
        return ProgressAnswer(message=_("请检查输入。"), errors=errors)
    failures = rate_check(FAILED_PER_NUMBER, number)
    if not failures.allowed:
        return ProgressAnswer(
            message=_("该办件编号的查询验证失败次数过多，已暂时锁定，请 %(m)d 分钟后再试。")
            % {"m": _minutes(failures.retry_after)},
            locked=True, retry_after=failures.retry_after,
        )
    progress = progress_find(number, secret)
    if progress is None:
        rate_hit(FAILED_PER_NUMBER, number)
        return ProgressAnswer(message=not_found_message())
    return ProgressAnswer(progress=progress)
