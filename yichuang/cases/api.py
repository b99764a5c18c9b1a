"""The case engine's JSON API (办件接口), mounted at /api/v1/cases/.

Browsers call it with their session (the CSRF token is checked on every write); other
systems with a token (`Authorization: Bearer <token>`, see `yichuang apitoken`). A token is
bound to a staff account: a department's own approval system gets one for an account with
the department's reviewer or approver role, pulls `/inbox` and posts `/decide`.

Each write parses its input and calls one service of `services.py` with the caller as the
actor; the service checks role, department, state and inputs. Every read goes through
`cases_visible_to`: a case outside the caller's scope answers 404, as if it did not exist.
Errors answer with `{"detail": ..., "errors": [{"field", "message", "code"}]}`: 403 for a
role or department that may not act, 404 out of scope, 409 when `expected_version` is stale,
422 for bad input or a state that does not allow the action.
"""

import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import SessionAuth

from yichuang.catalog.models import Item, ItemVersion, MaterialRequirement, ProcessStep
from yichuang.org.models import ServiceCentre, User, Window
from yichuang.org.tokens import TokenAuth

from . import selectors, services, uploads
from .api_schemas import (
    AcceptIn,
    AgentIn,
    ApproveCorrectionIn,
    CaseDetailOut,
    CaseFilters,
    CaseSummaryOut,
    CorrectionIn,
    CorrectionSuppliedIn,
    DecideIn,
    DeliverIn,
    ErrorOut,
    EventOut,
    ExtensionDecideIn,
    ExtensionRequestIn,
    FileOut,
    ImmediateIn,
    InboxFilters,
    InboxStepOut,
    MaterialIn,
    MaterialRef,
    OpinionIn,
    PageIn,
    ReasonIn,
    ReceiveIn,
    RefuseIn,
    SendBackIn,
    SpecialEndIn,
    SpecialStartIn,
    SupplementIn,
    VisitIn,
    event_data,
    site_url,
)
from .errors import CaseActionError, CaseConflict, CasePermissionDenied
from .form_schema import FORM_KEY, form_normalise
from .models import Case, CaseFile, CaseMaterial, CaseStep, CorrectionRequest
from .notice_pdf import notice_filename, render_notice


class StaffSessionAuth(SessionAuth):
    """The browser's login session; CSRF is checked on every unsafe method.

    It is the last authentication tried, so its refusal is the one the caller sees: a request
    with neither a session nor a token gets a Chinese 401 instead of ninja's bare one.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            raise AuthenticationError(401, _(
                "请先登录：浏览器使用工作人员账号登录；其他系统在请求头中带上接口令牌 Authorization: Bearer <令牌>。"
            ))
        try:
            self._get_key(request)  # runs the CSRF check for POST, PUT, PATCH and DELETE
        except HttpError as exc:
            raise HttpError(403, _(
                "安全校验（CSRF）未通过：请刷新页面后重试；从脚本调用时，请在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值，"
                "或改用接口令牌。"
            )) from exc
        return request.user


# The token first: a request that presents one is judged by it, and never reaches the
# session's CSRF check (a token is not a cookie, so a page on another site cannot send it).
router = Router(tags=["cases"], auth=[TokenAuth(), StaffSessionAuth()])


class CasePagination(PageNumberPagination):
    """Page numbers with bounds, so that a wild page number is a 422, not a database error."""

    Input = PageIn

    def __init__(self, **kwargs):
        super().__init__(max_page_size=200, **kwargs)


# 400: a body that is not JSON (or not multipart) at all.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ACTION_RESPONSES = {200: CaseDetailOut, **ERRORS}
# Reads of one case: a malformed number is a 422, one out of scope a 404.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Writes that do not take expected_version cannot be stale.
UNVERSIONED_ERRORS = {code: schema for code, schema in ERRORS.items() if code != 409}
NUMBER = Path(..., max_length=40, description="办件编号，如 SLX2026110200001")


class CaseNotFound(Exception):
    """No case by that number within the caller's scope (answered 404)."""


