"""Reads for the online hall and the pre-review inbox.

- `cases_for_applicants`: an applicant account's cases (the portal scopes by the applicant ids
  its account may act for; a case outside them answers 404 there).
- `case_timeline`: every event of a case as one plain-Chinese line (time, text, who).
- `reusable_materials`: what an applicant may reuse for a material instead of uploading it.
- `prereview_inbox`: cases waiting for a staff member's pre-review, soonest due first, with the
  pre-review clock's colour (yellow on the last day, red/overdue after it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.catalog.models import MaterialRequirement
from yichuang.org.models import Role, User, Window

from .models import Applicant, Case, CaseEvent, CaseFile, CaseMaterial
from .selectors import CASE_LIST_RELATED

S = Case.Status
FRONT_DESK_ROLES = (Role.Code.CLERK, Role.Code.TOWN_CLERK)
PREREVIEW_STATUSES = (S.PREREVIEW,)

# Every action a case event can carry (services.py, services_online.py, uploads.py, licences),
# as the applicant reads it. Unknown actions fall back to the event's own summary.
ACTION_TEXT = {
    "draft_create": gettext_lazy("网上申请已暂存"),
    "form_save": gettext_lazy("保存了申请表"),
    "file_add": gettext_lazy("上传了材料"),
    "material_reuse": gettext_lazy("复用了已有材料"),
    "submit_online": gettext_lazy("网上提交申请，等待预审"),
    "resubmit_online": gettext_lazy("修改后重新提交，等待预审"),
    "prereview_pass": gettext_lazy("网上预审通过"),
    "prereview_return": gettext_lazy("网上预审退回，请按清单一次性修改后重新提交"),
    "prereview_refuse": gettext_lazy("网上预审不予受理"),
    "receive": gettext_lazy("窗口已接件"),
    "accept": gettext_lazy("已受理，开始计算办理时限"),
    "correction": gettext_lazy("需补正材料（一次性告知）"),
    "correction_supplied": gettext_lazy("补正材料已提交"),
    "refuse": gettext_lazy("不予受理"),
    "immediate": gettext_lazy("当场办结"),
    "assign_agent": gettext_lazy("已安排帮办代办员"),
    "department_start": gettext_lazy("部门开始办理"),
    "step_complete": gettext_lazy("完成一个办理环节"),
    "send_back": gettext_lazy("部门要求补正材料，暂停计时"),
    "special_start": gettext_lazy("进入特别程序，期间不计入办理时限"),
    "special_end": gettext_lazy("特别程序结束，恢复计时"),
    "extension_request": gettext_lazy("部门申请延长办理期限"),
    "extension_decide": gettext_lazy("延长办理期限的申请已审批"),
    "decide": gettext_lazy("已作出决定"),
    "licence_issue": gettext_lazy("电子证照已签发"),
    "supplement": gettext_lazy("容缺材料已补齐"),
    "deliver": gettext_lazy("结果已送达"),
    "visit": gettext_lazy("到现场办理"),
    "withdraw": gettext_lazy("申请已撤回"),
    "revoke": gettext_lazy("办件已撤销"),
    "correction_approve": gettext_lazy("再次补正告知已经监察人员批准"),
}
# Internal steps the applicant need not read about one by one.
QUIET_ACTIONS = {"form_save"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    text: str
    detail: str
    actor_label: str
    action: str
    status_code: str


def cases_for_applicants(applicant_ids: Iterable[int]) -> QuerySet[Case]:
    """The cases of these applicants, newest first (drafts included)."""
    ids = [int(i) for i in applicant_ids]
    return (Case.objects.filter(applicant_id__in=ids).select_related(*CASE_LIST_RELATED)
            .order_by("-updated_at", "-pk"))


def _detail(event: CaseEvent) -> str:
    if event.action == "step_complete":
        # The reviewer's opinion is internal; the applicant sees which step was completed.
        return (event.data or {}).get("step", "")
    if event.action in ("extension_decide",):
        return _("已批准") if (event.data or {}).get("approved") else _("未批准")
    return event.summary


def case_timeline(case: Case, *, include_quiet: bool = False) -> list[TimelineEntry]:
    """The case's events in order, each as a plain-Chinese line (time, text, who acted)."""
    entries = []
    for event in case.events.order_by("at", "id"):
        if event.action in QUIET_ACTIONS and not include_quiet:
            continue
        text = ACTION_TEXT.get(event.action)
        entries.append(TimelineEntry(
            at=event.at, text=str(text) if text else event.summary, detail=_detail(event) if text else "",
            actor_label=event.actor_label, action=event.action, status_code=event.status_code,
        ))
    return entries


# --- reuse ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseOffer:
    source: str  # "licence:<identifier>" or "file:<CaseFile pk>", for `case_material_reuse`
    label: str
    kind: str  # "licence" or "file"


def _requirement(material) -> MaterialRequirement:
    return material.requirement if isinstance(material, CaseMaterial) else material


