# ruff: noqa: F811  (pytest fixtures imported from parallel_setup are test arguments)
"""一件事 online: one parent in 待预审, no child until the front desk passes it."""

import json

import pytest

from yichuang.cases import services
from yichuang.cases.errors import CasePermissionDenied
from yichuang.cases.models import Case, CaseFile, ParallelCase
from yichuang.cases.services_online import OnlineActor, case_prereview_refuse
from yichuang.cases.services_parallel_online import (
    bundle_prereview_pass,
    bundle_submit_online,
)
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.selectors_bundles import bundle_checklist
from yichuang.core.models import SmsMessage

from .conftest import applicant, at, county, item, staff  # noqa: F401
from .online_fixtures import pdf_upload
from .parallel_setup import FORM, decide, deciders, departments, restaurant, restaurant_items  # noqa: F401

ACTOR = OnlineActor(label="王小明（代 示例县好味道餐饮有限公司）", account_id=None)


def online_items(restaurant, *, visits=0):
    ItemVersion.objects.filter(item__bundle_entries__bundle=restaurant).update(online_depth=4, visits_required=visits)


def uploads_for(bundle, *, leave_out=()):
    out = {}
    for merged in bundle_checklist(bundle):
        if merged.produced_by is None and merged.name not in leave_out and merged.necessity == "required":
            out[merged.key] = [pdf_upload(f"{merged.name}.pdf")]
    return out


def submit(bundle, applicant, **kw):
    return bundle_submit_online(acted_by=ACTOR, applicant=applicant, bundle=bundle, form_data=dict(FORM),
                                uploads=uploads_for(bundle, **kw), contact_phone="13800138000",
                                at=at("2026-11-02", 9))


@pytest.fixture
def zero_visit_bundle(restaurant):
    online_items(restaurant, visits=0)
    return restaurant


def test_an_online_bundle_submission_creates_one_parent_in_prereview_and_no_children(zero_visit_bundle, applicant):
    parent = submit(zero_visit_bundle, applicant)
    assert parent.status == Case.Status.PREREVIEW
    assert parent.channel == Case.Channel.ONLINE
    assert parent.submitted_at is not None and parent.prereview_due_date is not None
    assert ParallelCase.objects.get(parent=parent).bundle == zero_visit_bundle
    assert not Case.objects.filter(parent=parent).exists()
    assert Case.objects.count() == 1
    assert CaseFile.objects.filter(case=parent).count() == len(uploads_for(zero_visit_bundle))
    assert parent.events.filter(action="bundle_submit_online").exists()


def test_a_missing_required_material_is_listed_and_nothing_is_created(zero_visit_bundle, applicant):
    with pytest.raises(Exception) as caught:
        submit(zero_visit_bundle, applicant, leave_out=("经营场所平面图",))
    assert "经营场所平面图" in "；".join(caught.value.messages)
    assert not Case.objects.exists()
    assert not CaseFile.objects.exists()


def test_a_missing_shared_form_field_is_refused_and_nothing_is_created(zero_visit_bundle, applicant):
    with pytest.raises(Exception) as caught:
        bundle_submit_online(acted_by=ACTOR, applicant=applicant, bundle=zero_visit_bundle,
                             form_data={**FORM, "shop_name": ""}, uploads=uploads_for(zero_visit_bundle),
                             contact_phone="13800138000", at=at("2026-11-02", 9))
    assert "shop_name" in caught.value.message_dict
    assert not Case.objects.exists()


def test_passing_creates_the_children_in_their_departments_inboxes_online_with_no_visit(
        zero_visit_bundle, applicant, staff, deciders):
    parent = submit(zero_visit_bundle, applicant)
    parent = bundle_prereview_pass(actor=staff["clerk"], parent=parent, at=at("2026-11-02", 14))
    assert parent.status == Case.Status.ACCEPTED
    assert parent.visits == 0
    children = list(Case.objects.filter(parent=parent).select_related("department"))
    assert len(children) == 4
    assert {c.department.code for c in children} == {"SCJG", "WJJ", "ZHZF"}
    for child in children:
        assert child.channel == Case.Channel.ONLINE
        assert child.visits == 0
        assert child.status in (Case.Status.ACCEPTED, Case.Status.PROCESSING)
        assert child.due_date is not None
        # Each department sees the files of its own materials (材料网上流转).
        assert child.files.exists()
    # The shared form field reached every child that asks for it.
    health = next(c for c in children if c.department.code == "WJJ")
    assert health.form_data["shop_name"] == FORM["shop_name"]
    # Decided by the departments, the parent is approved once and waits for 统一出件.
    for child in children:
        decide(Case.objects.get(pk=child.pk), deciders)
    parent.refresh_from_db()
    assert parent.status in (Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED)


