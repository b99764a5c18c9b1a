"""Writes to the working-day calendar.

Every write validates everything before touching a row, records its audit entry in the same
transaction and bumps `CalendarStamp`, so every process drops its cached working-day tables
(this one at once, others within `calendar.STAMP_TTL_SECONDS`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.org.models import Region

from . import calendar
from .audit import audit_record
from .models import CalendarDay, CalendarStamp, CalendarYear

# A notice may list the New Year arrangement's last days of the previous December
# (the 2008 notice: 2007-12-29 make-up, 2007-12-30 … 2008-01-01 off).
NOTICE_REACH_INTO_PREVIOUS_YEAR = datetime.timedelta(days=7)
LONGEST_HOLIDAY_DAYS = 31
FIRST_YEAR, LAST_YEAR = 2000, 2100

NOTICE_KINDS = (CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP)


def _stamp_bump() -> int:
    """Move the generation on; the row lock makes concurrent writers queue, not collide."""
    stamp = CalendarStamp.objects.select_for_update().order_by("pk").first()
    if stamp is None:
        stamp = CalendarStamp(generation=0)
    stamp.generation += 1
    stamp.changed_at = timezone.now()
    stamp.save()
    calendar.invalidate_after_write()
    return stamp.generation


def _resolve_region(region: Region | str | None) -> Region | None:
    if region is None or isinstance(region, Region):
        return region
    code = str(region).strip()
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(str(calendar.UnknownRegionError(code)), code="unknown_region")
    return found


def _region_label(region: Region | None) -> str:
    return f"{region.name}（{region.code}）" if region else _("全国")


def _day_dict(row: CalendarDay) -> dict:
    return {
        "date": row.date.isoformat(),
        "kind": row.kind,
        "name": row.name,
        "region": row.region.code if row.region_id else None,
    }


def _year_dict(row: CalendarYear | None) -> dict | None:
    if row is None:
        return None
    return {
        "year": row.year,
        "region": row.region.code if row.region_id else None,
        "source": row.source,
        "notice": row.notice,
    }


def _year_object_id(year: int, region: Region | None) -> str:
    return f"{year}:{region.code if region else 'national'}"


def _check_year(year: object) -> list[str]:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        return [_("年份“%(year)s”无效：请填写 %(a)d 至 %(b)d 之间的四位年份，如 2027。")
                % {"year": year, "a": FIRST_YEAR, "b": LAST_YEAR}]
    return []


def _notice_problems(
    *, year: int, holidays: Sequence, makeup_days: Sequence
) -> tuple[list[str], list[tuple[datetime.date, datetime.date, str]], list[tuple[datetime.date, str]]]:
    """Every problem of a notice at once (a clerk fixes the file in one go), plus the clean entries."""
    problems = _check_year(year)
    if problems:
        return problems, [], []
    window_start = datetime.date(year, 1, 1) - NOTICE_REACH_INTO_PREVIOUS_YEAR
    window_end = datetime.date(year, 12, 31)
    window = calendar.format_span(window_start, window_end)

    def is_date(value: object) -> bool:
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)

    ranges: list[tuple[datetime.date, datetime.date, str, str]] = []
    if not holidays:
        problems.append(_("%(year)d年的通知中没有任何放假安排：请至少填写一项（如元旦）。") % {"year": year})
    for index, entry in enumerate(holidays, start=1):
        try:
            start, end, name = entry
        except (TypeError, ValueError):
            problems.append(_("第 %(i)d 项放假安排格式不对：应为（开始日期，结束日期，节日名称）。") % {"i": index})
            continue
        name = (name or "").strip() if isinstance(name, str) else name
        label = _("第 %(i)d 项放假安排（%(name)s %(start)s 至 %(end)s）") % {
            "i": index, "name": name, "start": start, "end": end}
        if not is_date(start) or not is_date(end):
            problems.append(_("%(label)s：日期无效，请按“年-月-日”填写，如 %(year)d-10-01。")
                            % {"label": label, "year": year})
            continue
        if not isinstance(name, str) or not name:
            problems.append(_("%(label)s：缺少节日名称，请填写，如“国庆节”。") % {"label": label})
            continue
        if len(name) > calendar.NAME_MAX_LENGTH:
            problems.append(_("%(label)s：节日名称不能超过 %(n)d 个字，请缩短。")
                            % {"label": label, "n": calendar.NAME_MAX_LENGTH})
            continue
        if start > end:
            problems.append(_("%(label)s：开始日期晚于结束日期，请对调两个日期。") % {"label": label})
            continue
        if start < window_start or end > window_end:
            problems.append(_("%(label)s：日期不在%(year)d年的安排范围（%(window)s）内，请核对年份。")
                            % {"label": label, "year": year, "window": window})
            continue
        if (end - start).days + 1 > LONGEST_HOLIDAY_DAYS:
            problems.append(_("%(label)s：连续放假 %(n)d 天，超过 %(max)d 天，请核对日期。")
                            % {"label": label, "n": (end - start).days + 1, "max": LONGEST_HOLIDAY_DAYS})
            continue
        for other_start, other_end, _other_name, other_label in ranges:
            if start <= other_end and other_start <= end:
                problems.append(_("%(label)s与%(other)s的日期重叠，请合并或修改其中一项。")
                                % {"label": label, "other": other_label})
                break
        else:
            ranges.append((start, end, name, label))

    makeups: list[tuple[datetime.date, str]] = []
    seen: dict[datetime.date, str] = {}
    for index, entry in enumerate(makeup_days, start=1):
        try:
            day, name = entry
        except (TypeError, ValueError):
            problems.append(_("第 %(i)d 个调休上班日格式不对：应为（日期，节日名称）。") % {"i": index})
            continue
        name = (name or "").strip() if isinstance(name, str) else name
        label = _("第 %(i)d 个调休上班日（%(date)s %(name)s）") % {"i": index, "date": day, "name": name}
        if not is_date(day):
            problems.append(_("%(label)s：日期无效，请按“年-月-日”填写，如 %(year)d-10-10。")
                            % {"label": label, "year": year})
            continue
        if not isinstance(name, str) or len(name) > calendar.NAME_MAX_LENGTH:
            problems.append(_("%(label)s：节日名称不能超过 %(n)d 个字，请缩短。")
                            % {"label": label, "n": calendar.NAME_MAX_LENGTH})
            continue
        if not window_start <= day <= window_end:
            problems.append(_("%(label)s：日期不在%(year)d年的安排范围（%(window)s）内，请核对年份。")
                            % {"label": label, "year": year, "window": window})
            continue
        if day.weekday() < 5:
            problems.append(_("%(label)s：这一天是%(weekday)s，调休上班日应为周六或周日，请核对。")
                            % {"label": label, "weekday": calendar.weekday_name(day)})
            continue
        if day in seen:
            problems.append(_("%(label)s与%(other)s是同一天，请删去重复的一项。") % {"label": label, "other": seen[day]})
            continue
        inside = next((r for r in ranges if r[0] <= day <= r[1]), None)
        if inside:
            problems.append(_("%(label)s落在%(other)s之内：同一天不能既放假又上班，请核对。")
                            % {"label": label, "other": inside[3]})
            continue
        seen[day] = label
        makeups.append((day, name))
    return problems, [(a, b, n) for a, b, n, _label in ranges], makeups


@transaction.atomic
def calendar_import_notice(
    *,
    actor,
    year: int,
    holidays: Sequence[tuple[datetime.date, datetime.date, str]],
    makeup_days: Sequence[tuple[datetime.date, str]],
    region: Region | str | None = None,
    notice: str = "",
    source: str = CalendarYear.Source.NOTICE,
) -> CalendarYear:
    """Load one year's arrangement (the State Council notice, or a region's own) for `region`.

    Replaces that region's holiday and make-up rows of the year, and any row of that region
    on a date the notice lists (the notice is the later, authoritative word); keeps the
    region's single-day overrides on other dates. Nothing is written unless every entry is
    valid: the ValidationError lists each bad entry.
    """
    problems, ranges, makeups = _notice_problems(year=year, holidays=holidays, makeup_days=makeup_days)
    region_obj = None
    if region is not None:
        try:
            region_obj = _resolve_region(region)
        except ValidationError as error:
            problems.extend(error.messages)
    notice = (notice or "").strip()
    if len(notice) > 200:
        problems.append(_("通知文号或说明不能超过 200 个字，请缩短。"))
    if source not in CalendarYear.Source.values:
        problems.append(_("来源“%(source)s”无效。") % {"source": source})
    if problems:
        raise ValidationError(problems, code="invalid_notice")

    new_rows: dict[datetime.date, tuple[str, str]] = {}
    for start, end, name in ranges:
        day = start
        while day <= end:
            new_rows[day] = (CalendarDay.Kind.HOLIDAY, name)
            day += datetime.timedelta(days=1)
    for day, name in makeups:
        new_rows[day] = (CalendarDay.Kind.MAKEUP, name)

    replaced = (
        CalendarDay.objects.select_related("region")
        .filter(region=region_obj)
        .filter(Q(date__year=year, kind__in=NOTICE_KINDS) | Q(date__in=list(new_rows)))
    )
    before_days = [_day_dict(row) for row in replaced]
    replaced.delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, region=region_obj, kind=kind, name=name) for day, (kind, name) in sorted(new_rows.items())]
    )
    year_row = CalendarYear.objects.select_related("region").filter(year=year, region=region_obj).first()
    before_year = _year_dict(year_row)
    if year_row is None:
        year_row = CalendarYear(year=year, region=region_obj)
    year_row.source = source
    year_row.notice = notice
    year_row.save()
    generation = _stamp_bump()
    audit_record(
        actor=actor,
        action="calendar.import_notice",
        object_type="core.calendaryear",
        object_id=_year_object_id(year, region_obj),
        before={"year": before_year, "days": before_days},
        after={"year": _year_dict(year_row),
               "days": [{"date": d.isoformat(), "kind": k, "name": n} for d, (k, n) in sorted(new_rows.items())]},
        note=_("导入%(year)d年节假日安排（%(region)s）：放假 %(off)d 天，调休上班 %(on)d 天；日历版本 %(gen)d。%(notice)s")
        % {"year": year, "region": _region_label(region_obj), "gen": generation, "notice": notice,
           "off": sum(1 for k, _n in new_rows.values() if k == CalendarDay.Kind.HOLIDAY),
           "on": len(makeups)},
    )
    return year_row


@transaction.atomic
def calendar_set_day(
    *, actor, date: datetime.date, kind: str, name: str = "", region: Region | str | None = None
) -> CalendarDay:
    """Set one day for a region (or nationally): e.g. a centre's own extra day off."""
    name = (name or "").strip() if isinstance(name, str) else name
    problems = calendar.day_override_problems(date, kind, name)
    region_obj = None
    if region is not None:
        try:
            region_obj = _resolve_region(region)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems, code="invalid_day")
    row = CalendarDay.objects.select_for_update(of=("self",)).select_related("region").filter(date=date, region=region_obj).first()
    before = _day_dict(row) if row else None
    if row is None:
        row = CalendarDay(date=date, region=region_obj)
    row.kind = kind
    row.name = name
    row.save()
    generation = _stamp_bump()
    audit_record(
        actor=actor, action="calendar.set_day", obj=row, before=before, after=_day_dict(row),
        note=_("%(region)s %(date)s 设为%(kind)s；日历版本 %(gen)d。")
        % {"region": _region_label(region_obj), "date": date.isoformat(),
           "kind": row.get_kind_display(), "gen": generation},
    )
    return row


