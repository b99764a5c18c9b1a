"""The demo centre's 网上办事大厅: called by yichuang.demo.seed after the cases (idempotent).

Two ways in for a demo visitor:
- a person, 13800000001 with the password below (or an SMS code read at /dev/sms/), who has a
  零上门 case accepted online, one waiting for pre-review, and a draft;
- a company (示例县云帆科技有限公司) registered by its manager 13800000002, with an operator
  13800000003, and a 最多跑一次 case returned at pre-review, to be fixed and resubmitted.

Everything is made through the portal's and the cases' services, as a person would make it.
A second run finds the demo accounts and changes nothing.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from yichuang.cases.models import Case
from yichuang.catalog.models import FormField, ItemVersion, MaterialRequirement
from yichuang.core.validators import id_number_check_char, uscc_check_char
from yichuang.org.models import Role, User

from . import services
from .acting import actor_for
from .models import Account, CompanyAccess

PERSON_MOBILE = "13800000001"
MANAGER_MOBILE = "13800000002"
OPERATOR_MOBILE = "13800000003"
DEMO_PASSWORD = "Demo2026ok"
PERSON = ("林小雨", "33010219920315" + "208")
MANAGER = ("陈建华", "33010219800612" + "431")
OPERATOR = ("赵敏", "33010219950901" + "562")
COMPANY_NAME = "示例县云帆科技有限公司"
COMPANY_USCC_17 = "91339901MA2D0Y0K3"
LEGAL_REPRESENTATIVE = "陈建华"


def _id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _account(mobile: str, who: tuple[str, str]) -> Account:
    account, _created = services.account_open(mobile=mobile)
    if not account.is_verified:
        account = services.account_verify_person(account=account, name=who[0], id_number=_id(who[1]))
    if not account.password:
        account = services.account_password_set(account=account, password=DEMO_PASSWORD)
    return account


def _pdf(title: str) -> SimpleUploadedFile:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "yichuang demo material")
    canvas.save()
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), content_type="application/pdf")


def _value(field: FormField, account: Account, applicant, today: datetime.date):
    """A plausible answer for a field of any type (the demo fills forms the way a person would)."""
    T = FormField.Type
    if field.type == T.CHOICE:
        return (field.choices or [""])[0]
    if field.type == T.MULTI_CHOICE:
        return (field.choices or [])[:1]
    if field.type == T.BOOLEAN:
        return True
    if field.type == T.INTEGER:
        return int(field.min_value) if field.min_value is not None and field.min_value > 0 else 3
    if field.type == T.DECIMAL:
        return str(field.min_value) if field.min_value is not None and field.min_value > 0 else "50"
    if field.type == T.DATE:
        return (today + datetime.timedelta(days=30)).isoformat()
    if field.type == T.ID_NUMBER:
        return account.id_number
    if field.type == T.USCC:
        return applicant.uscc or COMPANY_USCC_17 + uscc_check_char(COMPANY_USCC_17)
    if field.type == T.MOBILE:
        return account.mobile
    if field.type == T.REGION:
        return applicant_region_code(applicant)
    text = applicant.name if "名称" in field.label or "姓名" in field.label else f"{field.label}（演示）"
    return text[: field.max_length or 500]


def applicant_region_code(applicant) -> str:
    return "339901000000"


def _online_items() -> tuple[ItemVersion | None, ItemVersion | None]:
    """A 零上门 item and a 最多跑一次 item that take applications online and have a reviewer."""
    reviewed = User.objects.filter(roles__code=Role.Code.REVIEWER, is_active=True).values("department_id")
    items = (ItemVersion.objects.filter(item__current=F("pk"), status=ItemVersion.Status.PUBLISHED,
                                        online_depth__gte=ItemVersion.OnlineDepth.RECEIVE,
                                        department_id__in=reviewed, department__centre__isnull=False)
             .select_related("item", "department").order_by("item__implementation_code"))
    zero = items.filter(visits_required=0, for_persons=True).first() or items.filter(visits_required=0).first()
    once = items.filter(visits_required=1, for_companies=True).first() or items.filter(visits_required=1).first()
    return zero, once


def _reviewer(version: ItemVersion) -> User | None:
    return (User.objects.filter(roles__code=Role.Code.REVIEWER, department=version.department, is_active=True)
            .order_by("username").first())


def _apply(account: Account, applicant, version: ItemVersion, today: datetime.date, *, submit: bool) -> Case:
    from yichuang.cases import services_online as online

    actor = actor_for(services.Principal(account=account), applicant)
    case = online.case_draft_create(acted_by=actor, applicant=applicant, item_version=version,
                                    contact_phone=account.mobile)
    form = {f.key: _value(f, account, applicant, today) for f in version.form_fields.all()}
    case = online.case_draft_update(acted_by=actor, case=case, form_data=form)
    for row in case.materials.select_related("requirement"):
        if row.requirement.necessity == MaterialRequirement.Necessity.REQUIRED:
            online.case_online_file_add(acted_by=actor, case=case, material_id=row.pk,
                                        upload=_pdf(row.requirement.name))
    if submit:
        case = online.case_submit_online(acted_by=actor, case=case)
    return case


def seed_demo_portal(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    from yichuang.cases import services_online as online

    if Account.objects.filter(mobile=PERSON_MOBILE).exists():
        return []
    today = today or timezone.localdate()
    zero, once = _online_items()
    lines = []
    person = _account(PERSON_MOBILE, PERSON)
    manager = _account(MANAGER_MOBILE, MANAGER)
    operator = _account(OPERATOR_MOBILE, OPERATOR)
    access = CompanyAccess.objects.filter(account=manager, revoked_at__isnull=True).select_related("company").first()
    if access is None:
        access = services.company_register(account=manager, name=COMPANY_NAME,
                                           uscc=COMPANY_USCC_17 + uscc_check_char(COMPANY_USCC_17),
                                           legal_representative=LEGAL_REPRESENTATIVE)
        services.company_operator_add(account=manager, company=access.company, mobile=OPERATOR_MOBILE)
    lines.append(f"网上办事大厅：个人账号 {PERSON_MOBILE}、单位管理人 {MANAGER_MOBILE}、经办人 {OPERATOR_MOBILE}，"
                 f"密码均为 {DEMO_PASSWORD}（也可用 /dev/sms/ 中的验证码登录）")
    if zero is not None:
        accepted = _apply(person, person.applicant, zero, today, submit=True)
        reviewer = _reviewer(zero)
        if reviewer is not None:
            online.case_prereview_pass(actor=reviewer, case=accepted, note="材料齐全")
        waiting = _apply(person, person.applicant, zero, today, submit=True)
        _apply(person, person.applicant, zero, today, submit=False)
        lines.append(f"网上办件（{zero.name}，零上门）：{accepted.number} 已网上受理，{waiting.number} 待预审，另有草稿 1 份")
    if once is not None:
        returned = _apply(operator, access.company, once, today, submit=True)
        reviewer = _reviewer(once)
        if reviewer is not None:
            row = returned.materials.select_related("requirement").first()
            online.case_prereview_return(
                actor=reviewer, case=returned,
                items=[{"material": row.requirement_id, "problem": "扫描件不清晰，请重新上传"}] if row else [],
                note="" if row else "请补充说明经营范围")
        lines.append(f"网上办件（{once.name}，最多跑一次）：{returned.number} 预审退回，待经办人修改后重新提交")
    return lines
