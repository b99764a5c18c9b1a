"""Writes to the organisation: regions, centres and points, departments, windows, staff.

Every function validates its input with a message that says what is wrong and how to fix
it, and records its audit entry in the same transaction as the change. The `*_update`
functions return `(object, changed)` and write nothing when nothing changed, so a loader
that re-applies the same data (the demo seed, an import) leaves the audit log untouched.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.core.audit import audit_record
from yichuang.core.validators import region_level, validate_region_code, validate_uscc

from .models import Department, Region, Role, ServiceCentre, User, Window

CENTRE_CODE_RE = re.compile(r"[A-Za-z0-9]{2,12}")
DEPARTMENT_CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,20}")
WINDOW_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{1,10}")
# Office numbers are written many ways (0570-6012345、12345 转 1); only characters that can
# belong to a dialable number or a list of them are allowed.
PHONE_RE = re.compile(r"[0-9０-９+\-－ （）()、,，/转]{0,40}")

# Which level of region each kind of centre sits in: a town point in a town, a village
# point in a village; a centre serves a province, city or county.
CENTRE_KIND_LEVELS = {
    ServiceCentre.Kind.CENTRE: {Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY},
    ServiceCentre.Kind.TOWN: {Region.Level.TOWN},
    ServiceCentre.Kind.VILLAGE: {Region.Level.VILLAGE},
}


def _required_text(value: str, field: str, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s最多 %(n)d 个字，请缩短。") % {"label": label, "n": max_length}}
        )
    return text


def _phone(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not PHONE_RE.fullmatch(text):
        raise ValidationError(
            {field: _("%(label)s只能包含数字、区号连接符“-”和分隔用的“、”，如 0570-6012345。") % {"label": label}}
        )
    return text


def _in_region(region: Region, ancestor: Region) -> bool:
    return region.code.startswith(ancestor.prefix)


def _snapshot(obj, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return out


# ---------------------------------------------------------------------------------------- regions


def region_parent_code(code: str) -> str | None:
    """The 12-digit code of the region one level up, or None for a province."""
    level = region_level(code)
    if level == Region.Level.PROVINCE:
        return None
    return code[: Region.PREFIX_LENGTH[level - 1]].ljust(12, "0")


def region_placement(code: str) -> tuple[str, int, Region | None]:
    """A new region's checked code, its level and its parent, all read from the code."""
    try:
        code = validate_region_code(code)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("区划代码 %(code)s 已存在，请勿重复添加。") % {"code": code}})
    parent = None
    parent_code = region_parent_code(code)
    if parent_code is not None:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise ValidationError(
                {"code": _("上级区划 %(parent)s 尚未建立，请先添加上级区划，再添加 %(code)s。")
                 % {"parent": parent_code, "code": code}}
            )
    return code, region_level(code), parent


@transaction.atomic
def region_create(*, actor, code: str, name: str) -> Region:
    """Add a region; its level and parent follow from the code (统计用区划代码)."""
    code, level, parent = region_placement(code)
    name = _required_text(name, "name", _("区划名称"), 60)
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    audit_record(actor=actor, action="org.region.create", obj=region,
                 after={"code": code, "name": name, "level": level})
    return region


@transaction.atomic
def region_update(*, actor, region: Region, name: str) -> tuple[Region, bool]:
    """Rename a region. The code is its identity and never changes (cases and items refer to it)."""
    name = _required_text(name, "name", _("区划名称"), 60)
    region = Region.objects.select_for_update().get(pk=region.pk)
    if region.name == name:
        return region, False
    before = region.name
    region.name = name
    region.save(update_fields=["name"])
    audit_record(actor=actor, action="org.region.update", obj=region, before={"name": before}, after={"name": name})
    return region, True


# ---------------------------------------------------------------------------------------- centres

CENTRE_FIELDS = ("name", "kind", "region", "parent", "address", "phone", "hours", "is_active")


