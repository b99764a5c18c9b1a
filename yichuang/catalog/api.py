"""Catalogue read API: item list and search, the full guide, the application form schema,
departments and topics. Public and read-only, like the guides on the web site.

Import and export endpoints live in their own module and are added to this router there.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from . import selectors
from .models import ItemVersion, Topic

Audience = Topic.Audience

router = Router(tags=["catalog"])


def _absolute(path: str) -> str:
    """Other systems store and print these links, so they carry the public address (SITE_URL)."""
    return settings.SITE_URL + path


class ItemFilters(Schema):
    q: str = Field("", max_length=100, description="关键词：事项名称的一部分、实施编码或基本编码、拼音首字母（如 spjy）")
    department: str | None = Field(None, max_length=20, description="部门编码")
    topic: str | None = Field(None, max_length=40, description="主题分类代码")
    audience: Audience | None = Field(None, description="服务对象：person 个人办事，company 法人办事，life_event 一件事主题")


class CodeName(Schema):
    code: str
    name: str


class ItemSummary(Schema):
    implementation_code: str = Field(..., description="实施编码")
    basic_code: str = Field(..., description="基本编码")
    name: str = Field(..., description="事项名称")
    status: str = Field(..., description="状态：published 已发布，suspended 暂停办理")
    status_label: str
    department: CodeName = Field(..., description="实施主体")
    item_type: CodeName = Field(..., description="事项类型")
    statutory_limit: int = Field(..., description="法定办结时限（工作日）")
    promised_limit: int = Field(..., description="承诺办结时限（工作日）")
    handling_type: int = Field(..., description="办件类型：1 即办件，2 承诺件")
    handling_type_label: str
    visits_required: int = Field(..., description="到办事现场次数")
    visits_label: str = Field(..., description="如：最多跑一次、零跑动")
    guide_url: str = Field(..., description="办事指南网页地址（含站点地址，可生成二维码）")

    @staticmethod
    def resolve_implementation_code(obj: ItemVersion) -> str:
        return obj.item.implementation_code

    @staticmethod
    def resolve_status_label(obj: ItemVersion) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_department(obj: ItemVersion) -> dict:
        return {"code": obj.department.code, "name": obj.department.name}

    @staticmethod
    def resolve_item_type(obj: ItemVersion) -> dict:
        return {"code": obj.item_type.code, "name": obj.item_type.name}

    @staticmethod
    def resolve_handling_type_label(obj: ItemVersion) -> str:
        return obj.get_handling_type_display()

    @staticmethod
    def resolve_visits_label(obj: ItemVersion) -> str:
        return selectors.visits_label(obj.visits_required)

    @staticmethod
    def resolve_guide_url(obj: ItemVersion) -> str:
        return _absolute(reverse("catalog:guide", args=[obj.item.implementation_code]))


class MaterialOut(Schema):
    id: int
    code: str = Field(..., description="材料代码")
    name: str = Field(..., description="材料名称")
    kind: str = Field(..., description="original 原件，copy 复印件，both 原件和复印件")
    kind_label: str
    form: str = Field(..., description="paper 纸质，electronic 电子，both 纸质+电子")
    form_label: str
    necessity: str = Field(..., description="required 必要，optional 非必要，deferrable 容缺后补")
    necessity_label: str
    source: str = Field(..., description="applicant 申请人自备，government 政府部门核发，other 其他")
    source_label: str
    source_note: str
    paper_copies: int = Field(..., description="纸质份数")
    acceptance_standard: str = Field(..., description="受理标准")
    legal_basis: str
    notes: str = Field(..., description="填报须知")
    blank_form_url: str | None = Field(None, description="空白表格下载地址（已上传时）")
    example_url: str | None = Field(None, description="示例样表下载地址（已上传时）")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_form_label(obj) -> str:
        return obj.get_form_display()

    @staticmethod
    def resolve_necessity_label(obj) -> str:
        return obj.get_necessity_display()

    @staticmethod
    def resolve_source_label(obj) -> str:
        return obj.get_source_display()

    @staticmethod
    def _file_url(obj, kind: str) -> str:
        version = obj.version
        return _absolute(reverse(
            "catalog:material_file", args=[version.item.implementation_code, version.version_no, obj.pk, kind]
        ))

    @staticmethod
    def resolve_blank_form_url(obj) -> str | None:
        return MaterialOut._file_url(obj, "blank-form") if obj.blank_form else None

    @staticmethod
    def resolve_example_url(obj) -> str | None:
        return MaterialOut._file_url(obj, "example") if obj.example_file else None


class FeeOut(Schema):
    name: str = Field(..., description="收费项目")
    standard: str = Field(..., description="收费标准")
    basis: str = Field(..., description="收费依据")
    exemption: str = Field(..., description="减免政策")


class StepOut(Schema):
    order: int
    name: str = Field(..., description="环节名称")
    role: str
    role_label: str
    department: CodeName | None = Field(None, description="办理部门；为空表示实施主体")
    budget_days: int = Field(..., description="环节时限（工作日）")

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_department(obj) -> dict | None:
        if obj.department is None:
            return None
        return {"code": obj.department.code, "name": obj.department.name}


class ProcedureOut(Schema):
    code: str
    name: str = Field(..., description="特别程序名称")
    counts_toward_limit: bool = Field(..., description="是否计入办结时限")
    max_days: int | None = Field(None, description="时限（工作日）")
    note: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.procedure.name


class VersionRef(Schema):
    version_no: int
    published_at: datetime | None
    change_note: str
    url: str


class ItemDetail(ItemSummary):
    version_no: int = Field(..., description="版本号")
    published_at: datetime | None = Field(None, description="发布时间")
    level: str = Field(..., description="行使层级")
    level_label: str
    for_persons: bool = Field(..., description="面向自然人")
    for_companies: bool = Field(..., description="面向法人")
    topics: list[CodeName] = Field(..., description="主题分类")
    legal_basis: str = Field(..., description="设定依据")
    conditions: str = Field(..., description="受理条件")
    refusal_grounds: str = Field(..., description="不予受理情形")
    statutory_limit_note: str
    promised_limit_note: str
    extension_limit: int = Field(
        ..., description="经负责人批准可延长的工作日数（行政许可法第四十二条，默认 10；法律另有规定的从其规定；0 表示不得延长）"
    )
    handling_forms: str = Field(..., description="办理形式")
    online_depth: int = Field(..., description="网办深度 1–7：咨询、收件、预审、受理、办理、结果反馈、电子证照反馈")
    online_depth_label: str
    place: str = Field(..., description="办理地点")
    hours: str = Field(..., description="办理时间")
    consult_channel: str = Field(..., description="咨询方式")
    complaint_channel: str = Field(..., description="监督投诉方式")
    fee_free: bool = Field(..., description="不收费")
    fees: list[FeeOut]
    result_type: str
    result_type_label: str
    result_name: str = Field(..., description="审批结果名称")
    result_sample_url: str | None = None
    intermediary_services: list[str] = Field(..., description="中介服务")
    appointment_supported: bool = Field(..., description="支持预约办理")
    post_delivery_supported: bool = Field(..., description="支持物流快递")
    online_payment_supported: bool = Field(..., description="支持网上支付")
    deliver_before_supplement: bool = Field(..., description="容缺受理时可先出证后补材料")
    tongban_scope: str = Field(..., description="通办范围")
    tongban_scope_label: str
    accepting_centres: list[CodeName] = Field(..., description="可受理的中心和站点（通办范围为指定中心时）")
    special_procedures: list[ProcedureOut]
    materials: list[MaterialOut]
    steps: list[StepOut]
    history: list[VersionRef] = Field(..., description="历史版本")
    checklist_url: str | None = Field(None, description="一次性告知单 PDF 地址（已废止事项无）")

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_topics(obj) -> list[dict]:
        return [{"code": t.code, "name": t.name} for t in obj.topics.all()]

    @staticmethod
    def resolve_online_depth_label(obj) -> str:
        return obj.get_online_depth_display()

    @staticmethod
    def resolve_fees(obj) -> list:
        return list(obj.fees.all())

    @staticmethod
    def resolve_result_type_label(obj) -> str:
        return obj.get_result_type_display()

    @staticmethod
    def resolve_result_sample_url(obj) -> str | None:
        if not obj.result_sample:
            return None
        return _absolute(reverse("catalog:result_sample", args=[obj.item.implementation_code, obj.version_no]))

    @staticmethod
    def resolve_intermediary_services(obj) -> list[str]:
        return obj.intermediary_service_list

    @staticmethod
    def resolve_tongban_scope_label(obj) -> str:
        return obj.get_tongban_scope_display()

    @staticmethod
    def resolve_accepting_centres(obj) -> list[dict]:
        return [{"code": c.code, "name": c.name} for c in obj.accepting_centres.all()]

    @staticmethod
    def resolve_special_procedures(obj) -> list:
        return list(obj.allowed_procedures.all())

    @staticmethod
    def resolve_materials(obj) -> list:
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_history(obj) -> list[dict]:
        code = obj.item.implementation_code
        return [
            {
                "version_no": old.version_no, "published_at": old.published_at, "change_note": old.change_note,
                "url": _absolute(reverse("catalog:guide_version", args=[code, old.version_no])),
            }
            for old in obj.item.superseded_versions
        ]

    @staticmethod
    def resolve_checklist_url(obj) -> str | None:
        if not selectors.is_printable(obj):
            return None
        return _absolute(reverse("catalog:checklist_pdf", args=[obj.item.implementation_code]))


class FormFieldOut(Schema):
    key: str = Field(..., description="字段代码")
    label: str = Field(..., description="字段名称")
    type: str = Field(..., description="类型：text、textarea、integer、decimal、date、choice、multi_choice、boolean、"
                                        "id_number、uscc、mobile、region")
    type_label: str
    required: bool = Field(..., description="必填")
    choices: list[str] = Field(..., description="单选/多选的选项")
    max_length: int | None = Field(None, description="最大长度")
    min_value: Decimal | None = Field(None, description="最小值")
    max_value: Decimal | None = Field(None, description="最大值")
    help_text: str = Field(..., description="填写说明")

    @staticmethod
    def resolve_type_label(obj) -> str:
        return obj.get_type_display()


class FormSchemaOut(Schema):
    implementation_code: str = Field(..., description="实施编码")
    name: str = Field(..., description="事项名称")
    version_no: int = Field(..., description="表单所属的事项版本号")
    fields: list[FormFieldOut]


class DepartmentOut(Schema):
    code: str = Field(..., description="部门编码")
    name: str = Field(..., description="部门名称")
    short_name: str = Field(..., description="简称")
    phone: str = Field(..., description="咨询电话")
    item_count: int = Field(..., description="公开事项数")


class TopicOut(Schema):
    code: str = Field(..., description="主题代码")
    name: str = Field(..., description="主题名称")
    audience: str = Field(..., description="服务对象：person、company、life_event")
    audience_label: str
    item_count: int = Field(..., description="公开事项数")

    @staticmethod
    def resolve_audience_label(obj) -> str:
        return obj.get_audience_display()


class ErrorOut(Schema):
    detail: str = Field(..., description="出错原因")


def _not_found(code: str) -> HttpError:
    return HttpError(404, _("未找到实施编码为「%(code)s」的事项，请核对编码。") % {"code": code})


@router.get(
    "/items", response=list[ItemSummary], summary="事项列表与搜索",
    description="公开的事项（已发布和暂停办理；已废止的不列出）。按关键词、部门、主题、服务对象筛选，"
                "名称以关键词开头的排在前面。分页：page、page_size。",
)
@paginate(PageNumberPagination, page_size=20)
def list_items(request, filters: Query[ItemFilters]):
    return selectors.search_items(
        filters.q, department=filters.department or None, topic=filters.topic or None,
        audience=filters.audience.value if filters.audience else None,
    )


@router.get(
    "/items/{code}", response={200: ItemDetail, 404: ErrorOut}, summary="办事指南（事项全部要素）",
    description="事项现行版本的全部要素：时限、材料、收费、流程、特别程序、历史版本。已废止的事项仍可查询，status 为 abolished。",
)
def item_detail(request, code: str):
    guide = selectors.guide_for(code)
    if guide is None:
        raise _not_found(code)
    return guide.version


@router.get(
    "/items/{code}/form-schema", response={200: FormSchemaOut, 404: ErrorOut}, summary="申请表单结构",
    description="事项现行版本的申请表单字段，用于生成和校验申请表。已废止的事项没有表单（404）。",
)
def item_form_schema(request, code: str):
    found = selectors.current_form(code)
    if found is None:
        raise HttpError(404, _("未找到可申请的事项「%(code)s」：编码不存在或事项已废止。") % {"code": code})
    version, fields = found
    return {
        "implementation_code": version.item.implementation_code, "name": version.name,
        "version_no": version.version_no, "fields": fields,
    }


@router.get("/departments", response=list[DepartmentOut], summary="部门列表",
            description="启用的部门（实施主体）及各自的公开事项数。")
def list_departments(request):
    return selectors.departments_with_counts()


@router.get("/topics", response=list[TopicOut], summary="主题分类",
            description="个人办事、法人办事和一件事主题的分类，及各自的公开事项数。")
def list_topics(request, audience: Audience | None = None):
    return selectors.topics_with_counts(audience.value if audience else None)