@transaction.atomic
def calendar_remove_day(*, actor, date: datetime.date, region: Region | str | None = None) -> None:
    """Remove one stored day of a region (or a national one): it follows the rules above it again."""
    region_obj = _resolve_region(region)
    row = CalendarDay.objects.select_for_update(of=("self",)).select_related("region").filter(date=date, region=region_obj).first()
    if row is None:
        raise ValidationError(
            _("%(region)s在 %(date)s 没有单独设置，无需删除；请核对日期和地区。")
            % {"region": _region_label(region_obj), "date": date},
            code="not_found",
        )
    before = _day_dict(row)
    row_id = row.pk
    row.delete()
    generation = _stamp_bump()
    audit_record(
        actor=actor, action="calendar.remove_day", object_type="core.calendarday", object_id=str(row_id),
        before=before, after=None,
        note=_("删除%(region)s %(date)s 的设置；日历版本 %(gen)d。")
        % {"region": _region_label(region_obj), "date": date.isoformat(), "gen": generation},
    )


@transaction.atomic
def calendar_year_set(
    *, actor, year: int, region: Region | str | None = None,
    source: str = CalendarYear.Source.MANUAL, notice: str = "",
) -> CalendarYear:
    """Record that a year's arrangement is known (and where it came from).

    A national row makes deadlines relying on that year confirmed, so it belongs after its
    holidays and make-up days are entered.
    """
    problems = _check_year(year)
    region_obj = None
    if region is not None:
        try:
            region_obj = _resolve_region(region)
        except ValidationError as error:
            problems.extend(error.messages)
    notice = (notice or "").strip()
    if len(notice) > 200:
        problems.append(_("通知文号或说明不能超过 200 个字，请缩短。"))
    if source not in CalendarYear.Source.values:
        problems.append(_("来源“%(source)s”无效。") % {"source": source})
    if problems:
        raise ValidationError(problems, code="invalid_year")
    row = CalendarYear.objects.select_for_update(of=("self",)).select_related("region").filter(year=year, region=region_obj).first()
    before = _year_dict(row)
    if row is None:
        row = CalendarYear(year=year, region=region_obj)
    row.source = source
    row.notice = notice
    row.save()
    generation = _stamp_bump()
    audit_record(
        actor=actor, action="calendar.year_set", object_type="core.calendaryear",
        object_id=_year_object_id(year, region_obj), before=before, after=_year_dict(row),
        note=_("登记%(year)d年节假日安排（%(region)s）；日历版本 %(gen)d。")
        % {"year": year, "region": _region_label(region_obj), "gen": generation},
    )
    return row


