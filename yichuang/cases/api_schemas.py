"""Input and output shapes of the case API (办件接口).

Personal numbers never leave in clear: the applicant's ID number and phone are masked, the
agent's ID number is not returned at all. A company's USCC is public and returned whole.
"""

import datetime
from typing import Annotated, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from yichuang.core.calendar import add_workdays, workdays_between

from .models import Applicant, Case, CaseMaterial, Delivery


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would also read a number as a Unix time (0 is 1970-01-01)."""
    if value is None or isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("date_parsing", "date must be YYYY-MM-DD") from None


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]

# Times in the centre's zone (+08:00), as people there read them, not in UTC.
LocalDateTime = Annotated[datetime.datetime, AfterValidator(timezone.localtime)]

# The services mark a step sent back to the front desk with this opinion until it reopens.
SENT_BACK_MARKER = "__sent_back__"

VERSION_DESCRIPTION = "办件版本号（详情中的 version）。填写时若办件已被他人改动，返回 409，请重新读取后再操作。"


def mask_phone(value: str) -> str:
    """138****8000: enough to recognise a number, not enough to call it."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# --- errors ---------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(..., description="出错的字段（如 applicant.id_number、materials.0.code）；与具体字段无关时为空")
    message: str = Field(..., description="出错原因和处理办法")
    code: str = Field("", description="错误代码，如 state（状态不允许）、conflict（版本冲突）、role（角色不符）")


class ErrorOut(Schema):
    detail: str = Field(..., description="出错原因")
    errors: list[FieldError] = Field(default_factory=list, description="逐项的错误")


# --- inputs ---------------------------------------------------------------------------------


class MaterialRef(Schema):
    code: str | None = Field(None, max_length=40, description="材料代码（事项材料清单中的 code）")
    requirement_id: int | None = Field(None, ge=1, description="材料要求编号（与 code 二选一）")


class MaterialIn(MaterialRef):
    state: CaseMaterial.State = Field(
        ..., description="核验结果：received 已收，missing 缺少，defective 不符合要求，deferred 容缺后补，na 不适用"
    )
    note: str = Field("", max_length=300, description="说明，如不符合要求的原因；不适用须注明理由")
    promised_on: IsoDate | None = Field(None, description="容缺后补的承诺补齐日期（YYYY-MM-DD，须晚于今天）")


class ApplicantIn(Schema):
    kind: Applicant.Kind = Field(..., description="person 自然人，company 法人或其他组织")
    name: str = Field(..., min_length=1, max_length=200, description="姓名或单位名称")
    id_number: str = Field("", max_length=18, description="自然人的身份证号码")
    uscc: str = Field("", max_length=18, description="法人的统一社会信用代码")
    phone: str = Field("", max_length=20, description="手机号")
    address: str = Field("", max_length=300, description="地址")
    legal_representative: str = Field("", max_length=60, description="法定代表人")


class ReceiveIn(Schema):
    item_code: str = Field(..., min_length=1, max_length=64, description="事项实施编码（接件使用事项现行发布版本）")
    applicant: ApplicantIn = Field(..., description="申请人：按身份证号码或统一社会信用代码查找，没有则登记")
    centre: str | None = Field(None, max_length=12, description="受理中心（站点）编码；不填为当前账号所在中心")
    window: str | None = Field(None, max_length=10, description="受理窗口号，如 A01")
    channel: Case.Channel = Field(Case.Channel.WINDOW, description="渠道：window 窗口，online 网上，town 乡镇（村）服务点，self_service 自助终端")
    materials: list[MaterialIn] = Field(default_factory=list, description="材料核验结果；未列出的材料记为缺少")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容：字段代码 → 值，按事项的表单结构"
                                      "（GET /api/v1/portal/items/{实施编码}/form）；必填项须填写，每个值按字段类型校验")
    contact_phone: str = Field("", max_length=20, description="本次办件的联系电话；不填用申请人的电话")
    agent_name: str = Field("", max_length=60, description="代理人姓名（委托办理时）")
    agent_id_number: str = Field("", max_length=18, description="代理人身份证号码（只保存，不在接口中返回）")
    agent_power_of_attorney: bool = Field(False, description="已提交授权委托书（委托办理时必须）")
    first_contact: str | None = Field(None, max_length=150, description="首问负责人用户名；不填为当前账号")


