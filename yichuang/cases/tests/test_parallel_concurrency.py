# ruff: noqa: F811  (pytest fixtures imported from parallel_setup are test arguments)
"""The join under real concurrency (PostgreSQL): however decisions and joins interleave, one parent outcome."""

import pytest
from django.db import connection

from yichuang.cases import services
from yichuang.cases.models import Case
from yichuang.cases.services_parallel import parallel_join
from yichuang.core.tests.concurrency import run_together

from .parallel_setup import (  # noqa: F401  (fixtures)
    apply_bundle,
    decide,
    deciders,
    departments,
    restaurant,
    restaurant_items,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的真实并发连接（设置 DATABASE_URL）"),
]


def _ready_for_decision(child, deciders):
    reviewer, _approver = deciders[child.department.code.lower()]
    return services.case_step_complete(actor=reviewer, case=child, opinion="材料齐全")


def test_two_last_decisions_and_a_join_at_once_give_exactly_one_parent_outcome(restaurant, apply_bundle, deciders):
    parent = apply_bundle(restaurant)
    children = list(parent.children.select_related("department").order_by("id"))
    for child in children[:2]:
        decide(child, deciders)
    last_two = [_ready_for_decision(c, deciders) for c in children[2:]]

    def act(index):
        if index < 2:
            child = last_two[index]
            approver = deciders[child.department.code.lower()][1]
            return services.case_decide(actor=approver, case=child, approve=True, reason="同意").status
        return parallel_join(parent=Case(pk=parent.pk)).status

    results = run_together(3, act)
    assert all(not isinstance(r, Exception) for r in results), results
    parent.refresh_from_db()
    assert parent.status == Case.Status.APPROVED
    assert parent.events.filter(action="bundle_decide").count() == 1


def test_a_late_denial_racing_an_approval_gives_one_outcome_naming_the_failed_part(restaurant, apply_bundle, deciders):
    parent = apply_bundle(restaurant)
    children = list(parent.children.select_related("department", "item_version").order_by("id"))
    for child in children[:2]:
        decide(child, deciders)
    last_two = [_ready_for_decision(c, deciders) for c in children[2:]]

    def act(index):
        child = last_two[index]
        approver = deciders[child.department.code.lower()][1]
        if index == 0:
            return services.case_decide(actor=approver, case=child, approve=True, reason="同意").status
        return services.case_decide(actor=approver, case=child, approve=False, reason="不符合规范",
                                    legal_basis="条例第八条", way_forward="整改后重新申请").status

    results = run_together(2, act)
    assert all(not isinstance(r, Exception) for r in results), results
    parent.refresh_from_db()
    assert parent.status == Case.Status.DENIED
    assert parent.events.filter(action="bundle_decide").count() == 1
    assert parent.events.filter(action="bundle_part_failed").count() == 1
    assert last_two[1].item_version.name in parent.decision_reason
