"""Rules of the organisation services: codes are checked, places must fit, every change is audited."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry
from yichuang.core.validators import is_valid_uscc, uscc_check_char
from yichuang.org import services
from yichuang.org.models import Department, Region, ServiceCentre, User, Window

pytestmark = pytest.mark.django_db

GOOD_USCC_PREFIX = "11339901MB0012345"
GOOD_USCC = GOOD_USCC_PREFIX + uscc_check_char(GOOD_USCC_PREFIX)


def messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def county():
    services.region_create(actor=None, code="330000000000", name="浙江省")
    services.region_create(actor=None, code="339900000000", name="示例市")
    return services.region_create(actor=None, code="339901000000", name="示例县")


@pytest.fixture
def town(county):
    return services.region_create(actor=None, code="339901101000", name="青山镇")


@pytest.fixture
def centre(county):
    return services.centre_create(actor=None, code="SLX", name="示例县政务服务中心", region=county)


@pytest.fixture
def department(county, centre):
    return services.department_create(
        actor=None, code="SCJG", name="示例县市场监督管理局", short_name="市场监管局", uscc=GOOD_USCC,
        region=county, centre=centre, phone="0570-6012301",
    )


@pytest.fixture
def admin_user(centre, county):
    return services.staff_create(
        actor=None, username="boss", display_name="周建国", password="yichuang-demo", roles=["admin"],
        centre=centre, region=county, is_superuser=True,
    )


# ------------------------------------------------------------------------------------------ regions


def test_region_level_and_parent_follow_from_the_code(county, town):
    village = services.region_create(actor=None, code="339901101201", name="青山村")
    assert (county.level, town.level, village.level) == (3, 4, 5)
    assert village.parent == town
    assert town.parent == county
    assert county.parent.code == "339900000000"
    assert Region.objects.get(code="330000000000").parent is None


def test_region_with_malformed_code_is_rejected_in_chinese(county):
    with pytest.raises(ValidationError) as exc:
        services.region_create(actor=None, code="33990110100", name="短了一位")
    assert "12 位数字" in messages(exc.value)


def test_region_with_unknown_province_is_rejected():
    with pytest.raises(ValidationError) as exc:
        services.region_create(actor=None, code="990000000000", name="不存在省")
    assert "省份代码" in messages(exc.value)
    assert not Region.objects.exists()


def test_region_below_a_zero_level_is_rejected():
    services.region_create(actor=None, code="330000000000", name="浙江省")
    with pytest.raises(ValidationError) as exc:
        services.region_create(actor=None, code="330001000000", name="跳过了市")
    assert "层级不连续" in messages(exc.value)


def test_region_whose_parent_is_missing_is_rejected_and_says_which_parent(county):
    with pytest.raises(ValidationError) as exc:
        services.region_create(actor=None, code="339901101201", name="青山村")
    text = messages(exc.value)
    assert "339901101000" in text
    assert "请先添加上级区划" in text
    assert not Region.objects.filter(code="339901101201").exists()


def test_region_code_cannot_be_added_twice(county):
    with pytest.raises(ValidationError) as exc:
        services.region_create(actor=None, code="339901000000", name="示例县")
    assert "已存在" in messages(exc.value)


def test_region_rename_is_audited_once_and_a_repeat_writes_nothing(county):
    before = AuditEntry.objects.count()
    region, changed = services.region_update(actor=None, region=county, name="示例新县")
    assert changed and region.name == "示例新县"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "org.region.update"
    assert entry.before == {"name": "示例县"} and entry.after == {"name": "示例新县"}
    _, changed = services.region_update(actor=None, region=region, name="示例新县")
    assert not changed
    assert AuditEntry.objects.count() == before + 1


# ------------------------------------------------------------------------------------------ centres


def test_town_point_must_sit_in_a_town_and_have_a_parent_centre(county, town, centre):
    with pytest.raises(ValidationError) as exc:
        services.centre_create(actor=None, code="SLXQS", name="青山镇便民服务中心", kind="town", region=county,
                               parent=centre)
    assert "乡镇（街道）" in messages(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.centre_create(actor=None, code="SLXQS", name="青山镇便民服务中心", kind="town", region=town)
    assert "上级中心" in messages(exc.value)
    point = services.centre_create(actor=None, code="slxqs", name="青山镇便民服务中心", kind="town", region=town,
                                   parent=centre)
    assert point.code == "SLXQS"
    assert point.parent == centre


def test_point_parent_must_cover_the_point_region(county, centre):
    services.region_create(actor=None, code="339902000000", name="邻县")
    other_town = services.region_create(actor=None, code="339902100000", name="邻县某镇")
    with pytest.raises(ValidationError) as exc:
        services.centre_create(actor=None, code="LX01", name="邻县某镇便民服务中心", kind="town",
                               region=other_town, parent=centre)
    assert "管不到" in messages(exc.value)


def test_centre_code_must_be_letters_or_digits_and_unique(county, centre):
    with pytest.raises(ValidationError) as exc:
        services.centre_create(actor=None, code="示例", name="错误编码", region=county)
    assert "字母或数字" in messages(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.centre_create(actor=None, code="SLX", name="重复", region=county)
    assert "已被使用" in messages(exc.value)


def test_centre_update_writes_only_the_changed_fields_to_the_audit(county, centre):
    _, changed = services.centre_update(actor=None, centre=centre, name=centre.name, region=county,
                                        kind="centre", phone="0570-6012345")
    assert changed
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "org.centre.update"
    assert entry.before == {"phone": ""} and entry.after == {"phone": "0570-6012345"}
    count = AuditEntry.objects.count()
    _, changed = services.centre_update(actor=None, centre=centre, name=centre.name, region=county,
                                        kind="centre", phone="0570-6012345")
    assert not changed and AuditEntry.objects.count() == count


# -------------------------------------------------------------------------------------- departments


def test_department_with_wrong_uscc_check_character_is_rejected_in_chinese(county):
    wrong = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=None, code="SCJG", name="示例县市场监督管理局", uscc=wrong, region=county)
    assert "校验位不正确" in messages(exc.value)
    assert not Department.objects.exists()


def test_department_uscc_with_forbidden_letter_is_rejected(county):
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=None, code="SCJG", name="市场监管局", uscc="11339901MBO012345X", region=county)
    assert "不允许的字符" in messages(exc.value)


def test_department_uscc_cannot_belong_to_two_departments(department, county):
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=None, code="WJJ", name="示例县卫生健康局", uscc=GOOD_USCC, region=county)
    assert "示例县市场监督管理局" in messages(exc.value)


def test_department_create_stores_a_valid_uscc_and_audits_it(department):
    assert is_valid_uscc(department.uscc)
    entry = AuditEntry.objects.get(action="org.department.create")
    assert entry.object_id == str(department.pk)
    assert entry.after["uscc"] == GOOD_USCC and entry.after["code"] == "SCJG"


def test_department_phone_rejects_letters(county):
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=None, code="WJJ", name="卫健局", region=county, phone="call me")
    assert "0570-6012345" in messages(exc.value)


# ------------------------------------------------------------------------------------------ windows


def test_department_window_needs_a_department_and_general_window_must_not_have_one(centre, department):
    with pytest.raises(ValidationError) as exc:
        services.window_create(actor=None, centre=centre, number="B01", name="专窗", kind="department")
    assert "须指定所属部门" in messages(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.window_create(actor=None, centre=centre, number="A01", name="综合受理窗口", kind="general",
                               department=department)
    assert "综合受理" in messages(exc.value)
    window = services.window_create(actor=None, centre=centre, number="b01", name="市场监管专窗", kind="department",
                                    department=department)
    assert window.number == "B01"


def test_window_number_is_unique_within_a_centre(centre):
    services.window_create(actor=None, centre=centre, number="A01", name="综合受理窗口")
    with pytest.raises(ValidationError) as exc:
        services.window_create(actor=None, centre=centre, number="A01", name="另一个")
    assert "已有 A01 号窗口" in messages(exc.value)
    assert Window.objects.count() == 1


# -------------------------------------------------------------------------------------------- staff


def test_staff_create_gives_roles_workplace_and_a_usable_password(centre, department):
    window = services.window_create(actor=None, centre=centre, number="A01", name="综合受理窗口")
    user = services.staff_create(
        actor=None, username="clerk", display_name="王晓燕", password="yichuang-demo", roles=["clerk", "agent"],
        centre=centre, windows=[window],
    )
    user = User.objects.get(pk=user.pk)
    assert user.has_role("clerk") and user.has_role("agent") and not user.has_role("approver")
    assert user.check_password("yichuang-demo")
    assert list(user.windows.all()) == [window]
    assert not user.is_staff


def test_staff_create_audit_entry_names_the_roles_and_never_the_password(centre, admin_user):
    user = services.staff_create(
        actor=admin_user, username="result", display_name="黄静", password="yichuang-demo",
        roles=["result_clerk"], centre=centre,
    )
    entry = AuditEntry.objects.get(action="org.staff.create", object_id=str(user.pk))
    assert entry.actor == admin_user
    assert entry.after["roles"] == ["result_clerk"]
    assert "yichuang-demo" not in str(entry.after) and user.password not in str(entry.after)


def test_superuser_is_also_staff_so_the_admin_site_lets_them_in(admin_user):
    assert admin_user.is_superuser and admin_user.is_staff


def test_staff_with_unknown_role_is_rejected_and_the_choices_listed(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="x", display_name="某人", password="yichuang-demo",
                              roles=["boss"], centre=centre)
    text = messages(exc.value)
    assert "boss" in text and "town_clerk" in text
    assert not User.objects.filter(username="x").exists()


def test_staff_needs_at_least_one_role(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="x", display_name="某人", password="yichuang-demo", roles=[])
    assert "至少选择一个角色" in messages(exc.value)


def test_reviewer_without_department_is_rejected(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="rev", display_name="李明", password="yichuang-demo",
                              roles=["reviewer"], centre=centre)
    assert "所属部门" in messages(exc.value)


def test_town_clerk_must_work_at_a_town_or_village_point(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="tc", display_name="林小红", password="yichuang-demo",
                              roles=["town_clerk"], centre=centre)
    assert "便民服务" in messages(exc.value)


def test_supervisor_needs_a_region_to_supervise(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="sup", display_name="郑国平", password="yichuang-demo",
                              roles=["supervisor"], centre=centre)
    assert "管辖地区" in messages(exc.value)


def test_staff_window_must_be_in_their_centre(county, town, centre):
    point = services.centre_create(actor=None, code="SLXQS", name="青山镇便民服务中心", kind="town", region=town,
                                   parent=centre)
    window = services.window_create(actor=None, centre=point, number="01", name="综合受理窗口")
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="clerk", display_name="王晓燕", password="yichuang-demo",
                              roles=["clerk"], centre=centre, windows=[window])
    assert "不在该工作人员所在的中心" in messages(exc.value)


def test_weak_password_is_rejected_with_the_site_password_rules(centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="clerk", display_name="王晓燕", password="1234",
                              roles=["clerk"], centre=centre)
    text = " ".join(exc.value.message_dict["password"])
    assert "密码太短，至少需要 8 个字符" in text
    assert "不能全是数字" in text
    assert not User.objects.filter(username="clerk").exists()


def test_username_is_unique_ignoring_case(admin_user, centre):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="BOSS", display_name="另一人", password="yichuang-demo",
                              roles=["clerk"], centre=centre)
    assert "已被使用" in messages(exc.value)


def test_staff_create_accepts_a_prepared_hash_but_not_garbage(centre):
    user = services.staff_create(actor=None, username="clerk", display_name="王晓燕",
                                 password_hash=make_password("yichuang-demo"), roles=["clerk"], centre=centre)
    assert User.objects.get(pk=user.pk).check_password("yichuang-demo")
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, username="clerk2", display_name="陈丽", password_hash="plain-text",
                              roles=["clerk"], centre=centre)
    assert "无法识别" in messages(exc.value)


def test_staff_update_changes_roles_with_one_audit_entry_and_a_repeat_writes_nothing(centre, department):
    user = services.staff_create(actor=None, username="li", display_name="李明", password="yichuang-demo",
                                 roles=["reviewer"], centre=centre, department=department)
    assert user.has_role("reviewer")
    count = AuditEntry.objects.count()
    user, changed = services.staff_update(actor=None, user=user, display_name="李明", roles=["reviewer", "approver"],
                                          centre=centre, department=department)
    assert changed and user.has_role("approver")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "org.staff.update"
    assert entry.before == {"roles": ["reviewer"]} and entry.after == {"roles": ["approver", "reviewer"]}
    _, changed = services.staff_update(actor=None, user=user, display_name="李明", roles=["approver", "reviewer"],
                                       centre=centre, department=department)
    assert not changed
    assert AuditEntry.objects.count() == count + 1


def test_every_create_is_audited_and_the_chain_stays_whole(county, town, centre, department, admin_user):
    point = services.centre_create(actor=admin_user, code="SLXQS", name="青山镇便民服务中心", kind="town",
                                   region=town, parent=centre)
    services.window_create(actor=admin_user, centre=point, number="01", name="综合受理窗口")
    actions = audit_actions()
    assert actions.count("org.region.create") == 4
    assert actions.count("org.centre.create") == 2
    assert actions.count("org.department.create") == 1
    assert actions.count("org.window.create") == 1
    assert actions.count("org.staff.create") == 1
    assert audit_verify() is None


def test_failed_create_leaves_no_row_and_no_audit_entry(county):
    count = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.centre_create(actor=None, code="SLX", name="", region=county)
    assert AuditEntry.objects.count() == count
    assert not ServiceCentre.objects.exists()
