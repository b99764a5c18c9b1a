"""A county hall with three lines and four windows, on top of the case engine's county fixtures."""

import datetime
from types import SimpleNamespace

import pytest

from yichuang.cases.tests.conftest import TZ, county, item, staff  # noqa: F401 - fixtures shared with the case engine
from yichuang.hall.models import HallSettings, LineWindow, ServiceLine
from yichuang.org.models import Window

MONDAY = "2026-11-02"
TUESDAY = "2026-11-03"
SATURDAY = "2026-11-07"


def when(day: str = MONDAY, hour: int = 10, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute, second), tzinfo=TZ)


@pytest.fixture(autouse=True)
def _texts_stay_in_the_hall_outbox(settings):
    """The platform's local gateway appends to a file shared by the suite; hall tests keep to their table."""
    settings.HALL_SMS_BACKEND = "yichuang.hall.sms.LocalOutboxBackend"


@pytest.fixture
def hall(county, staff, item):  # noqa: F811 - the fixtures imported above
    centre = county["centre"]
    a01 = county["window"]
    a02 = Window.objects.create(centre=centre, number="A02", name="综合受理", kind="general")
    b01 = Window.objects.create(centre=centre, number="B01", name="不动产登记专窗", kind="department")
    c01 = Window.objects.create(centre=centre, number="C01", name="统一出件", kind="result")
    settings = HallSettings.objects.create(centre=centre)
    general = ServiceLine.objects.create(centre=centre, code="general", name="综合受理", prefix="A", sort_order=1)
    general.items.add(item.item)
    estate = ServiceLine.objects.create(centre=centre, code="estate", name="不动产登记", prefix="B", sort_order=2,
                                        default_service_minutes=20)
    results = ServiceLine.objects.create(centre=centre, code="result", name="出件", prefix="C", sort_order=3,
                                         default_service_minutes=5)
    for line, window, priority in (
        (general, a01, 1), (general, a02, 1), (estate, b01, 1), (estate, a02, 2), (results, c01, 1),
    ):
        LineWindow.objects.create(line=line, window=window, priority=priority)
    staff["clerk"].windows.add(a01)
    staff["clerk2"].windows.add(a02)
    staff["result"].windows.add(c01)
    return SimpleNamespace(
        centre=centre, settings=settings, general=general, estate=estate, results=results,
        a01=a01, a02=a02, b01=b01, c01=c01, clerk=staff["clerk"], clerk2=staff["clerk2"],
        result_clerk=staff["result"], staff=staff, item=item,
    )