class VersionIn(Schema):
    expected_version: int | None = Field(None, ge=1, description=VERSION_DESCRIPTION)


class AcceptIn(VersionIn):
    materials: list[MaterialIn] = Field(default_factory=list, description="受理前更新的材料核验结果（可选）")


class CorrectionIn(VersionIn):
    materials: list[MaterialIn] = Field(default_factory=list, description="更新的材料核验结果（可选）")
    other_problems: list[str] = Field(default_factory=list, description="材料以外需补正的内容，每项一条")


class ApproveCorrectionIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="为何需要再次告知，如：补正材料中出现新的问题")


class CorrectionSuppliedIn(VersionIn):
    materials: list[MaterialIn] = Field(..., min_length=1, description="申请人补来的材料及核验结果")


class RefuseIn(VersionIn):
    reason: str = Field(..., min_length=1, max_length=2000, description="不予受理的理由")
    legal_basis: str = Field(..., min_length=1, max_length=2000, description="法律依据")
    way_forward: str = Field(..., min_length=1, max_length=2000, description="如何才能办理（告知申请人的途径）")


class ImmediateIn(VersionIn):
    collected_by: str = Field(..., min_length=1, max_length=60, description="当场领取结果的人")
    opinion: str = Field("", max_length=2000, description="办理意见；不填为“材料齐全，符合法定条件，当场办结。”")


class AgentIn(VersionIn):
    agent: str = Field(..., min_length=1, max_length=150, description="帮办代办员的用户名")


class OpinionIn(VersionIn):
    opinion: str = Field(..., min_length=1, max_length=2000, description="审查意见")


class SendBackProblem(Schema):
    material: str | int | None = Field(None, description="需补正的材料：材料代码或材料要求编号；其他问题留空")
    problem: str = Field(..., min_length=1, max_length=300, description="需补正的内容和原因")


class SendBackIn(VersionIn):
    problems: list[SendBackProblem] = Field(..., min_length=1, description="需申请人补正的全部内容（一次性告知）")


class SpecialStartIn(VersionIn):
    procedure: str = Field(..., min_length=1, max_length=30, description="特别程序代码，如 site_survey 现场踏勘、hearing 听证（须为事项允许的）")
    reason: str = Field(..., min_length=1, max_length=2000, description="事由")
    expected_days: int = Field(..., ge=1, le=365, description="预计所需工作日数（书面告知申请人）")


class SpecialEndIn(VersionIn):
    result: str = Field(..., min_length=1, max_length=2000, description="特别程序的结果")


class ExtensionRequestIn(VersionIn):
    days: int = Field(..., ge=1, le=30, description="延长的工作日数（法定最多 10 个）")
    reason: str = Field(..., min_length=1, max_length=2000, description="延期理由（将书面告知申请人）")


class ExtensionDecideIn(VersionIn):
    approve: bool = Field(..., description="true 批准，false 不批准")


class DecideIn(VersionIn):
    approve: bool = Field(..., description="true 准予许可，false 不予许可")
    reason: str = Field(..., min_length=1, max_length=2000, description="决定意见或不予许可的理由")
    legal_basis: str = Field("", max_length=2000, description="法律依据；准予时不填用事项的设定依据，不予许可时必填")
    way_forward: str = Field("", max_length=2000, description="如何才能办成（不予许可时必填）")


class SupplementIn(VersionIn):
    materials: list[MaterialRef] = Field(..., min_length=1, description="已补齐的容缺后补材料")


class DeliverIn(VersionIn):
    method: Delivery.Method = Field(..., description="in_person 窗口领取，post 邮寄送达，electronic 电子送达")
    collected_by: str = Field("", max_length=60, description="领取人姓名（窗口领取时必填）")
    collector_id_last4: str = Field("", max_length=4, description="领取人证件号码后四位")
    address: str = Field("", max_length=300, description="邮寄地址（邮寄时必填）")
    recipient: str = Field("", max_length=60, description="收件人（邮寄时必填）")
    recipient_phone: str = Field("", max_length=20, description="收件人手机号")
    carrier: str = Field("", max_length=40, description="快递公司（邮寄时必填）")
    tracking_number: str = Field("", max_length=40, description="运单号（邮寄时必填）")