def reusable_case_files(*, applicant: Applicant, requirement: MaterialRequirement,
                        exclude_case: Case | None = None) -> list[CaseFile]:
    """Files the same applicant gave for the same material (same catalogue code, else the same
    name) in earlier cases that were not refused or withdrawn, newest first, one per content."""
    match = Q(material__requirement__name=requirement.name)
    if requirement.code:
        match |= Q(material__requirement__code=requirement.code)
    files = (CaseFile.objects.filter(case__applicant=applicant).filter(match)
             .exclude(case__status__in=[S.REFUSED, S.NOT_RECEIVED, S.CANCELLED, S.WITHDRAWN, S.REVOKED])
             .exclude(material__state=CaseMaterial.State.DEFECTIVE)
             .select_related("case", "material__requirement").order_by("-uploaded_at", "-pk"))
    if exclude_case is not None:
        files = files.exclude(case=exclude_case)
    seen: set[str] = set()
    out = []
    for f in files[:50]:
        if f.sm3 in seen:
            continue
        seen.add(f.sm3)
        out.append(f)
    return out


def reusable_materials(*, applicant: Applicant, material, exclude_case: Case | None = None,
                       today: datetime.date | None = None) -> list[ReuseOffer]:
    """What may stand in for `material` (a CaseMaterial or MaterialRequirement): the applicant's
    valid e-licences of a fitting type (licences selectors), then earlier files of the same material."""
    from yichuang.licences.selectors import licence_types_for_requirement, licences_of_applicant

    requirement = _requirement(material)
    if exclude_case is None and isinstance(material, CaseMaterial):
        exclude_case = material.case
    offers = []
    types = licence_types_for_requirement(requirement)
    if types:
        for licence in licences_of_applicant(applicant, today=today).filter(type__in=types):
            offers.append(ReuseOffer(
                source=f"licence:{licence.identifier}", kind="licence",
                label=_("电子证照：%(t)s（%(i)s，有效期至 %(v)s）") % {
                    "t": licence.title, "i": licence.identifier,
                    "v": licence.valid_to or _("长期")},
            ))
    for f in reusable_case_files(applicant=applicant, requirement=requirement, exclude_case=exclude_case):
        offers.append(ReuseOffer(
            source=f"file:{f.pk}", kind="file",
            label=_("办件 %(n)s 中的「%(f)s」（%(d)s 上传）") % {
                "n": f.case.number, "f": f.original_name, "d": timezone.localdate(f.uploaded_at)},
        ))
    return offers


# --- pre-review inbox -----------------------------------------------------------------------------


def _general_items_condition() -> Q:
    """全科: the case's department has no active 部门专窗 at the case's centre."""
    department_window = Window.objects.filter(
        centre_id=OuterRef("centre_id"), department_id=OuterRef("department_id"), is_active=True,
        kind=Window.Kind.DEPARTMENT)
    return ~Q(Exists(department_window))


def prereview_cases_for(user: User, *, statuses=PREREVIEW_STATUSES) -> QuerySet[Case]:
    """Cases in `statuses` the user may pre-review: their department's, and (front desk) the
    全科 items of their centre."""
    cases = Case.objects.select_related(*CASE_LIST_RELATED).filter(status__in=statuses)
    if not getattr(user, "is_authenticated", False):
        return cases.none()
    if user.is_superuser:
        return cases
    condition = Q(pk__in=[])
    if user.department_id and user.has_role(Role.Code.REVIEWER, Role.Code.APPROVER):
        condition |= Q(department_id=user.department_id)
    if user.centre_id and user.has_role(*FRONT_DESK_ROLES):
        condition |= Q(centre_id=user.centre_id) & _general_items_condition()
    return cases.filter(condition)


def prereview_inbox(user: User) -> QuerySet[Case]:
    """Waiting pre-reviews, soonest due first."""
    return prereview_cases_for(user).order_by("prereview_due_date", "submitted_at", "pk")


def prereview_case_for_user(user: User, pk: int) -> Case | None:
    """A case in pre-review (or after it) the user may pre-review; None → answer 404."""
    statuses = [s for s in S.values if s != S.DRAFT]
    return prereview_cases_for(user, statuses=statuses).filter(pk=pk, channel=Case.Channel.ONLINE).first()


def prereview_alarm(case: Case, today: datetime.date | None = None) -> str:
    """normal / yellow (due today) / overdue for a case waiting in pre-review; none otherwise.

    Pre-review limits are a day or two: a third of them is less than a day, so the warning is
    the due day itself (shown yellow) and the day after is overdue (red)."""
    if case.status != S.PREREVIEW or case.prereview_due_date is None:
        return Case.Alarm.NONE
    today = today or timezone.localdate()
    if today > case.prereview_due_date:
        return Case.Alarm.OVERDUE
    if today == case.prereview_due_date:
        return Case.Alarm.RED
    from yichuang.core.calendar import add_workdays

    if add_workdays(today, 1, case.department.region).date >= case.prereview_due_date:
        return Case.Alarm.YELLOW
    return Case.Alarm.NORMAL


def prereview_counts(user: User, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    cases = prereview_cases_for(user)
    return {
        "total": cases.count(),
        "overdue": cases.filter(prereview_due_date__lt=today).count(),
        "due_today": cases.filter(prereview_due_date=today).count(),
    }
