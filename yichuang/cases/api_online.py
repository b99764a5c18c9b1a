"""The staff side of online pre-review (网上预审) as JSON, mounted at /api/v1/prereview/.

Same authentication and error shape as the case API (`cases/api.py`): a staff token
(`Authorization: Bearer …`) or the browser session with CSRF. A case the caller may not
pre-review answers 404; a department that may not act 403; a stale `expected_version` 409;
bad input or a state that does not allow the action 422 with per-field errors.
"""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from yichuang.org.tokens import TokenAuth

from . import services_online as online
from .api import ERRORS, READ_ERRORS, CaseNotFound, StaffSessionAuth, _detail, case_errors
from .api_schemas import VERSION_DESCRIPTION, CaseDetailOut, CaseSummaryOut, ErrorOut, LocalDateTime
from .models import Case
from .selectors_online import prereview_alarm, prereview_case_for_user, prereview_inbox

router = Router(tags=["prereview"], auth=[TokenAuth(), StaffSessionAuth()])
NUMBER = Path(..., max_length=40, description="办件编号")
ACTION_RESPONSES = {200: CaseDetailOut, **ERRORS}


class PrereviewOut(CaseSummaryOut):
    submitted_at: LocalDateTime | None = Field(None, description="网上提交时间（最近一次）")
    prereview_due_date: datetime.date | None = Field(None, description="预审到期日")
    prereview_alarm: str = Field(..., description="预审时限：normal，yellow（明天到期），red（今日到期），overdue")
    prereview_returns: int = Field(..., description="预审退回次数")

    @staticmethod
    def resolve_prereview_alarm(obj: Case) -> str:
        return prereview_alarm(obj)


class PrereviewDetailOut(CaseDetailOut):
    submitted_at: LocalDateTime | None = None
    prereview_due_date: datetime.date | None = None
    prereview_returns: int = 0


class PassIn(Schema):
    expected_version: int | None = Field(None, description=VERSION_DESCRIPTION)
    note: str = Field("", max_length=500, description="预审意见（可选）")


class ReturnItemIn(Schema):
    material: int | None = Field(None, description="材料要求编号（materials[].requirement_id）")
    field: str | None = Field(None, max_length=60, description="申请表字段代码")
    problem: str = Field(..., min_length=1, max_length=300, description="问题及修改要求")


class ReturnIn(Schema):
    expected_version: int | None = Field(None, description=VERSION_DESCRIPTION)
    items: list[ReturnItemIn] = Field(default_factory=list, description="一次性告知的全部修改项")
    note: str = Field("", max_length=500, description="其他说明（作为一项列入告知）")


class RefuseIn(Schema):
    expected_version: int | None = Field(None, description=VERSION_DESCRIPTION)
    reason: str = Field(..., max_length=1000, description="不予受理的理由")
    way_forward: str = Field(..., max_length=1000, description="如何才能办理（双告知）")
    legal_basis: str = Field("", max_length=1000, description="依据（缺省为事项的设定依据）")


def _case(request, number: str) -> Case:
    found = prereview_inbox(request.user).filter(number=number).first()
    if found is None:
        candidate = Case.objects.filter(number=number).only("pk").first()
        found = prereview_case_for_user(request.user, candidate.pk) if candidate else None
    if found is None:
        raise CaseNotFound(_("未找到网上申请 %(n)s，或不由您预审。") % {"n": number})
    return found


@router.get("", response={200: list[PrereviewOut], 401: ErrorOut}, summary="待预审",
            operation_id="prereview_list",
            description="等待当前账号预审的网上申请（本部门的；综合窗口还有本中心的全科事项），按预审到期日排序。")
def prereview_list(request):
    return list(prereview_inbox(request.user).select_related("item_version__item")[:500])


@router.get("/{number}", response={200: PrereviewDetailOut, **READ_ERRORS}, summary="预审详情",
            operation_id="prereview_detail")
@case_errors
def prereview_detail(request, number: str = NUMBER):
    return _detail(_case(request, number))


@router.post("/{number}/pass", response=ACTION_RESPONSES, summary="预审通过", operation_id="prereview_pass",
             description="零上门事项（到现场次数 0）直接网上受理并开始计时；其他事项通知申请人携带原件到窗口办理一次，"
                         "由综合窗口受理（计一次到现场）。")
@case_errors
def prereview_pass(request, body: PassIn, number: str = NUMBER):
    case = online.case_prereview_pass(actor=request.user, case=_case(request, number),
                                      expected_version=body.expected_version, note=body.note)
    return _detail(case)


@router.post("/{number}/return", response=ACTION_RESPONSES, summary="预审退回（一次性告知）",
             operation_id="prereview_return")
@case_errors
def prereview_return(request, body: ReturnIn, number: str = NUMBER):
    case = online.case_prereview_return(
        actor=request.user, case=_case(request, number), expected_version=body.expected_version,
        items=[i.dict() for i in body.items], note=body.note)
    return _detail(case)


@router.post("/{number}/refuse", response=ACTION_RESPONSES, summary="预审不予受理（双告知）",
             operation_id="prereview_refuse")
@case_errors
def prereview_refuse(request, body: RefuseIn, number: str = NUMBER):
    case = online.case_prereview_refuse(
        actor=request.user, case=_case(request, number), expected_version=body.expected_version,
        reason=body.reason, way_forward=body.way_forward, legal_basis=body.legal_basis)
    return _detail(case)
