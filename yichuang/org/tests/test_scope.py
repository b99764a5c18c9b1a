"""Permission scope: department staff see their department; a county supervisor sees the county and below."""

import pytest

from yichuang.org.models import Department, Region, Role, ServiceCentre, User
from yichuang.org.selectors import scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_tree():
    province = Region.objects.create(code="330000000000", name="浙江省", level=1)
    city = Region.objects.create(code="339900000000", name="示例市", level=2, parent=province)
    county = Region.objects.create(code="339901000000", name="示例县", level=3, parent=city)
    other_county = Region.objects.create(code="339902000000", name="邻县", level=3, parent=city)
    town = Region.objects.create(code="339901001000", name="城关镇", level=4, parent=county)
    centre = ServiceCentre.objects.create(code="SLX", name="示例县政务服务中心", region=county)
    point = ServiceCentre.objects.create(code="SLX-CG", name="城关镇便民服务中心", region=town, kind="town", parent=centre)
    other_centre = ServiceCentre.objects.create(code="LX", name="邻县政务服务中心", region=other_county)
    scjg = Department.objects.create(code="SCJG", name="市场监督管理局", region=county, centre=centre)
    wjj = Department.objects.create(code="WJJ", name="卫生健康局", region=county, centre=centre)
    other = Department.objects.create(code="LX-SCJG", name="邻县市场监督管理局", region=other_county)
    return {"county": county, "centre": centre, "point": point, "other_centre": other_centre,
            "scjg": scjg, "wjj": wjj, "other": other}


def _user(username, *roles, **fields):
    user = User.objects.create_user(username, password="x")
    for key, value in fields.items():
        setattr(user, key, value)
    user.save()
    user.roles.set(Role.objects.filter(code__in=roles))
    return User.objects.get(pk=user.pk)


def test_department_staff_see_only_their_department(county_tree):
    reviewer = _user("r", "reviewer", department=county_tree["scjg"])
    assert list(scope_for(reviewer).departments()) == [county_tree["scjg"]]


def test_county_supervisor_sees_the_county_and_the_points_below_it(county_tree):
    supervisor = _user("s", "supervisor", region=county_tree["county"])
    scope = scope_for(supervisor)
    assert set(scope.departments()) == {county_tree["scjg"], county_tree["wjj"]}
    assert set(scope.centres()) == {county_tree["centre"], county_tree["point"]}
    assert county_tree["other_centre"] not in scope.centres()


def test_a_region_alone_gives_no_reach_without_a_supervising_role(county_tree):
    clerk = _user("c", "clerk", region=county_tree["county"], centre=county_tree["point"])
    scope = scope_for(clerk)
    assert list(scope.centres()) == [county_tree["point"]]
    assert not scope.departments().exists()


def test_anonymous_sees_nothing(county_tree):
    from django.contrib.auth.models import AnonymousUser

    assert not scope_for(AnonymousUser()).departments().exists()


def test_region_prefix_follows_the_level(county_tree):
    assert county_tree["county"].prefix == "339901"
    assert Region.objects.get(code="339901001000").prefix == "339901001"
