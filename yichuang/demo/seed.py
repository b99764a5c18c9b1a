"""Load the demo county through the services, idempotently.

Every row is looked up by its code first: a missing one is created, an existing one is
brought in line with the data through the `*_update` service, which writes nothing (not even
an audit entry) when nothing differs. So a second run changes nothing, and a run after the
data files changed applies exactly the difference. Passwords of existing accounts are never
reset: someone may have changed theirs.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from yichuang.catalog.models import Item, ItemVersion
from yichuang.catalog.services import item_upsert, item_version_set_status, topic_upsert
from yichuang.org import services as org
from yichuang.org.models import Department, Region, ServiceCentre, User, Window

from . import items_data, org_data
from .cases import load_demo_cases

# Labels of the report, in the order they are printed.
KINDS = ["区划", "服务中心（站点）", "部门", "窗口", "工作人员", "主题", "事项", "事项状态", "办件"]


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    # Demo cases made, by state (in the order they were counted).
    case_states: Counter = field(default_factory=Counter)
    # What the other apps' demo loaders changed, in their own words.
    extras: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.extras)

    def summary(self) -> str:
        parts = []
        for kind in KINDS:
            c, u = self.created[kind], self.updated[kind]
            if c and u:
                parts.append(f"{kind}新建 {c} 个、更新 {u} 个")
            elif c:
                parts.append(f"{kind}新建 {c} 个")
            elif u:
                parts.append(f"{kind}更新 {u} 个")
        if self.case_states:
            parts.append("办件按状态：" + "、".join(f"{state} {n} 件" for state, n in self.case_states.items()))
        parts.extend(self.extras)
        return "；".join(parts)


def load_demo(*, actor=None, cases: bool = True, today: datetime.date | None = None) -> SeedReport:
    """Create or update the whole demo centre in one transaction; returns what changed.

    With `cases`, a few hundred demo cases are added the first time (see `demo.cases`); a
    later run leaves cases alone. `today` (default: the real date) anchors their timeline.
    """
    report = SeedReport()
    with transaction.atomic():
        _load_regions(actor, report)
        _load_centres(actor, report)
        _load_departments(actor, report)
        _load_windows(actor, report)
        _load_staff(actor, report)
        _load_topics(actor, report)
        _load_items(actor, report)
        if cases:
            _load_cases(report, today)
        _load_hall(actor, report)
        _load_licences(actor, report, today)
        _load_later_parts(actor, report, today)
        # Once more: the later parts approve cases (licences to issue) and open cases whose
        # holders already have licences (reuse). Idempotent, so a second seed changes nothing.
        _load_licences(actor, report, today)
    return report


def _load_later_parts(actor, report: SeedReport, today: datetime.date | None) -> None:
    """The online hall, parallel approval, projects and ratings: each app seeds its own part."""
    from yichuang.cases.demo_parallel import seed_demo_parallel
    from yichuang.feedback.demo import seed_demo_feedback
    from yichuang.portal.demo import seed_demo_portal
    from yichuang.projects.demo import seed_demo_projects
    from yichuang.supervision.demo import seed_demo_assessment

    from .cases import no_sms_for_history

    with no_sms_for_history():
        for seed in (seed_demo_portal, seed_demo_parallel, seed_demo_projects, seed_demo_feedback,
                     seed_demo_assessment):
            report.extras.extend(seed(actor, today=today))


def _load_hall(actor, report: SeedReport) -> None:
    from yichuang.hall.demo import seed_demo_hall

    changed = {kind: n for kind, n in seed_demo_hall(actor).items() if n}
    if changed:
        report.extras.append("取号叫号：" + "、".join(f"{kind} {n} 个" for kind, n in changed.items()))


def _load_licences(actor, report: SeedReport, today: datetime.date | None) -> None:
    """Seal, licence types and signed licences for the approved demo cases (after the cases)."""
    from yichuang.licences.demo import seed_demo_licences

    from .cases import no_sms_for_history

    with no_sms_for_history():
        licences = seed_demo_licences(actor, today=today)
    if licences.seals or licences.types_created or licences.types_updated or licences.issued or licences.reused:
        report.extras.append("电子证照：" + licences.summary())
    if licences.second_applications:
        # The licence demo receives one later application that reuses a licence instead of an upload.
        report.created["办件"] += licences.second_applications
        report.case_states["复用电子证照、已接件"] += licences.second_applications
    report.extras.extend(licences.problems)


def _count(report: SeedReport, kind: str, created: bool, changed: bool) -> None:
    if created:
        report.created[kind] += 1
    elif changed:
        report.updated[kind] += 1


def _load_regions(actor, report: SeedReport) -> None:
    existing = {r.code: r for r in Region.objects.filter(code__in=[code for code, _ in org_data.REGIONS])}
    for code, name in org_data.REGIONS:
        region = existing.get(code)
        if region is None:
            org.region_create(actor=actor, code=code, name=name)
            _count(report, "区划", True, True)
        else:
            _, changed = org.region_update(actor=actor, region=region, name=name)
            _count(report, "区划", False, changed)


def _load_centres(actor, report: SeedReport) -> None:
    for row in org_data.CENTRES:
        values = {
            "name": row["name"], "kind": row["kind"], "region": Region.objects.get(code=row["region"]),
            "parent": ServiceCentre.objects.get(code=row["parent"]) if row["parent"] else None,
            "address": row["address"], "phone": row["phone"], "hours": row["hours"],
        }
        centre = ServiceCentre.objects.filter(code=row["code"]).first()
        if centre is None:
            org.centre_create(actor=actor, code=row["code"], **values)
            _count(report, "服务中心（站点）", True, True)
        else:
            _, changed = org.centre_update(actor=actor, centre=centre, **values)
            _count(report, "服务中心（站点）", False, changed)


def _load_departments(actor, report: SeedReport) -> None:
    for row in org_data.DEPARTMENTS:
        values = {
            "name": row["name"], "short_name": row["short_name"], "uscc": row["uscc"],
            "region": Region.objects.get(code=row["region"]),
            "centre": ServiceCentre.objects.get(code=row["centre"]) if row["centre"] else None,
            "phone": row["phone"], "complaint_phone": row["complaint_phone"], "sort_order": row["sort_order"],
        }
        department = Department.objects.filter(code=row["code"]).first()
        if department is None:
            org.department_create(actor=actor, code=row["code"], **values)
            _count(report, "部门", True, True)
        else:
            _, changed = org.department_update(actor=actor, department=department, **values)
            _count(report, "部门", False, changed)


def _load_windows(actor, report: SeedReport) -> None:
    for centre_code, number, name, kind, dept_code in org_data.WINDOWS:
        centre = ServiceCentre.objects.get(code=centre_code)
        department = Department.objects.get(code=dept_code) if dept_code else None
        window = Window.objects.filter(centre=centre, number=number).first()
        if window is None:
            org.window_create(actor=actor, centre=centre, number=number, name=name, kind=kind, department=department)
            _count(report, "窗口", True, True)
        else:
            _, changed = org.window_update(actor=actor, window=window, name=name, kind=kind, department=department)
            _count(report, "窗口", False, changed)


def _staff_values(row: dict[str, Any]) -> dict[str, Any]:
    centre = ServiceCentre.objects.get(code=row["centre"]) if row.get("centre") else None
    return {
        "display_name": row["display_name"],
        "roles": row["roles"],
        "region": Region.objects.get(code=row["region"]) if row.get("region") else None,
        "centre": centre,
        "department": Department.objects.get(code=row["department"]) if row.get("department") else None,
        "windows": [Window.objects.get(centre=centre, number=n) for n in row.get("windows", [])],
        "is_staff": row.get("is_staff", False),
        "is_superuser": row.get("is_superuser", False),
    }


def _load_staff(actor, report: SeedReport) -> None:
    existing = {u.username: u for u in User.objects.filter(username__in=[r["username"] for r in org_data.STAFF])}
    # Hashing is deliberately slow (a quarter of a second); every demo account shares the one
    # published password, so it is hashed once.
    password_hash = None
    for row in org_data.STAFF:
        user = existing.get(row["username"])
        if user is None:
            password_hash = password_hash or make_password(org_data.DEMO_PASSWORD)
            org.staff_create(actor=actor, username=row["username"], password_hash=password_hash, **_staff_values(row))
            _count(report, "工作人员", True, True)
        else:
            _, changed = org.staff_update(actor=actor, user=user, **_staff_values(row))
            _count(report, "工作人员", False, changed)


def _load_topics(actor, report: SeedReport) -> None:
    for order, (code, name, audience) in enumerate(items_data.TOPICS):
        _, created, changed = topic_upsert(actor=actor, code=code, name=name, audience=audience, sort_order=order)
        _count(report, "主题", created, changed)


def _load_items(actor, report: SeedReport) -> None:
    known = set(Item.objects.values_list("implementation_code", flat=True))
    for data in items_data.ITEMS:
        created = data["implementation_code"] not in known
        version, changed = item_upsert(actor=actor, data=data, publish=True)
        _count(report, "事项", created, changed)
        reason = items_data.SUSPENDED.get(data["name"])
        if reason and version.status == ItemVersion.Status.PUBLISHED:
            item_version_set_status(actor=actor, version=version, status=ItemVersion.Status.SUSPENDED, reason=reason)
            _count(report, "事项状态", False, True)


def _load_cases(report: SeedReport, today: datetime.date | None) -> None:
    made = load_demo_cases(today=today)
    if made:
        report.created["办件"] += sum(made.values())
        report.case_states.update(made)


def demo_accounts() -> list[dict[str, str]]:
    """The demo accounts as they stand in the database, for the table the command prints."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[r["username"] for r in org_data.STAFF])
        .select_related("centre", "department").prefetch_related("roles", "windows")
    }
    rows = []
    for row in org_data.STAFF:
        user = users.get(row["username"])
        if user is None:
            continue
        windows = "、".join(w.number for w in sorted(user.windows.all(), key=lambda w: w.number))
        place = " · ".join(
            part for part in (
                user.centre.name if user.centre else "",
                f"{windows} 窗口" if windows else "",
                # Centre staff belong to the centre's own office; naming it adds nothing.
                user.department.display_name if user.department and user.department.code != "SPJ" else "",
            ) if part
        )
        rows.append({
            "username": user.username,
            "roles": "、".join(r.name for r in user.roles.all()),
            "name": user.display_name,
            "place": place,
        })
    return rows
