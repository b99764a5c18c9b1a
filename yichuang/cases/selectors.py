"""Reads of cases, always through the reader's scope.

Scope: department staff see their department's cases; front-desk and result clerks the cases
received at their centre or point; agents also the cases they carry; supervisors and centre
admins every case of their region and the regions below it.
"""

from django.db.models import Q, QuerySet

from yichuang.core.crypto import lookup_hash
from yichuang.org.models import Role, User

from .models import OPEN_STATUSES, Applicant, Case, CaseStep

CASE_LIST_RELATED = ("item_version", "applicant", "department", "centre")


def cases_visible_to(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related(*CASE_LIST_RELATED)
    if not getattr(user, "is_authenticated", False):
        return cases.none()
    if user.is_superuser:
        return cases
    condition = Q(pk__in=[])
    if user.region_id and user.has_role(Role.Code.SUPERVISOR, Role.Code.ADMIN):
        prefix = user.region.prefix
        condition |= Q(department__region__code__startswith=prefix) | Q(centre__region__code__startswith=prefix)
    if user.department_id and user.has_role(Role.Code.REVIEWER, Role.Code.APPROVER):
        condition |= Q(department_id=user.department_id)
    if user.centre_id and user.has_role(Role.Code.CLERK, Role.Code.TOWN_CLERK, Role.Code.RESULT_CLERK, Role.Code.AGENT):
        condition |= Q(centre_id=user.centre_id)
    if user.has_role(Role.Code.AGENT):
        condition |= Q(agent_staff=user)
    return cases.filter(condition)


def case_for_user(user: User, pk: int) -> Case | None:
    """The case if the user may see it; None otherwise (answer 404, never reveal it exists)."""
    return cases_visible_to(user).filter(pk=pk).first()


def case_by_number_for_user(user: User, number: str) -> Case | None:
    return cases_visible_to(user).filter(number=number).first()


def inbox_steps(user: User) -> QuerySet[CaseStep]:
    """Open steps waiting on the user's department and roles, soonest due first."""
    if not getattr(user, "is_authenticated", False) or not user.department_id:
        return CaseStep.objects.none()
    roles = [r for r in ("reviewer", "approver") if user.has_role(r)]
    return (
        CaseStep.objects.filter(state=CaseStep.State.OPEN, department_id=user.department_id, role__in=roles)
        .select_related("case", "case__item_version", "case__applicant", "case__centre")
        .order_by("due_date", "case__received_at")
    )


def results_waiting(user: User) -> QuerySet[Case]:
    """Results at the result window of the user's centre (and those withheld for 容缺 materials)."""
    return (
        cases_visible_to(user)
        .filter(delivery__in=[Case.Delivery.WAITING, Case.Delivery.WITHHELD])
        .order_by("decided_at")
    )


def agent_ledger(user: User) -> QuerySet[Case]:
    return Case.objects.filter(agent_staff=user).select_related(*CASE_LIST_RELATED).order_by("-received_at")


def front_desk_open(user: User) -> QuerySet[Case]:
    """Cases received at the user's centre still waiting at the front desk (接件, 补正, 预审通过待受理)."""
    waiting = [Case.Status.RECEIVED, Case.Status.CORRECTION, Case.Status.PREREVIEW_PASSED]
    return cases_visible_to(user).filter(status__in=waiting).order_by("-received_at")


def applicant_find(*, id_number: str = "", uscc: str = "") -> Applicant | None:
    if id_number:
        return Applicant.objects.filter(id_number_hash=lookup_hash(id_number)).first()
    if uscc:
        return Applicant.objects.filter(uscc=uscc.strip().upper()).first()
    return None


def open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES)
