"""Reads of the organisation, and the scope that every other app's queries apply.

Scope rule: a centre admin or supervisor sees the region they are assigned to and every
region below it; department staff see their own department; a clerk of a centre or point
sees that centre. Superusers see everything.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Department, Region, Role, ServiceCentre, User, Window


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_prefix: str | None = None
    department_id: int | None = None
    centre_id: int | None = None

    def departments(self) -> QuerySet[Department]:
        qs = Department.objects.all()
        if self.everything:
            return qs
        cond = Q(pk__in=[])
        if self.region_prefix is not None:
            cond |= Q(region__code__startswith=self.region_prefix)
        if self.department_id is not None:
            cond |= Q(pk=self.department_id)
        return qs.filter(cond)

    def centres(self) -> QuerySet[ServiceCentre]:
        qs = ServiceCentre.objects.all()
        if self.everything:
            return qs
        cond = Q(pk__in=[])
        if self.region_prefix is not None:
            cond |= Q(region__code__startswith=self.region_prefix)
        if self.centre_id is not None:
            cond |= Q(pk=self.centre_id)
        return qs.filter(cond)


def scope_for(user: User) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    region_prefix = None
    if user.region_id and user.has_role(Role.Code.ADMIN, Role.Code.SUPERVISOR):
        region_prefix = user.region.prefix
    return Scope(
        region_prefix=region_prefix,
        department_id=user.department_id,
        centre_id=user.centre_id,
    )


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.prefix)


def region_for_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def departments_active() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("sort_order", "code")


def windows_of_centre(centre: ServiceCentre) -> QuerySet[Window]:
    return Window.objects.filter(centre=centre, is_active=True).select_related("department")
