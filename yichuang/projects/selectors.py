"""Reads of investment projects: the whole path of one project, and the lists staff work from.

A stage's state and dates come from its parent case (the bundle application) — accepted_at is
the start, decided_at the end — and elapsed time is counted in working days with the calendar
of the project's region (the acceptance day not counted, like every limit in the law). Time
between stages, while the owner prepares the next application, is the owner's and is not counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.cases.models import OPEN_STATUSES, Case, JointMeeting
from yichuang.core.calendar import workdays_between
from yichuang.org.models import Role, User

from .models import Commitment, Project, ProjectStage
from .services import APPROVED_STATUSES, SUBJECT_TYPE

STAGE_STATES = {
    "waiting": gettext_lazy("未开始"),
    "running": gettext_lazy("审批中"),
    "approved": gettext_lazy("已完成"),
    "failed": gettext_lazy("未获准予"),
}
PROJECT_STATUSES = {
    "registered": gettext_lazy("已赋码，待申报"),
    "running": gettext_lazy("审批中"),
    "between": gettext_lazy("待申报下一阶段"),
    "failed": gettext_lazy("阶段未获准予"),
    "completed": gettext_lazy("已竣工验收"),
}


def _prefixes(user: User) -> set[str] | None:
    """Region code prefixes whose projects the user sees; None for everything."""
    if user.is_superuser:
        return None
    prefixes: set[str] = set()
    if user.region_id and user.has_role(Role.Code.ADMIN, Role.Code.SUPERVISOR):
        prefixes.add(user.region.prefix)
    if user.department_id:
        prefixes.add(user.department.region.code[:6])
    if user.centre_id:
        prefixes.add(user.centre.region.code[:6])
    return prefixes


def projects_visible_to(user: User) -> QuerySet[Project]:
    """Projects of the counties the user works in (by assigned region, department or centre)."""
    projects = Project.objects.select_related("owner", "region", "centre", "coordinator")
    if not getattr(user, "is_authenticated", False):
        return projects.none()
    prefixes = _prefixes(user)
    if prefixes is None:
        return projects
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(region__code__startswith=prefix)
    return projects.filter(condition)


def project_for_user(user: User, code: str) -> Project | None:
    return projects_visible_to(user).filter(code=code).first()


# --- one project's path ------------------------------------------------------------------------


@dataclass
class ChildRow:
    case: Case
    item: str
    department: str
    status: str
    due_date: datetime.date | None
    alarm: str
    is_open: bool
    commitment: Commitment | None = None


@dataclass
class StageView:
    number: int
    name: str
    state: str
    parent: Case | None
    started_on: datetime.date | None
    finished_on: datetime.date | None
    elapsed: int | None
    target_days: int
    counts_toward_target: bool
    children: list[ChildRow] = field(default_factory=list)
    meetings: list[JointMeeting] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(STAGE_STATES[self.state])

    @property
    def over_target(self) -> bool:
        return self.elapsed is not None and self.elapsed > self.target_days

    @property
    def percent(self) -> int:
        """How much of the stage's target is used, for the bar (capped at 100)."""
        if self.elapsed is None or not self.target_days:
            return 0
        return min(100, round(100 * self.elapsed / self.target_days))


@dataclass
class Blocker:
    kind: str  # "child", "correction", "special", "meeting", "owner", "failed"
    text: str
    department: str = ""
    due: datetime.date | None = None
    alarm: str = ""
    case: Case | None = None
    meeting: JointMeeting | None = None


@dataclass
class ProjectOverview:
    project: Project
    stages: list[StageView]
    total_elapsed: int
    target_days: int
    status: str
    blockers: list[Blocker]
    meetings: list[JointMeeting]
    commitments: list[Commitment]
    today: datetime.date

    @property
    def status_label(self) -> str:
        return str(PROJECT_STATUSES[self.status])

    @property
    def over_target(self) -> bool:
        return self.total_elapsed > self.target_days

    @property
    def remaining(self) -> int:
        return self.target_days - self.total_elapsed

    @property
    def overrun(self) -> int:
        return max(self.total_elapsed - self.target_days, 0)

    @property
    def percent(self) -> int:
        if not self.target_days:
            return 0
        return min(100, round(100 * self.total_elapsed / self.target_days))

    @property
    def current(self) -> StageView | None:
        running = [s for s in self.stages if s.state in ("running", "failed")]
        if running:
            return running[-1]
        return next((s for s in self.stages if s.state == "waiting"), None)


def _stage_state(parent: Case | None) -> str:
    if parent is None:
        return "waiting"
    if parent.status in APPROVED_STATUSES:
        return "approved"
    if parent.status in OPEN_STATUSES:
        return "running"
    return "failed"


def project_meetings(project: Project) -> list[JointMeeting]:
    return list(
        JointMeeting.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(project.pk))
        .prefetch_related("invitations__department").order_by("held_on", "id")
    )


def _child_blocker(child: Case) -> Blocker:
    item, department = child.item_version.name, child.department.display_name
    if child.status == Case.Status.CORRECTION:
        return Blocker("correction", _("「%(i)s」等待项目单位补正材料（%(d)s退回）") % {"i": item, "d": department},
                       department=department, case=child)
    if child.status == Case.Status.SPECIAL:
        return Blocker("special", _("「%(i)s」在%(d)s特别程序中（不计时）") % {"i": item, "d": department},
                       department=department, case=child)
    return Blocker("child", _("「%(i)s」在%(d)s办理中") % {"i": item, "d": department},
                   department=department, due=child.due_date, alarm=child.alarm, case=child)


