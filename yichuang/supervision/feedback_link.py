"""Ratings (好差评) and complaints, read only through `yichuang.feedback.selectors`.

The feedback app owns the ratings and complaints; supervision asks it for monthly or
per-slice summaries and turns them into the figures defined in RATING_METRICS (shown next
to every figure, on the statistics page, the big screen and the second sheet of an export).
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yichuang.feedback import selectors as feedback_selectors

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

    def __add__(self, other: "RatingFigures") -> "RatingFigures":
        return RatingFigures(
            total=self.total + other.total, levels={k: self.levels[k] + other.levels[k] for k in LEVELS},
            bad=self.bad + other.bad, appeals_upheld=self.appeals_upheld + other.appeals_upheld,
            rectifications=self.rectifications + other.rectifications, rectified=self.rectified + other.rectified,
            available=self.available and other.available)

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


LEVEL_OF = {5: "very_satisfied", 4: "satisfied", 3: "basic", 2: "dissatisfied", 1: "very_dissatisfied"}
# What feedback's summaries can be narrowed by (beyond the dates).
FILTERABLE = ("department_id", "window_id", "staff_id", "centre_id")


def supports(**filters) -> bool:
    """Whether feedback can answer for these filters (it cannot narrow ratings by item or channel)."""
    return all(name in FILTERABLE for name, value in filters.items() if value is not None)


def rating_figures(*, start: datetime.date, end: datetime.date, **filters) -> RatingFigures:
    """The valid ratings of [start, end] (an upheld appeal removes a rating) for department_id, window_id,
    staff_id or centre_id; not available (shown as “—”) for a filter feedback does not know."""
    if not supports(**filters):
        return RatingFigures(available=False)
    raw = feedback_selectors.rating_summary(start=start, end=end,
                                            **{k: v for k, v in filters.items() if v is not None})
    levels = {LEVEL_OF[int(level)]: int(n) for level, n in raw["by_level"].items()}
    rectification = raw.get("rectification") or {}
    return RatingFigures(
        total=raw["total"], levels=levels, bad=raw["bad"], appeals_upheld=raw.get("excluded", 0),
        rectifications=rectification.get("opened", 0), rectified=rectification.get("done", 0),
    )


def complaints_upheld(*, start: datetime.date, end: datetime.date, **filters) -> int:
    """Complaints received in [start, end] about the window or person and found 属实 or 部分属实."""
    return feedback_selectors.complaint_summary(start=start, end=end,
                                                **{k: v for k, v in filters.items() if v is not None})["upheld"]
