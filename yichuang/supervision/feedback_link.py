"""Ratings (好差评) and complaints, read only through `yichuang.feedback.selectors`.

The feedback app owns the ratings and complaints; supervision asks it for monthly or
per-slice summaries and turns them into the figures defined in RATING_METRICS (shown next
to every figure, on the statistics page, the big screen and the second sheet of an export).
"""

import datetime
import inspect
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")
LEVEL_LABELS = {
    "very_satisfied": _("非常满意"), "satisfied": _("满意"), "basic": _("基本满意"),
    "dissatisfied": _("不满意"), "very_dissatisfied": _("非常不满意"),
}


@dataclass(frozen=True)
class RatingMetric:
    key: str
    label: str
    unit: str
    definition: str
    kind: str  # count | rate


RATING_METRICS = (
    RatingMetric("ratings", _("评价数"), _("件"), _(
        "统计期内收到的有效好差评件数（现场、网上、短信、电话回访各渠道，按评价日期计）；"
        "经申诉核实为恶意或误评、申诉成立的评价不计入。"), "count"),
    RatingMetric("satisfaction_rate", _("满意率"), "%", _(
        "满意率 =（非常满意 + 满意 + 基本满意）÷ 有效评价数 × 100%，保留一位小数；没有评价时不计算（显示“—”）。"),
        "rate"),
    RatingMetric("very_satisfied", _("非常满意"), _("件"), _("有效评价中评为“非常满意”的件数。"), "count"),
    RatingMetric("satisfied", _("满意"), _("件"), _("有效评价中评为“满意”的件数。"), "count"),
    RatingMetric("basic", _("基本满意"), _("件"), _("有效评价中评为“基本满意”的件数。"), "count"),
    RatingMetric("dissatisfied", _("不满意"), _("件"), _("有效评价中评为“不满意”的件数。"), "count"),
    RatingMetric("very_dissatisfied", _("非常不满意"), _("件"), _("有效评价中评为“非常不满意”的件数。"), "count"),
    RatingMetric("bad", _("差评数"), _("件"), _(
        "有效评价中评为“不满意”或“非常不满意”的件数（申诉成立的差评已剔除）。"), "count"),
    RatingMetric("rectification_rate", _("整改率"), "%", _(
        "统计期内差评启动的整改中已整改完毕（复核通过）的比例 = 已整改件数 ÷ 应整改件数 × 100%；没有应整改件时显示“—”。"),
        "rate"),
)
RATING_METRICS_BY_KEY = {m.key: m for m in RATING_METRICS}


@dataclass
class RatingFigures:
    total: int = 0
    levels: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    bad: int = 0
    appeals_upheld: int = 0
    rectifications: int = 0
    rectified: int = 0
    available: bool = True

    @property
    def satisfied(self) -> int:
        return self.levels["very_satisfied"] + self.levels["satisfied"] + self.levels["basic"]

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.levels)

    @property
    def rectification_rate(self) -> float | None:
        return round(self.rectified * 100 / self.rectifications, 1) if self.rectifications else None

    def as_dict(self) -> dict:
        return {"ratings": self.total, "satisfaction_rate": self.satisfaction_rate, **self.levels, "bad": self.bad,
                "appeals_upheld": self.appeals_upheld, "rectifications": self.rectifications,
                "rectified": self.rectified, "rectification_rate": self.rectification_rate}

    def display(self) -> dict:
        return {m.key: format_rating(m, self.as_dict()[m.key]) if self.available else "—" for m in RATING_METRICS}


def satisfaction_rate(levels: dict) -> float | None:
    """(非常满意 + 满意 + 基本满意) ÷ all valid ratings, in percent with one decimal; None without ratings."""
    total = sum(levels.get(k, 0) for k in LEVELS)
    if not total:
        return None
    satisfied = levels.get("very_satisfied", 0) + levels.get("satisfied", 0) + levels.get("basic", 0)
    return round(satisfied * 100 / total, 1)


def format_rating(metric: RatingMetric, value) -> str:
    if value is None:
        return "—"
    if metric.kind == "rate":
        return f"{value:.1f}%"
    return str(value)


def _selector(name: str):
    try:
        from yichuang.feedback import selectors
    except ImportError:
        return None
    return getattr(selectors, name, None)


def _accepted(function, kwargs: dict) -> dict | None:
    """The keyword arguments the selector takes; None when it cannot take one that matters (a filter)."""
    parameters = inspect.signature(function).parameters
    if any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        return kwargs
    if any(value is not None and name not in parameters for name, value in kwargs.items()):
        return None
    return {name: value for name, value in kwargs.items() if name in parameters}


def ratings_available() -> bool:
    return _selector("rating_summary") is not None


def complaints_available() -> bool:
    return _selector("complaint_summary") is not None


def supports(**filters) -> bool:
    """Whether feedback can answer for these filters (e.g. item_id=3): its selector takes them."""
    function = _selector("rating_summary")
    return function is not None and _accepted(function, filters) is not None


def rating_figures(*, start: datetime.date, end: datetime.date, **filters) -> RatingFigures:
    """The ratings of [start, end] for the filters (department_id, window_id, staff_id, item_id, …).

    Not available (figures shown as “—”) when feedback has no summary or cannot filter that way.
    """
    function = _selector("rating_summary")
    if function is None:
        return RatingFigures(available=False)
    kwargs = _accepted(function, {k: v for k, v in filters.items() if v is not None})
    if kwargs is None:
        return RatingFigures(available=False)
    raw = function(start=start, end=end, **kwargs) or {}
    levels = {k: int((raw.get("levels") or {}).get(k) or 0) for k in LEVELS}
    total = int(raw.get("total") or sum(levels.values()))
    bad = raw.get("bad")
    return RatingFigures(
        total=total, levels=levels,
        bad=int(bad if bad is not None else levels["dissatisfied"] + levels["very_dissatisfied"]),
        appeals_upheld=int(raw.get("appeals_upheld") or 0), rectifications=int(raw.get("rectifications") or 0),
        rectified=int(raw.get("rectified") or 0),
    )


def complaints_upheld(*, start: datetime.date, end: datetime.date, **filters) -> int:
    """Complaints found 属实 in [start, end] about the window or person; 0 when feedback has no complaints."""
    function = _selector("complaint_summary")
    if function is None:
        return 0
    kwargs = _accepted(function, {k: v for k, v in filters.items() if v is not None})
    if kwargs is None:
        return 0
    return int((function(start=start, end=end, **kwargs) or {}).get("upheld") or 0)
