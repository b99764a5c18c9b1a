"""Each statistic against the hand-built November of conftest.py, with the expected values worked out by hand.

The eight cases (all 市场监管局, promised limit 5 working days, November 2026 has no holidays):

    case  received  accepted  decided        due      handling days           visits  delivered
    A     2 Nov     2 Nov     5 Nov (early)  12 Nov   (3,4,5)=3 − 1 paused=2   2      in person
    B     2 Nov     3 Nov     10 Nov         10 Nov   (4,5,6,9,10)=5            2      by post
    C     4 Nov     4 Nov     4 Nov (即办)    4 Nov    0                         1      in person
    D     2 Nov     2 Nov     12 Nov (late)  11 Nov   (3…12)=8 − 2 paused=6     2      —
    E     3 Nov     3 Nov     6 Nov (early)  10 Nov   (4,5,6)=3                 0      electronic (online)
    F     4 Nov     refused
    G     5 Nov     5 Nov     withdrawn 6 Nov
    H     5 Nov     5 Nov     pending

A: extension 2 days + site survey 1 day → due 9 + 2 + 1 → 12 Nov. B: front-desk correction. D: sent
back once (paused 3→5 Nov, 2 working days) → due 11 Nov; the sweep of 12 Nov found it overdue.
"""

import datetime

import pytest
from openpyxl import load_workbook

from yichuang.supervision.metrics import METRICS, median_from_histogram
from yichuang.supervision.models import StatRollup
from yichuang.supervision.rollups import rollup_rebuild
from yichuang.supervision.selectors import Scope, StatQuery, period_q, statistics

D = datetime.date
EVERYTHING = Scope(None)
NOVEMBER = StatQuery(D(2026, 11, 1), D(2026, 11, 30))

EXPECTED = {
    "received": 8,            # A B C D E F G H
    "accepted": 7,            # all but F
    "not_accepted": 1,        # F
    "closed": 5,              # A B C D E
    "pending": 1,             # H: 7 accepted − 5 decided − 1 withdrawn
    "closure_rate": 71.4,     # 5 of the 7 accepted are decided
    "immediate_rate": 20.0,   # C: 1 of 5
    "early_rate": 40.0,       # A, E: 2 of 5
    "on_time_rate": 80.0,     # A B C E: 4 of 5
    "late": 1,                # D
    "went_overdue": 1,        # D, on 12 Nov
    "avg_days": 3.2,          # (2 + 5 + 0 + 6 + 3) / 5
    "median_days": 3,         # 0 2 [3] 5 6
    "one_visit_rate": 50.0,   # C (1 visit), E (0 visits) of the 4 delivered
    "zero_visit_rate": 25.0,  # E of 4
    "online_rate": 12.5,      # E of 8 received
    "correction_rate": 40.0,  # B (front desk), D (sent back) of 5
    "send_backs_per_case": 0.2,  # D's one send-back over 5
    "special_rate": 20.0,     # A
    "extension_rate": 20.0,   # A
    "delivered": 4,           # A B C E
    "withdrawn": 1,           # G
}


def test_each_statistic_matches_the_hand_computed_value(november):
    # One comparison of all figures (building November takes a while); pytest shows each that differs.
    assert statistics(EVERYTHING, NOVEMBER).total.figures == EXPECTED


def test_every_metric_has_a_definition_and_a_hand_computed_test():
    assert {m.key for m in METRICS} == set(EXPECTED)
    for metric in METRICS:
        assert len(str(metric.definition)) > 15, metric.key


def test_the_dataset_is_what_the_table_says(november):
    a, b, c, d = (november[k] for k in "ABCD")
    assert (a.due_date, b.due_date, c.due_date, d.due_date) == (D(2026, 11, 12), D(2026, 11, 10), D(2026, 11, 4),
                                                                D(2026, 11, 11))
    assert (a.paused_days, d.paused_days, d.send_backs, a.extension_days) == (1, 2, 1, 2)
    assert (a.visits, b.visits, c.visits, november["E"].visits) == (2, 2, 1, 0)


def test_statistics_read_month_rows_for_whole_months_and_day_rows_for_the_rest(november):
    whole = period_q(D(2026, 11, 1), D(2026, 11, 30))
    assert StatRollup.objects.filter(whole).filter(period="D").count() == 0
    across = statistics(EVERYTHING, StatQuery(D(2026, 10, 15), D(2026, 12, 31))).total.figures
    assert across["received"] == 8 and across["closed"] == 5
    first_days = statistics(EVERYTHING, StatQuery(D(2026, 11, 2), D(2026, 11, 3))).total.figures
    # Received 2 Nov: A B D; 3 Nov: E. Accepted 2 Nov: A D; 3 Nov: B E.
    assert first_days["received"] == 4 and first_days["accepted"] == 4 and first_days["closed"] == 0