def clean_centre(
    *, centre: ServiceCentre | None, name: str, kind: str, region: Region, parent: ServiceCentre | None,
    address: str, phone: str, hours: str,
) -> dict[str, Any]:
    name = _required_text(name, "name", _("中心（站点）名称"), 100)
    if kind not in ServiceCentre.Kind.values:
        raise ValidationError({"kind": _("中心类型「%(kind)s」不存在，请选择：政务服务中心、乡镇（街道）便民服务中心或村（社区）便民服务站。") % {"kind": kind}})
    kind = ServiceCentre.Kind(kind)
    if region.level not in CENTRE_KIND_LEVELS[kind]:
        raise ValidationError(
            {"region": _("%(kind)s应设在%(levels)s，所选地区「%(region)s」是%(level)s。")
             % {"kind": kind.label,
                "levels": "、".join(str(Region.Level(lv).label) for lv in sorted(CENTRE_KIND_LEVELS[kind])),
                "region": region.name, "level": Region.Level(region.level).label}}
        )
    if kind != ServiceCentre.Kind.CENTRE and parent is None:
        raise ValidationError({"parent": _("便民服务中心（站）须指定上级中心，乡镇、村受理的办件由上级中心的部门审批。")})
    if parent is not None:
        if centre is not None and parent.pk == centre.pk:
            raise ValidationError({"parent": _("上级中心不能是它自己。")})
        if not _in_region(region, parent.region):
            raise ValidationError(
                {"parent": _("上级中心「%(parent)s」位于%(pregion)s，管不到「%(region)s」，请选择该地区所属的中心。")
                 % {"parent": parent.name, "pregion": parent.region.name, "region": region.name}}
            )
    return {
        "name": name, "kind": kind.value, "region": region, "parent": parent,
        "address": (address or "").strip()[:200], "phone": _phone(phone, "phone", _("咨询电话")),
        "hours": (hours or "").strip()[:200],
    }


def clean_centre_code(code: str) -> str:
    """A new centre's code: it prefixes every case number, so it is short, plain and unique."""
    code = (code or "").strip().upper()
    if not CENTRE_CODE_RE.fullmatch(code):
        raise ValidationError({"code": _("中心编码应为 2–12 位字母或数字（用作办件编号前缀），如 SLX。")})
    if ServiceCentre.objects.filter(code=code).exists():
        raise ValidationError({"code": _("中心编码 %(code)s 已被使用，请换一个。") % {"code": code}})
    return code


@transaction.atomic
def centre_create(
    *, actor, code: str, name: str, region: Region, kind: str = ServiceCentre.Kind.CENTRE,
    parent: ServiceCentre | None = None, address: str = "", phone: str = "", hours: str = "",
) -> ServiceCentre:
    """Add a service centre, or a town / village service point under its parent centre."""
    code = clean_centre_code(code)
    values = clean_centre(centre=None, name=name, kind=kind, region=region, parent=parent,
                           address=address, phone=phone, hours=hours)
    centre = ServiceCentre.objects.create(code=code, **values)
    audit_record(actor=actor, action="org.centre.create", obj=centre,
                 after={"code": code, **_snapshot(centre, CENTRE_FIELDS)})
    return centre


@transaction.atomic
def centre_update(
    *, actor, centre: ServiceCentre, name: str, region: Region, kind: str, parent: ServiceCentre | None = None,
    address: str = "", phone: str = "", hours: str = "", is_active: bool = True,
) -> tuple[ServiceCentre, bool]:
    """Change a centre's details. The code stays: it is printed in every case number."""
    centre = ServiceCentre.objects.select_for_update().get(pk=centre.pk)
    values = clean_centre(centre=centre, name=name, kind=kind, region=region, parent=parent,
                           address=address, phone=phone, hours=hours)
    values["is_active"] = is_active
    return _apply(actor=actor, obj=centre, values=values, fields=CENTRE_FIELDS, action="org.centre.update")


