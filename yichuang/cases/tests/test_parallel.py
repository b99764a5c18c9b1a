# ruff: noqa: F811  (pytest fixtures imported from parallel_setup are test arguments)
"""并联审批: bundles with one form and one checklist, parent and child cases, the join, 统一出件."""

import pytest
from django.core.exceptions import ValidationError

from yichuang.cases import services
from yichuang.cases.errors import CaseActionError
from yichuang.cases.models import Case, ParallelCase
from yichuang.cases.services_parallel import parallel_deliver, parallel_join
from yichuang.catalog.models import Bundle, ItemVersion
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_form
from yichuang.catalog.services import item_version_set_status
from yichuang.catalog.services_bundles import bundle_publish, bundle_upsert
from yichuang.core.models import SmsMessage

from .conftest import at
from .parallel_setup import (  # noqa: F401  (fixtures)
    FORM,
    apply_bundle,
    decide,
    deciders,
    departments,
    restaurant,
    restaurant_data,
    restaurant_items,
)

S = Case.Status


def children_of(parent):
    return {c.item_version.name: c for c in parent.children.select_related("item_version", "department")}


def test_a_shared_field_is_asked_once_and_reaches_every_child(restaurant, apply_bundle):
    fields = {f.key: f for f in bundle_form(restaurant)}
    # 经营者名称 is asked by three items (one through the explicit mapping of 企业名称) and appears once.
    assert list(fields).count("shop_name") == 1
    assert sorted(fields["shop_name"].item_names) == sorted(["企业设立登记", "食品经营许可", "公共场所卫生许可", "户外招牌设置"])
    parent = apply_bundle(restaurant)
    kids = children_of(parent)
    assert kids["企业设立登记"].form_data["company_name"] == FORM["shop_name"]
    for name in ("食品经营许可", "公共场所卫生许可", "户外招牌设置"):
        assert kids[name].form_data["shop_name"] == FORM["shop_name"]
    assert kids["户外招牌设置"].form_data == {"shop_name": FORM["shop_name"], "sign_text": "好味道"}


def test_a_material_needed_by_two_items_is_asked_once(restaurant, apply_bundle):
    checklist = bundle_checklist(restaurant)
    names = [row.name for row in checklist]
    assert names.count("经营场所平面图") == 1
    row = next(r for r in checklist if r.name == "经营场所平面图")
    assert sorted(row.item_names) == ["公共场所卫生许可", "食品经营许可"]
    # The business licence is the result of 企业设立登记 in the same bundle: not asked at all.
    licence = next(r for r in checklist if r.name == "营业执照")
    assert licence.produced_by.name == "企业设立登记"
    parent = apply_bundle(restaurant)
    for child in parent.children.all():
        states = {m.requirement.name: m.state for m in child.materials.select_related("requirement")}
        if "经营场所平面图" in states:
            assert states["经营场所平面图"] == "received"
        if "营业执照" in states:
            assert states["营业执照"] == "na"


def test_a_missing_shared_material_is_told_once_and_nothing_is_created(restaurant, apply_bundle):
    with pytest.raises(CaseActionError) as err:
        apply_bundle(restaurant, **{"经营场所平面图": {"state": "missing"}})
    text = "".join(err.value.messages)
    assert text.count("经营场所平面图") == 1
    assert Case.objects.count() == 0


def test_applying_creates_a_parent_and_one_accepted_child_per_item(restaurant, apply_bundle):
    parent = apply_bundle(restaurant)
    assert parent.status == S.ACCEPTED and parent.limit_days == 10 and parent.due_date is not None
    assert parent.parallel.bundle == restaurant
    kids = children_of(parent)
    assert len(kids) == 4
    for child in kids.values():
        assert child.status == S.ACCEPTED and child.due_date is not None
        assert child.steps.filter(state="open", role="reviewer").exists()
    assert kids["公共场所卫生许可"].department.code == "WJJ"
    # One SMS for the one application.
    messages = SmsMessage.objects.filter(event_key__contains=str(parent.pk))
    assert [m.template for m in messages] == ["bundle_accepted"]
    assert parent.visits == 1 and all(c.visits == 0 for c in kids.values())


