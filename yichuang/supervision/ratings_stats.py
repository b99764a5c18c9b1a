"""Ratings (好差评) beside the case statistics: the same period, slice and filters, from feedback's summaries.

Feedback narrows ratings by department, window, staff member and centre (or town point), and by date;
it does not know a rating's item or channel, so for those slices and filters the rating columns say
“—” and the page says why. A centre counts with its town and village points, as in the statistics. The rows are the statistics'
rows (a day or month without case activity has no row); the total row always covers the whole period.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yichuang.org.models import ServiceCentre

from .feedback_link import RATING_METRICS, RatingFigures, rating_figures
from .rollups import _month_end
from .selectors import StatTable

# Beyond this many rows (a day slice over months) only the total row gets its ratings.
MAX_ROWS = 93
DIRECT = {"department": "department_id", "window": "window_id", "staff": "staff_id", "point": "centre_id"}


@dataclass
class RatingTable:
    rows: dict = field(default_factory=dict)  # row key → RatingFigures
    total: RatingFigures = field(default_factory=lambda: RatingFigures(available=False))
    note: str = ""

    def for_row(self, key) -> RatingFigures:
        return self.rows.get(key) or RatingFigures(available=False)


def _centre_ids(centre_id: int) -> list[int]:
    return [int(centre_id), *ServiceCentre.objects.filter(parent_id=int(centre_id)).values_list("pk", flat=True)]


def scope_parts(scope) -> list[dict]:
    """The user's scope as feedback filters to sum over: a supervisor's or admin's region by its centres,
    a department's staff by their departments; everything: no filter."""
    if scope is None or scope.everything:
        return [{}]
    if scope.centres:
        if not ServiceCentre.objects.exclude(pk__in=scope.centres).exists():
            return [{}]  # the region holds every centre: one summary, not one per centre
        return [{"centre_id": c} for c in sorted(scope.centres)]
    return [{"department_id": d} for d in sorted(scope.departments)]


def _figures(start: datetime.date, end: datetime.date, filters: dict, parts: list[dict]) -> RatingFigures:
    """Ratings for the filters within the scope; a centre filter sums the centre and its points."""
    filters = dict(filters)
    centres = filters.pop("centre", None)
    choices = [{"centre_id": c} for c in centres] if centres is not None else [{}]
    total = RatingFigures()
    for choice in choices:
        for part in parts:
            merged = {**filters, **choice}
            if any(merged.get(k) not in (None, v) for k, v in part.items()):
                continue  # outside the scope: adds nothing
            total = total + rating_figures(start=start, end=end, **merged, **part)
    return total


def _base_filters(query_filters: dict) -> dict | None:
    """Feedback's filters for the statistics filters; None when one cannot be applied to ratings."""
    out: dict = {}
    for name, value in query_filters.items():
        if value in (None, ""):
            continue
        if name in DIRECT:
            out[DIRECT[name]] = int(value)
        elif name == "centre":
            out["centre"] = _centre_ids(int(value))
        else:  # item, channel
            return None
    return out


def ratings_for(table: StatTable, scope=None) -> RatingTable:
    """The rating figures of each row and of the total, within the user's scope (None: everything)."""
    parts = scope_parts(scope)
    query = table.query
    base = _base_filters(query.filters)
    if base is None:
        return RatingTable(note=_("好差评数据不分事项和渠道，按事项或渠道筛选时不显示好差评指标。"))
    result = RatingTable(total=_figures(query.start, query.end, base, parts))
    slice_name = query.slice
    if not slice_name or not table.rows:
        return result
    if slice_name in ("item", "channel"):
        result.note = _("好差评数据不分事项和渠道，各行不显示好差评指标，合计行为全部评价。")
        return result
    if len(table.rows) > MAX_ROWS:
        result.note = _("行数较多，好差评指标只显示合计。")
        return result
    for row in table.rows:
        filters = dict(base)
        start, end = query.start, query.end
        if slice_name in DIRECT:
            if row.key in (0, None, ""):
                continue
            filters[DIRECT[slice_name]] = int(row.key)
        elif slice_name == "centre":
            filters["centre"] = _centre_ids(int(row.key))
        elif slice_name == "month":
            start, end = max(start, row.key), min(end, _month_end(row.key))
        elif slice_name == "day":
            start = end = row.key
        result.rows[row.key] = _figures(start, end, filters, parts)
    return result


def rating_headers() -> list:
    return list(RATING_METRICS)