def _apply(*, actor, obj, values: dict[str, Any], fields: Iterable[str], action: str):
    before = _snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = _snapshot(obj, fields)
    if before == after:
        return obj, False
    changed = [name for name in fields if before[name] != after[name]]
    obj.save(update_fields=[obj._meta.get_field(name).name for name in changed])
    audit_record(actor=actor, action=action, obj=obj,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return obj, True


# ------------------------------------------------------------------------------------ departments

DEPARTMENT_FIELDS = (
    "name", "short_name", "uscc", "region", "centre", "phone", "complaint_phone", "sort_order", "is_active",
)


def clean_department(
    *, department: Department | None, name: str, short_name: str, uscc: str, region: Region,
    centre: ServiceCentre | None, phone: str, complaint_phone: str, sort_order: int,
) -> dict[str, Any]:
    name = _required_text(name, "name", _("部门名称"), 100)
    short_name = (short_name or "").strip()
    if len(short_name) > 30:
        raise ValidationError({"short_name": _("部门简称最多 30 个字，请缩短。")})
    if uscc:
        try:
            uscc = validate_uscc(uscc)
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages}) from None
        clash = Department.objects.filter(uscc=uscc)
        if department is not None:
            clash = clash.exclude(pk=department.pk)
        other = clash.first()
        if other is not None:
            raise ValidationError(
                {"uscc": _("统一社会信用代码 %(uscc)s 已登记为「%(other)s」的代码，请核对。") % {"uscc": uscc, "other": other.name}}
            )
    if centre is not None and not _in_region(centre.region, region) and not _in_region(region, centre.region):
        raise ValidationError(
            {"centre": _("「%(centre)s」与部门所属地区「%(region)s」不在同一辖区，请选择本地区的政务服务中心。")
             % {"centre": centre.name, "region": region.name}}
        )
    if sort_order < 0:
        raise ValidationError({"sort_order": _("排序号应为 0 或正整数。")})
    return {
        "name": name, "short_name": short_name, "uscc": uscc or "", "region": region, "centre": centre,
        "phone": _phone(phone, "phone", _("咨询电话")),
        "complaint_phone": _phone(complaint_phone, "complaint_phone", _("监督投诉电话")),
        "sort_order": sort_order,
    }


def clean_department_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not DEPARTMENT_CODE_RE.fullmatch(code):
        raise ValidationError({"code": _("部门编码应为 1–20 位字母、数字、“-”或“_”，如 SCJG。")})
    if Department.objects.filter(code=code).exists():
        raise ValidationError({"code": _("部门编码 %(code)s 已被使用，请换一个。") % {"code": code}})
    return code


@transaction.atomic
def department_create(
    *, actor, code: str, name: str, region: Region, uscc: str = "", short_name: str = "",
    centre: ServiceCentre | None = None, phone: str = "", complaint_phone: str = "", sort_order: int = 100,
) -> Department:
    """Add an implementing body (实施主体); its 统一社会信用代码 is checked digit by digit."""
    code = clean_department_code(code)
    values = clean_department(department=None, name=name, short_name=short_name, uscc=uscc, region=region,
                               centre=centre, phone=phone, complaint_phone=complaint_phone, sort_order=sort_order)
    department = Department.objects.create(code=code, **values)
    audit_record(actor=actor, action="org.department.create", obj=department,
                 after={"code": code, **_snapshot(department, DEPARTMENT_FIELDS)})
    return department


