"""Writes to bundles (一件事). Every change records its audit entry in the same transaction.

A bundle is published only when each of its items can be applied for today: its public version
is published (not suspended, abolished or never published), its department is active and has a
decision-maker to route the child case to, and it may be accepted at the bundle's centre.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.audit import audit_record
from yichuang.org.models import Role, ServiceCentre, User

from .models import Bundle, BundleFieldMap, BundleItem, Item, ItemVersion
from .selectors_bundles import bundle_entries

BUNDLE_FIELDS = ("name", "description", "audience", "mode", "promised_limit", "statutory_limit", "on_denial")


def bundle_problems(bundle: Bundle) -> list[str]:
    """What keeps a bundle from being published (or applied for), in words an admin can act on."""
    from yichuang.cases.rules import can_accept_at

    problems = []
    entries = bundle_entries(bundle)
    if len(entries) < 2:
        problems.append(_("一件事至少需要包含两个事项。"))
    stages = sorted({e.stage for e in entries})
    if stages and stages != list(range(1, len(stages) + 1)):
        problems.append(_("阶段应从第 1 阶段起连续编号（当前为：%(s)s）。") % {"s": "、".join(map(str, stages))})
    if bundle.mode == Bundle.Mode.PARALLEL and len(stages) > 1:
        problems.append(_("并联同时办理的一件事只能有一个阶段；分阶段办理请把办理方式改为「分阶段办理」。"))
    if bundle.promised_limit > bundle.statutory_limit:
        problems.append(
            _("承诺时限（%(p)d 个工作日）不能长于法定时限（%(s)d 个工作日）。")
            % {"p": bundle.promised_limit, "s": bundle.statutory_limit}
        )
    for entry in entries:
        version = entry.version
        code = entry.entry.item.implementation_code
        if version is None:
            problems.append(_("事项 %(c)s 尚未发布，不能纳入一件事。") % {"c": code})
            continue
        if version.status != ItemVersion.Status.PUBLISHED:
            problems.append(
                _("事项「%(n)s」当前为「%(s)s」，不能办理：请先恢复该事项或把它移出一件事。")
                % {"n": version.name, "s": version.get_status_display()}
            )
        department = version.department
        if not department.is_active:
            problems.append(_("事项「%(n)s」的实施主体「%(d)s」已停用。") % {"n": version.name, "d": department.name})
        elif not User.objects.filter(
            department=department, is_active=True, roles__code=Role.Code.APPROVER
        ).exists():
            problems.append(
                _("事项「%(n)s」的实施主体「%(d)s」没有决定人员，子办件无人办理：请先为该部门配置决定人员。")
                % {"n": version.name, "d": department.name}
            )
        if bundle.centre_id and not can_accept_at(version, bundle.centre):
            problems.append(
                _("事项「%(n)s」不在「%(c)s」的通办范围内。") % {"n": version.name, "c": bundle.centre.name}
            )
    return problems


def _snapshot(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        **{f: getattr(bundle, f) for f in BUNDLE_FIELDS},
        "centre": bundle.centre.code if bundle.centre_id else None,
        "items": [
            {"item": e.item.implementation_code, "stage": e.stage}
            for e in bundle.entries.select_related("item").order_by("stage", "order", "id")
        ],
        "field_map": sorted(
            [
                {"item": m.item.implementation_code, "item_field_key": m.item_field_key, "bundle_key": m.bundle_key}
                for m in bundle.field_maps.select_related("item")
            ],
            key=lambda r: (r["item"], r["item_field_key"]),
        ),
    }


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    defaults = {"description": "", "audience": Bundle.Audience.COMPANY, "mode": Bundle.Mode.PARALLEL,
                "statutory_limit": 45, "on_denial": Bundle.OnDenial.CONTINUE, "centre": None}
    out = {**defaults, **{k: v for k, v in data.items() if k not in ("items", "field_map")}}
    out["items"] = [{"item": r["item"], "stage": int(r.get("stage", 1))} for r in data.get("items", [])]
    out["field_map"] = sorted(
        [{k: r[k] for k in ("item", "item_field_key", "bundle_key")} for r in data.get("field_map", [])],
        key=lambda r: (r["item"], r["item_field_key"]),
    )
    out.pop("publish", None)
    return out


@transaction.atomic
def bundle_upsert(*, actor, data: dict[str, Any], publish: bool = True) -> tuple[Bundle, bool]:
    """Create or update a bundle from its dictionary form (admin page, API, seed).

    Returns (bundle, changed); the same content twice changes nothing. A changed bundle goes
    back to draft and is published again when `publish` is true (and it passes the checks).
    """
    code = str(data.get("code", "")).strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("请填写一件事代码。")]
    if not str(data.get("name", "")).strip():
        errors["name"] = [_("请填写一件事名称。")]
    try:
        limit = int(data.get("promised_limit") or 0)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1:
        errors["promised_limit"] = [_("承诺办结时限至少 1 个工作日。")]
    if errors:
        raise ValidationError(errors)
    wanted = _normalised({**data, "code": code, "promised_limit": limit})
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    created = bundle is None
    if not created and _snapshot(bundle) == wanted and (not publish or bundle.status == Bundle.Status.PUBLISHED):
        return bundle, False
    items: list[tuple[Item, int]] = []
    for row in wanted["items"]:
        item = Item.objects.filter(implementation_code=row["item"]).first()
        if item is None:
            errors.setdefault("items", []).append(_("事项 %(c)s 不存在。") % {"c": row["item"]})
        elif any(i.pk == item.pk for i, _s in items):
            errors.setdefault("items", []).append(_("事项「%(n)s」重复。") % {"n": item})
        else:
            items.append((item, max(1, row["stage"])))
    centre = None
    if wanted["centre"]:
        centre = ServiceCentre.objects.filter(code=wanted["centre"]).first()
        if centre is None:
            errors["centre"] = [_("中心 %(c)s 不存在。") % {"c": wanted["centre"]}]
    if errors:
        raise ValidationError(errors)
    before = None if created else _snapshot(bundle)
    bundle = bundle or Bundle(code=code)
    for name in BUNDLE_FIELDS:
        setattr(bundle, name, wanted[name])
    bundle.centre = centre
    bundle.status = Bundle.Status.DRAFT
    bundle.published_at = None
    bundle.full_clean(validate_constraints=False, exclude=["code"] if not created else None)
    bundle.save()
    bundle.entries.all().delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=item, stage=stage, order=i) for i, (item, stage) in enumerate(items)]
    )
    by_code = {item.implementation_code: item for item, _s in items}
    bundle.field_maps.all().delete()
    maps = []
    for row in wanted["field_map"]:
        item = by_code.get(row["item"])
        if item is None:
            raise ValidationError({"field_map": [_("映射中的事项 %(c)s 不在本一件事中。") % {"c": row["item"]}]})
        maps.append(BundleFieldMap(bundle=bundle, item=item, item_field_key=row["item_field_key"],
                                   bundle_key=row["bundle_key"]))
    BundleFieldMap.objects.bulk_create(maps)
    audit_record(actor=actor, action="catalog.bundle.create" if created else "catalog.bundle.edit", obj=bundle,
                 before=before, after=_snapshot(bundle))
    if publish:
        bundle = bundle_publish(actor=actor, bundle=bundle)
    return bundle, True


@transaction.atomic
def bundle_publish(*, actor, bundle: Bundle) -> Bundle:
    """Publish a bundle, or refuse with every reason it cannot be applied for."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    problems = bundle_problems(bundle)
    if problems:
        audit_record(actor=actor, action="catalog.bundle.publish.refused", obj=bundle, note="；".join(problems))
        raise ValidationError(problems)
    before = bundle.status
    bundle.status = Bundle.Status.PUBLISHED
    bundle.published_at = timezone.now()
    bundle.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="catalog.bundle.publish", obj=bundle, before={"status": before},
                 after=_snapshot(bundle))
    return bundle


@transaction.atomic
def bundle_suspend(*, actor, bundle: Bundle, reason: str) -> Bundle:
    """Stop new applications for a bundle (cases already applied for run on)."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if not (reason or "").strip():
        raise ValidationError(_("请填写暂停的原因。"))
    if bundle.status != Bundle.Status.PUBLISHED:
        raise ValidationError(_("只有已发布的一件事可以暂停。"))
    bundle.status = Bundle.Status.SUSPENDED
    bundle.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="catalog.bundle.suspend", obj=bundle, before={"status": "published"},
                 after={"status": bundle.status}, note=reason.strip())
    return bundle