# Codes the services give their refusals, and the input field each one is about.
CODE_FIELDS = {
    "reason": "reason", "opinion": "opinion", "days": "days", "expected_days": "expected_days", "result": "result",
    "materials": "materials", "procedure": "procedure", "collector": "collected_by", "problem": "problems",
    "item": "item_code", "scope": "item_code", "material": "material", "purpose": "purpose",
}


def error_body(err: ValidationError) -> dict:
    """A Django ValidationError as the API's error shape, naming fields where it knows them."""
    problems = []
    if hasattr(err, "error_dict"):
        for field, errors in err.error_dict.items():
            for sub in errors:
                for message in sub.messages:
                    problems.append({"field": "" if field == "__all__" else field, "message": message,
                                     "code": sub.code or ""})
    else:
        for sub in err.error_list:
            for message in sub.messages:
                problems.append({"field": CODE_FIELDS.get(sub.code or "", ""), "message": message,
                                 "code": sub.code or ""})
    detail = "".join(p["message"] for p in problems[:1]) or _("输入有误，请按提示修改。")
    if len(problems) > 1:
        detail = "；".join(p["message"] for p in problems)
    return {"detail": detail, "errors": problems}


def case_errors(view):
    """Answer the engine's refusals with their status: 403, 404, 409 or 422."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CaseNotFound as exc:
            return Status(404, {"detail": str(exc), "errors": []})
        except CaseConflict as err:
            return Status(409, error_body(err))
        except CasePermissionDenied as err:
            return Status(403, error_body(err))
        except ValidationError as err:  # CaseActionError and the input checks below
            return Status(422, error_body(err))

    return wrapper


# --- reading -----------------------------------------------------------------------------------


def _visible(request, number: str) -> Case:
    case = selectors.case_by_number_for_user(request.user, number)
    if case is None:
        raise CaseNotFound(_("未找到办件 %(n)s，或您无权查看：请核对办件编号。") % {"n": number})
    return case


def _summaries(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("item_version__item", "applicant", "department", "centre")


def _with_detail(cases: QuerySet[Case]) -> QuerySet[Case]:
    return _summaries(cases).select_related(
        "department__region", "window", "agent_staff", "first_contact", "delivery_record",
    ).prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.select_related("department", "handled_by").order_by("order")),
        Prefetch("materials", queryset=CaseMaterial.objects.select_related("requirement")),
        "events", "notices", "extensions", Prefetch("corrections", queryset=CorrectionRequest.objects.select_related(
            "approved_by")), "special_procedures__procedure",
        Prefetch("files", queryset=CaseFile.objects.select_related("material__requirement").order_by("uploaded_at", "id")),
    )


def _detail(case: Case) -> Case:
    """The case as it is now, with everything the detail shows. The caller has just acted on
    it (or looked it up) within their scope, so it is read by key."""
    return _with_detail(Case.objects.filter(pk=case.pk)).get()


# What a case has just after 接件 besides the rows `case_receive` hands back: nothing yet.
RECEIVED_EMPTY = ("files", "special_procedures", "extensions", "corrections")


def _as_prefetched(case: Case, name: str, rows: list) -> None:
    """Store `rows` as the prefetched contents of `case.<name>`, as `prefetch_related` would."""
    queryset = getattr(case, name).get_queryset()  # the relation's own query, not run
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    case._prefetched_objects_cache[getattr(Case, name).rel.cache_name] = queryset


def _received_detail(case: Case) -> Case:
    """The detail of a case `case_receive` has just written, from the rows it wrote: the same
    answer `_detail` reads back (the API tests compare the two), without reading anything."""
    rows = getattr(case, "received_rows", None)
    if rows is None:
        return _detail(case)
    case._prefetched_objects_cache = {}
    _as_prefetched(case, "steps", rows.steps)
    _as_prefetched(case, "materials", rows.materials)
    _as_prefetched(case, "events", [rows.event])
    _as_prefetched(case, "notices", [rows.notice])
    for name in RECEIVED_EMPTY:
        _as_prefetched(case, name, [])
    Case.delivery_record.related.set_cached_value(case, None)
    return case


# --- input lookups (reads; the services check everything else) ---------------------------------


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


class Requirements:
    """The material requirements of an item version, to resolve a request's references to them."""

    def __init__(self, version: ItemVersion):
        if "materials" in getattr(version, "_prefetched_objects_cache", {}):
            rows = [(m.code, m.pk) for m in version.materials.all()]
        else:
            rows = list(MaterialRequirement.objects.filter(version=version).values_list("code", "id"))
        self.by_code = {code: pk for code, pk in rows if code}
        self.ids = {pk for _code, pk in rows}

    def resolve(self, *, code: str | None, requirement_id: int | None, field: str) -> int:
        if code:
            if code not in self.by_code:
                raise _bad(field, _("本事项没有代码为「%(c)s」的材料。可用的材料代码：%(all)s。")
                           % {"c": code, "all": "、".join(self.by_code) or _("无")})
            return self.by_code[code]
        if requirement_id:
            if requirement_id not in self.ids:
                raise _bad(field, _("材料要求 %(id)s 不属于本事项。") % {"id": requirement_id})
            return requirement_id
        raise _bad(field, _("请用 code（材料代码）或 requirement_id 指明材料。"))

    def of(self, ref: MaterialRef, field: str) -> int:
        """A reference with separate code and requirement_id fields."""
        name = f"{field}.code" if ref.code else f"{field}.requirement_id" if ref.requirement_id else field
        return self.resolve(code=ref.code, requirement_id=ref.requirement_id, field=name)

    def of_value(self, value: str | int, field: str) -> int:
        """A reference in one value: a requirement id if it is a number, a material code otherwise."""
        text = str(value).strip()
        if text.isdigit():
            return self.resolve(code=None, requirement_id=int(text), field=field)
        return self.resolve(code=text, requirement_id=None, field=field)