def project_overview(project: Project, *, today: datetime.date | None = None) -> ProjectOverview:
    """The project's whole path: every stage's state and working days, the total against the
    target, and what is holding it up now."""
    today = today or timezone.localdate()
    region = project.region
    stages_qs = project.stages.select_related("parent_case").prefetch_related(
        Prefetch("parent_case__children", queryset=Case.objects.select_related(
            "item_version", "department").order_by("stage", "id")),
    ).order_by("number")
    commitments = list(project.commitments.select_related("case", "department", "checked_by").order_by("check_due"))
    by_case = {c.case_id: c for c in commitments}
    meetings = project_meetings(project)
    stages: list[StageView] = []
    for stage in stages_qs:
        parent = stage.parent_case
        state = _stage_state(parent)
        started = finished = elapsed = None
        children: list[ChildRow] = []
        if parent is not None:
            started = timezone.localdate(parent.accepted_at or parent.received_at)
            if parent.decided_at and state != "running":
                finished = timezone.localdate(parent.decided_at)
            elapsed = max(workdays_between(started, finished or today, region), 0)
            for child in parent.children.all():
                children.append(ChildRow(
                    case=child, item=child.item_version.name, department=child.department.display_name,
                    status=child.get_status_display(), due_date=child.due_date, alarm=child.alarm,
                    is_open=child.status in OPEN_STATUSES, commitment=by_case.get(child.pk)))
        stage_meetings = [m for m in meetings if parent is not None and m.case_id == parent.pk]
        stages.append(StageView(
            number=stage.number, name=stage.name, state=state, parent=parent, started_on=started,
            finished_on=finished, elapsed=elapsed, target_days=stage.target_days,
            counts_toward_target=stage.counts_toward_target, children=children, meetings=stage_meetings))
    total = sum(s.elapsed or 0 for s in stages if s.counts_toward_target)
    blockers = _blockers(stages, meetings)
    if stages and stages[-1].state == "approved":
        status = "completed"
    elif any(s.state == "failed" for s in stages) and not any(s.state == "running" for s in stages):
        status = "failed"
    elif any(s.state == "running" for s in stages):
        status = "running"
    elif any(s.state == "approved" for s in stages):
        status = "between"
    else:
        status = "registered"
    return ProjectOverview(project=project, stages=stages, total_elapsed=total, target_days=project.target_days,
                           status=status, blockers=blockers, meetings=meetings, commitments=commitments, today=today)


def _blockers(stages: list[StageView], meetings: list[JointMeeting]) -> list[Blocker]:
    blockers: list[Blocker] = []
    running = [s for s in stages if s.state == "running"]
    for stage in running:
        # Children of a later step of the same bundle wait for the join: they do not block yet.
        for row in stage.children:
            if row.is_open and row.case.status != Case.Status.RECEIVED:
                blockers.append(_child_blocker(row.case))
    for meeting in meetings:
        if meeting.state != JointMeeting.State.OPEN:
            continue
        waiting = [i.department.display_name for i in meeting.invitations.all() if not i.opinion]
        if waiting:
            blockers.append(Blocker(
                "meeting", _("%(k)s「%(t)s」等待意见：%(d)s") % {
                    "k": meeting.get_kind_display(), "t": meeting.title, "d": "、".join(waiting)},
                department="、".join(waiting), due=meeting.opinion_deadline, meeting=meeting))
    if not running:
        failed = [s for s in stages if s.state == "failed"]
        following = next((s for s in stages if s.state == "waiting"), None)
        if failed:
            stage = failed[-1]
            blockers.append(Blocker("failed", _("「%(s)s」未获准予（%(r)s），项目单位整改后重新申报") % {
                "s": stage.name, "r": stage.parent.decision_reason if stage.parent else ""}, case=stage.parent))
        elif following is not None:
            blockers.append(Blocker("owner", _("等待项目单位申报「%(s)s」") % {"s": following.name}))
    return blockers


# --- lists ---------------------------------------------------------------------------------------


@dataclass
class ProjectRow:
    project: Project
    overview: ProjectOverview


def project_rows(projects: QuerySet[Project], *, status: str = "", today: datetime.date | None = None,
                 limit: int = 200) -> list[ProjectRow]:
    """Projects with their overview (for the staff list); `status` filters on the derived status,
    "over" on the total over its target."""
    rows = []
    for project in projects.prefetch_related("stages")[:limit]:
        overview = project_overview(project, today=today)
        if status == "over" and not overview.over_target:
            continue
        if status and status != "over" and overview.status != status:
            continue
        rows.append(ProjectRow(project, overview))
    return rows


def commitment_checks_for(user: User, *, state: str = Commitment.State.PENDING) -> QuerySet[Commitment]:
    """告知承诺 follow-up checks on the user's department's list, soonest due first."""
    checks = Commitment.objects.select_related("project", "case", "department").order_by("check_due", "id")
    if not getattr(user, "is_authenticated", False):
        return checks.none()
    if state:
        checks = checks.filter(state=state)
    if user.is_superuser:
        return checks
    condition = Q(pk__in=[])
    if user.department_id and user.has_role(Role.Code.REVIEWER, Role.Code.APPROVER):
        condition |= Q(department_id=user.department_id)
    if user.region_id and user.has_role(Role.Code.SUPERVISOR, Role.Code.ADMIN):
        condition |= Q(project__region__code__startswith=user.region.prefix)
    return checks.filter(condition)


def stage_for_parent(parent: Case) -> ProjectStage | None:
    return ProjectStage.objects.select_related("project").filter(parent_case=parent).first()