class ReasonIn(VersionIn):
    reason: str = Field(..., min_length=1, max_length=2000, description="原因")


class VisitIn(VersionIn):
    purpose: str = Field(..., min_length=1, max_length=200, description="到现场的事由，如：补交材料、领取结果")


class CaseFilters(Schema):
    status: Case.Status | None = Field(None, description="状态代码（国家交换规范），如 3 已受理、8 部门办理中、11 办结（准予）")
    department: str | None = Field(None, max_length=20, description="办理部门编码")
    item: str | None = Field(None, max_length=64, description="事项实施编码")
    alarm: Case.Alarm | None = Field(None, description="预警：normal 正常，yellow 黄牌，red 红牌（今日到期），overdue 已超期，paused 暂停计时")
    due_before: IsoDate | None = Field(None, description="承诺到期日不晚于（含）")
    due_after: IsoDate | None = Field(None, description="承诺到期日不早于（含）")
    received_from: IsoDate | None = Field(None, description="接件日期不早于（含）")
    received_to: IsoDate | None = Field(None, description="接件日期不晚于（含）")
    q: str = Field("", max_length=40, description="办件编号（全部或一部分）")
    agent: str | None = Field(None, max_length=150,
                              description="帮办代办员用户名：只看其代办的办件（代办台账）；代办员查自己的台账填自己的用户名")


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000, description="页码，从 1 开始")
    page_size: int | None = Field(None, ge=1, le=200, description="每页件数，默认 50，最多 200")


class InboxFilters(Schema):
    status: Case.Status | None = Field(None, description="办件状态代码，如 3 已受理、8 部门办理中")
    item: str | None = Field(None, max_length=64, description="事项实施编码")
    alarm: Case.Alarm | None = Field(None, description="只看该预警级别的环节")
    due_before: IsoDate | None = Field(None, description="环节到期日或办件承诺到期日不晚于（含）")
    due_after: IsoDate | None = Field(None, description="环节到期日不早于（含）")


# --- outputs --------------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class ItemRef(Schema):
    code: str = Field(..., description="实施编码")
    name: str = Field(..., description="事项名称")
    version_no: int = Field(..., description="办件所依据的事项版本")


class ApplicantOut(Schema):
    kind: str = Field(..., description="person 自然人，company 法人或其他组织")
    kind_label: str
    name: str
    masked_id: str = Field(..., description="证件号码：身份证号码打码显示；法人为统一社会信用代码")
    phone: str = Field(..., description="联系电话（打码）")

    @staticmethod
    def resolve_kind_label(obj: Applicant) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_phone(obj: Applicant) -> str:
        return mask_phone(obj.phone)


class CaseSummaryOut(Schema):
    number: str = Field(..., description="办件编号")
    status: str = Field(..., description="状态代码（国家交换规范）")
    status_label: str = Field(..., description="状态名称")
    item: ItemRef
    department: CodeName = Field(..., description="办理部门")
    centre: CodeName = Field(..., description="受理中心（站点）")
    applicant: ApplicantOut
    channel: str
    received_at: LocalDateTime = Field(..., description="接件时间")
    accepted_at: LocalDateTime | None = Field(None, description="受理时间")
    decided_at: LocalDateTime | None = Field(None, description="决定时间")
    closed_at: LocalDateTime | None = Field(None, description="办结送达时间")
    due_date: datetime.date | None = Field(None, description="承诺到期日")
    statutory_due_date: datetime.date | None = Field(None, description="法定到期日")
    due_confirmed: bool = Field(..., description="到期日已确认（依据的年份节假日安排已公布）")
    alarm: str = Field(..., description="预警：none 未计时，normal，yellow，red，overdue，paused")
    alarm_label: str
    delivery: str = Field(..., description="出件：none，waiting 待出件，withheld 待补齐容缺材料，delivered 已送达")
    delivery_label: str
    interview_flag: bool = Field(..., description="退回超过 3 次，需约谈")
    version: int = Field(..., description="版本号：操作时作为 expected_version 提交")

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_alarm_label(obj: Case) -> str:
        return obj.get_alarm_display()

    @staticmethod
    def resolve_delivery_label(obj: Case) -> str:
        return obj.get_delivery_display()

    @staticmethod
    def resolve_item(obj: Case) -> dict:
        version = obj.item_version
        return {"code": version.item.implementation_code, "name": version.name, "version_no": version.version_no}

    @staticmethod
    def resolve_department(obj: Case) -> dict:
        return {"code": obj.department.code, "name": obj.department.name}

    @staticmethod
    def resolve_centre(obj: Case) -> dict:
        return {"code": obj.centre.code, "name": obj.centre.name}


