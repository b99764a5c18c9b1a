"""Reads of parallel approval: a parent case with all its children at a glance, and joint meetings."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Case, JointMeeting, ParallelCase


@dataclass
class ParallelOverview:
    parent: Case
    record: ParallelCase
    children: list[Case]
    events: list

    @property
    def stages(self) -> list[tuple[int, list[Case]]]:
        numbers = sorted({c.stage for c in self.children})
        return [(n, [c for c in self.children if c.stage == n]) for n in numbers]

    @property
    def departments(self) -> list[str]:
        return sorted({c.department.name for c in self.children})

    @property
    def deliverable(self) -> bool:
        return self.parent.is_decided and self.parent.delivery in (Case.Delivery.WAITING, Case.Delivery.WITHHELD)


def parallel_overview(parent_pk: int) -> ParallelOverview | None:
    parent = (Case.objects.select_related("applicant", "centre", "parallel__bundle", "delivery_record")
              .filter(pk=parent_pk, parallel__isnull=False).first())
    if parent is None:
        return None
    children = list(parent.children.select_related("item_version", "department", "delivery_record")
                    .order_by("stage", "id"))
    events = list(parent.events.order_by("at", "id"))
    return ParallelOverview(parent=parent, record=parent.parallel, children=children, events=events)


def parents_recent(*, centre=None, limit: int = 20) -> QuerySet[Case]:
    qs = Case.objects.filter(parallel__isnull=False).select_related("applicant", "parallel__bundle")
    if centre is not None:
        qs = qs.filter(centre=centre)
    return qs.order_by("-received_at")[:limit]


def parents_for_applicants(applicant_ids) -> QuerySet[Case]:
    return (Case.objects.filter(parallel__isnull=False, applicant_id__in=list(applicant_ids))
            .select_related("parallel__bundle").order_by("-received_at"))


def meetings_for_subject(subject_type: str, subject_id) -> QuerySet[JointMeeting]:
    return JointMeeting.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("-held_on")


def meetings_for_user(user) -> QuerySet[JointMeeting]:
    qs = JointMeeting.objects.select_related("coordinator", "case").prefetch_related("invitations__department")
    if user.is_superuser:
        return qs[:200]
    return qs.filter(Q(coordinator=user) | Q(invitations__department_id=user.department_id)
                     | Q(centre_id=user.centre_id)).distinct()[:200]