def test_slice_by_channel_separates_online_from_window(november):
    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="channel"))
    rows = {row.key: row for row in table.rows}
    assert rows["online"].sums["received"] == 1 and rows["online"].figures["zero_visit_rate"] == 100.0
    assert rows["window"].sums["received"] == 7 and rows["window"].figures["closed"] == 4
    assert table.total.figures == statistics(EVERYTHING, NOVEMBER).total.figures


def test_slice_by_staff_attributes_each_count_to_who_did_it(november, staff):
    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="staff"))
    rows = {row.key: row.sums for row in table.rows}
    assert rows[staff["clerk"].pk]["received"] == 8 and rows[staff["clerk"].pk]["accepted"] == 7
    assert rows[staff["approver"].pk]["closed"] == 4  # A B D E; C was decided at the window by the clerk
    assert rows[staff["clerk"].pk]["closed"] == 1
    assert rows[staff["result"].pk]["delivered"] == 3  # A B E; C was handed over by the clerk


def test_slice_by_day_gives_the_daily_trend(november):
    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="day"))
    received = {row.key: row.sums["received"] for row in table.rows}
    assert received[D(2026, 11, 2)] == 3 and received[D(2026, 11, 5)] == 2


def test_a_rebuilt_range_equals_what_the_sweep_built(november):
    before = statistics(EVERYTHING, NOVEMBER).total.sums
    rows_before = StatRollup.objects.count()
    result = rollup_rebuild(start=D(2026, 11, 1), end=D(2026, 11, 30))
    assert result["events"] > 0
    assert statistics(EVERYTHING, NOVEMBER).total.sums == before
    assert StatRollup.objects.count() == rows_before


def test_rebuilding_part_of_a_month_keeps_the_rest(november):
    before = statistics(EVERYTHING, NOVEMBER).total.sums
    rollup_rebuild(start=D(2026, 11, 5), end=D(2026, 11, 6))
    assert statistics(EVERYTHING, NOVEMBER).total.sums == before


def test_scope_limits_statistics_to_the_users_departments(november, county):
    other = Scope(frozenset({county["wjj"].pk}), frozenset())
    assert statistics(other, NOVEMBER).total.figures["received"] == 0


@pytest.mark.parametrize("buckets, median", [
    ([0, 0, 1], 2), ([1, 0, 0, 1], 1.5), ([], None), ([0] * 61 + [3], 61), ([2, 1], 0),
])
def test_median_from_histogram(buckets, median):
    assert median_from_histogram(buckets) == median


def test_excel_export_has_the_table_and_the_definitions(november, tmp_path):
    from yichuang.supervision.export import statistics_workbook

    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="channel"))
    path = tmp_path / "s.xlsx"
    path.write_bytes(statistics_workbook(table))
    book = load_workbook(path)
    assert book.sheetnames == ["统计", "指标口径"]
    sheet = book["统计"]
    header = [c.value for c in sheet[3]]
    assert header[0] == "渠道" and "按时办结率（%）" in header
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "合计" and last[header.index("接件量（件）")] == 8
    assert last[header.index("按时办结率（%）")] == 80.0
    definitions = {row[0].value: row[2].value for row in book["指标口径"].iter_rows(min_row=2)}
    from yichuang.supervision.feedback_link import RATING_METRICS

    assert set(definitions) == {str(m.label) for m in (*METRICS, *RATING_METRICS)}
    assert "承诺到期日" in definitions["按时办结率"]
    assert "非常满意 + 满意 + 基本满意" in definitions["满意率"]


def test_the_coarse_grain_gives_the_same_figures_as_the_full_grain(november):
    from yichuang.supervision.metrics import ALL_COUNTERS
    from yichuang.supervision.selectors import rollup_sums

    full = rollup_sums(period_q(D(2026, 10, 20), D(2026, 11, 30)), ())[0]
    coarse = rollup_sums(period_q(D(2026, 10, 20), D(2026, 11, 30), coarse=True), ())[0]
    assert {c: full[c] for c in ALL_COUNTERS} == {c: coarse[c] for c in ALL_COUNTERS}
    assert StatRollup.objects.filter(period="d").exclude(staff_id=0).count() == 0
    # A question about a window or a person reads the full grain.
    by_window = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="window"))
    assert sum(r.sums["received"] for r in by_window.rows) == 8 and len(by_window.rows) == 2  # A01, none (online)