def test_all_approved_then_the_parent_is_approved_and_results_are_issued_together(
        restaurant, apply_bundle, deciders, staff):
    parent = apply_bundle(restaurant)
    kids = children_of(parent)
    for i, child in enumerate(kids.values()):
        child = decide(child, deciders)
        assert child.delivery == Case.Delivery.HELD
        parent.refresh_from_db()
        assert parent.status == (S.APPROVED if i == 3 else S.ACCEPTED)
    with pytest.raises(CaseActionError, match="统一出件"):
        services.case_deliver(actor=staff["result"], case=child, method="in_person", collected_by="王小明")
    parent = parallel_deliver(actor=staff["result"], case=parent, method="in_person", collected_by="王小明",
                              at=at("2026-11-04"))
    assert parent.delivery == Case.Delivery.DELIVERED and parent.visits == 2
    assert all(c.delivery == Case.Delivery.DELIVERED for c in parent.children.all())
    assert parent.events.filter(action="bundle_decide").count() == 1


def test_the_parent_cannot_be_issued_while_a_child_runs(restaurant, apply_bundle, deciders, staff):
    parent = apply_bundle(restaurant)
    decide(children_of(parent)["食品经营许可"], deciders)
    with pytest.raises(CaseActionError, match="仍在办理"):
        parallel_deliver(actor=staff["result"], case=parent, method="in_person", collected_by="王小明")


def test_stage_two_starts_only_when_stage_one_is_all_approved(restaurant_items, staff, apply_bundle, deciders):
    bundle, _ = bundle_upsert(actor=None, data=restaurant_data(
        code="staged", mode="staged",
        items=[{"item": "SCJG-QYSL-001", "stage": 1}, {"item": "WJJ-GGCS-001", "stage": 1},
               {"item": "SCJG-SPJY-001", "stage": 2}, {"item": "ZHZF-ZP-001", "stage": 2}]))
    parent = apply_bundle(bundle)
    kids = children_of(parent)
    assert kids["食品经营许可"].status == S.RECEIVED and kids["食品经营许可"].due_date is None
    decide(kids["企业设立登记"], deciders)
    kids = children_of(parent)
    assert kids["食品经营许可"].status == S.RECEIVED and kids["户外招牌设置"].status == S.RECEIVED
    decide(kids["公共场所卫生许可"], deciders, when="2026-11-04")
    kids = children_of(parent)
    assert kids["食品经营许可"].status == S.ACCEPTED and kids["户外招牌设置"].status == S.ACCEPTED
    assert kids["食品经营许可"].accepted_at == at("2026-11-04", 11)
    assert ParallelCase.objects.get(parent=parent).current_stage == 2
    assert parent.events.filter(action="bundle_stage").count() == 1


def test_a_child_denial_tells_the_parent_which_part_failed_why_and_how(restaurant, apply_bundle, deciders):
    parent = apply_bundle(restaurant)
    kids = children_of(parent)
    decide(kids["公共场所卫生许可"], deciders, approve=False, reason="通风设施不符合卫生规范")
    event = parent.events.get(action="bundle_part_failed")
    assert "公共场所卫生许可" in event.summary and "通风设施不符合卫生规范" in event.summary
    assert "重新申请" in event.summary
    sms = SmsMessage.objects.get(template="bundle_part_failed")
    assert "公共场所卫生许可" in sms.text and "通风设施" in sms.text and "继续办理" in sms.text
    # continue: the others go on and the parent is decided when they are.
    kids = children_of(parent)
    assert kids["食品经营许可"].status == S.ACCEPTED
    for name in ("企业设立登记", "食品经营许可", "户外招牌设置"):
        decide(kids[name], deciders)
    parent.refresh_from_db()
    assert parent.status == S.DENIED and "公共场所卫生许可" in parent.decision_reason
    assert parent.parallel.outcome == ParallelCase.Outcome.DENIED
    assert parent.delivery == Case.Delivery.WAITING