class StepOut(Schema):
    id: int
    order: int
    name: str = Field(..., description="环节名称")
    role: str = Field(..., description="办理角色代码")
    department: str = Field(..., description="办理部门编码")
    state: str = Field(..., description="waiting 未开始，open 办理中，done 已完成，cancelled 已终止")
    state_label: str
    budget_days: int = Field(..., description="环节时限（工作日）")
    started_at: LocalDateTime | None
    due_date: datetime.date | None = Field(None, description="环节到期日")
    alarm: str
    finished_at: LocalDateTime | None
    handled_by: str = Field("", description="办理人")
    opinion: str = Field("", description="办理意见")


class MaterialOut(Schema):
    requirement_id: int
    code: str = Field(..., description="材料代码")
    name: str
    necessity: str = Field(..., description="required 必要，optional 非必要，deferrable 容缺后补")
    state: str = Field(..., description="received，missing，defective，deferred，na")
    state_label: str
    note: str
    promised_on: datetime.date | None = Field(None, description="容缺后补的承诺补齐日期")
    supplied_at: LocalDateTime | None = Field(None, description="补齐时间")


class EventOut(Schema):
    at: LocalDateTime
    action: str = Field(..., description="动作，如 receive、accept、step_complete、decide、deliver")
    actor: str = Field(..., description="操作人")
    status_code: str = Field(..., description="国家交换规范的状态码（有则填）")
    from_status: str
    to_status: str
    summary: str = Field(..., description="说明")


class NoticeOut(Schema):
    id: int
    kind: str = Field(..., description="receipt 收件凭证，acceptance 受理通知书，correction 一次性告知书，refusal 不予受理决定书，"
                                        "special 特别程序告知书，extension 延期告知书，approval 准予许可决定书，denial 不予许可决定书")
    kind_label: str
    number: str = Field(..., description="文书编号")
    issued_at: LocalDateTime
    pdf_url: str = Field(..., description="PDF 地址（工作人员在浏览器中登录后打开）")
    api_pdf_url: str = Field(..., description="PDF 下载地址（本接口，需同样的登录或令牌，供其他系统下载）")


class FileOut(Schema):
    id: int
    name: str = Field(..., description="上传时的文件名")
    content_type: str
    size: int = Field(..., description="字节数")
    sm3: str = Field(..., description="文件内容的 SM3 摘要")
    material: str | None = Field(None, description="所属材料代码")
    uploaded_at: LocalDateTime
    download_url: str = Field(..., description="下载地址（本接口，需同样的登录或令牌）")


class SpecialProcedureOut(Schema):
    procedure: str = Field(..., description="特别程序代码")
    name: str
    counts_toward_limit: bool = Field(..., description="是否计入办结时限")
    reason: str
    expected_days: int
    started_on: datetime.date
    ended_on: datetime.date | None
    paused_days: int = Field(..., description="实际暂停的工作日数")
    result: str


class ExtensionOut(Schema):
    days: int
    reason: str
    state: str = Field(..., description="requested 待批准，granted 已批准，rejected 未批准")
    state_label: str
    requested_at: LocalDateTime
    decided_at: LocalDateTime | None


class CorrectionOut(Schema):
    round: int = Field(..., description="第几次补正告知")
    origin: str = Field(..., description="front 窗口接件，sendback 部门退回")
    items: list[dict[str, Any]] = Field(..., description="需补正的内容：[{material, name, state, problem}]")
    requested_at: LocalDateTime
    resolved_at: LocalDateTime | None
    approved_by: str = Field("", description="再次告知的批准人（监察人员）；第一次告知为空")


