"""多级联动, 同城通办: a town or village point accepts for the county; the county decides.

The point uses the same front-desk services as the county hall; the case keeps the county
department as the one that decides (审批权属不变), its files travel online, and the result comes
back to the point (or goes by post).
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yichuang.cases import selectors, services
from yichuang.cases.errors import CaseActionError
from yichuang.cases.models import Case
from yichuang.cases.rules import can_accept_at, channel_at, points_in_scope
from yichuang.cases.uploads import case_file_add, case_file_for_user
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.services import item_upsert
from yichuang.org.models import Region, ServiceCentre

from .conftest import _staff, at, food_licence_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def points(county):
    """A second town, a village under it, and a point in another county."""
    town2 = Region.objects.create(code="339901101000", name="青山镇", level=4, parent=county["county"])
    village = Region.objects.create(code="339901101202", name="竹林村", level=5, parent=town2)
    other_county = Region.objects.create(code="339902000000", name="邻县", level=3,
                                         parent=county["county"].parent)
    other_town = Region.objects.create(code="339902100000", name="邻县城关镇", level=4, parent=other_county)
    return {
        "town": county["point"],
        "town2": ServiceCentre.objects.create(code="SLXQS", name="青山镇便民服务中心", region=town2, kind="town",
                                              parent=county["centre"]),
        "village": ServiceCentre.objects.create(code="SLXQSZL", name="竹林村便民服务站", region=village,
                                                kind="village"),
        "outside": ServiceCentre.objects.create(code="LXCG", name="邻县城关镇便民服务中心", region=other_town,
                                                kind="town"),
    }


@pytest.fixture
def county_item(county):
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-GTH-001", name="个体工商户设立登记", tongban_scope="county"))
    return version


def _receive_at(clerk, centre, version, applicant, when="2026-11-02"):
    checklist = {m.pk: {"state": "received"} for m in version.materials.all()}
    return services.case_receive(actor=clerk, item_version=version, applicant=applicant, centre=centre,
                                 channel=channel_at(centre), materials=checklist, at=at(when, 9))


def test_a_town_accepted_case_is_decided_by_the_county_department_and_returns_to_the_town_for_pickup(
        staff, county, county_item, applicant, points):
    case = _receive_at(staff["town_clerk"], points["town"], county_item, applicant)
    case = services.case_accept(actor=staff["town_clerk"], case=case, at=at("2026-11-02", 9))
    assert case.channel == Case.Channel.TOWN
    assert case.centre == points["town"]
    # 审批权属不变: the county department holds it in its inbox and decides.
    assert case.department == county["scjg"]
    assert selectors.inbox_steps(staff["reviewer"]).filter(case=case).exists()
    services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全", at=at("2026-11-03"))
    with pytest.raises(CaseActionError):  # the point cannot decide for the county
        services.case_decide(actor=staff["town_clerk"], case=case, approve=True, reason="同意")
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件",
                                at=at("2026-11-04"))
    assert case.status == Case.Status.APPROVED
    # The result comes back to the point's result list, not to the county hall's.
    assert selectors.results_waiting(staff["town_clerk"]).filter(pk=case.pk).exists()
    assert not selectors.results_waiting(staff["result"]).filter(pk=case.pk).exists()
    case = services.case_deliver(actor=staff["town_clerk"], case=case, method="in_person", collected_by="王小明",
                                 at=at("2026-11-05"))
    assert case.delivery == Case.Delivery.DELIVERED
    assert case.delivery_record.delivered_by == staff["town_clerk"]


def test_a_town_accepted_result_can_go_by_post(staff, county_item, applicant, points):
    case = _receive_at(staff["town_clerk"], points["town"], county_item, applicant)
    case = services.case_accept(actor=staff["town_clerk"], case=case)
    services.case_step_complete(actor=staff["reviewer"], case=case, opinion="同意")
    case = services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合条件")
    case = services.case_deliver(actor=staff["town_clerk"], case=case, method="post", address="示例县城关镇解放街 1 号",
                                 recipient="王小明", carrier="中国邮政 EMS", tracking_number="1180000000001")
    assert case.delivery_record.method == "post" and case.visits == 1


def test_materials_scanned_at_the_point_travel_online_to_the_county_department(
        staff, county_item, applicant, points):
    case = _receive_at(staff["town_clerk"], points["town"], county_item, applicant)
    material = case.materials.first()
    stored = case_file_add(actor=staff["town_clerk"], case=case, material=material.pk,
                           upload=SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"))
    # The county reviewer sees the case and opens the file; another department does not.
    assert case_file_for_user(staff["reviewer"], case.pk, stored.pk) == stored
    assert case_file_for_user(staff["other_reviewer"], case.pk, stored.pk) is None
    with stored.file.open("rb") as handle:
        assert handle.read() == PDF


def test_any_point_in_the_county_scope_can_accept_it(staff, county, county_item, applicant, points):
    accepting = set(points_in_scope(county_item))
    assert {county["centre"], points["town"], points["town2"], points["village"]} <= accepting
    assert points["outside"] not in accepting
    village_clerk = _staff("village_clerk", "town_clerk", centre=points["village"])
    case = _receive_at(village_clerk, points["village"], county_item, applicant)
    assert case.channel == Case.Channel.TOWN and case.department == county["scjg"]


def test_a_point_outside_the_scope_cannot_accept(staff, county, item, county_item, applicant, points):
    # 仅本中心: the town point may not take the county hall's item.
    assert item.tongban_scope == ItemVersion.TongbanScope.CENTRE
    assert not can_accept_at(item, points["town"])
    with pytest.raises(CaseActionError) as err:
        _receive_at(staff["town_clerk"], points["town"], item, applicant)
    assert "通办范围" in " ".join(err.value.messages)
    assert not Case.objects.filter(centre=points["town"]).exists()
    # 全县通办 stops at the county line.
    outside_clerk = _staff("outside_clerk", "town_clerk", centre=points["outside"])
    with pytest.raises(CaseActionError):
        _receive_at(outside_clerk, points["outside"], county_item, applicant)
    # 指定站点: only the listed points.
    county_item.tongban_scope = ItemVersion.TongbanScope.LISTED
    county_item.save(update_fields=["tongban_scope"])
    county_item.accepting_centres.set([points["town2"]])
    assert can_accept_at(county_item, points["town2"]) and not can_accept_at(county_item, points["town"])


def test_the_county_hall_counts_as_the_window_channel_and_points_as_the_town_channel(county, points):
    assert channel_at(county["centre"]) == Case.Channel.WINDOW
    assert channel_at(points["town"]) == channel_at(points["village"]) == Case.Channel.TOWN


def test_the_supervisor_sees_volumes_by_point(staff, county, county_item, applicant, points):
    from yichuang.supervision.rollups import rollup_rebuild
    from yichuang.supervision.selectors import StatQuery, scope_for, statistics

    _receive_at(staff["town_clerk"], points["town"], county_item, applicant, when="2026-11-02")
    village_clerk = _staff("village_clerk", "town_clerk", centre=points["village"])
    _receive_at(village_clerk, points["village"], county_item, applicant, when="2026-11-02")
    _receive_at(village_clerk, points["village"], county_item, applicant, when="2026-11-03")
    day = datetime.date(2026, 11, 1)
    rollup_rebuild(start=day, end=datetime.date(2026, 11, 30))
    table = statistics(scope_for(staff["supervisor"]),
                       StatQuery(start=day, end=datetime.date(2026, 11, 30), slice="point"))
    received = {row.label: row.sums["received"] for row in table.rows}
    assert received[points["town"].name] == 1
    assert received[points["village"].name] == 2