def _checklist(version: ItemVersion, materials: list[MaterialIn]) -> dict[int, dict]:
    """The material list of a request as the services take it: {requirement id: {state, note, promised_on}}."""
    if not materials:
        return {}
    requirements = Requirements(version)
    return {
        requirements.of(material, f"materials.{index}"): {
            "state": material.state.value, "note": material.note, "promised_on": material.promised_on,
        }
        for index, material in enumerate(materials)
    }


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _bad(field, _("用户「%(u)s」不存在或已停用。") % {"u": username})
    return user


def _prefixed(err: ValidationError, prefix: str) -> ValidationError:
    if hasattr(err, "error_dict"):
        return ValidationError({f"{prefix}.{field}": errors for field, errors in err.error_dict.items()})
    return ValidationError({prefix: err.messages})


# --- list, detail, inbox ---------------------------------------------------------------------------


@router.get(
    "", response={200: list[CaseSummaryOut], 401: ErrorOut, 422: ErrorOut}, summary="办件列表",
    operation_id="cases_list",
    description="当前账号有权查看的办件，最新接件在前。可按状态、办理部门、事项、预警级别、承诺到期日、接件日期、办件编号和"
                "帮办代办员（代办台账）筛选。"
                "分页：page、page_size（默认每页 50 件）。个人证件号码和电话均打码。",
)
@paginate(CasePagination)
def list_cases(request, filters: Query[CaseFilters]):
    cases = _summaries(selectors.cases_visible_to(request.user))
    if filters.status:
        cases = cases.filter(status=filters.status.value)
    if filters.department:
        cases = cases.filter(department__code=filters.department)
    if filters.item:
        cases = cases.filter(item_version__item__implementation_code=filters.item)
    if filters.alarm:
        cases = cases.filter(alarm=filters.alarm.value)
    if filters.due_before:
        cases = cases.filter(due_date__lte=filters.due_before)
    if filters.due_after:
        cases = cases.filter(due_date__gte=filters.due_after)
    if filters.received_from:
        cases = cases.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        cases = cases.filter(received_at__date__lte=filters.received_to)
    if filters.q.strip():
        cases = cases.filter(number__icontains=filters.q.strip())
    if filters.agent:
        cases = cases.filter(agent_staff__username=filters.agent)
    return cases.order_by("-received_at", "-id")


