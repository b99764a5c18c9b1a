"""Who may accept an item where: the 通办 scope of the catalogue applied to a receiving point."""

from yichuang.catalog.models import ItemVersion
from yichuang.org.models import ServiceCentre

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
