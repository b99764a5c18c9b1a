"""The one registry of statistics: what each figure means and how it is computed.

Every figure is computed from the counters of `StatRollup` summed over the period and slice;
its definition is shown next to it on the page, in the API and on the second sheet of every
Excel export, so a supervisor and a programme auditor read the same words.

Which counter a case event adds to (the rollup builder in `rollups.py` does this):

* 接件 (receive) → received; online channel also online_received. Day = day of receipt, staff = the
  clerk who received it.
* 受理 (accept) → accepted. Staff = the clerk who accepted it.
* 不予受理 (refuse) → not_accepted.
* 决定 (decide, national status 11/12/13) → closed, and from the case as decided: approved;
  immediate (decided on the day of acceptance); early / on_time / late against the promised due
  date (after extensions and paused days); handling_days and the histogram; corrected;
  send_backs; special_used; extended. Staff = the person who decided.
  On the row of the day of acceptance (staff = the accepting clerk): cohort_closed and
  cohort_ended, so that "pending" and "closure rate" follow the cases accepted in the period.
* 送达 (deliver) → delivered; one_visit (≤ 1 visit), zero_visit (no visit).
* 撤回 / 撤销 (withdraw, revoke) → withdrawn; if the case had been accepted and not yet decided,
  cohort_ended on its acceptance row.
* The alarm sweep marking a case overdue → went_overdue (staff 0).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import HIST_MAX

HIST_FIELDS = tuple(f"hd_{i}" for i in range(HIST_MAX + 1)) + ("hd_over",)

COUNTERS = (
    "received", "online_received", "accepted", "not_accepted", "closed", "approved", "immediate", "early",
    "on_time", "late", "handling_days", "corrected", "send_backs", "special_used", "extended", "delivered",
    "one_visit", "zero_visit", "withdrawn", "went_overdue", "cohort_closed", "cohort_ended",
)
ALL_COUNTERS = COUNTERS + HIST_FIELDS


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    definition: str
    kind: str  # count | rate | ratio | avg | median
    numerator: str = ""
    denominator: str = ""

    def compute(self, sums: Mapping[str, int]):
        """The figure from summed counters; None when it is undefined (a rate of nothing)."""
        if self.kind == "count":
            if self.key == "pending":
                return sums.get("accepted", 0) - sums.get("cohort_ended", 0)
            return sums.get(self.numerator, 0)
        if self.kind == "median":
            return median_from_histogram([sums.get(f, 0) for f in HIST_FIELDS])
        denominator = sums.get(self.denominator, 0)
        if not denominator:
            return None
        value = sums.get(self.numerator, 0) / denominator
        if self.kind == "rate":
            return round(value * 100, 1)
        return round(value, 2)

    def format(self, value) -> str:
        if value is None:
            return "—"
        if self.kind == "rate":
            return f"{value:.1f}%"
        if self.kind == "median" and value == MEDIAN_OVER:
            return f">{HIST_MAX}"
        if self.kind in ("avg", "ratio"):
            return f"{value:.2f}"
        return str(value)


MEDIAN_OVER = HIST_MAX + 1


def median_from_histogram(buckets: list[int]):
    """The median of whole working days from bucket counts (last bucket: more than HIST_MAX).

    With an even number of cases the median is the mean of the two middle values, as usual;
    a median that falls in the overflow bucket is reported as MEDIAN_OVER ("more than 60").
    """
    total = sum(buckets)
    if total == 0:
        return None

    def value_at(rank: int) -> int:  # rank counts from 1
        seen = 0
        for days, count in enumerate(buckets):
            seen += count
            if seen >= rank:
                return days
        return len(buckets) - 1

    low = value_at((total + 1) // 2)
    high = value_at(total // 2 + 1)
    if MEDIAN_OVER in (low, high):
        return MEDIAN_OVER
    middle = (low + high) / 2
    return int(middle) if middle == int(middle) else middle


METRICS = (
    Metric("received", _("接件量"), _("件"), _(
        "统计期内登记接件的办件数，含窗口、网上、乡镇（村）服务点和自助终端各渠道；按接件日期计，人员为接件人。"
    ), "count", "received"),
    Metric("accepted", _("受理量"), _("件"), _(
        "统计期内受理的办件数（含即办件）；按受理日期计，人员为受理人。"
    ), "count", "accepted"),
    Metric("not_accepted", _("不予受理量"), _("件"), _(
        "统计期内出具《不予受理决定书》的办件数。"
    ), "count", "not_accepted"),
    Metric("closed", _("办结量"), _("件"), _(
        "统计期内作出准予或不予许可决定的办件数（国家状态码 11、12、13）；按决定日期计，人员为决定人。"
    ), "count", "closed"),
    Metric("pending", _("在办量"), _("件"), _(
        "统计期内受理、截至目前既未办结也未撤回或撤销的办件数（受理量减去其中已办结、撤回、撤销的件数）。"
    ), "count"),
    Metric("closure_rate", _("办结率"), "%", _(
        "统计期内受理的办件中，截至目前已办结的比例 = 其中已办结件数 ÷ 受理量。"
    ), "rate", "cohort_closed", "accepted"),
    Metric("immediate_rate", _("即办率"), "%", _(
        "办结件中受理当日即作出决定的比例（含即办件当场办结）= 当日办结件数 ÷ 办结量。"
    ), "rate", "immediate", "closed"),
    Metric("early_rate", _("提前办结率"), "%", _(
        "办结件中决定日期早于承诺到期日的比例 = 提前办结件数 ÷ 办结量。承诺到期日已计入批准的延期，并扣除特别程序和退回补正的暂停时间。"
    ), "rate", "early", "closed"),
    Metric("on_time_rate", _("按时办结率"), "%", _(
        "办结件中决定日期不晚于承诺到期日的比例 = 按时办结件数 ÷ 办结量（到期日口径同上）。"
    ), "rate", "on_time", "closed"),
    Metric("late", _("超期办结量"), _("件"), _(
        "统计期内办结、决定日期晚于承诺到期日的件数。"
    ), "count", "late"),
    Metric("went_overdue", _("新增超期件数"), _("件"), _(
        "统计期内被电子监察判定为超期（已过承诺到期日仍未办结）的办件数，每件每个到期日只计一次。"
    ), "count", "went_overdue"),
    Metric("avg_days", _("平均办理用时"), _("工作日"), _(
        "办结件从受理次日起至决定日的工作日数的平均值，扣除不计入时限的特别程序和退回补正的暂停天数。"
    ), "avg", "handling_days", "closed"),
    Metric("median_days", _("办理用时中位数"), _("工作日"), _(
        "同上口径的办理用时（整工作日）的中位数；件数为偶数时取中间两个数的平均；超过 60 个工作日的显示为“>60”。"
    ), "median"),
    Metric("one_visit_rate", _("最多跑一次实现率"), "%", _(
        "统计期内送达结果（办结出件）的办件中，申请人到现场不超过 1 次的比例 = 到现场 ≤ 1 次的件数 ÷ 送达量。"
    ), "rate", "one_visit", "delivered"),
    Metric("zero_visit_rate", _("零上门率"), "%", _(
        "统计期内送达结果的办件中，申请人一次也没有到现场的比例 = 到现场 0 次的件数 ÷ 送达量。"
    ), "rate", "zero_visit", "delivered"),
    Metric("online_rate", _("网办率"), "%", _(
        "统计期内接件中经网上办事大厅申请的比例 = 网上接件量 ÷ 接件量。"
    ), "rate", "online_received", "received"),
    Metric("correction_rate", _("补正率"), "%", _(
        "办结件中曾经补正（窗口一次性告知或部门退回补正）的比例 = 曾补正件数 ÷ 办结量。"
    ), "rate", "corrected", "closed"),
    Metric("send_backs_per_case", _("件均退回次数"), _("次/件"), _(
        "办结件被部门退回补正的总次数 ÷ 办结量。"
    ), "ratio", "send_backs", "closed"),
    Metric("special_rate", _("特别程序使用率"), "%", _(
        "办结件中启动过特别程序（听证、检验检测、专家评审等）的比例 = 启动过特别程序的件数 ÷ 办结量。"
    ), "rate", "special_used", "closed"),
    Metric("extension_rate", _("延期使用率"), "%", _(
        "办结件中经批准延长办理期限的比例 = 延期件数 ÷ 办结量。"
    ), "rate", "extended", "closed"),
    Metric("delivered", _("送达量"), _("件"), _(
        "统计期内送达结果（窗口领取、邮寄或电子送达）的办件数。"
    ), "count", "delivered"),
    Metric("withdrawn", _("撤回撤销量"), _("件"), _(
        "统计期内申请人撤回或经监察撤销的办件数。"
    ), "count", "withdrawn"),
)

METRICS_BY_KEY = {m.key: m for m in METRICS}


def compute_all(sums: Mapping[str, int]) -> dict:
    return {m.key: m.compute(sums) for m in METRICS}