@transaction.atomic
def calendar_year_remove(*, actor, year: int, region: Region | str | None = None) -> None:
    """Forget that a year is announced. Its stored days stay; deadlines in it become unconfirmed."""
    region_obj = _resolve_region(region)
    row = CalendarYear.objects.select_for_update(of=("self",)).select_related("region").filter(year=year, region=region_obj).first()
    if row is None:
        raise ValidationError(
            _("%(region)s没有登记%(year)s年的安排，无需删除。") % {"region": _region_label(region_obj), "year": year},
            code="not_found",
        )
    before = _year_dict(row)
    row.delete()
    generation = _stamp_bump()
    audit_record(
        actor=actor, action="calendar.year_remove", object_type="core.calendaryear",
        object_id=_year_object_id(year, region_obj), before=before, after=None,
        note=_("删除%(year)d年节假日安排登记（%(region)s），该年期限改为待确认；日历版本 %(gen)d。")
        % {"year": year, "region": _region_label(region_obj), "gen": generation},
    )


@dataclass(frozen=True)
class SeedResult:
    added_years: tuple[int, ...] = ()
    updated_years: tuple[int, ...] = ()
    # Years whose national arrangement an admin imported or entered: the package never
    # overwrites them.
    kept_years: tuple[int, ...] = ()
    days_written: int = 0
    # National single-day overrides (本地另行放假/上班 set nationally) on package dates: kept.
    kept_days: tuple[datetime.date, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.added_years or self.updated_years)


