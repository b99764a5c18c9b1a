"""form_validate: the item's form schema applied to a JSON dict, with messages per field."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yichuang.cases.form_schema import form_normalise, form_validate

from .online_fixtures import *  # noqa: F403 (fixtures)
from .online_fixtures import GOOD_FORM

pytestmark = pytest.mark.django_db
KEYS = {"shop_name", "area", "staff_count", "kind", "open_on", "contact_mobile"}


def test_a_good_form_is_valid_and_normalised(once_item):
    errors, clean = form_normalise(item_version=once_item, form_data=dict(GOOD_FORM, contact_mobile="+86 138 0013 8000"))
    assert errors == {}
    assert clean["contact_mobile"] == "13800138000" and clean["staff_count"] == 4 and clean["area"] == "36.5"


@pytest.mark.parametrize("field,value,message", [
    ("staff_count", "3.5", "应为整数"),
    ("staff_count", True, "应为整数"),
    ("staff_count", 0, "不能小于 1"),
    ("area", "abc", "应为数字"),
    ("area", "1.234", "两位小数"),
    ("open_on", "2026/12/01", "格式 年-月-日"),
    ("kind", "网吧", "请从列表中选择"),
    ("contact_mobile", "12345", "联系人手机"),
    ("shop_name", 123, "应为文字"),
])
def test_a_wrong_value_is_refused_with_a_message_for_its_field(once_item, field, value, message):
    errors = form_validate(item_version=once_item, form_data=dict(GOOD_FORM, **{field: value}))
    assert list(errors) == [field] and message in errors[field][0]


def test_required_fields_may_be_empty_in_a_draft_only(once_item):
    assert form_validate(item_version=once_item, form_data={}, draft=True) == {}
    errors = form_validate(item_version=once_item, form_data={})
    assert set(errors) == {"shop_name", "staff_count", "kind", "contact_mobile"}


def test_a_form_that_is_not_an_object_is_refused(once_item):
    assert "__all__" in form_validate(item_version=once_item, form_data=["shop_name"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in KEYS),
                             st.one_of(st.none(), st.text(max_size=5), st.integers(), st.booleans()),
                             min_size=1, max_size=4))
def test_any_form_with_unknown_keys_is_refused_naming_each_key(once_item, extra):
    errors = form_validate(item_version=once_item, form_data={**GOOD_FORM, **extra}, draft=True)
    assert set(errors) == set(extra)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.none(), st.text(max_size=8), st.integers(), st.floats(allow_nan=True), st.booleans(),
                       st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=2), st.integers())))
def test_any_value_either_passes_or_gets_a_chinese_message_never_an_exception(once_item, value):
    for field in KEYS:
        errors = form_validate(item_version=once_item, form_data=dict(GOOD_FORM, **{field: value}))
        assert set(errors) <= {field}
        for message in errors.get(field, []):
            assert isinstance(message, str) and message
