"""The demo county's hall: lines, areas and settings for 示例县政务服务中心 and one town centre.

`seed_demo_hall(actor)` is idempotent: a second run changes nothing. The demo hall takes tickets
around the clock, every day, so it can be tried at any hour; a real centre sets its hours in the
admin (大厅设置) and follows the working-day calendar.
"""

import datetime
from collections import Counter

from yichuang.catalog.models import Item
from yichuang.org.models import Department, ServiceCentre, Window

from .services import hall_area_upsert, hall_settings_set, service_line_upsert

COUNTY_CENTRE = "SLX"
TOWN_CENTRE = "SLXQS"

DEMO_SETTINGS = {
    "opens_at": datetime.time(0, 0), "closes_at": datetime.time(23, 59), "last_ticket_minutes": 0,
    "open_every_day": True, "slots_from": datetime.time(9, 0), "slots_until": datetime.time(17, 0),
    "lunch_starts": datetime.time(12, 0), "lunch_ends": datetime.time(13, 30),
}

AREAS = [("1f", "一楼 综合受理区", 1), ("2f", "二楼 部门专窗区", 2)]

# (code, name, prefix, area, description, departments, item names, windows {number: priority}, minutes)
LINES = [
    ("general", "综合受理", "A", "1f", "企业开办、市场准营、工程建设、交通运输、社会事务等",
     ["SCJG", "WJJ", "JTJ", "ZJJ", "ZHZF", "STHJ", "SLJ", "YCJ", "RSJ", "MZJ", "SPJ"], [],
     {"A01": 1, "A02": 1, "A03": 2, "A04": 1, "A05": 1, "A06": 1}, 12),
    ("social", "社保就业", "S", "1f", "养老保险参保、就业创业证、单位社保登记",
     [], ["城乡居民基本养老保险参保登记", "就业创业证申领", "社会保险登记（单位参保）"],
     {"A03": 1, "A06": 2}, 8),
    ("result", "统一出件", "C", "1f", "领取证照、批文等办理结果", [], [], {"C01": 1}, 4),
    ("help", "帮办代办·咨询", "D", "1f", "不知道怎么办？工作人员帮您", [], [], {"D01": 1}, 10),
    ("estate", "不动产与规划", "B", "2f", "不动产登记、建设工程规划许可", ["ZRZY"], [], {"B01": 1}, 20),
    ("police", "户政", "H", "2f", "身份证、户口迁移、出生登记", ["GAJ"], [], {"B02": 1}, 10),
    ("marriage", "婚姻登记", "M", "2f", "结婚登记", [], ["结婚登记"], {"B03": 1}, 15),
]

TOWN_LINES = [
    ("general", "综合受理", "A", "", "便民服务事项", [], [], {"01": 1}, 10),
]


def _items(names: list[str]) -> list[Item]:
    found = {i.current.name: i for i in Item.objects.select_related("current").filter(current__name__in=names)}
    return [found[name] for name in names if name in found]


def _load(actor, centre: ServiceCentre, rows, counts: Counter, areas: dict) -> None:
    windows = {w.number: w for w in Window.objects.filter(centre=centre)}
    for order, (code, name, prefix, area, description, dept_codes, item_names, window_numbers, minutes) in enumerate(rows):
        _line, created, changed = service_line_upsert(
            actor=actor, centre=centre, code=code, name=name, prefix=prefix, area=areas.get(area),
            description=description, sort_order=order + 1, default_service_minutes=minutes,
            departments=list(Department.objects.filter(code__in=dept_codes)), items=_items(item_names),
            windows={windows[n]: p for n, p in window_numbers.items() if n in windows},
            appointments_enabled=code not in ("result", "help"),
        )
        counts["业务队列新建" if created else "业务队列更新"] += int(created or changed)


def seed_demo_hall(actor=None) -> Counter:
    """Create or update the demo hall; returns what changed (empty when already up to date)."""
    counts: Counter = Counter()
    for code, rows in ((COUNTY_CENTRE, LINES), (TOWN_CENTRE, TOWN_LINES)):
        centre = ServiceCentre.objects.filter(code=code).first()
        if centre is None:
            continue
        _hall, changed = hall_settings_set(actor=actor, centre=centre, **DEMO_SETTINGS)
        counts["大厅设置"] += int(changed)
        areas = {}
        if code == COUNTY_CENTRE:
            for area_code, area_name, order in AREAS:
                area, created, changed = hall_area_upsert(actor=actor, centre=centre, code=area_code, name=area_name,
                                                          sort_order=order)
                areas[area_code] = area
                counts["大厅区域"] += int(created or changed)
        _load(actor, centre, rows, counts, areas)
    return +counts