@router.get(
    "/inbox", response={200: list[InboxStepOut], 401: ErrorOut, 422: ErrorOut}, summary="部门待办（收件箱）",
    operation_id="cases_inbox",
    description="等待当前账号所在部门和角色（审查、决定）办理的环节，按环节到期日排序，最急的在前。"
                "可按办件状态、事项、预警级别和到期日筛选。"
                "部门自己的审批系统用令牌调用此接口拉取待办，再调用 steps/complete 或 decide 办理。分页：page、page_size。",
)
@paginate(CasePagination)
def inbox(request, filters: Query[InboxFilters]):
    steps = selectors.inbox_steps(request.user).select_related(
        "department", "handled_by", "case__item_version__item", "case__department",
    )
    if filters.status:
        steps = steps.filter(case__status=filters.status.value)
    if filters.item:
        steps = steps.filter(case__item_version__item__implementation_code=filters.item)
    if filters.alarm:
        steps = steps.filter(alarm=filters.alarm.value)
    if filters.due_before:
        steps = steps.filter(Q(due_date__lte=filters.due_before) | Q(case__due_date__lte=filters.due_before))
    if filters.due_after:
        steps = steps.filter(due_date__gte=filters.due_after)
    return steps


@router.post(
    "", response={201: CaseDetailOut, **ERRORS}, summary="接件", operation_id="cases_receive",
    description="综合窗口接件：登记申请人（按身份证号码或统一社会信用代码查找，没有则登记），按事项现行版本建立办件、"
                "记录材料核验结果并出具收件凭证。返回 201 和办件详情；之后调用 accept 受理、correction 一次性告知补正、"
                "refuse 不予受理或 immediate 即办。需要综合窗口受理员或乡镇受理员角色。",
)
@case_errors
def receive(request, body: ReceiveIn):
    # The version's materials and steps are read here, before the transaction, which holds the
    # audit chain's lock from the applicant's entry to its commit: the shorter, the better.
    item = (Item.objects.select_related("current__department")
            .prefetch_related("current__materials",
                              Prefetch("current__steps", queryset=ProcessStep.objects.select_related("department")))
            .filter(implementation_code=body.item_code).first())
    version = item.current if item else None
    if version is not None:
        version.item = item
    if version is None:
        raise _bad("item_code", _("未找到实施编码为「%(c)s」的事项，请核对编码。") % {"c": body.item_code})
    centre = request.user.centre
    if body.centre:
        centre = ServiceCentre.objects.filter(code=body.centre, is_active=True).first()
        if centre is None:
            raise _bad("centre", _("未找到编码为「%(c)s」的中心（站点）。") % {"c": body.centre})
    if centre is None:
        raise _bad("centre", _("请填写受理中心（站点）编码：当前账号没有所在中心。"))
    window = None
    if body.window:
        window = Window.objects.filter(centre=centre, number=body.window, is_active=True).first()
        if window is None:
            raise _bad("window", _("%(c)s没有窗口「%(w)s」。") % {"c": centre.name, "w": body.window})
    first_contact = _user(body.first_contact, "first_contact")
    checklist = _checklist(version, body.materials)
    # The same form the front desk's page asks for: every required field, each value checked.
    form_errors, form_data = form_normalise(item_version=version, form_data=body.form_data)
    if form_errors:
        raise ValidationError({("form_data" if key == FORM_KEY else f"form_data.{key}"): messages
                               for key, messages in form_errors.items()})
    applicant_data = body.applicant
    applicant = {
        "kind": applicant_data.kind.value, "name": applicant_data.name, "id_number": applicant_data.id_number,
        "uscc": applicant_data.uscc, "phone": applicant_data.phone, "address": applicant_data.address,
        "legal_representative": applicant_data.legal_representative,
    }
    try:
        case = services.case_intake(
            actor=request.user, applicant=applicant, item_version=version, centre=centre, window=window,
            channel=body.channel.value, materials=checklist, form_data=form_data,
            contact_phone=body.contact_phone, agent_name=body.agent_name, agent_id_number=body.agent_id_number,
            agent_power_of_attorney=body.agent_power_of_attorney, first_contact=first_contact,
        )
    except CaseActionError as err:
        # The applicant's own fields are reported under "applicant." as the request named them.
        if getattr(err, "error_dict", None) and set(err.error_dict) <= APPLICANT_FIELDS:
            raise _prefixed(err, "applicant") from None
        raise
    return Status(201, _received_detail(case))


