"""Who may accept an item where: the 通办 scope of the catalogue applied to a receiving point."""

from yichuang.catalog.models import ItemVersion
from yichuang.org.models import ServiceCentre

from .models import Case

SCOPE_PREFIX = {
    ItemVersion.TongbanScope.COUNTY: 6,
    ItemVersion.TongbanScope.CITY: 4,
    ItemVersion.TongbanScope.PROVINCE: 2,
}


def can_accept_at(version: ItemVersion, centre: ServiceCentre) -> bool:
    department = version.department
    if department.centre_id == centre.pk:
        return True
    scope = version.tongban_scope
    if scope == ItemVersion.TongbanScope.CROSS_PROVINCE:
        return True
    if scope in SCOPE_PREFIX:
        digits = SCOPE_PREFIX[scope]
        return centre.region.code[:digits] == department.region.code[:digits]
    if scope == ItemVersion.TongbanScope.LISTED:
        # Use the prefetched list when the caller loaded it (the item finder checks 40 at a time).
        if "accepting_centres" in getattr(version, "_prefetched_objects_cache", {}):
            return any(c.pk == centre.pk for c in version.accepting_centres.all())
        return version.accepting_centres.filter(pk=centre.pk).exists()
    # 仅本中心: the department's own centre, or any centre when the department has none recorded
    # but sits in the same county.
    return department.centre_id is None and centre.region.code[:6] == department.region.code[:6]


# Town and village points (便民服务中心 / 站) accept for the county: 多级联动.
POINT_KINDS = frozenset({ServiceCentre.Kind.TOWN, ServiceCentre.Kind.VILLAGE})


def channel_at(centre: ServiceCentre) -> str:
    """The channel a front-desk receipt at `centre` is counted under (乡镇（村）服务点 at a point)."""
    return Case.Channel.TOWN if centre.kind in POINT_KINDS else Case.Channel.WINDOW


def points_in_scope(version: ItemVersion) -> list[ServiceCentre]:
    """Every active centre and point that may accept the item (同城通办: any of them will do)."""
    centres = ServiceCentre.objects.filter(is_active=True).select_related("region").order_by("region__code", "name")
    return [centre for centre in centres if can_accept_at(version, centre)]