def test_a_bundle_with_items_needing_a_visit_waits_for_one_visit_with_the_originals(restaurant, applicant, staff):
    online_items(restaurant, visits=1)
    parent = submit(restaurant, applicant)
    parent = bundle_prereview_pass(actor=staff["clerk"], parent=parent, at=at("2026-11-02", 14))
    assert parent.status == Case.Status.PREREVIEW_PASSED
    assert SmsMessage.objects.filter(template="bundle_prereview_passed").exists()
    assert {c.status for c in Case.objects.filter(parent=parent)} == {Case.Status.RECEIVED}
    # The window's ordinary 受理 of the parent is the one visit: the bundle starts.
    parent = services.case_accept(actor=staff["clerk"], case=parent, at=at("2026-11-03", 9))
    assert parent.status == Case.Status.ACCEPTED
    assert parent.visits == 1
    assert all(c.accepted_at for c in Case.objects.filter(parent=parent))


def test_only_the_front_desk_of_the_centre_passes_an_online_bundle(zero_visit_bundle, applicant, staff):
    parent = submit(zero_visit_bundle, applicant)
    with pytest.raises(CasePermissionDenied):
        bundle_prereview_pass(actor=staff["reviewer"], parent=parent, at=at("2026-11-02", 14))
    assert not Case.objects.filter(parent=parent).exists()


def test_an_online_bundle_can_be_refused_in_prereview_with_the_way_forward(zero_visit_bundle, applicant, staff):
    parent = submit(zero_visit_bundle, applicant)
    parent = case_prereview_refuse(actor=staff["clerk"], case=parent, reason="经营场所不在本县",
                                   way_forward="请向经营场所所在地政务服务中心申请", at=at("2026-11-02", 14))
    assert parent.status == Case.Status.NOT_RECEIVED
    assert not Case.objects.filter(parent=parent).exists()


def test_a_bundle_is_applied_for_online_through_the_portal_api(zero_visit_bundle, client):
    from django.core.cache import cache

    from yichuang.portal import services as portal_services
    from yichuang.portal.tests.conftest import ZHANG_ID, sign_up

    cache.clear()
    account = sign_up("13800000001", "张三", ZHANG_ID)
    portal_services.account_password_set(account=account, password="Demo2026ok")
    token = client.post("/api/v1/portal/auth/password", {"mobile": "13800000001", "password": "Demo2026ok"},
                        content_type="application/json").json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    files = {f"m_{k}": v for k, v in uploads_for(zero_visit_bundle, leave_out=("招牌效果图",)).items()}
    refused = client.post(f"/api/v1/portal/bundles/{zero_visit_bundle.code}/apply",
                          {"form": json.dumps(FORM), **files}, **auth)
    assert refused.status_code == 422
    assert "招牌效果图" in json.dumps(refused.json(), ensure_ascii=False)
    assert not Case.objects.exists()
    files = {f"m_{k}": v for k, v in uploads_for(zero_visit_bundle).items()}
    response = client.post(f"/api/v1/portal/bundles/{zero_visit_bundle.code}/apply",
                           {"form": json.dumps(FORM), **files}, **auth)
    assert response.status_code == 201, response.content
    parent = Case.objects.get(number=response.json()["number"])
    assert parent.status == Case.Status.PREREVIEW and parent.applicant == account.applicant
    assert not parent.children.exists()


def test_an_accepted_bundle_cannot_be_withdrawn_online_in_part_or_whole(zero_visit_bundle, applicant, staff):
    from yichuang.cases.errors import CaseActionError
    from yichuang.cases.services_online import case_withdraw_online

    parent = submit(zero_visit_bundle, applicant)
    parent = bundle_prereview_pass(actor=staff["clerk"], parent=parent, at=at("2026-11-02", 14))
    child = Case.objects.filter(parent=parent).first()
    with pytest.raises(CaseActionError, match="不能单独撤回"):
        case_withdraw_online(acted_by=ACTOR, case=child, reason="不想办了")
    with pytest.raises(CaseActionError, match="联系综合受理窗口"):
        case_withdraw_online(acted_by=ACTOR, case=parent, reason="不想办了")
    assert {c.status for c in Case.objects.filter(parent=parent)} <= {Case.Status.ACCEPTED, Case.Status.PROCESSING}
