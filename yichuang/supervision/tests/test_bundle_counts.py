"""A bundle (一件事) in the statistics: its children are the approvals counted, the parent is not."""
# ruff: noqa: F811  (pytest fixtures imported from parallel_setup are test arguments)
from yichuang.cases.tests.conftest import applicant, county, item, staff  # noqa: F401
from yichuang.cases.tests.parallel_setup import (  # noqa: F401  (fixtures)
    apply_bundle,
    deciders,
    departments,
    restaurant,
    restaurant_items,
)
from yichuang.supervision.rollups import case_facts


def test_a_bundles_parent_is_not_counted_as_a_second_case(restaurant, apply_bundle):
    parent = apply_bundle(restaurant)
    children = list(parent.children.values_list("pk", flat=True))
    assert len(children) == 4
    facts = case_facts([parent.pk, *children])
    assert set(facts) == set(children)
