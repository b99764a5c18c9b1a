"""Reads of the public catalogue: search, browse, what the public may see, and query counts."""

import pytest

from yichuang.catalog import selectors, services
from yichuang.catalog.models import ItemVersion

from .public_fixtures import (
    ABOLISHED,
    FOOD,
    HOUSEHOLD,
    SPORTS,
    SUSPENDED,
    build_catalogue,
    food_data,
    simple_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return build_catalogue()


def names(qs):
    return [v.name for v in qs]


@pytest.mark.parametrize("query", ["食品经营", "经营许可", "品经营许", "食品经营许可"])
def test_search_finds_an_item_by_any_part_of_its_name(items, query):
    assert "食品经营许可" in names(selectors.search_items(query))


@pytest.mark.parametrize("query", ["spjy", "SPJY", "spjyxk"])
def test_search_finds_an_item_by_its_pinyin_initials(items, query):
    assert names(selectors.search_items(query)) == ["食品经营许可"]


def test_search_finds_an_item_by_part_of_its_implementation_or_basic_code(items):
    assert names(selectors.search_items("X4000117001")) == ["食品经营许可"]
    assert names(selectors.search_items("000117001000")) == ["食品经营许可"]


def test_search_ranks_names_that_start_with_the_query_before_names_that_contain_it(items):
    assert names(selectors.search_items("经营")) == ["经营高危险性体育项目许可", "食品经营许可"]


def test_search_ranks_an_exact_name_first(items):
    services.item_upsert(actor=None, data=simple_data("X-LONGER", "食品经营许可变更"))
    assert names(selectors.search_items("食品经营许可"))[:2] == ["食品经营许可", "食品经营许可变更"]


def test_search_requires_every_word_of_the_query(items):
    assert names(selectors.search_items("食品 许可")) == ["食品生产许可", "食品经营许可"]
    assert names(selectors.search_items("食品 户口")) == []


def test_search_treats_like_wildcards_as_plain_characters(items):
    assert names(selectors.search_items("%")) == []
    assert names(selectors.search_items("_")) == []


def test_search_filters_by_department_topic_and_audience(items):
    assert names(selectors.search_items("", department="GA")) == ["户口迁移登记"]
    assert set(names(selectors.search_items("", topic="kdcy"))) == {"食品经营许可", "食品生产许可"}
    assert names(selectors.search_items("", audience="life_event")) == ["食品经营许可"]
    assert set(names(selectors.search_items("", audience="person"))) == {"食品经营许可", "户口迁移登记"}
    assert "户口迁移登记" not in names(selectors.search_items("", audience="company"))
    assert names(selectors.search_items("食品", department="GA")) == []


def test_search_rejects_an_unknown_audience(items):
    with pytest.raises(ValueError):
        selectors.search_items("", audience="martians")


def test_suspended_item_is_listed_and_flagged(items):
    found = list(selectors.search_items("食品摊贩"))
    assert [v.status for v in found] == [ItemVersion.Status.SUSPENDED]
    guide = selectors.guide_for(SUSPENDED)
    assert guide.suspended and not guide.abolished and guide.can_print_checklist


def test_abolished_item_is_not_listed_but_its_guide_says_abolished(items):
    assert names(selectors.search_items("食品小作坊")) == []
    assert ABOLISHED not in [v.item.implementation_code for v in selectors.listed_items()]
    guide = selectors.guide_for(ABOLISHED)
    assert guide is not None and guide.abolished
    assert selectors.checklist_guide(ABOLISHED) is None
    assert selectors.current_form(ABOLISHED) is None


def test_a_draft_is_never_public(items):
    draft = services.item_version_revise(actor=None, version=items["food"], change_note="修订中")
    draft.name = "食品经营许可（草稿）"
    draft.save()
    assert selectors.guide_for(FOOD).version.pk == items["food"].pk
    assert selectors.guide_version(FOOD, draft.version_no) is None
    assert names(selectors.search_items("草稿")) == []


def test_an_item_never_published_has_no_guide(items):
    services.item_upsert(actor=None, data=simple_data("UNPUBLISHED", "未发布事项"), publish=False)
    assert selectors.guide_for("UNPUBLISHED") is None
    assert names(selectors.search_items("未发布")) == []


def test_superseded_version_is_readable_at_its_number(items):
    second, _ = services.item_upsert(actor=None, data=food_data(conditions="新版受理条件", change_note="修订受理条件"))
    old = selectors.guide_version(FOOD, 1)
    assert old.is_historical and not old.is_current
    assert old.version.conditions != "新版受理条件"
    assert old.current_version_no == second.version_no == 2
    current = selectors.guide_for(FOOD)
    assert current.version.conditions == "新版受理条件"
    assert [v.version_no for v in current.history] == [1]
    assert current.history[0].change_note == ""
    # The search lists the item once, under its current version.
    assert [v.pk for v in selectors.search_items("食品经营")] == [second.pk]


def test_unknown_code_or_version_finds_nothing(items):
    assert selectors.guide_for("NO-SUCH-CODE") is None
    assert selectors.guide_version(FOOD, 99) is None


def test_department_counts_include_listed_current_items_only(items):
    services.item_upsert(actor=None, data=food_data(promised_limit_note="新说明"))  # a second version of one item
    counts = {d.code: d.item_count for d in selectors.departments_with_counts()}
    # 食品经营, 食品生产, 体育项目 and the suspended 食品摊贩; not the abolished 小作坊, not the old version.
    assert counts == {"SCJG": 4, "GA": 1, "EMPTY": 0}
    assert [d.code for d in selectors.departments_with_counts(only_with_items=True)] == ["SCJG", "GA"]


def test_topic_counts_and_audience_filter(items):
    counts = {t.code: t.item_count for t in selectors.topics_with_counts()}
    assert counts == {"kdcy": 2, "kbcg": 1, "hjbl": 1}
    assert [t.code for t in selectors.topics_with_counts("person")] == ["hjbl"]


def test_home_overview_counts_each_audience(items):
    overview = selectors.home_overview()
    assert overview.total_items == 5
    by_code = {a.code: a for a in overview.audiences}
    assert by_code["person"].item_count == 2
    assert by_code["company"].item_count == 4
    assert by_code["life_event"].item_count == 1
    assert [t.code for t in by_code["life_event"].topics] == ["kbcg"]
    assert [d.code for d in overview.departments] == ["SCJG", "GA"]


def _add_items(count):
    for i in range(count):
        services.item_upsert(actor=None, data=simple_data(f"EXTRA-{i:03d}", f"食品附加事项{i}"))


def test_search_results_load_in_one_query_however_many_items(items, django_assert_max_num_queries):
    _add_items(6)
    with django_assert_max_num_queries(1):
        rows = [(v.name, v.item.implementation_code, v.department.name, v.item_type.name)
                for v in selectors.search_items("食品")]
    assert len(rows) == 3 + 6


def test_guide_loads_in_a_fixed_number_of_queries_however_many_materials(items, django_assert_max_num_queries):
    materials = [{"code": f"m{i}", "name": f"材料{i}"} for i in range(30)]
    steps = [{"name": f"环节{i}", "role": "reviewer", "budget_days": 0, "department": "GA"} for i in range(8)]
    services.item_upsert(actor=None, data=food_data(materials=materials, steps=steps))
    # One query for the version and one per related list (materials, fees, steps, procedures,
    # topics, centres, history).
    with django_assert_max_num_queries(8):
        guide = selectors.guide_for(FOOD)
        touched = [m.name for m in guide.materials]
        touched += [s.department.name for s in guide.version.steps.all()]
        touched += [p.procedure.name for p in guide.version.allowed_procedures.all()]
        touched += [f.name for f in guide.version.fees.all()] + [t.name for t in guide.version.topics.all()]
        touched += [str(v.version_no) for v in guide.history] + [guide.centre_name, guide.version.item_type.name]
    assert len(guide.materials) == 30


def test_home_overview_takes_a_fixed_number_of_queries(items, django_assert_max_num_queries):
    _add_items(5)
    with django_assert_max_num_queries(6):
        overview = selectors.home_overview()
        [(d.name, d.item_count) for d in overview.departments]
        [(t.name, t.item_count) for a in overview.audiences for t in a.topics]


@pytest.mark.parametrize(
    ("visits", "label"), [(0, "零跑动（无需到现场）"), (1, "最多跑一次"), (2, "到现场 2 次")]
)
def test_visits_are_worded_as_the_reform_words_them(visits, label):
    assert selectors.visits_label(visits) == label


def test_a_zero_day_limit_is_settled_on_the_spot():
    assert selectors.limit_label(0) == "当场办结"
    assert selectors.limit_label(20) == "20 个工作日"


def test_household_item_is_immediate_and_needs_no_visit(items):
    guide = selectors.guide_for(HOUSEHOLD)
    assert guide.visits_label == "零跑动（无需到现场）"
    assert guide.promised_limit_label == "当场办结"
    assert selectors.guide_for(SPORTS).visits_label == "最多跑一次"


def test_checklist_centre_is_the_departments_centre_else_the_site_name(items, settings):
    assert selectors.guide_for(FOOD).centre_name == "示例县政务服务中心"
    settings.SITE_NAME = "某某市政务服务网"
    assert selectors.guide_for(HOUSEHOLD).centre_name == "某某市政务服务网"