@transaction.atomic
def department_update(
    *, actor, department: Department, name: str, region: Region, uscc: str = "", short_name: str = "",
    centre: ServiceCentre | None = None, phone: str = "", complaint_phone: str = "", sort_order: int = 100,
    is_active: bool = True,
) -> tuple[Department, bool]:
    """Change a department's details. The code stays: items and their exports refer to it."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    values = clean_department(department=department, name=name, short_name=short_name, uscc=uscc, region=region,
                               centre=centre, phone=phone, complaint_phone=complaint_phone, sort_order=sort_order)
    values["is_active"] = is_active
    return _apply(actor=actor, obj=department, values=values, fields=DEPARTMENT_FIELDS,
                  action="org.department.update")


# ----------------------------------------------------------------------------------------- windows

WINDOW_FIELDS = ("name", "kind", "department", "is_active")


def clean_window(*, centre: ServiceCentre, name: str, kind: str, department: Department | None) -> dict[str, Any]:
    name = _required_text(name, "name", _("窗口名称"), 60)
    if kind not in Window.Kind.values:
        raise ValidationError({"kind": _("窗口类型「%(kind)s」不存在，请选择：综合受理、统一出件、部门专窗或帮办代办。") % {"kind": kind}})
    if kind == Window.Kind.DEPARTMENT and department is None:
        raise ValidationError({"department": _("部门专窗须指定所属部门。")})
    if kind != Window.Kind.DEPARTMENT and department is not None:
        # 综合窗口 serve every department (全科受理); tying one to a department would hide
        # it from the others' queues.
        raise ValidationError({"department": _("只有部门专窗属于某个部门；综合受理、出件和帮办代办窗口请不要选择部门。")})
    return {"name": name, "kind": kind, "department": department}


def clean_window_number(number: str) -> str:
    number = (number or "").strip().upper()
    if not WINDOW_NUMBER_RE.fullmatch(number):
        raise ValidationError({"number": _("窗口号应为 1–10 位字母、数字或“-”，如 A01。")})
    return number


@transaction.atomic
def window_create(
    *, actor, centre: ServiceCentre, number: str, name: str, kind: str = Window.Kind.GENERAL,
    department: Department | None = None,
) -> Window:
    """Open a window in a centre; window numbers are unique within the centre."""
    number = clean_window_number(number)
    if Window.objects.filter(centre=centre, number=number).exists():
        raise ValidationError(
            {"number": _("「%(centre)s」已有 %(number)s 号窗口，请换一个窗口号。") % {"centre": centre.name, "number": number}}
        )
    values = clean_window(centre=centre, name=name, kind=kind, department=department)
    window = Window.objects.create(centre=centre, number=number, **values)
    audit_record(actor=actor, action="org.window.create", obj=window,
                 after={"centre": centre.code, "number": number, **_snapshot(window, WINDOW_FIELDS)})
    return window


@transaction.atomic
def window_update(
    *, actor, window: Window, name: str, kind: str, department: Department | None = None, is_active: bool = True,
) -> tuple[Window, bool]:
    window = Window.objects.select_for_update().get(pk=window.pk)
    values = clean_window(centre=window.centre, name=name, kind=kind, department=department)
    values["is_active"] = is_active
    return _apply(actor=actor, obj=window, values=values, fields=WINDOW_FIELDS, action="org.window.update")


# ------------------------------------------------------------------------------------------- staff

STAFF_FIELDS = ("display_name", "phone", "region", "centre", "department", "is_staff", "is_superuser", "is_active")
POINT_KINDS = {ServiceCentre.Kind.TOWN, ServiceCentre.Kind.VILLAGE}


def clean_roles(roles: Iterable[str]) -> list[Role]:
    codes = list(dict.fromkeys(roles))
    if not codes:
        raise ValidationError({"roles": _("请至少选择一个角色。")})
    found = {role.code: role for role in Role.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"roles": _("角色代码 %(unknown)s 不存在，可选：%(known)s。")
             % {"unknown": "、".join(unknown), "known": "、".join(Role.Code.values)}}
        )
    return [found[code] for code in codes]


def check_staff_placement(
    *, roles: list[Role], region: Region | None, centre: ServiceCentre | None, department: Department | None,
    windows: list[Window],
) -> None:
    """Each role needs the place it works from; without it the account would see an empty inbox."""
    codes = {role.code for role in roles}
    if codes & {Role.Code.REVIEWER, Role.Code.APPROVER} and department is None:
        raise ValidationError({"department": _("审查人员、决定人员须指定所属部门，办件按部门分派。")})
    if codes & {Role.Code.CLERK, Role.Code.RESULT_CLERK, Role.Code.AGENT} and centre is None:
        raise ValidationError({"centre": _("窗口受理、出件和帮办代办人员须指定所在中心。")})
    if Role.Code.TOWN_CLERK in codes and (centre is None or centre.kind not in POINT_KINDS):
        raise ValidationError({"centre": _("乡镇（村）便民服务点受理员须指定所在的乡镇便民服务中心或村便民服务站。")})
    if Role.Code.SUPERVISOR in codes and region is None:
        raise ValidationError({"region": _("电子监察人员须指定管辖地区，监察范围为该地区及其下级。")})
    for window in windows:
        if centre is None or window.centre_id != centre.pk:
            raise ValidationError(
                {"windows": _("窗口「%(window)s」不在该工作人员所在的中心，请先选择正确的中心。") % {"window": window}}
            )


def clean_staff_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not re.fullmatch(r"1[3-9]\d{9}", phone):
        raise ValidationError({"phone": _("手机号码应为 11 位，以 13–19 开头，如 13800138000。")})
    return phone


def clean_staff_details(display_name: str, phone: str) -> tuple[str, str]:
    display_name = _required_text(display_name, "display_name", _("姓名"), 40)
    return display_name, clean_staff_phone(phone)


# Django's own wording of some rules is not translated into Chinese; the codes are stable.
PASSWORD_RULE_MESSAGES = {
    "password_too_short": gettext_lazy("密码太短，至少需要 %(min_length)d 个字符，请换一个更长的密码。"),
    "password_too_common": gettext_lazy("密码太常见，容易被猜中，请换一个不常见的密码。"),
    "password_entirely_numeric": gettext_lazy("密码不能全是数字，请加入字母或符号。"),
    "password_too_similar": gettext_lazy("密码与用户名或姓名太相似，请换一个。"),
}


def _password_messages(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.error_list:
        template = PASSWORD_RULE_MESSAGES.get(error.code)
        out.append(str(template) % (error.params or {}) if template else " ".join(error.messages))
    return out


def _staff_after(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        **_snapshot(user, STAFF_FIELDS),
        "roles": sorted(user.roles.values_list("code", flat=True)),
        "windows": sorted(user.windows.values_list("pk", flat=True)),
    }


@transaction.atomic
def staff_create(
    *, actor, username: str, display_name: str, password: str = "", roles: list[str],
    region: Region | None = None, centre: ServiceCentre | None = None, department: Department | None = None,
    windows: Iterable[Window] = (), phone: str = "", is_staff: bool = False, is_superuser: bool = False,
    password_hash: str = "",
) -> User:
    """Open a staff account with its roles and workplace.

    Give either `password` (checked against the site's password rules) or `password_hash`, a
    hash from `make_password`: imports carry accounts over from an old system that way, and
    the demo seed hashes its one shared password once instead of once per account.
    """
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError({"username": _("用户名只能包含字母、数字和 @ . + - _，最多 150 个字符。")}) from None
    if len(username) > 150:
        raise ValidationError({"username": _("用户名只能包含字母、数字和 @ . + - _，最多 150 个字符。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名 %(u)s 已被使用，请换一个。") % {"u": username}})
    display_name, phone = clean_staff_details(display_name, phone)
    role_objs = clean_roles(roles)
    windows = list(windows)
    check_staff_placement(roles=role_objs, region=region, centre=centre, department=department, windows=windows)
    user = User(
        username=username, display_name=display_name, phone=phone, region=region, centre=centre,
        department=department, is_staff=is_staff or is_superuser, is_superuser=is_superuser,
    )
    if not password and not password_hash:
        raise ValidationError({"password": _("请设置初始密码。")})
    if password and password_hash:
        raise ValidationError({"password": _("初始密码和密码哈希只能提供其中一项。")})
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": _password_messages(exc)}) from None
        user.set_password(password)
    else:
        try:
            identify_hasher(password_hash)
        except ValueError:
            raise ValidationError({"password": _("密码哈希格式无法识别，请提供 make_password 生成的哈希。")}) from None
        user.password = password_hash
    user.save()
    user.roles.set(role_objs)
    user.windows.set(windows)
    audit_record(actor=actor, action="org.staff.create", obj=user, after=_staff_after(user))
    return user


@transaction.atomic
def staff_update(
    *, actor, user: User, display_name: str, roles: list[str], region: Region | None = None,
    centre: ServiceCentre | None = None, department: Department | None = None, windows: Iterable[Window] = (),
    phone: str = "", is_staff: bool = False, is_superuser: bool = False, is_active: bool = True,
) -> tuple[User, bool]:
    """Change a staff account's roles and workplace. The password is left alone."""
    user = User.objects.select_for_update().get(pk=user.pk)
    display_name, phone = clean_staff_details(display_name, phone)
    role_objs = clean_roles(roles)
    windows = list(windows)
    check_staff_placement(roles=role_objs, region=region, centre=centre, department=department, windows=windows)
    before = _staff_after(user)
    values = {
        "display_name": display_name, "phone": phone, "region": region, "centre": centre, "department": department,
        "is_staff": is_staff or is_superuser, "is_superuser": is_superuser, "is_active": is_active,
    }
    for name, value in values.items():
        setattr(user, name, value)
    scalar_after = _snapshot(user, STAFF_FIELDS)
    changed = [name for name in STAFF_FIELDS if before[name] != scalar_after[name]]
    if changed:
        user.save(update_fields=changed)
    if sorted(r.code for r in role_objs) != before["roles"]:
        user.roles.set(role_objs)
    if sorted(w.pk for w in windows) != before["windows"]:
        user.windows.set(windows)
    user._role_codes = None  # has_role caches the codes; they may have just changed
    after = _staff_after(user)
    if after == before:
        return user, False
    diff = [k for k in after if after[k] != before[k]]
    audit_record(actor=actor, action="org.staff.update", obj=user,
                 before={k: before[k] for k in diff}, after={k: after[k] for k in diff})
    return user, True
