"""Foundation endpoints: the working-day calendar.

Each query parameter is parsed by its own validator so that a bad value comes back (422,
through the API's validation handler) with a Chinese message naming the parameter; a region
code that is well formed but unknown is a 400 with the same shape.
"""

import datetime
import re

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.schema import DjangoGetter
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError

from . import calendar

router = Router(tags=["calendar"])

MAX_DAYS = 365
# Stands in for a parameter the caller left out, so that its own validator reports it in
# Chinese instead of pydantic's generic "Field required".
_ABSENT = object()


def _require(data, names: tuple[str, ...]):
    # ninja hands a Schema's validators its input wrapped in a DjangoGetter.
    if isinstance(data, DjangoGetter):
        data = data._obj
    if isinstance(data, dict):
        data = dict(data)
        for name in names:
            if data.get(name) in (None, ""):
                data[name] = _ABSENT
    return data


def _date(value, field: str, label: str) -> datetime.date:
    if value is _ABSENT:
        raise PydanticCustomError(
            "missing", _("缺少参数 %(f)s（%(l)s）：请按 YYYY-MM-DD 填写，如 2026-09-30。") % {"f": field, "l": label}
        )
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "date", _("参数 %(f)s（%(l)s）“%(v)s”不是有效日期：请按 YYYY-MM-DD 填写，如 2026-09-30。")
            % {"f": field, "l": label, "v": text}
        ) from None


def _region(value):
    if value in (None, "", _ABSENT):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{12}", text):
        raise PydanticCustomError(
            "region", _("参数 region（地区）“%(v)s”不是 12 位区划代码：请填写如 330110000000，全国则不填。") % {"v": text}
        )
    return text


class RegionQuery(Schema):
    region: str | None = Field(None, description="地区的 12 位区划代码；不填按全国安排", examples=["330110000000"])

    @field_validator("region", mode="before")
    @classmethod
    def _check_region(cls, value):
        return _region(value)


class DeadlineQuery(RegionQuery):
    start: datetime.date = Field(..., description="受理日期（YYYY-MM-DD），当日不计入", examples=["2026-09-30"])
    days: int = Field(..., description=f"期限，工作日数（0–{MAX_DAYS}；0 表示当日办结）", examples=[5])

    @model_validator(mode="before")
    @classmethod
    def _mark_absent(cls, data):
        return _require(data, ("start", "days"))

    @field_validator("start", mode="before")
    @classmethod
    def _check_start(cls, value):
        return _date(value, "start", _("受理日期"))

    @field_validator("days", mode="before")
    @classmethod
    def _check_days(cls, value):
        if value is _ABSENT:
            raise PydanticCustomError("missing", _("缺少参数 days（工作日数）：请填写 0 至 %(m)d 的整数。") % {"m": MAX_DAYS})
        text = str(value).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise PydanticCustomError(
                "days", _("参数 days（工作日数）“%(v)s”不是整数：请填写 0 至 %(m)d 的整数，如 5。") % {"v": text, "m": MAX_DAYS}
            )
        days = int(text)
        if not 0 <= days <= MAX_DAYS:
            raise PydanticCustomError(
                "days", _("参数 days（工作日数）为 %(v)d，超出范围：请填写 0 至 %(m)d 的整数。") % {"v": days, "m": MAX_DAYS}
            )
        return days


class WorkdayQuery(RegionQuery):
    date: datetime.date = Field(..., description="日期（YYYY-MM-DD）", examples=["2026-10-10"])

    @model_validator(mode="before")
    @classmethod
    def _mark_absent(cls, data):
        return _require(data, ("date",))

    @field_validator("date", mode="before")
    @classmethod
    def _check_date(cls, value):
        return _date(value, "date", _("日期"))


class BetweenQuery(RegionQuery):
    start: datetime.date = Field(..., description="开始日期（YYYY-MM-DD），不计入", examples=["2026-09-30"])
    end: datetime.date = Field(..., description="结束日期（YYYY-MM-DD），计入", examples=["2026-10-13"])

    @model_validator(mode="before")
    @classmethod
    def _mark_absent(cls, data):
        return _require(data, ("start", "end"))

    @field_validator("start", mode="before")
    @classmethod
    def _check_start(cls, value):
        return _date(value, "start", _("开始日期"))

    @field_validator("end", mode="before")
    @classmethod
    def _check_end(cls, value):
        return _date(value, "end", _("结束日期"))


