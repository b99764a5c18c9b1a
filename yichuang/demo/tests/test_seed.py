"""The demo county: complete enough to use, valid by the catalogue's own rules, and idempotent."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.executor import MigrationExecutor

from yichuang.catalog.models import Item, ItemVersion
from yichuang.catalog.services import item_version_problems
from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry
from yichuang.core.validators import is_valid_uscc
from yichuang.demo import items_data, org_data
from yichuang.demo.seed import load_demo
from yichuang.org.models import Department, Role, ServiceCentre, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return load_demo(cases=False)


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_publishes_at_least_30_items_each_passing_the_publication_checks(seeded):
    public = ItemVersion.objects.filter(status__in=["published", "suspended"])
    assert public.filter(status="published").count() >= 30
    for version in public.select_related("department"):
        assert item_version_problems(version) == [], version.name
    # Every item's current version is the public one, so guides and acceptance find it.
    assert Item.objects.filter(current__isnull=True).count() == 0


def test_seed_leaves_the_listed_items_suspended_with_their_reason(seeded):
    suspended = set(ItemVersion.objects.filter(status="suspended").values_list("name", flat=True))
    assert suspended == set(items_data.SUSPENDED)
    entry = AuditEntry.objects.filter(action="catalog.version.status").first()
    assert entry.note in items_data.SUSPENDED.values()


def test_seed_has_at_least_8_departments_each_with_a_valid_uscc(seeded):
    departments = list(Department.objects.all())
    assert len(departments) >= 8
    for department in departments:
        assert is_valid_uscc(department.uscc), department.name
        # Government bodies' codes start with 1 (机构编制) 1 (机关).
        assert department.uscc.startswith("11"), department.name
    assert len({d.uscc for d in departments}) == len(departments)


def test_seed_has_an_account_for_every_role_that_can_log_in(seeded, client):
    for code in Role.Code.values:
        assert User.objects.filter(roles__code=code).exists(), code
    assert client.login(username="clerk", password=org_data.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="supervisor").is_staff
    assert not User.objects.get(username="clerk").is_staff


def test_demo_flow_department_has_its_reviewer_and_approver(seeded):
    scjg = Department.objects.get(code="SCJG")
    food = ItemVersion.objects.get(name="食品经营许可（新办）", status="published")
    assert food.department == scjg
    assert User.objects.get(username="reviewer_scjg").department == scjg
    assert User.objects.get(username="approver_scjg").department == scjg
    assert food.allowed_procedures.filter(procedure_id="site_survey", counts_toward_limit=False).exists()
    assert food.materials.filter(necessity="deferrable").exists()
    assert food.form_fields.filter(type="uscc").exists()


def test_seed_builds_the_county_with_town_and_village_points(seeded):
    county = ServiceCentre.objects.get(code=org_data.COUNTY_CENTRE)
    assert county.kind == "centre" and county.region.code == "339901000000"
    towns = ServiceCentre.objects.filter(kind="town")
    assert towns.count() == 4 and all(t.parent == county for t in towns)
    assert ServiceCentre.objects.filter(kind="village").count() >= 2
    # Town points must have items they may accept, or 通办 cannot be shown.
    town_acceptable = ItemVersion.objects.filter(status="published", tongban_scope__in=["county", "listed"])
    assert town_acceptable.count() >= 3
    assert ItemVersion.objects.filter(status="published", accepting_centres__code="SLXQS").exists()


def test_second_run_changes_no_row_and_writes_no_audit_entry(seeded):
    assert seeded.changed
    counts = table_counts()
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    report = load_demo(cases=False)
    assert not report.changed, report.summary()
    assert table_counts() == counts
    assert AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == last_seq


def test_changed_data_is_applied_as_an_update_not_skipped(seeded, monkeypatch):
    departments = [dict(d) for d in org_data.DEPARTMENTS]
    departments[1]["phone"] = "0570-6019999"
    monkeypatch.setattr(org_data, "DEPARTMENTS", departments)
    count = AuditEntry.objects.count()
    report = load_demo(cases=False)
    assert report.updated["部门"] == 1 and sum(report.created.values()) == 0
    assert Department.objects.get(code=departments[1]["code"]).phone == "0570-6019999"
    assert AuditEntry.objects.count() == count + 1


def test_existing_passwords_are_not_reset_by_a_rerun(seeded):
    user = User.objects.get(username="clerk")
    user.set_password("changed-by-clerk-2024")
    user.save()
    load_demo(cases=False)
    assert User.objects.get(username="clerk").check_password("changed-by-clerk-2024")


def test_seed_keeps_the_audit_chain_whole(seeded):
    # Every item published once, and 户外招牌设置, which the parallel-approval demo adds for 开办餐饮店.
    assert AuditEntry.objects.filter(action="catalog.version.publish").count() == len(items_data.ITEMS) + 1
    assert audit_verify() is None


def test_item_data_codes_are_unique():
    codes = [i["implementation_code"] for i in items_data.ITEMS]
    assert len(codes) == len(set(codes))
    for data in items_data.ITEMS:
        material_codes = [m["code"] for m in data["materials"]]
        assert len(material_codes) == len(set(material_codes)), data["name"]
        keys = [f["key"] for f in data["form_fields"]]
        assert len(keys) == len(set(keys)), data["name"]


def test_command_loads_prints_accounts_and_url_then_reports_nothing_to_do(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed-demo", stdout=out)
    text = out.getvalue()
    assert "演示数据已载入" in text
    assert org_data.DEMO_PASSWORD in text
    for row in org_data.STAFF:
        assert row["username"] in text
    assert "综合窗口受理员" in text
    assert settings.SITE_URL in text
    out = StringIO()
    call_command("seed-demo", stdout=out)
    assert "已是最新，无需更改" in out.getvalue()


def test_command_refuses_outside_debug_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed-demo", stdout=StringIO())
    assert not Department.objects.exists()
    call_command("seed-demo", "--force", stdout=StringIO())
    assert Department.objects.exists()


def test_command_asks_for_migrate_first_when_migrations_are_pending(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)])
    with pytest.raises(CommandError, match="yichuang migrate"):
        call_command("seed-demo", stdout=StringIO())
    assert not Department.objects.exists()