class DeliveryOut(Schema):
    method: str = Field(..., description="in_person 窗口领取，post 邮寄送达，electronic 电子送达")
    method_label: str
    collected_by: str
    recipient: str
    recipient_phone: str = Field(..., description="收件人电话（打码）")
    carrier: str
    tracking_number: str
    delivered_at: LocalDateTime


class ClockOut(Schema):
    limit_days: int = Field(..., description="承诺时限（工作日）")
    statutory_limit_days: int = Field(..., description="法定时限（工作日）")
    extension_days: int = Field(..., description="批准延长（工作日）")
    paused_days: int = Field(..., description="特别程序和退回补正已暂停（工作日，不计入时限）")
    paused_since: datetime.date | None = Field(None, description="正在暂停计时的起始日")
    warning_date: datetime.date | None = Field(None, description="预警日")
    explanation: list[str] = Field(..., description="到期日的计算说明：计入哪些工作日、跳过哪些日子")


class DecisionOut(Schema):
    approved: bool | None
    reason: str
    legal_basis: str
    way_forward: str = Field(..., description="如何才能办成（不予受理、不予许可时）")


class CaseDetailOut(CaseSummaryOut):
    contact_phone: str = Field(..., description="联系电话（打码）")
    agent_name: str = Field(..., description="代理人姓名（代理人身份证号码不返回）")
    agent_power_of_attorney: bool
    agent_staff: str | None = Field(None, description="帮办代办员用户名")
    first_contact: str | None = Field(None, description="首问负责人用户名")
    window: str | None = Field(None, description="受理窗口号")
    form_data: dict[str, Any]
    visits: int = Field(..., description="到现场次数")
    send_backs: int = Field(..., description="部门退回次数")
    correction_rounds: int = Field(..., description="补正告知次数")
    clock: ClockOut
    decision: DecisionOut
    steps: list[StepOut]
    materials: list[MaterialOut]
    events: list[EventOut]
    notices: list[NoticeOut]
    files: list[FileOut]
    special_procedures: list[SpecialProcedureOut]
    extensions: list[ExtensionOut]
    corrections: list[CorrectionOut]
    delivery_record: DeliveryOut | None = Field(None, description="送达记录")

    @staticmethod
    def resolve_contact_phone(obj: Case) -> str:
        return mask_phone(obj.contact_phone)

    @staticmethod
    def resolve_agent_staff(obj: Case) -> str | None:
        return obj.agent_staff.username if obj.agent_staff else None

    @staticmethod
    def resolve_first_contact(obj: Case) -> str | None:
        return obj.first_contact.username if obj.first_contact else None

    @staticmethod
    def resolve_window(obj: Case) -> str | None:
        return obj.window.number if obj.window else None

    @staticmethod
    def resolve_clock(obj: Case) -> dict:
        return {
            "limit_days": obj.limit_days, "statutory_limit_days": obj.statutory_limit_days,
            "extension_days": obj.extension_days, "paused_days": obj.paused_days, "paused_since": obj.paused_since,
            "warning_date": obj.warning_date, "explanation": clock_explanation(obj),
        }

    @staticmethod
    def resolve_decision(obj: Case) -> dict:
        return {"approved": obj.decision_approved, "reason": obj.decision_reason, "legal_basis": obj.decision_basis,
                "way_forward": obj.decision_way_forward}

    @staticmethod
    def resolve_steps(obj: Case) -> list[dict]:
        return [step_data(step) for step in obj.steps.all()]

    @staticmethod
    def resolve_materials(obj: Case) -> list[dict]:
        return [
            {"requirement_id": m.requirement_id, "code": m.requirement.code, "name": m.requirement.name,
             "necessity": m.requirement.necessity, "state": m.state, "state_label": m.get_state_display(),
             "note": m.note, "promised_on": m.promised_on, "supplied_at": m.supplied_at}
            for m in obj.materials.all()
        ]

    @staticmethod
    def resolve_events(obj: Case) -> list:
        return [event_data(event) for event in obj.events.all()]

    @staticmethod
    def resolve_notices(obj: Case) -> list[dict]:
        return [
            {"id": n.pk, "kind": n.kind, "kind_label": n.get_kind_display(), "number": n.number,
             "issued_at": n.issued_at, "pdf_url": site_url(f"/office/case/{obj.pk}/notice/{n.pk}.pdf"),
             "api_pdf_url": site_url(f"/api/v1/cases/{obj.number}/notices/{n.pk}.pdf")}
            for n in obj.notices.all()
        ]

    @staticmethod
    def resolve_files(obj: Case) -> list[dict]:
        return [
            {"id": f.pk, "name": f.original_name, "content_type": f.content_type, "size": f.size, "sm3": f.sm3,
             "material": f.material.requirement.code if f.material else None, "uploaded_at": f.uploaded_at,
             "download_url": site_url(f"/api/v1/cases/{obj.number}/files/{f.pk}")}
            for f in obj.files.all()
        ]

    @staticmethod
    def resolve_special_procedures(obj: Case) -> list[dict]:
        return [
            {"procedure": p.procedure_id, "name": p.procedure.name, "counts_toward_limit": p.counts_toward_limit,
             "reason": p.reason, "expected_days": p.expected_days, "started_on": p.started_on, "ended_on": p.ended_on,
             "paused_days": p.paused_days, "result": p.result}
            for p in obj.special_procedures.all()
        ]

    @staticmethod
    def resolve_extensions(obj: Case) -> list[dict]:
        return [
            {"days": e.days, "reason": e.reason, "state": e.state, "state_label": e.get_state_display(),
             "requested_at": e.requested_at, "decided_at": e.decided_at}
            for e in obj.extensions.all()
        ]

    @staticmethod
    def resolve_corrections(obj: Case) -> list[dict]:
        return [
            {"round": c.round, "origin": c.origin, "items": c.items, "requested_at": c.requested_at,
             "resolved_at": c.resolved_at, "approved_by": str(c.approved_by) if c.approved_by_id else ""}
            for c in obj.corrections.all()
        ]

    @staticmethod
    def resolve_delivery_record(obj: Case) -> dict | None:
        try:
            record = obj.delivery_record
        except Delivery.DoesNotExist:
            return None
        return {
            "method": record.method, "method_label": record.get_method_display(), "collected_by": record.collected_by,
            "recipient": record.recipient, "recipient_phone": mask_phone(record.recipient_phone),
            "carrier": record.carrier, "tracking_number": record.tracking_number,
            "delivered_at": record.delivered_at,
        }