@transaction.atomic
def calendar_seed_from_package(*, actor) -> SeedResult:
    """Load every year `chinesecalendar` knows into the national calendar; a no-op when nothing changed.

    Run after upgrading the package (a new year's notice). Years recorded from a notice or by
    hand stay as they are, and so do national single-day overrides on package dates.
    """
    import chinese_calendar

    schedule = calendar.package_schedule()
    by_year: dict[int, dict[datetime.date, tuple[str, str]]] = {}
    for day, rule in schedule.items():
        by_year.setdefault(day.year, {})[day] = rule
    years = {
        row.year: row for row in CalendarYear.objects.select_for_update().filter(region__isnull=True, year__in=by_year)
    }
    stored: dict[datetime.date, tuple[str, str]] = {
        day: (kind, name)
        for day, kind, name in CalendarDay.objects.filter(
            region__isnull=True, date__year__in=list(by_year)
        ).values_list("date", "kind", "name")
    }
    version = getattr(chinese_calendar, "__version__", "")
    added, updated, kept_years, kept_days = [], [], [], []
    before_days, after_days = [], []
    for year in sorted(by_year):
        year_row = years.get(year)
        if year_row is not None and year_row.source != CalendarYear.Source.PACKAGE:
            kept_years.append(year)
            continue
        overrides = {d for d, (k, _n) in stored.items() if d.year == year and k not in NOTICE_KINDS}
        wanted = {d: r for d, r in by_year[year].items() if d not in overrides}
        kept_days.extend(sorted(d for d in by_year[year] if d in overrides))
        current = {d: r for d, r in stored.items() if d.year == year and r[0] in NOTICE_KINDS}
        if year_row is not None and current == wanted:
            continue
        stale = CalendarDay.objects.filter(region__isnull=True, date__year=year, kind__in=NOTICE_KINDS)
        before_days.extend(
            {"date": d.isoformat(), "kind": k, "name": n} for d, (k, n) in sorted(current.items())
        )
        stale.delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, region=None, kind=k, name=n) for d, (k, n) in sorted(wanted.items())]
        )
        after_days.extend({"date": d.isoformat(), "kind": k, "name": n} for d, (k, n) in sorted(wanted.items()))
        if year_row is None:
            CalendarYear.objects.create(
                year=year, region=None, source=CalendarYear.Source.PACKAGE,
                notice=f"chinesecalendar {version}".strip(),
            )
            added.append(year)
        else:
            year_row.notice = f"chinesecalendar {version}".strip()
            year_row.save(update_fields=["notice", "imported_at"])
            updated.append(year)
    result = SeedResult(
        added_years=tuple(added), updated_years=tuple(updated), kept_years=tuple(kept_years),
        days_written=len(after_days), kept_days=tuple(kept_days),
    )
    if result.changed:
        generation = _stamp_bump()
        audit_record(
            actor=actor, action="calendar.seed_from_package", object_type="core.calendaryear",
            object_id="national", before={"days": before_days}, after={"days": after_days},
            note=_("从 chinesecalendar %(version)s 载入全国节假日安排：新增 %(added)s，更新 %(updated)s；日历版本 %(gen)d。")
            % {"version": version, "added": "、".join(map(str, added)) or _("无"),
               "updated": "、".join(map(str, updated)) or _("无"), "gen": generation},
        )
    return result
