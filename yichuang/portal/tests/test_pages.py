"""The portal's pages: who may open what, masked numbers, companies and their operators, agents."""

import pytest
from django.urls import reverse

from yichuang.cases import services_online as online
from yichuang.cases.models import CaseEvent
from yichuang.portal import services
from yichuang.portal.errors import PortalError

from .conftest import COMPANY_USCC, LI_ID, ZHANG_ID, apply_online, portal_client

pytestmark = pytest.mark.django_db


def masked(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def test_pages_need_a_portal_sign_in_and_a_staff_login_is_not_one(client, staff):
    response = client.get(reverse("portal:cases"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    client.force_login(staff["clerk"])
    assert client.get(reverse("portal:cases")).status_code == 302


def test_id_number_is_masked_in_every_list(client, zhang, zero_item, staff):
    case = apply_online(zhang, zero_item)
    draft = apply_online(zhang, zero_item, submit=False)
    portal_client(client, zhang)
    pages = [reverse("portal:home"), reverse("portal:cases"), reverse("portal:drafts"), reverse("portal:profile"),
             reverse("portal:case_detail", args=[case.number]), reverse("portal:application", args=[draft.pk])]
    for url in pages:
        body = client.get(url).content.decode()
        assert ZHANG_ID not in body, url
        assert masked(ZHANG_ID) in body, url


def test_another_applicants_case_answers_404(client, zhang, li, zero_item):
    case = apply_online(zhang, zero_item)
    draft = apply_online(zhang, zero_item, submit=False)
    portal_client(client, li)
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 404
    assert client.get(reverse("portal:application", args=[draft.pk])).status_code == 404
    notice = case.notices.first()
    assert client.get(reverse("portal:notice_pdf", args=[case.number, notice.pk])).status_code == 404
    assert client.post(reverse("portal:case_withdraw", args=[case.number]), {"reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == "prereview"


def test_the_applicant_downloads_the_notices_of_their_own_case(client, zhang, zero_item):
    case = apply_online(zhang, zero_item)
    portal_client(client, zhang)
    notice = case.notices.first()
    response = client.get(reverse("portal:notice_pdf", args=[case.number, notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def _company(manager):
    return services.company_register(account=manager, name="示例县好味道餐饮有限公司", uscc=COMPANY_USCC,
                                     legal_representative="王小明").company


def test_a_company_operator_sees_the_companys_cases(client, zhang, li, zero_item):
    company = _company(zhang)
    case = apply_online(zhang, zero_item, as_applicant=company)
    services.company_operator_add(account=zhang, company=company, mobile=li.mobile)
    portal_client(client, li)
    response = client.get(reverse("portal:cases"))
    assert case.number in response.content.decode()
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 200


def test_a_revoked_operator_does_not(client, zhang, li, zero_item):
    company = _company(zhang)
    case = apply_online(zhang, zero_item, as_applicant=company)
    access = services.company_operator_add(account=zhang, company=company, mobile=li.mobile)
    services.company_operator_revoke(account=zhang, access=access)
    portal_client(client, li)
    assert case.number not in client.get(reverse("portal:cases")).content.decode()
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 404


def test_only_the_manager_authorises_operators(zhang, li, wang):
    company = _company(zhang)
    services.company_operator_add(account=zhang, company=company, mobile=li.mobile)
    with pytest.raises(PortalError):
        services.company_operator_add(account=li, company=company, mobile=wang.mobile)


def test_a_company_already_registered_by_another_account_is_refused(zhang, li):
    _company(zhang)
    with pytest.raises(PortalError) as err:
        services.company_register(account=li, name="示例县好味道餐饮有限公司", uscc=COMPANY_USCC,
                                  legal_representative="王小明")
    assert "授权" in str(err.value)


def test_an_operator_acts_for_the_company_and_the_timeline_says_so(zhang, li, zero_item):
    company = _company(zhang)
    services.company_operator_add(account=zhang, company=company, mobile=li.mobile)
    case = apply_online(li, zero_item, as_applicant=company)
    labels = set(CaseEvent.objects.filter(case=case).values_list("actor_label", flat=True))
    assert labels == {"李四（代 示例县好味道餐饮有限公司）"}


def test_a_proxy_action_is_recorded_as_acted_for(client, zhang, li, zero_item):
    case = apply_online(zhang, zero_item)
    services.case_agent_authorise(account=zhang, case=case, agent_mobile=li.mobile)
    portal_client(client, li)
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 200
    response = client.post(reverse("portal:case_withdraw", args=[case.number]), {"reason": "不办了"})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case, action="withdraw").get()
    assert event.actor_label == "李四（代 张三）"
    assert event.data["on_behalf_of"] == "张三" and event.data["account_id"] == li.pk


def test_a_staff_agent_acts_on_the_authorised_case_only(client, zhang, zero_item, staff):
    case = apply_online(zhang, zero_item)
    other = apply_online(zhang, zero_item)
    services.case_agent_authorise(account=zhang, case=case, staff_username=staff["agent"].username)
    client.force_login(staff["agent"])
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 200
    assert client.get(reverse("portal:case_detail", args=[other.number])).status_code == 404
    client.post(reverse("portal:case_withdraw", args=[case.number]), {"reason": "申请人委托撤回"})
    event = CaseEvent.objects.filter(case=case, action="withdraw").get()
    assert event.actor_label == "帮办员 agent（受 张三 委托）" and event.actor_id == staff["agent"].pk


def test_a_revoked_agent_loses_the_case(client, zhang, li, zero_item):
    case = apply_online(zhang, zero_item)
    grant = services.case_agent_authorise(account=zhang, case=case, agent_mobile=li.mobile)
    services.case_agent_revoke(account=zhang, authorisation=grant)
    portal_client(client, li)
    assert client.get(reverse("portal:case_detail", args=[case.number])).status_code == 404


def test_an_agent_cannot_hand_the_case_on(zhang, li, wang, zero_item):
    case = apply_online(zhang, zero_item)
    services.case_agent_authorise(account=zhang, case=case, agent_mobile=li.mobile)
    with pytest.raises(PortalError):
        services.case_agent_authorise(account=li, case=case, agent_mobile=wang.mobile)


def test_the_form_shows_the_servers_message_per_field_and_keeps_what_was_typed(client, zhang, zero_item):
    draft = apply_online(zhang, zero_item, submit=False)
    portal_client(client, zhang)
    response = client.post(reverse("portal:application", args=[draft.pk]),
                           {"f_shop_name": "新名字", "f_staff_count": "很多", "f_contact_mobile": "123", "action": "save"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "「从业人员数」应为整数。" in body and "新名字" in body and "手机号码应为 11 位" in body
    draft.refresh_from_db()
    assert draft.form_data["shop_name"] == "好味道餐厅"  # nothing half-written


def test_submit_refused_lists_the_missing_material_on_its_row(client, zhang, zero_item):
    from yichuang.cases.models import CaseFile

    draft = apply_online(zhang, zero_item, submit=False)
    CaseFile.objects.filter(case=draft).delete()
    draft.materials.update(state="missing")
    portal_client(client, zhang)
    data = {f"f_{k}": v for k, v in {"shop_name": "好味道餐厅", "staff_count": "4", "kind": "餐饮服务",
                                     "contact_mobile": "13800138000"}.items()}
    response = client.post(reverse("portal:application", args=[draft.pk]), {**data, "action": "submit"})
    assert response.status_code == 400
    assert "请上传「食品经营许可申请书」" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_guide_offers_online_application_only_for_online_items(client, zero_item, item):
    assert "在线办理" in client.get(reverse("catalog:guide", args=["SCJG-SPJY-ZERO"])).content.decode()
    assert reverse("portal:apply_start", args=["SCJG-SPJY-001"]) not in client.get(
        reverse("catalog:guide", args=["SCJG-SPJY-001"])).content.decode()


def test_applying_through_the_pages_creates_a_draft_in_the_chosen_name(client, zhang, zero_item):
    portal_client(client, zhang)
    response = client.post(reverse("portal:apply_start", args=["SCJG-SPJY-ZERO"]),
                           {"applicant": zhang.applicant_id, "contact_phone": zhang.mobile})
    assert response.status_code == 302
    case = zhang.applicant.cases.get()
    assert case.status == "draft" and response["Location"] == reverse("portal:application", args=[case.pk])


def test_registration_and_real_name_through_the_pages(client, county):
    from .conftest import last_code

    client.post(reverse("portal:send_code"), {"mobile": "13955556666", "back": "register"})
    response = client.post(reverse("portal:register"), {"mobile": "13955556666", "code": last_code("13955556666"),
                                                        "password": "abc12345"})
    assert response.status_code == 302
    response = client.post(reverse("portal:realname"), {"name": "李四", "id_number": LI_ID})
    assert response.status_code == 302
    body = client.get(reverse("portal:profile")).content.decode()
    assert masked(LI_ID) in body and LI_ID not in body


def test_pages_speak_english(client, zhang):
    portal_client(client, zhang)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My cases" in body and "Online service hall" in body


def test_the_rating_link_is_left_out_unless_the_rating_page_exists(zhang, zero_item):
    from yichuang.portal.views import _rating_url

    case = apply_online(zhang, zero_item)
    url = _rating_url(case)
    try:
        expected = reverse("feedback:rate_online", kwargs={"number": case.number})
    except Exception:
        expected = ""
    assert url == expected


def test_a_returned_application_shows_the_one_time_list_on_its_form(client, zhang, zero_item, staff):
    case = apply_online(zhang, zero_item)
    row = case.materials.first()
    online.case_prereview_return(actor=staff["reviewer"], case=case,
                                 items=[{"material": row.requirement_id, "problem": "模糊不清"}], note="")
    portal_client(client, zhang)
    body = client.get(reverse("portal:application", args=[case.pk])).content.decode()
    assert "模糊不清" in body and "预审退回" in body


def _sent_back(zhang, zero_item, staff):
    from yichuang.cases import services as case_services

    case = apply_online(zhang, zero_item)
    online.case_prereview_pass(actor=staff["reviewer"], case=case)
    case.refresh_from_db()
    plan = case.materials.get(requirement__code="pmt")
    return case_services.case_send_back(actor=staff["reviewer"], case=case,
                                        problems=[{"material": plan.requirement_id, "problem": "请补充面积标注"}])


def test_materials_asked_for_are_supplemented_from_the_case_page(client, zhang, zero_item, staff):
    from .conftest import pdf_upload

    case = _sent_back(zhang, zero_item, staff)
    portal_client(client, zhang)
    body = client.get(reverse("portal:case_detail", args=[case.number])).content.decode()
    assert "需要补正的材料" in body and "请补充面积标注" in body
    plan = case.materials.get(requirement__code="pmt")
    client.post(reverse("portal:case_upload", args=[case.number]), {"material": plan.pk, "file": pdf_upload("新图.pdf")})
    response = client.post(reverse("portal:case_supplement", args=[case.number]), {"note": "已补"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "8"
    assert case.events.filter(action="correction_supplied", actor_label="张三").exists()


def test_a_withdrawn_case_cannot_be_supplemented(client, zhang, zero_item, staff):
    case = _sent_back(zhang, zero_item, staff)
    portal_client(client, zhang)
    client.post(reverse("portal:case_withdraw", args=[case.number]), {"reason": "不再需要"})
    body = client.get(reverse("portal:case_detail", args=[case.number])).content.decode()
    assert "需要补正的材料" not in body and "撤回申请</button>" not in body
    response = client.post(reverse("portal:case_supplement", args=[case.number]), follow=True)
    assert "不能再补正" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "14"


def test_the_online_hall_leads_to_booking_a_visit_and_to_the_accounts_appointments(client, zhang):
    assert reverse("hall:book") in client.get(reverse("portal:home")).content.decode()
    portal_client(client, zhang)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("hall:my_appointments")}"' in home
    mine = client.get(reverse("hall:my_appointments"))
    assert mine.status_code == 200 and "我的预约" in mine.content.decode()