def test_a_child_denial_stops_the_others_when_the_bundle_says_so(restaurant_items, apply_bundle, deciders):
    bundle, _ = bundle_upsert(actor=None, data=restaurant_data(code="stop", on_denial="stop"))
    parent = apply_bundle(bundle)
    decide(children_of(parent)["公共场所卫生许可"], deciders, approve=False, reason="通风设施不符合卫生规范")
    kids = children_of(parent)
    assert kids["食品经营许可"].status == S.WITHDRAWN
    parent.refresh_from_db()
    assert parent.status == S.DENIED
    assert parent.events.filter(action="bundle_decide").count() == 1


def test_a_bundle_with_a_suspended_item_cannot_be_published(restaurant, staff):
    item_version_set_status(actor=None, version=ItemVersion.objects.get(name="户外招牌设置", status="published"),
                            status="suspended", reason="规划调整")
    with pytest.raises(ValidationError) as err:
        bundle_publish(actor=staff["supervisor"], bundle=restaurant)
    assert any("户外招牌设置" in m and "暂停办理" in m for m in err.value.messages)


def test_a_bundle_whose_department_has_no_decision_maker_cannot_be_published(restaurant, deciders, staff):
    deciders["zhzf"][1].delete()
    with pytest.raises(ValidationError) as err:
        bundle_publish(actor=None, bundle=restaurant)
    assert any("没有决定人员" in m for m in err.value.messages)


def test_a_suspended_bundle_cannot_be_applied_for(restaurant, apply_bundle):
    from yichuang.catalog.services_bundles import bundle_suspend

    bundle_suspend(actor=None, bundle=restaurant, reason="调整")
    with pytest.raises(CaseActionError, match="暂停办理"):
        apply_bundle(Bundle.objects.get(pk=restaurant.pk))


def test_saving_the_same_bundle_twice_changes_nothing(restaurant):
    again, changed = bundle_upsert(actor=None, data=restaurant_data())
    assert not changed and again.status == Bundle.Status.PUBLISHED


def test_the_join_is_idempotent(restaurant, apply_bundle, deciders):
    parent = apply_bundle(restaurant)
    for child in children_of(parent).values():
        decide(child, deciders)
    parallel_join(parent=parent)
    parallel_join(parent=parent)
    assert parent.events.filter(action="bundle_decide").count() == 1


def test_the_result_windows_ordinary_delivery_of_the_parent_issues_every_result(
        restaurant, apply_bundle, deciders, staff):
    parent = apply_bundle(restaurant)
    for child in children_of(parent).values():
        decide(child, deciders)
    parent.refresh_from_db()
    services.case_deliver(actor=staff["result"], case=parent, method="in_person", collected_by="王小明",
                          expected_version=parent.version)
    assert set(Case.objects.filter(pk__in=[parent.pk, *parent.children.values_list("pk", flat=True)])
               .values_list("delivery", flat=True)) == {Case.Delivery.DELIVERED}


def test_an_immediate_item_in_a_bundle_is_settled_on_the_spot_and_its_result_waits(
        restaurant_items, apply_bundle, deciders):
    from yichuang.catalog.services import item_upsert

    from .conftest import food_licence_data

    item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-QYSL-001", name="企业设立登记", result_name="营业执照", special_procedures=[],
        handling_type=1, promised_limit=0, statutory_limit=0,
        steps=[{"name": "受理并当场办结", "role": "clerk", "budget_days": 0}],
        materials=[{"code": "sqs", "name": "公司登记申请书"}],
        form_fields=[{"key": "company_name", "label": "企业名称"}, {"key": "legal_rep", "label": "法定代表人"}]))
    bundle, _ = bundle_upsert(actor=None, data=restaurant_data(code="with-immediate"))
    parent = apply_bundle(bundle)
    licence = children_of(parent)["企业设立登记"]
    assert licence.status == S.APPROVED and licence.delivery == Case.Delivery.HELD
    parent.refresh_from_db()
    assert parent.status == S.ACCEPTED