class InboxStepOut(Schema):
    step: StepOut = Field(..., description="等待办理的环节")
    case: CaseSummaryOut

    @staticmethod
    def resolve_step(obj) -> dict:
        return step_data(obj)


def step_data(step) -> dict:
    return {
        "id": step.pk, "order": step.order, "name": step.name, "role": step.role, "department": step.department.code,
        "state": step.state, "state_label": step.get_state_display(), "budget_days": step.budget_days,
        "started_at": step.started_at, "due_date": step.due_date, "alarm": step.alarm, "finished_at": step.finished_at,
        "handled_by": str(step.handled_by) if step.handled_by else "",
        "opinion": "" if step.opinion == SENT_BACK_MARKER else step.opinion,
    }


def event_data(event) -> dict:
    return {
        "at": event.at, "action": event.action, "actor": event.actor_label, "status_code": event.status_code,
        "from_status": event.from_status, "to_status": event.to_status, "summary": event.summary,
    }


def clock_explanation(case: Case) -> list[str]:
    """How the stored due date was reached, in plain Chinese (empty before acceptance)."""
    if case.accepted_at is None or case.due_date is None:
        return []
    accepted_on = timezone.localdate(case.accepted_at)
    region = case.department.region
    lines = [
        _("承诺时限 %(n)d 个工作日") % {"n": case.limit_days}
        + (_("，批准延长 %(e)d 个工作日") % {"e": case.extension_days} if case.extension_days else "")
        + (_("，特别程序和退回补正暂停 %(p)d 个工作日（不计入时限）") % {"p": case.paused_days} if case.paused_days else "")
        + "。"
    ]
    if case.paused_since is not None:
        lines.append(_("自 %(d)s 起暂停计时；恢复计时后到期日按实际暂停的工作日顺延。") % {"d": case.paused_since.isoformat()})
    days = workdays_between(accepted_on, case.due_date, region)
    return lines + add_workdays(accepted_on, days, region).explain_lines()


def site_url(path: str) -> str:
    """Other systems store and print these links, so they carry the public address."""
    return settings.SITE_URL + path