APPLICANT_FIELDS = {"kind", "name", "id_number", "uscc", "phone"}


@router.get(
    "/{number}", response={200: CaseDetailOut, **READ_ERRORS}, summary="办件详情",
    operation_id="cases_detail",
    description="状态、时限（含到期日计算说明）、环节、材料、附件、事件、文书（附 PDF 下载地址）、特别程序、延期、补正和送达记录。"
                "超出当前账号查看范围的办件返回 404。",
)
@case_errors
def detail(request, number: str = NUMBER):
    return _detail(_visible(request, number))


@router.get(
    "/{number}/events", response={200: list[EventOut], **READ_ERRORS}, summary="办件事件（办理过程）",
    operation_id="cases_events",
    description="办件的全部事件，按时间先后：谁在何时做了什么，状态从何变为何，附国家交换规范的状态码。",
)
@case_errors
def events(request, number: str = NUMBER):
    case = _visible(request, number)
    return [event_data(event) for event in case.events.order_by("at", "id")]


# --- front desk ----------------------------------------------------------------------------------


@router.post(
    "/{number}/accept", response=ACTION_RESPONSES, summary="受理", operation_id="cases_accept",
    description="材料齐全（或容缺后补材料已登记承诺日期）时受理，出具受理通知书，次日起计算办理时限。"
                "可同时提交更新的材料核验结果。材料不齐返回 422 并逐项说明。",
)
@case_errors
def accept(request, body: AcceptIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_accept(actor=request.user, case=case, expected_version=body.expected_version,
                                materials=_checklist(case.item_version, body.materials))
    return _detail(case)


@router.post(
    "/{number}/correction", response=ACTION_RESPONSES, summary="一次性告知补正", operation_id="cases_correction",
    description="列出全部缺少或不符合要求的材料及原因，出具补正材料一次性告知书。同一次接件再次告知须先由监察人员"
                "调用 correction/approve 批准。补正期间尚未受理，不计时。",
)
@case_errors
def correction(request, body: CorrectionIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_request_correction(
        actor=request.user, case=case, expected_version=body.expected_version,
        materials=_checklist(case.item_version, body.materials), other_problems=body.other_problems,
    )
    return _detail(case)


@router.post(
    "/{number}/correction/approve", response={200: CaseDetailOut, **UNVERSIONED_ERRORS},
    summary="批准再次一次性告知", operation_id="cases_correction_approve",
    description="同一次接件已出具过一次性告知书、又需再次告知时，由监察人员本人批准并写明理由；窗口随后出具的告知书记载批准人。"
                "需要电子监察人员角色，且办件在其监察的地区内。",
)
@case_errors
def correction_approve(request, body: ApproveCorrectionIn, number: str = NUMBER):
    case = _visible(request, number)
    services.case_correction_approve(actor=request.user, case=case, reason=body.reason)
    return _detail(case)


@router.post(
    "/{number}/correction-supplied", response=ACTION_RESPONSES, summary="登记补正材料",
    operation_id="cases_correction_supplied",
    description="申请人补来材料。窗口接件时的补正回到待受理；部门退回的补正在材料齐全后恢复计时、回到原环节。",
)
@case_errors
def correction_supplied(request, body: CorrectionSuppliedIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_correction_supplied(
        actor=request.user, case=case, expected_version=body.expected_version,
        materials=_checklist(case.item_version, body.materials),
    )
    return _detail(case)


@router.post(
    "/{number}/refuse", response=ACTION_RESPONSES, summary="不予受理", operation_id="cases_refuse",
    description="出具不予受理决定书：写明理由、法律依据和如何才能办理（双告知），并告知复议、诉讼的权利。三项均必填。",
)
@case_errors
def refuse(request, body: RefuseIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_refuse(actor=request.user, case=case, expected_version=body.expected_version,
                                reason=body.reason, legal_basis=body.legal_basis, way_forward=body.way_forward)
    return _detail(case)


@router.post(
    "/{number}/immediate", response=ACTION_RESPONSES, summary="即办", operation_id="cases_immediate",
    description="即办件：当场受理、办结并交付领取人。只适用于办件类型为即办件的事项。",
)
@case_errors
def immediate(request, body: ImmediateIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_handle_immediately(actor=request.user, case=case, expected_version=body.expected_version,
                                            collected_by=body.collected_by, opinion=body.opinion)
    return _detail(case)


@router.post(
    "/{number}/agent", response=ACTION_RESPONSES, summary="转帮办代办", operation_id="cases_assign_agent",
    description="把申请人交给帮办代办员，办件列入其代办台账。",
)
@case_errors
def assign_agent(request, body: AgentIn, number: str = NUMBER):
    case = _visible(request, number)
    agent = _user(body.agent, "agent")
    case = services.case_assign_agent(actor=request.user, case=case, agent=agent,
                                      expected_version=body.expected_version)
    return _detail(case)


# --- back office ----------------------------------------------------------------------------------


@router.post(
    "/{number}/steps/complete", response=ACTION_RESPONSES, summary="办结当前环节（审查通过）",
    operation_id="cases_step_complete",
    description="审查人员填写审查意见，办结当前等待自己的环节，下一环节（如决定）开始。",
)
@case_errors
def step_complete(request, body: OpinionIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_step_complete(actor=request.user, case=case, expected_version=body.expected_version,
                                       opinion=body.opinion)
    return _detail(case)


@router.post(
    "/{number}/send-back", response=ACTION_RESPONSES, summary="退回补正", operation_id="cases_send_back",
    description="部门退回综合窗口，由申请人补正（一次性列出全部问题）。退回期间暂停计时；退回超过 3 次的办件列入约谈。",
)
@case_errors
def send_back(request, body: SendBackIn, number: str = NUMBER):
    case = _visible(request, number)
    requirements = Requirements(case.item_version)
    problems = [
        {"material": requirements.of_value(p.material, f"problems.{i}.material")
         if p.material not in (None, "") else None, "problem": p.problem}
        for i, p in enumerate(body.problems)
    ]
    case = services.case_send_back(actor=request.user, case=case, expected_version=body.expected_version,
                                   problems=problems)
    return _detail(case)


@router.post(
    "/{number}/special/start", response=ACTION_RESPONSES, summary="启动特别程序", operation_id="cases_special_start",
    description="启动事项允许的特别程序（听证、检验检测、专家评审、现场踏勘、公示等），书面告知预计时长；不计入时限的程序暂停计时。",
)
@case_errors
def special_start(request, body: SpecialStartIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_special_start(actor=request.user, case=case, expected_version=body.expected_version,
                                       procedure=body.procedure, reason=body.reason,
                                       expected_days=body.expected_days)
    return _detail(case)


@router.post(
    "/{number}/special/end", response=ACTION_RESPONSES, summary="结束特别程序", operation_id="cases_special_end",
    description="特别程序结束，记录结果；实际用去的工作日顺延到期日，恢复计时。",
)
@case_errors
def special_end(request, body: SpecialEndIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_special_end(actor=request.user, case=case, expected_version=body.expected_version,
                                     result=body.result)
    return _detail(case)


@router.post(
    "/{number}/extension/request", response=ACTION_RESPONSES, summary="申请延期", operation_id="cases_extension_request",
    description="申请延长办理期限（行政许可法第四十二条：最多 10 个工作日），写明理由，由决定人员批准。",
)
@case_errors
def extension_request(request, body: ExtensionRequestIn, number: str = NUMBER):
    case = _visible(request, number)
    services.case_extension_request(actor=request.user, case=case, expected_version=body.expected_version,
                                    days=body.days, reason=body.reason)
    return _detail(case)


@router.post(
    "/{number}/extension/decide", response=ACTION_RESPONSES, summary="批准或不批准延期",
    operation_id="cases_extension_decide",
    description="决定人员批准或不批准待批准的延期申请；批准后到期日顺延，出具延长办理期限告知书。",
)
@case_errors
def extension_decide(request, body: ExtensionDecideIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_extension_decide(actor=request.user, case=case, expected_version=body.expected_version,
                                          approve=body.approve)
    return _detail(case)


@router.post(
    "/{number}/decide", response=ACTION_RESPONSES, summary="作出决定（准予或不予许可）", operation_id="cases_decide",
    description="决定人员准予或不予许可。不予许可须写明理由、法律依据和如何才能办成。出具决定书，结果转统一出件窗口"
                "（有未补齐的容缺材料且事项不允许先证后补时暂不出件）。部门审批系统可用令牌调用。",
)
@case_errors
def decide(request, body: DecideIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_decide(actor=request.user, case=case, expected_version=body.expected_version,
                                approve=body.approve, reason=body.reason, legal_basis=body.legal_basis,
                                way_forward=body.way_forward)
    return _detail(case)


@router.post(
    "/{number}/supplement", response=ACTION_RESPONSES, summary="登记容缺材料补齐", operation_id="cases_supplement",
    description="容缺后补的材料已补齐；全部补齐后暂不出件的结果可以出件。",
)
@case_errors
def supplement(request, body: SupplementIn, number: str = NUMBER):
    case = _visible(request, number)
    requirements = Requirements(case.item_version)
    requirement_ids = [requirements.of(ref, f"materials.{i}") for i, ref in enumerate(body.materials)]
    case = services.case_supplement_deferred(actor=request.user, case=case, expected_version=body.expected_version,
                                             requirement_ids=requirement_ids)
    return _detail(case)


# --- result window, visits, ending early ----------------------------------------------------------


@router.post(
    "/{number}/deliver", response=ACTION_RESPONSES, summary="出件送达", operation_id="cases_deliver",
    description="统一出件：窗口领取（记录领取人）、邮寄（地址、收件人、快递公司、运单号）或电子送达。送达后办件办结。",
)
@case_errors
def deliver(request, body: DeliverIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_deliver(
        actor=request.user, case=case, expected_version=body.expected_version, method=body.method.value,
        collected_by=body.collected_by, collector_id_last4=body.collector_id_last4, address=body.address,
        recipient=body.recipient, recipient_phone=body.recipient_phone, carrier=body.carrier,
        tracking_number=body.tracking_number,
    )
    return _detail(case)


@router.post(
    "/{number}/withdraw", response=ACTION_RESPONSES, summary="申请人撤回", operation_id="cases_withdraw",
    description="申请人在作出决定前撤回申请（窗口人员登记，写明原因）。未受理的记为已撤件，已受理的记为撤回。",
)
@case_errors
def withdraw(request, body: ReasonIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_withdraw(actor=request.user, case=case, expected_version=body.expected_version,
                                  reason=body.reason)
    return _detail(case)


@router.post(
    "/{number}/revoke", response=ACTION_RESPONSES, summary="撤销", operation_id="cases_revoke",
    description="监察人员撤销办件，须写明理由。",
)
@case_errors
def revoke(request, body: ReasonIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_revoke(actor=request.user, case=case, expected_version=body.expected_version,
                                reason=body.reason)
    return _detail(case)


@router.post(
    "/{number}/visits", response={200: CaseDetailOut, **ERRORS},
    summary="登记到现场", operation_id="cases_visit",
    description="申请人又一次到办事大厅（最多跑一次、零上门统计用）。",
)
@case_errors
def visit(request, body: VisitIn, number: str = NUMBER):
    case = _visible(request, number)
    case = services.case_record_visit(actor=request.user, case=case, purpose=body.purpose,
                                      expected_version=body.expected_version)
    return _detail(case)


# --- files -------------------------------------------------------------------------------------------


@router.post(
    "/{number}/files", response={201: FileOut, **UNVERSIONED_ERRORS},
    summary="上传材料文件", operation_id="cases_file_upload",
    description="multipart/form-data 上传一个文件（字段 file），可指明所属材料（material：材料代码或材料要求编号）。"
                "只接受内容确为 PDF、JPEG、PNG 或 OFD 的文件，且不超过大小限制；文件以随机名称保存在网站目录之外。",
)
@case_errors
def upload_file(request, file: File[UploadedFile], number: str = NUMBER, material: Form[str] = ""):
    case = _visible(request, number)
    row = None
    if material:
        requirement_id = Requirements(case.item_version).of_value(material, "material")
        row = case.materials.get(requirement_id=requirement_id)
    case_file = uploads.case_file_add(actor=request.user, case=case, material=row, upload=file)
    case_file = CaseFile.objects.select_related("material__requirement").get(pk=case_file.pk)
    return Status(201, {
        "id": case_file.pk, "name": case_file.original_name, "content_type": case_file.content_type,
        "size": case_file.size, "sm3": case_file.sm3,
        "material": case_file.material.requirement.code if case_file.material else None,
        "uploaded_at": case_file.uploaded_at, "download_url": site_url(f"/api/v1/cases/{case.number}/files/{case_file.pk}"),
    })


@router.get(
    "/{number}/files/{file_id}", response={200: None, **READ_ERRORS}, summary="下载材料文件",
    operation_id="cases_file_download",
    description="下载办件的一个附件（原样返回上传的内容）。只有能查看该办件的账号或令牌可以下载。",
)
@case_errors
def download_file(request, file_id: int, number: str = NUMBER):
    case = _visible(request, number)
    case_file = uploads.case_file_for_user(request.user, case.pk, file_id)
    if case_file is None:
        raise CaseNotFound(_("办件 %(n)s 没有编号为 %(f)s 的附件。") % {"n": number, "f": file_id})
    response = FileResponse(case_file.file.open("rb"), as_attachment=True, filename=case_file.original_name,
                            content_type=case_file.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/{number}/notices/{notice_id}.pdf", response={200: None, **READ_ERRORS}, summary="下载文书 PDF",
    operation_id="cases_notice_pdf",
    description="办件的一份文书（受理通知书、一次性告知书、决定书等）的 PDF，按出具时固定的内容生成。"
                "供用令牌调用的系统下载；浏览器用户也可用详情中的 pdf_url。",
)
@case_errors
def notice_pdf(request, notice_id: int, number: str = NUMBER):
    case = _visible(request, number)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise CaseNotFound(_("办件 %(n)s 没有编号为 %(id)s 的文书。") % {"n": number, "id": notice_id})
    response = HttpResponse(render_notice(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=notice_filename(notice))
    response["Cache-Control"] = "private, no-store"
    return response
