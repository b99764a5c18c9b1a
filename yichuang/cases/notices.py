"""Written notices: what the law says the applicant must be given, frozen when issued.

The content of each notice is stored as data when it is issued (so a later change of the
item or the case never rewrites a notice already handed over) and rendered to PDF from that
data whenever it is printed.
"""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.sequences import sequence_next

from .models import Case, CaseMaterial, Notice

KIND_CODES = {
    Notice.Kind.RECEIPT: "SJ",
    Notice.Kind.ACCEPTANCE: "SL",
    Notice.Kind.CORRECTION: "BZ",
    Notice.Kind.REFUSAL: "BSL",
    Notice.Kind.SPECIAL: "TB",
    Notice.Kind.EXTENSION: "YQ",
    Notice.Kind.APPROVAL: "ZY",
    Notice.Kind.DENIAL: "BZY",
}

# 行政复议法 Art. 20 (60 days) and 行政诉讼法 Art. 46 (6 months).
REMEDIES = _("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。")


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value.year}年{value.month}月{value.day}日"


def _materials(case: Case, *states: str, rows: list[CaseMaterial] | None = None) -> list[dict[str, Any]]:
    return [
        {"name": m.requirement.name, "state": m.get_state_display(), "note": m.note,
         "promised_on": _date(m.promised_on)}
        for m in (case.materials.select_related("requirement") if rows is None else rows)
        if not states or m.state in states
    ]


def notice_content(case: Case, kind: str, at: datetime.datetime, extra: dict[str, Any] | None = None, *,
                   materials: list[CaseMaterial] | None = None) -> dict[str, Any]:
    """The notice's frozen content. `materials`: the case's checklist rows with their requirements,
    in the case's order, when the caller has them in hand (the case is read otherwise)."""
    version = case.item_version
    content: dict[str, Any] = {
        "centre": case.centre.name,
        "department": case.department.name,
        "case_number": case.number,
        "item": version.name,
        "item_code": version.item.implementation_code,
        "item_version": version.version_no,
        "applicant": case.applicant.name,
        "applicant_id": case.applicant.masked_id,
        "agent": case.agent_name,
        "received_on": _date(case.received_at),
        "issued_on": _date(at),
        "progress_url": f"{settings.SITE_URL}/progress/?number={case.number}",
        "consult": version.consult_channel,
        "complaint": version.complaint_channel,
    }
    if kind == Notice.Kind.RECEIPT:
        content["materials"] = _materials(case, rows=materials)
    elif kind == Notice.Kind.ACCEPTANCE:
        content.update({
            "accepted_on": _date(case.accepted_at),
            "limit_days": case.limit_days,
            "due_on": _date(case.due_date),
            "statutory_limit_days": case.statutory_limit_days,
            "statutory_due_on": _date(case.statutory_due_date),
            "due_confirmed": case.due_confirmed,
            "materials": _materials(case, CaseMaterial.State.RECEIVED),
            "deferred": _materials(case, CaseMaterial.State.DEFERRED),
            "deliver_before_supplement": version.deliver_before_supplement,
        })
    elif kind in (Notice.Kind.REFUSAL, Notice.Kind.DENIAL):
        content.update({
            "reason": case.decision_reason, "basis": case.decision_basis,
            "way_forward": case.decision_way_forward, "remedies": REMEDIES,
        })
    elif kind == Notice.Kind.APPROVAL:
        content.update({
            "reason": case.decision_reason, "basis": case.decision_basis, "result_name": version.result_name,
            "decided_on": _date(case.decided_at), "remedies": REMEDIES,
            "deferred": _materials(case, CaseMaterial.State.DEFERRED),
            "deliver_before_supplement": version.deliver_before_supplement,
        })
    elif kind == Notice.Kind.EXTENSION:
        content.update({"due_on": _date(case.due_date), "statutory_due_on": _date(case.statutory_due_date),
                        "due_confirmed": case.due_confirmed})
    elif kind == Notice.Kind.SPECIAL:
        content.update({"due_on": _date(case.due_date), "due_confirmed": case.due_confirmed})
    elif kind == Notice.Kind.CORRECTION:
        content["deadline_note"] = _("请一次性补齐上述材料后到窗口（或在网上）提交；补正期间不计入办理时限。")
    content.update(extra or {})
    return content


def notice_issue(*, case: Case, kind: str, actor, at: datetime.datetime, extra: dict[str, Any] | None = None,
                 materials: list[CaseMaterial] | None = None) -> Notice:
    """Issue (and number) a notice. Called by the case services inside their transaction;
    `materials` as for `notice_content`."""
    year = timezone.localdate(at).year
    seq = sequence_next(f"notice:{case.centre.code}:{kind}:{year}")
    return Notice.objects.create(
        case=case, kind=kind, number=f"{case.centre.code}-{KIND_CODES[kind]}-{year}-{seq:05d}", issued_at=at,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        content=notice_content(case, kind, at, extra, materials=materials),
    )
