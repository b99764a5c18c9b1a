"""The front-desk console (综合窗口): access, the one-page acceptance, the case page, the agent ledger."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yichuang.cases import services
from yichuang.cases.forms_front import Checklist, application_form, offered_states
from yichuang.cases.models import Applicant, Case, CaseMaterial, Notice
from yichuang.catalog.models import FormField, MaterialRequirement
from yichuang.catalog.services import item_upsert

from .conftest import food_licence_data, material_ids

CODE = "SCJG-SPJY-001"
NEW_USCC = "91330100MA2B3C4D5N"
NEW_URL = f"/desk/new/{CODE}/"


@pytest.fixture
def clerk_client(client, staff):
    client.force_login(staff["clerk"])
    return client


def acceptance_post(item, staff, action="accept", *, uscc=NEW_USCC, name="示例县一品鲜餐饮店", **states) -> dict:
    """The one-page form as a clerk fills it: every necessary material received unless told otherwise."""
    data = {
        "a-kind": "company", "a-uscc": uscc, "a-name": name, "a-phone": "13900139000",
        "a-address": "示例县城关镇解放街 36 号", "a-legal_representative": "李四",
        "first_contact": str(staff["clerk"].pk), "agent_staff": "", "action": action, "f-shop_name": "一品鲜",
    }
    for requirement in MaterialRequirement.objects.filter(version=item):
        value = states.get(requirement.code)
        if value is None:
            value = {"state": "na" if requirement.necessity == "optional" else "received"}
        elif isinstance(value, str):
            value = {"state": value}
        data[f"m{requirement.pk}-state"] = value["state"]
        data[f"m{requirement.pk}-note"] = value.get("note", "")
        data[f"m{requirement.pk}-promised_on"] = value.get("promised_on", "")
    return data


def case_post(case: Case, **fields) -> dict:
    return {"expected_version": str(case.version), **fields}


def checklist_post(case: Case, **states) -> dict:
    data = case_post(case)
    for row in case.materials.select_related("requirement"):
        state = states.get(row.requirement.code, "na" if row.requirement.necessity == "optional" else "received")
        data[f"m{row.requirement_id}-state"] = state
        data[f"m{row.requirement_id}-note"] = ""
        data[f"m{row.requirement_id}-promised_on"] = ""
    return data


def in_a_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_desk_requires_login(client, county):
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_reviewer_is_forbidden_the_front_desk(client, staff):
    client.force_login(staff["reviewer"])
    assert client.get("/desk/").status_code == 403
    assert client.get(NEW_URL).status_code == 403


@pytest.mark.django_db
def test_the_agent_ledger_is_for_agents_only(clerk_client):
    assert clerk_client.get("/desk/agent/").status_code == 403


@pytest.mark.django_db
def test_a_clerk_of_another_centre_gets_404_on_a_case(client, staff, receive):
    case = receive()
    client.force_login(staff["town_clerk"])
    assert client.get(f"/desk/case/{case.pk}/").status_code == 404
    response = client.post(f"/desk/case/{case.pk}/withdraw/", case_post(case, reason="不办了"))
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED


@pytest.mark.django_db
def test_an_item_outside_the_centres_scope_cannot_be_received_there(client, staff, item):
    client.force_login(staff["town_clerk"])
    response = client.get(NEW_URL)
    assert response.status_code == 403
    assert "不在" in response.content.decode() and "通办范围" in response.content.decode()


# --- the item finder --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_finder_finds_by_part_of_the_name_code_and_pinyin_initials(clerk_client, item):
    for query in ("经营许可", "SPJY-001", "spjy"):
        response = clerk_client.get("/desk/items/", {"q": query}, HTTP_HX_REQUEST="true")
        assert f'href="{NEW_URL}"' in response.content.decode(), query


@pytest.mark.django_db
def test_the_finder_lists_only_items_the_centre_may_accept(client, staff, item):
    client.force_login(staff["town_clerk"])
    response = client.get("/desk/items/", {"q": "spjy"}, HTTP_HX_REQUEST="true")
    assert NEW_URL not in response.content.decode()
    assert "没有可受理" in response.content.decode()


@pytest.mark.django_db
def test_enter_in_the_finder_opens_the_top_result(clerk_client, item):
    response = clerk_client.get("/desk/", {"q": "食品经营", "go": "1"})
    assert response.status_code == 302 and response["Location"] == NEW_URL


@pytest.mark.django_db
def test_a_called_hall_ticket_stays_on_every_way_to_an_item(clerk_client, item):
    """The window console opens the desk with ?ticket=&number=; whichever way the clerk picks the item, the
    form must still know the ticket, so it fills in the called person's details."""
    carried = {"ticket": "17", "number": "A001"}
    response = clerk_client.get("/desk/", {"q": "食品经营", "go": "1", **carried})
    assert response["Location"] == f"{NEW_URL}?ticket=17&number=A001"
    home = clerk_client.get("/desk/", {"q": "食品经营", **carried}).content.decode()
    assert f'href="{NEW_URL}?ticket=17&amp;number=A001"' in home and "正在为 A001 号办理" in home
    assert 'name="ticket" value="17"' in home  # the finder's Enter and its live results keep it too
    results = clerk_client.get("/desk/items/", {"q": "spjy", **carried}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="{NEW_URL}?ticket=17&amp;number=A001"' in results
    # Anything that is not a ticket id is dropped, not echoed into the page.
    sneaky = clerk_client.get("/desk/", {"q": "食品经营", "ticket": "1<script>", "number": "A001"}).content.decode()
    assert "?ticket=" not in sneaky and "正在为" not in sneaky and "1<script>" not in sneaky


# --- the one-page acceptance ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_offers_deferral_only_for_deferrable_materials(clerk_client, item):
    html = clerk_client.get(NEW_URL).content.decode()
    ids = material_ids(item)
    assert f'name="m{ids["zd"]}-state" value="deferred"' in html
    for code in ("sqs", "pmt", "wts"):
        assert f'name="m{ids[code]}-state" value="deferred"' not in html
    assert f'name="m{ids["zd"]}-promised_on"' in html and f'name="m{ids["sqs"]}-promised_on"' not in html
    # 不适用 is for optional materials only.
    assert f'name="m{ids["wts"]}-state" value="na"' in html
    assert f'name="m{ids["sqs"]}-state" value="na"' not in html


@pytest.mark.django_db
def test_deferral_of_a_required_material_is_refused_with_the_input_kept(clerk_client, staff, item):
    data = acceptance_post(item, staff, pmt={"state": "deferred", "promised_on": in_a_week()})
    response = clerk_client.post(NEW_URL, data)
    assert response.status_code == 400
    assert "请选择「经营场所平面图」的核验结果" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_one_page_accept_creates_the_case_and_the_acceptance_notice(clerk_client, staff, item):
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/case/{case.pk}/"
    assert case.status == Case.Status.ACCEPTED
    assert case.due_date is not None
    assert case.applicant.uscc == NEW_USCC and case.applicant.legal_representative == "李四"
    assert case.form_data == {"shop_name": "一品鲜"}
    assert case.first_contact == staff["clerk"]
    kinds = set(case.notices.values_list("kind", flat=True))
    assert {Notice.Kind.RECEIPT, Notice.Kind.ACCEPTANCE} <= kinds
    page = clerk_client.get(response["Location"]).content.decode()
    assert case.number in page
    notice = case.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert f"/office/case/{case.pk}/notice/{notice.pk}.pdf" in page
    assert f"{case.due_date.year}年{case.due_date.month}月{case.due_date.day}日" in page


@pytest.mark.django_db
def test_accept_with_a_missing_material_keeps_the_case_received_and_says_what_is_missing(clerk_client, staff, item):
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff, pmt="missing"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == Case.Status.RECEIVED
    assert not case.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
    page = clerk_client.get(response["Location"]).content.decode()
    assert "「经营场所平面图」缺少" in page
    assert "出具一次性告知书" in page


@pytest.mark.django_db
def test_accept_with_deferral_records_the_promise_date(clerk_client, staff, item):
    promised = in_a_week()
    clerk_client.post(NEW_URL, acceptance_post(item, staff, zd={"state": "deferred", "promised_on": promised}))
    case = Case.objects.get()
    assert case.status == Case.Status.ACCEPTED
    row = case.materials.get(requirement__code="zd")
    assert row.state == CaseMaterial.State.DEFERRED and row.promised_on.isoformat() == promised


@pytest.mark.django_db
def test_a_deferral_without_a_promise_date_is_refused_next_to_its_row(clerk_client, staff, item):
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff, zd="deferred"))
    assert response.status_code == 400
    assert "「食品安全管理制度」容缺后补，请填写承诺补齐日期" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_defective_material_needs_its_reason(clerk_client, staff, item):
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff, action="correction", pmt="defective"))
    assert response.status_code == 400
    assert "请写明「经营场所平面图」哪里不符合要求" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_refused_service_leaves_nothing_and_keeps_every_input(clerk_client, staff, item):
    # Everything is received: the correction service says there is nothing to correct.
    data = acceptance_post(item, staff, action="correction", name="一个不会被登记的名称")
    data.update({"agent_name": "张三", "agent_id_number": "33010219800101123X", "agent_power_of_attorney": "on"})
    response = clerk_client.post(NEW_URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "没有缺少或不符合要求的材料，无需补正" in html
    assert not Case.objects.exists()
    assert 'value="一个不会被登记的名称"' in html and 'value="张三"' in html and 'value="一品鲜"' in html


@pytest.mark.django_db
def test_a_bad_uscc_is_shown_next_to_its_field(clerk_client, staff, item):
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff, uscc="91330100MA2B3C4D5A"))
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_a-uscc"[^>]*>\s*<ul class="errorlist"[^>]*><li>统一社会信用代码校验位不正确', html)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_agent_without_power_of_attorney_is_refused_next_to_the_checkbox(clerk_client, staff, item):
    data = acceptance_post(item, staff)
    data.update({"agent_name": "张三", "agent_id_number": "33010219800101123X"})
    response = clerk_client.post(NEW_URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'已提交授权委托书</label><ul class="errorlist"[^>]*><li>代理人办理须提交授权委托书', html)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_refusal_needs_reason_basis_and_way_forward(clerk_client, staff, item):
    data = acceptance_post(item, staff, action="refuse")
    data["reason"] = "不属于本机关职权范围"
    response = clerk_client.post(NEW_URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请写明法律依据" in html and "请告知申请人如何才能办理" in html
    assert "不属于本机关职权范围" in html
    assert not Case.objects.exists()
    data.update({"legal_basis": "《行政许可法》第三十二条", "way_forward": "请向示例县卫生健康局申请"})
    response = clerk_client.post(NEW_URL, data)
    case = Case.objects.get()
    assert case.status == Case.Status.REFUSED
    assert case.notices.filter(kind=Notice.Kind.REFUSAL).exists()


@pytest.mark.django_db
def test_immediate_items_are_settled_on_the_spot(clerk_client, staff, immediate_item):
    data = acceptance_post(immediate_item, staff, action="immediate")
    response = clerk_client.post("/desk/new/SCJG-XCY-001/", data)
    assert response.status_code == 400 and "请填写当场领取结果的人的姓名" in response.content.decode()
    data["collected_by"] = "李四"
    clerk_client.post("/desk/new/SCJG-XCY-001/", data)
    case = Case.objects.get()
    assert case.status == Case.Status.APPROVED and case.delivery == Case.Delivery.DELIVERED
    assert case.delivery_record.collected_by == "李四"


@pytest.mark.django_db
def test_the_immediate_button_is_offered_only_for_immediate_items(clerk_client, item, immediate_item):
    assert 'value="immediate"' not in clerk_client.get(NEW_URL).content.decode()
    assert 'value="immediate"' in clerk_client.get("/desk/new/SCJG-XCY-001/").content.decode()


@pytest.mark.django_db
def test_hand_over_to_an_agent_puts_the_case_in_their_ledger(client, clerk_client, staff, item):
    data = acceptance_post(item, staff)
    data["agent_staff"] = str(staff["agent"].pk)
    clerk_client.post(NEW_URL, data)
    case = Case.objects.get()
    assert case.agent_staff == staff["agent"]
    client.force_login(staff["agent"])
    html = client.get("/desk/agent/").content.decode()
    assert case.number in html and f"/desk/case/{case.pk}/" in html
    assert "alarm-normal" in html
    assert client.get(f"/desk/case/{case.pk}/").status_code == 200


# --- the correction round trip on the case page --------------------------------------------------


@pytest.mark.django_db
def test_correction_then_supply_then_accept(clerk_client, staff, item):
    ids = material_ids(item)
    response = clerk_client.post(NEW_URL, acceptance_post(item, staff, action="correction", pmt="missing"))
    case = Case.objects.get()
    assert response["Location"] == f"/desk/case/{case.pk}/"
    assert case.status == Case.Status.CORRECTION
    notice = case.notices.get(kind=Notice.Kind.CORRECTION)
    assert [i["name"] for i in notice.content["items"]] == ["经营场所平面图"]
    page = clerk_client.get(response["Location"]).content.decode()
    assert "登记补正材料" in page and f'name="supplied" value="{ids["pmt"]}"' in page

    response = clerk_client.post(f"/desk/case/{case.pk}/supplied/", case_post(case, supplied=[str(ids["pmt"])]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED

    response = clerk_client.post(f"/desk/case/{case.pk}/accept/", checklist_post(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.due_date is not None
    assert case.visits == 2


@pytest.mark.django_db
def test_supply_needs_at_least_one_ticked_material(clerk_client, staff, item):
    clerk_client.post(NEW_URL, acceptance_post(item, staff, action="correction", pmt="missing"))
    case = Case.objects.get()
    response = clerk_client.post(f"/desk/case/{case.pk}/supplied/", case_post(case))
    assert response.status_code == 400 and "请勾选申请人这次补交的材料" in response.content.decode()


@pytest.mark.django_db
def test_a_second_correction_needs_a_supervisor(clerk_client, staff, item):
    ids = material_ids(item)
    clerk_client.post(NEW_URL, acceptance_post(item, staff, action="correction", pmt="missing"))
    case = Case.objects.get()
    clerk_client.post(f"/desk/case/{case.pk}/supplied/", case_post(case, supplied=[str(ids["pmt"])]))
    case.refresh_from_db()
    page = clerk_client.get(f"/desk/case/{case.pk}/").content.decode()
    assert "再次出具一次性告知书" in page and "须经监察人员批准" in page

    data = checklist_post(case, sqs="missing")
    # Naming a supervisor on the clerk's page approves nothing.
    data["approved_by"] = str(staff["supervisor"].pk)
    response = clerk_client.post(f"/desk/case/{case.pk}/correction/", data)
    assert response.status_code == 400 and "须经监察人员批准" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED

    # The supervisor approves from the office's case page, as themselves.
    supervisor = Client()
    supervisor.force_login(staff["supervisor"])
    office = supervisor.get(f"/office/case/{case.pk}/").content.decode()
    assert 'id="action-approve_correction"' in office
    response = supervisor.post(f"/office/case/{case.pk}/correction/approve/",
                               {"expected_version": case.version, "reason": "申请书签字与法定代表人不符"})
    assert response.status_code == 302
    assert 'id="action-approve_correction"' not in supervisor.get(f"/office/case/{case.pk}/").content.decode()
    page = clerk_client.get(f"/desk/case/{case.pk}/").content.decode()
    assert "已于" in page and "申请书签字与法定代表人不符" in page

    response = clerk_client.post(f"/desk/case/{case.pk}/correction/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.corrections.count() == 2
    assert case.corrections.get(round=2).approved_by == staff["supervisor"]


@pytest.mark.django_db
def test_accept_refused_on_the_case_page_keeps_the_ticks(clerk_client, staff, receive):
    case = receive(pmt="missing")
    response = clerk_client.post(f"/desk/case/{case.pk}/accept/", checklist_post(case, pmt="missing", zd="defective"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "请写明「食品安全管理制度」哪里不符合要求" in html
    zd = case.materials.get(requirement__code="zd").requirement_id
    assert f'name="m{zd}-state" value="defective" checked' in html


@pytest.mark.django_db
def test_a_stale_page_gets_a_conflict_message(clerk_client, staff, receive):
    case = receive()
    stale = case.version
    services.case_accept(actor=staff["clerk2"], case=case, expected_version=stale)
    response = clerk_client.post(f"/desk/case/{case.pk}/withdraw/", {"expected_version": stale, "reason": "不办了"})
    assert response.status_code == 409
    assert "已被他人处理，请刷新" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


@pytest.mark.django_db
def test_withdraw_needs_a_reason_and_then_ends_the_case(clerk_client, receive):
    case = receive()
    response = clerk_client.post(f"/desk/case/{case.pk}/withdraw/", case_post(case, reason=""))
    assert response.status_code == 400 and "请记录申请人撤回的原因" in response.content.decode()
    clerk_client.post(f"/desk/case/{case.pk}/withdraw/", case_post(case, reason="申请人暂不办理"))
    case.refresh_from_db()
    assert case.status == Case.Status.CANCELLED


@pytest.mark.django_db
def test_refuse_from_the_case_page(clerk_client, receive):
    case = receive()
    response = clerk_client.post(f"/desk/case/{case.pk}/refuse/", case_post(
        case, reason="不属于本机关职权", legal_basis="《行政许可法》第三十二条", way_forward="向县卫健局申请"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED


@pytest.mark.django_db
def test_hand_an_existing_case_to_an_agent(clerk_client, staff, receive):
    case = receive()
    response = clerk_client.post(f"/desk/case/{case.pk}/assign_agent/", case_post(case, agent=str(staff["agent"].pk)))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.agent_staff == staff["agent"]


@pytest.mark.django_db
def test_supplementing_deferred_materials_releases_the_result(clerk_client, staff, receive):
    case = receive(zd={"state": "deferred", "promised_on": in_a_week()})
    case = services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version)
    zd = case.materials.get(requirement__code="zd").requirement_id
    page = clerk_client.get(f"/desk/case/{case.pk}/").content.decode()
    assert "容缺材料补齐" in page and f'name="supplemented" value="{zd}"' in page
    response = clerk_client.post(f"/desk/case/{case.pk}/supplement/", case_post(case, supplemented=[str(zd)]))
    assert response.status_code == 302
    assert case.materials.get(requirement_id=zd).state == CaseMaterial.State.RECEIVED


@pytest.mark.django_db
def test_a_page_without_its_version_is_asked_to_reload(clerk_client, receive):
    case = receive()
    response = clerk_client.post(f"/desk/case/{case.pk}/withdraw/", {"reason": "不办了"})
    assert response.status_code == 400 and "页面已过期，请刷新后再操作" in response.content.decode()


# --- the applicant lookup --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_known_applicant_is_filled_in(clerk_client, applicant):
    html = clerk_client.get("/desk/applicant/", {"a-kind": "company", "a-uscc": applicant.uscc.lower()}).content.decode()
    assert "已登记的申请人" in html
    assert f'value="{applicant.name}"' in html and 'value="王小明"' in html and 'value="13800138000"' in html


@pytest.mark.django_db
def test_an_unknown_applicant_keeps_what_was_typed(clerk_client, county):
    html = clerk_client.get("/desk/applicant/", {"a-kind": "company", "a-uscc": NEW_USCC, "a-name": "新公司"}).content.decode()
    assert "新申请人" in html and 'value="新公司"' in html


@pytest.mark.django_db
def test_a_wrong_number_is_pointed_out_while_typing(clerk_client, county):
    html = clerk_client.get("/desk/applicant/", {"a-kind": "person", "a-id_number": "330102198001011230"}).content.decode()
    assert "身份证号码校验位不正确" in html
    assert "检验" not in html
    html = clerk_client.get("/desk/applicant/", {"a-kind": "person", "a-id_number": "3301"}).content.decode()
    assert "校验位" not in html and 'name="a-id_number"' in html


@pytest.mark.django_db
def test_a_person_applicant_is_registered_by_id_number(clerk_client, staff, item):
    data = acceptance_post(item, staff)
    del data["a-uscc"]
    data.update({"a-kind": "person", "a-id_number": "33010219800101123x", "a-name": "赵六"})
    clerk_client.post(NEW_URL, data)
    applicant = Case.objects.get().applicant
    assert applicant.kind == Applicant.Kind.PERSON and applicant.masked_id == "3301**********123X"


# --- the application form (reused by the online hall) ----------------------------------------------


def _spec(key, type_, **kw):
    return FormField(key=key, label=kw.pop("label", key), type=type_, required=kw.pop("required", True), **kw)


def test_the_application_form_checks_types_and_says_which_field():
    fields = [
        _spec("count", "integer", label="从业人数"), _spec("area", "decimal", label="面积"),
        _spec("born", "date", label="成立日期"), _spec("kind", "choice", choices=["甲", "乙"]),
        _spec("items", "multi_choice", label="经营项目", choices=["A", "B", "C"]),
        _spec("chain", "boolean", label="是否连锁"), _spec("id", "id_number"), _spec("mobile", "mobile"),
        _spec("note", "textarea", required=False),
    ]
    form = application_form(fields, {"f-count": "三", "f-area": "12.5", "f-born": "2026-13-01", "f-kind": "丙",
                                     "f-id": "330102198001011230", "f-mobile": "123"})
    assert not form.is_valid()
    assert form.errors["count"] == ["「从业人数」应为整数。"]
    assert form.errors["born"] == ["「成立日期」应为日期，格式 年-月-日。"]
    assert form.errors["kind"] == ["「kind」请从列表中选择。"]
    assert form.errors["items"] == ["请至少选择一项「经营项目」。"]
    assert form.errors["chain"] == ["请选择「是否连锁」：是或否。"]
    assert "校验位不正确" in form.errors["id"][0]
    assert "手机号码应为 11 位" in form.errors["mobile"][0]
    assert "area" not in form.errors and "note" not in form.errors


def test_the_application_form_stores_plain_json():
    fields = [_spec("area", "decimal"), _spec("born", "date"), _spec("items", "multi_choice", choices=["A", "B"]),
              _spec("chain", "boolean"), _spec("id", "id_number"), _spec("mobile", "mobile"),
              _spec("note", "text", required=False)]
    form = application_form(fields, {"f-area": "36.50", "f-born": "2020-05-01", "f-items": ["A", "B"], "f-chain": "no",
                                     "f-id": "33010219800101123x", "f-mobile": "+86 139 0013 9000"})
    assert form.is_valid(), form.errors
    assert form.form_data() == {"area": "36.5", "born": "2020-05-01", "items": ["A", "B"], "chain": False,
                                "id": "33010219800101123X", "mobile": "13900139000", "note": ""}


def test_deferral_is_offered_only_for_deferrable_requirements():
    def states(necessity):
        return offered_states(MaterialRequirement(name="x", necessity=necessity))

    assert "deferred" in states("deferrable")
    assert "deferred" not in states("required") and "deferred" not in states("optional")
    assert "na" in states("optional") and "na" not in states("required")
    checklist = Checklist([MaterialRequirement(pk=1, name="申请书", necessity="required")], {"m1-state": "deferred"})
    assert not checklist.is_valid()


# --- speed: the pages a clerk uses all day don't grow queries with their rows ---------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_rows(clerk_client, staff, receive, django_assert_max_num_queries):
    first = receive()
    services.case_assign_agent(actor=staff["clerk"], case=first, agent=staff["agent"], expected_version=first.version)
    client = Client()
    client.force_login(staff["agent"])
    few = (_count(clerk_client, "/desk/"), _count(client, "/desk/agent/"))
    for _ in range(6):
        case = receive()
        services.case_assign_agent(actor=staff["clerk"], case=case, agent=staff["agent"], expected_version=case.version)
    many = (_count(clerk_client, "/desk/"), _count(client, "/desk/agent/"))
    assert few == many
    with django_assert_max_num_queries(12):
        clerk_client.get("/desk/")
    with django_assert_max_num_queries(8):
        client.get("/desk/agent/")


@pytest.mark.django_db
def test_the_case_page_and_the_form_take_a_bounded_number_of_queries(clerk_client, staff, item, receive,
                                                                    django_assert_max_num_queries):
    case = receive(pmt="missing")
    with django_assert_max_num_queries(20):
        assert clerk_client.get(f"/desk/case/{case.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert clerk_client.get(NEW_URL).status_code == 200
    with django_assert_max_num_queries(10):
        clerk_client.get("/desk/items/", {"q": "食品"}, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_the_item_finder_query_count_does_not_grow_with_matches(clerk_client, item, django_assert_max_num_queries):
    for n in range(8):
        item_upsert(actor=None, data=food_licence_data(implementation_code=f"SCJG-SPJY-9{n}", name=f"食品经营许可{n}"))
    with django_assert_max_num_queries(10):
        response = clerk_client.get("/desk/items/", {"q": "食品"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('href="/desk/new/') == 9


def test_a_ticket_called_to_the_clerks_window_prefills_the_applicant(client, staff, county, item):
    from yichuang.hall.models import Ticket

    fields = {f.name for f in Ticket._meta.get_fields()}
    assert {"id_number", "phone", "window"} <= fields
    handoff = type("Handoff", (), {"number": "A012", "line_name": "综合受理", "window_number": "A01",
                                   "category_label": "", "id_number": "11010519491231002X", "phone": "13800138000",
                                   "appointment_name": "", "item_code": ""})()
    from unittest import mock

    client.force_login(staff["clerk"])
    with mock.patch("yichuang.hall.selectors.ticket_handoff", return_value=handoff) as lookup:
        response = client.get(f"/desk/new/{item.item.implementation_code}/?ticket=7")
    lookup.assert_called_once()
    body = response.content.decode()
    assert "11010519491231002X" in body and "A012" in body