class SkippedOut(Schema):
    date: datetime.date
    kind: str = Field(..., description="weekend 周末 / holiday 法定节假日 / extra_off 本地放假")
    reason: str


class DeadlineOut(Schema):
    start: datetime.date
    days: int
    date: datetime.date = Field(..., description="期限届满日（当日工作时间结束）")
    confirmed: bool = Field(..., description="所依据的每一天都在已公布节假日安排的年份内")
    skipped: list[SkippedOut]
    special_workdays: list[SkippedOut] = Field(..., description="因调休或本地安排而上班、被计入的日子")
    unconfirmed_years: list[int]
    explanation: list[str]
    region: str | None


class WorkdayOut(Schema):
    date: datetime.date
    is_workday: bool
    kind: str = Field(..., description="weekday / weekend / holiday / makeup / extra_off / extra_work")
    reason: str
    confirmed: bool
    region: str | None


class BetweenOut(Schema):
    start: datetime.date
    end: datetime.date
    workdays: int = Field(..., description="(start, end] 内的工作日数；end 早于 start 时为负数")
    confirmed: bool
    unconfirmed_years: list[int]
    region: str | None


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError]


def _unknown_region(error: calendar.UnknownRegionError):
    return Status(400, {"detail": str(error), "errors": [{"field": "region", "message": str(error)}]})


def _marks(days) -> list[dict]:
    return [{"date": d.date, "kind": d.kind, "reason": d.reason} for d in days]


@router.get(
    "/calendar/deadline", response={200: DeadlineOut, 400: ErrorOut, 422: ErrorOut},
    summary="计算期限届满日", description="受理当日不计入；期限至第 N 个工作日工作时间结束。",
)
def calendar_deadline(request, query: Query[DeadlineQuery]):
    try:
        deadline = calendar.add_workdays(query.start, query.days, region=query.region)
    except calendar.UnknownRegionError as error:
        return _unknown_region(error)
    except ValueError as error:
        # Only a due date beyond 9999-12-31 gets here; the parameter validators catch the rest.
        return Status(422, {"detail": str(error), "errors": [{"field": "start", "message": str(error)}]})
    return Status(200, {
        "start": deadline.start, "days": deadline.days, "date": deadline.date, "confirmed": deadline.confirmed,
        "skipped": _marks(deadline.skipped), "special_workdays": _marks(deadline.special_workdays),
        "unconfirmed_years": list(deadline.unconfirmed_years), "explanation": deadline.explain_lines(),
        "region": query.region,
    })


@router.get(
    "/calendar/workday", response={200: WorkdayOut, 400: ErrorOut, 422: ErrorOut},
    summary="判断是否工作日", description="返回是否工作日及原因（周末、节日名称、调休上班、本地安排）。",
)
def calendar_workday(request, query: Query[WorkdayQuery]):
    try:
        info = calendar.day_info(query.date, region=query.region)
    except calendar.UnknownRegionError as error:
        return _unknown_region(error)
    return Status(200, {
        "date": info.date, "is_workday": info.is_workday, "kind": info.kind, "reason": info.reason,
        "confirmed": info.confirmed, "region": query.region,
    })


@router.get(
    "/calendar/between", response={200: BetweenOut, 400: ErrorOut, 422: ErrorOut},
    summary="两日之间的工作日数", description="计算 (start, end] 内的工作日数：开始日不计入，结束日计入。",
)
def calendar_between(request, query: Query[BetweenQuery]):
    try:
        table = calendar.workday_table(query.region)
    except calendar.UnknownRegionError as error:
        return _unknown_region(error)
    years = list(table.unconfirmed_years_between(query.start, query.end))
    return Status(200, {
        "start": query.start, "end": query.end, "workdays": table.workdays_between(query.start, query.end),
        "confirmed": not years, "unconfirmed_years": years, "region": query.region,
    })
